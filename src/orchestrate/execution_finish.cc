#include "orchestrate/execution_finish.h"

#include "runlake/canonical_table.h"
#include "runlake/pointer.h"
#include "runlake/promote.h"

namespace runlake {
namespace {

using nlohmann::json;

std::string Joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
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

}  // namespace

json RunSummary(const RunManifest& m) {
  return {{"run_id", m.run_id}, {"metrics", MetricsToJson(m.metrics)},
          {"quality_gate", {{"passed", m.gate.passed}, {"reasons", m.gate.reasons}}}};
}

Result<CommittedEnd> FinishCommittedRun(ObjectStore& store, const CommittedRun& run,
                                        const PublishRetryFn& on_retry) {
  const RunManifest& m = *run.manifest;
  CommittedEnd end;
  end.summary = RunSummary(m);
  if (run.recovered) end.summary["recovered"] = true;
  const std::string committed = (run.recovered ? "its process died after run " : "run ") + m.run_id + " committed";
  if (!m.gate.passed) {
    end.status = ExecutionStatus::kFailed;
    end.cause = "QualityGateFailed";
    end.error = Joined(m.gate.reasons);
    end.note = committed + "; the run failed its quality gate: " + end.error;
    return end;
  }
  if (!run.publish) {
    end.note = committed + "; a backfill is published only by promote";
    return end;
  }
  if (run.recovered) {
    RUNLAKE_ASSIGN_OR_RAISE(auto earlier, EarlierPublish(store, m));
    if (earlier) {
      // Its publish committed before the process died: that is what happened, whatever
      // newer versions did since.
      end.summary["published"] = true;
      end.summary["pointer_version"] = earlier->version;
      end.note = committed + " and after it was published as silver pointer version " +
                 std::to_string(earlier->version);
      return end;
    }
  }
  PromoteRequest publish;
  publish.after_commit = PublishCanonicalTable;
  publish.run_ids = {m.run_id};
  publish.action = "publish";
  publish.execution = run.execution;
  publish.reason = "daily execution " + run.execution +
                   (run.recovered ? " (recovered: its process died after the commit)" : "");
  publish.expected_canonical = run.expected;
  // The run is committed: a store that is briefly unavailable must not cost it its publish.
  auto published = Retry(run.publish_retry, [&] { return Promote(store, publish); }, IsTransient, on_retry);
  if (published.ok()) {
    int64_t version = published->version ? published->version->version : 0;
    end.summary["published"] = true;
    end.summary["pointer_version"] = version;
    end.note = committed + "; " + (published->version ? "published as silver pointer version " + std::to_string(version)
                                                       : std::string("it was already canonical"));
  } else if (published.status().code() == StatusCode::kAborted) {  // a newer choice wins
    end.summary["published"] = false;
    end.summary["not_published_because"] = published.status().message();
    end.note = committed + "; not published: " + published.status().message();
  } else if (run.recovered) {
    return published.status();  // stays FAILED; the next touch tries again
  } else {
    end.status = ExecutionStatus::kFailed;
    end.cause = "PublishFailed";
    end.error = published.status().message();
    end.note = committed + "; publish failed: " + end.error;
  }
  return end;
}

}  // namespace runlake
