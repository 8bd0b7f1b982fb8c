#include "orchestrate/backfill_task.h"

namespace runlake {

using nlohmann::json;

std::string BackfillAttemptInput(const BackfillRecord& backfill, const BackfillDate& date,
                                 const std::string& lake_bucket) {
  json input = {{"run_key", date.run_id},
                {"s3_bucket", lake_bucket},
                {"s3_key", date.source_key},
                {"schema_version", backfill.options.value("schema_version", "v1")},
                {"trigger_source", "manual_backfill"},
                {"trigger_event_id", backfill.id},
                {"trigger_event_time", backfill.created_at}};
  return input.dump(2) + "\n";
}

TaskSpec BackfillDateTask(const BackfillRecord& backfill, const BackfillDate& date,
                          int attempts_before) {
  TaskSpec spec;
  spec.name = BackfillExecutionName(backfill.id, date.date, 1);
  spec.kind = TaskKind::kBackfill;
  spec.backfill_id = backfill.id;
  spec.attempts_before = attempts_before;
  spec.max_attempts = backfill.options.value("max_attempts", 3);
  spec.payload = {{"backfill_id", backfill.id},
                  {"stamp", backfill.stamp},
                  {"date", date.date},
                  {"source_key", date.source_key},
                  {"created_at", backfill.created_at},
                  {"schema_version", backfill.options.value("schema_version", "v1")},
                  {"max_attempts", backfill.options.value("max_attempts", 3)},
                  {"rules_text", backfill.options.value("rules_text", "")},
                  {"rules_origin", backfill.options.value("rules_origin", "rules")}};
  return spec;
}

Result<BackfillRecord> BackfillOfTask(const TaskRecord& task) {
  const json& p = task.payload;
  for (const char* key : {"backfill_id", "stamp", "date", "source_key", "created_at"}) {
    if (!p.contains(key) || !p[key].is_string()) {
      return Status::InvalidArgument("task '" + task.name + "': payload has no '" + key + "'");
    }
  }
  BackfillRecord r;
  r.id = p["backfill_id"];
  r.stamp = p["stamp"];
  r.created_at = p["created_at"];
  r.options = {{"schema_version", p.value("schema_version", "v1")},
               {"max_attempts", p.value("max_attempts", 3)},
               {"rules_text", p.value("rules_text", "")},
               {"rules_origin", p.value("rules_origin", "rules")}};
  r.dates.push_back(BackfillDate{p["date"], p["source_key"], 0, "", ""});
  return r;
}

}  // namespace runlake
