// A backfill's per-date outcome, its comparison with the canonical runs, and promotion.

#include "runlake/backfill_report.h"

#include <algorithm>
#include <map>
#include <optional>

#include "ledger/staging.h"
#include "runlake/canonical_table.h"
#include "runlake/promote.h"
#include "runlake/run_diff.h"
#include "runlake/run_manifest.h"
#include "runlake/reaping_reads.h"

namespace runlake {
namespace {

using nlohmann::json;

// The runs diff figures of `date` in run `run_id`; null when the run is not committed.
Result<json> DateFigures(ObjectStore& store, const std::string& run_id, const std::string& date,
                         std::map<std::string, std::optional<RunManifest>>* cache,
                         bool* gate_passed = nullptr) {
  if (run_id.empty()) return json();
  if (!cache->count(run_id)) {
    RUNLAKE_ASSIGN_OR_RAISE((*cache)[run_id], LoadRunManifest(store, run_id));
  }
  const auto& m = (*cache)[run_id];
  if (!m) return json();
  if (gate_passed) *gate_passed = m->gate.passed;
  for (const auto& s : m->sources) {
    if (s.ingest_date != date) continue;
    return json{{"run_id", run_id},
                {"input_rows", s.input_rows},
                {"valid_rows", s.valid_rows},
                {"quarantined_rows", s.quarantined_rows},
                {"condemned_rows", s.condemned_rows}};
  }
  return json();
}

}  // namespace

Result<bool> CommittedAfterWorkerLost(ObjectStore& store, const ExecutionRecord& execution) {
  if (execution.status != ExecutionStatus::kFailed || !IsRecoverableCause(execution.cause)) return false;
  RUNLAKE_ASSIGN_OR_RAISE(auto m, LoadRunManifest(store, execution.run_id));
  return m.has_value() && m->gate.passed;
}

BackfillDateOutcome DateOutcomeOf(const BackfillDate& d, const Result<ExecutionOutcome>& outcome,
                              int64_t* rows) {
  BackfillDateOutcome o;
  o.date = d.date;
  o.run_id = d.run_id;
  o.execution = d.execution;
  o.attempts = d.attempts;
  o.ran_now = true;
  *rows = 0;
  if (!outcome.ok()) {
    o.status = "FAILED";
    o.cause = "StartFailed";
    o.error = outcome.status().ToString();
    return o;
  }
  o.status = ToString(outcome->record.status);
  o.cause = outcome->record.cause;
  o.error = outcome->record.error;
  if (outcome->manifest) {
    o.gate_passed = outcome->manifest->gate.passed;
    for (const auto& s : outcome->manifest->sources) {
      if (s.ingest_date != d.date) continue;
      *rows = s.input_rows;
      o.after = {{"input_rows", s.input_rows},
                 {"valid_rows", s.valid_rows},
                 {"quarantined_rows", s.quarantined_rows}};
    }
  }
  return o;
}

bool BackfillReport::ok() const {
  bool all = succeeded == static_cast<int>(dates.size());
  bool promoted = !promotion.is_object() || !promotion.value("requested", false) ||
                  promotion.value("promoted", false);
  return all && promoted;
}

Result<BackfillReport> BuildBackfillReport(ObjectStore& store, StateStore& state,
                                           const BackfillRecord& record, StateReads reads) {
  BackfillReport report;
  report.record = record;
  if (record.result.is_object() && record.result.contains("promotion")) {
    report.promotion = record.result["promotion"];
  }
  const auto& canonical = record.options.canonical;
  std::map<std::string, std::optional<RunManifest>> manifests;
  for (const auto& d : record.dates) {
    BackfillDateOutcome o;
    o.date = d.date;
    o.run_id = d.run_id;
    o.execution = d.execution;
    o.attempts = d.attempts;
    if (auto it = canonical.find(d.date); it != canonical.end()) o.canonical_run_id = it->second;
    if (!d.execution.empty()) {
      RUNLAKE_ASSIGN_OR_RAISE(auto rec, reads == StateReads::kReapFirst ? ReapAndGetExecution(state, d.execution)
                                                                        : state.GetExecution(d.execution));
      if (rec) {
        o.status = ToString(rec->status);
        o.cause = rec->cause;
        o.error = rec->error;
        RUNLAKE_ASSIGN_OR_RAISE(bool committed, CommittedAfterWorkerLost(store, *rec));
        if (committed) {
          o.status = "SUCCEEDED";
          o.cause = "WorkerLost after commit";
        }
      }
    }
    RUNLAKE_ASSIGN_OR_RAISE(o.before, DateFigures(store, o.canonical_run_id, d.date, &manifests));
    RUNLAKE_ASSIGN_OR_RAISE(o.after, DateFigures(store, o.run_id, d.date, &manifests, &o.gate_passed));
    if (o.status == "SUCCEEDED") ++report.succeeded;
    else if (o.status == "PENDING") ++report.pending;
    else if (o.status == "RUNNING") ++report.running;
    else if (o.status == "ABORTED") ++report.aborted;
    else ++report.failed;
    report.dates.push_back(std::move(o));
  }
  return report;
}

json PromoteBackfill(ObjectStore& store, const BackfillReport& report, const std::string& reason) {
  json promotion = {{"requested", true}, {"promoted", false}};
  std::vector<std::string> not_ready;
  for (const auto& d : report.dates) {
    if (d.status != "SUCCEEDED" || !d.gate_passed) {
      not_ready.push_back(d.date + " " + d.status + (d.cause.empty() ? "" : " (" + d.cause + ")"));
    }
  }
  if (!not_ready.empty()) {
    std::string why = std::to_string(not_ready.size()) + " of " +
                      std::to_string(report.dates.size()) +
                      " dates did not succeed and pass the quality gate: ";
    for (size_t i = 0; i < not_ready.size() && i < 5; ++i) why += (i ? ", " : "") + not_ready[i];
    if (not_ready.size() > 5) why += ", ...";
    promotion["reason"] = why + "; nothing was published";
    return promotion;
  }
  PromoteRequest req;
  req.after_commit = PublishCanonicalTable;
  for (const auto& d : report.dates) {
    // A --one-run backfill's dates share one run.
    if (std::find(req.run_ids.begin(), req.run_ids.end(), d.run_id) == req.run_ids.end()) {
      req.run_ids.push_back(d.run_id);
    }
  }
  req.reason = reason.empty() ? "backfill " + report.record.id : reason;
  req.execution = report.record.id;
  auto outcome = Promote(store, req);
  if (!outcome.ok()) {
    promotion["reason"] = "promote failed, nothing was published: " + outcome.status().message();
    return promotion;
  }
  promotion["promoted"] = true;
  promotion["dates"] = report.dates.size();
  promotion["pointer_version"] = outcome->version ? outcome->version->version : 0;
  if (!outcome->version) promotion["reason"] = "every date was already canonical";
  return promotion;
}

Result<json> CanaryDiff(ObjectStore& store, const BackfillDateOutcome& date) {
  if (date.canonical_run_id.empty() || date.after.is_null()) return json();
  RUNLAKE_ASSIGN_OR_RAISE(Staging scratch, Staging::Create(store, "backfill-diff"));
  RUNLAKE_ASSIGN_OR_RAISE(RunDiff diff, DiffRuns(store, date.canonical_run_id, date.run_id,
                                                 scratch.dir(), 20));
  return RunDiffToJson(diff);
}

json BackfillReportToJson(const BackfillReport& r) {
  json dates = json::array();
  for (const auto& d : r.dates) {
    dates.push_back({{"date", d.date},           {"status", d.status},
                     {"cause", d.cause},         {"error", d.error},
                     {"attempts", d.attempts},   {"run_id", d.run_id},
                     {"execution", d.execution}, {"canonical_run_id", d.canonical_run_id},
                     {"ran_now", d.ran_now},     {"gate_passed", d.gate_passed},
                     {"before", d.before},       {"after", d.after}});
  }
  return {{"id", r.record.id},
          {"status", ToString(r.record.status)},
          {"from", r.record.from_date},
          {"to", r.record.to_date},
          {"dataset", r.record.dataset.path()},
          {"options", BackfillOptionsToJson(r.record.options)},
          {"succeeded", r.succeeded},
          {"failed", r.failed},
          {"aborted", r.aborted},
          {"pending", r.pending},
          {"running", r.running},
          {"rows_read", r.rows_read},
          {"seconds", r.seconds},
          {"max_parallel", r.max_parallel},
          {"promotion", r.promotion},
          {"canary_diff", r.canary_diff},
          {"warnings", r.warnings},
          {"ok", r.ok()},
          {"dates", dates}};
}

}  // namespace runlake
