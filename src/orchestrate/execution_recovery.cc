#include "runlake/execution_recovery.h"

#include <map>

#include "runlake/layout.h"
#include "orchestrate/execution_finish.h"
#include "runlake/pointer.h"
#include "runlake/reaping_reads.h"

namespace runlake {
namespace {

using nlohmann::json;

struct RecordedStart {
  bool publish = false;
  std::map<std::string, std::string> canonical;
};

// What the run recorded when it started (its Transform event): whether it publishes
// itself and each source's canonical run then. Without the record (executions older than
// it, or whose start could not read the pointer) every source counts as having had no
// canonical run, so a late publish never replaces a run that someone made canonical; and
// an execution older than the `publish` field publishes as its input said then
// (PublishesItself: the only reading of an input for this, kept for those records).
Result<RecordedStart> RecordedAtStart(StateStore& state, const ExecutionRecord& rec) {
  RecordedStart out;
  std::optional<bool> publish;
  RUNLAKE_ASSIGN_OR_RAISE(auto events, state.History(rec.name));
  for (const auto& e : events) {
    if (!e.details.is_object()) continue;
    if (e.details.contains(kPublishKey) && e.details[kPublishKey].is_boolean()) {
      publish = e.details[kPublishKey].get<bool>();
    }
    if (!e.details.contains(kCanonicalAtStartKey)) continue;
    const json& at_start = e.details[kCanonicalAtStartKey];
    if (!at_start.is_object()) continue;
    for (const auto& [source, run] : at_start.items()) {
      if (run.is_string()) out.canonical[source] = run.get<std::string>();
    }
  }
  if (!publish) {
    auto input = ParseExecutionInput(rec.input_json, "execution " + rec.name);
    publish = input.ok() && PublishesItself(*input, rec.run_id);
  }
  out.publish = *publish;
  return out;
}

}  // namespace

json CanonicalAtStart(ObjectStore& store, const ExecutionInput& input) {
  json out = json::object();
  std::map<std::string, std::optional<PointerVersion>> heads;  // dataset path -> head
  for (const auto& key : input.s3_keys) {
    auto parts = ParseBronzeKey(key);
    if (!parts.ok()) return nullptr;
    auto [it, fresh] = heads.try_emplace(parts->dataset.path());
    if (fresh) {
      auto head = PointerLog(store, "silver", parts->dataset).Head();
      if (!head.ok()) return nullptr;
      it->second = *head;
    }
    std::string run;
    if (it->second) {
      auto found = it->second->sources.find(parts->ingest_date);
      if (found != it->second->sources.end()) run = found->second;
    }
    out[parts->ingest_date] = run;
  }
  return out;
}

Result<ExecutionRecord> RecoverLostExecution(const ExecutionContext& ctx, const ExecutionRecord& rec) {
  if (rec.status != ExecutionStatus::kFailed || !IsRecoverableCause(rec.cause)) return rec;
  RUNLAKE_ASSIGN_OR_RAISE(auto manifest, LoadRunManifest(*ctx.store, rec.run_id));
  if (!manifest) return rec;  // it died before its commit: FAILED is the truth
  RUNLAKE_ASSIGN_OR_RAISE(RecordedStart start, RecordedAtStart(*ctx.state, rec));
  CommittedRun run;
  run.manifest = &*manifest;
  run.execution = rec.name;
  run.publish = start.publish;
  run.expected = start.canonical;
  run.recovered = true;
  run.publish_retry.max_attempts = 1;  // the next touch is the retry
  RUNLAKE_ASSIGN_OR_RAISE(CommittedEnd end, FinishCommittedRun(*ctx.store, run));
  Status st = ctx.state->RecoverExecution(rec.name, end.status, end.cause, end.error, end.summary, end.note);
  if (!st.ok() && st.code() != StatusCode::kFailedPrecondition) return st;
  RUNLAKE_ASSIGN_OR_RAISE(auto now, ReapAndGetExecution(*ctx.state, rec.name));
  return now ? *now : rec;
}

}  // namespace runlake
