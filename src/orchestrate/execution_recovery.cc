#include "orchestrate/execution_recovery.h"

#include <map>

#include "runlake/layout.h"
#include "runlake/pointer.h"
#include "runlake/canonical_table.h"
#include "runlake/promote.h"

namespace runlake {
namespace {

using nlohmann::json;

// What the run recorded when it started; nullopt for executions older than the record
// (or whose start could not read the pointer): then every source counts as having had no
// canonical run, so a late publish never replaces a run that someone made canonical.
Result<std::map<std::string, std::string>> RecordedCanonical(StateStore& state,
                                                             const std::string& name) {
  std::map<std::string, std::string> expected;
  RUNLAKE_ASSIGN_OR_RAISE(auto events, state.History(name));
  for (const auto& e : events) {
    if (!e.details.is_object() || !e.details.contains(kCanonicalAtStartKey)) continue;
    const json& at_start = e.details[kCanonicalAtStartKey];
    if (!at_start.is_object()) continue;
    for (const auto& [source, run] : at_start.items()) {
      if (run.is_string()) expected[source] = run.get<std::string>();
    }
  }
  return expected;
}

// The pointer version that published run `m` as a daily run, when its process committed
// that publish before it died (nullopt when it did not). Read back from the head, stopping
// at versions older than the run itself: a publish cannot precede its run's start.
Result<std::optional<PointerVersion>> EarlierPublish(ObjectStore& store, const RunManifest& m) {
  auto seconds = [](const std::string& iso) { return iso.substr(0, 19); };  // same-format prefix
  PointerLog log(store, "silver", m.dataset);
  return log.FindNewest(
      [&](const PointerVersion& v) {
        if (v.action != "publish") return false;
        if (v.run_id == m.run_id) return true;
        for (const auto& r : v.run_ids) {
          if (r == m.run_id) return true;
        }
        return false;
      },
      [&](const PointerVersion& v) {
        return !m.started_at.empty() && !v.updated_at.empty() && seconds(v.updated_at) < seconds(m.started_at);
      });
}

std::string Joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
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
  const RunManifest& m = *manifest;
  auto input = ParseExecutionInput(rec.input_json, "execution " + rec.name);
  const bool backfill = input.ok() && IsBackfillExecution(*input, rec.run_id);

  json summary = {{"run_id", m.run_id}, {"metrics", MetricsToJson(m.metrics)},
                  {"quality_gate", {{"passed", m.gate.passed}, {"reasons", m.gate.reasons}}},
                  {"recovered", true}};
  ExecutionStatus status = ExecutionStatus::kSucceeded;
  std::string cause, error, note;
  if (!m.gate.passed) {
    status = ExecutionStatus::kFailed;
    cause = "QualityGateFailed";
    error = Joined(m.gate.reasons);
    note = "its process died after run " + m.run_id + " committed; the run failed its quality gate";
  } else if (backfill) {
    note = "its process died after run " + m.run_id + " committed; a backfill is published only by promote";
  } else if (auto earlier = EarlierPublish(*ctx.store, m); !earlier.ok()) {
    return earlier.status();
  } else if (*earlier) {
    // Its publish committed before the process died: that is what happened, whatever
    // newer versions did since.
    summary["published"] = true;
    summary["pointer_version"] = (*earlier)->version;
    note = "its process died after run " + m.run_id + " committed and after it was published as silver pointer version " +
           std::to_string((*earlier)->version);
  } else {
    RUNLAKE_ASSIGN_OR_RAISE(auto expected, RecordedCanonical(*ctx.state, rec.name));
    PromoteRequest publish;
    publish.after_commit = PublishCanonicalTable;
    publish.run_ids = {m.run_id};
    publish.action = "publish";
    publish.execution = rec.name;
    publish.reason = "daily execution " + rec.name + " (recovered: its process died after the commit)";
    publish.expected_canonical = expected;
    auto published = Promote(*ctx.store, publish);
    if (published.ok()) {
      if (published->version) summary["pointer_version"] = published->version->version;
      summary["published"] = true;
      note = "its process died after run " + m.run_id + " committed; " +
             (published->version ? "published it as silver pointer version " +
                                       std::to_string(published->version->version)
                                 : std::string("it was already canonical"));
    } else if (published.status().code() == StatusCode::kAborted) {  // a newer choice wins
      summary["published"] = false;
      summary["not_published_because"] = published.status().message();
      note = "its process died after run " + m.run_id + " committed; not published: " +
             published.status().message();
    } else {
      return published.status();
    }
  }
  Status st = ctx.state->RecoverExecution(rec.name, status, cause, error, summary, note);
  if (!st.ok() && st.code() != StatusCode::kFailedPrecondition) return st;
  RUNLAKE_ASSIGN_OR_RAISE(auto now, ctx.state->GetExecution(rec.name));
  return now ? *now : rec;
}

}  // namespace runlake
