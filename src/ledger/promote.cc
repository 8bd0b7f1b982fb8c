#include "runlake/promote.h"

#include <map>

namespace runlake {
namespace {

// Valid rows of `run_id` for `source`, from its manifest (0 when unknown).
int64_t ValidRows(ObjectStore& store, std::map<std::string, std::optional<RunManifest>>& cache,
                  const std::string& run_id, const std::string& source) {
  if (run_id.empty()) return 0;
  if (!cache.count(run_id)) {
    auto m = LoadRunManifest(store, run_id);
    cache[run_id] = m.ok() ? *m : std::nullopt;
  }
  const auto& m = cache[run_id];
  if (!m) return 0;
  for (const auto& s : m->sources) {
    if (s.ingest_date == source) return s.valid_rows;
  }
  return 0;
}

std::vector<SourceDelta> Deltas(ObjectStore& store, const std::vector<PointerChange>& changes) {
  std::map<std::string, std::optional<RunManifest>> cache;
  std::vector<SourceDelta> out;
  for (const auto& c : changes) {
    out.push_back(SourceDelta{c, ValidRows(store, cache, c.old_run_id, c.source),
                              ValidRows(store, cache, c.new_run_id, c.source)});
  }
  return out;
}

Result<RunManifest> CommittedRun(ObjectStore& store, const std::string& run_id) {
  RUNLAKE_ASSIGN_OR_RAISE(auto m, LoadRunManifest(store, run_id));
  if (m) return *m;
  RUNLAKE_ASSIGN_OR_RAISE(auto claim, store.Head(layout::RunClaimKey(run_id)));
  if (claim) {
    return Status::FailedPrecondition("run '" + run_id +
                                      "' is not committed (no manifest): it failed or is still "
                                      "running, and cannot be promoted");
  }
  return Status::NotFound("run '" + run_id + "' does not exist (never committed, or deleted)");
}

std::vector<PointerChange> Diff(const std::map<std::string, std::string>& before,
                                const std::map<std::string, std::string>& after) {
  std::vector<PointerChange> changes;
  for (const auto& [source, run] : after) {
    auto it = before.find(source);
    std::string old = it == before.end() ? "" : it->second;
    if (old != run) changes.push_back(PointerChange{source, old, run});
  }
  for (const auto& [source, run] : before) {
    if (!after.count(source)) changes.push_back(PointerChange{source, run, ""});
  }
  return changes;
}

// FailedPrecondition when a source of `wanted` is now canonical for a run other than the
// one it had (`expected`) and other than the one being published.
Status CheckUnchanged(const std::map<std::string, std::string>& expected,
                      const std::map<std::string, std::string>& wanted,
                      const std::map<std::string, std::string>& head) {
  for (const auto& [source, run] : wanted) {
    auto now = head.find(source);
    std::string current = now == head.end() ? "" : now->second;
    auto then = expected.find(source);
    std::string before = then == expected.end() ? "" : then->second;
    if (current != run && current != before) {
      return Status::Aborted(
          "source " + source + " is now canonical for run '" + current + "' (it was '" + before +
          "' when " + run + " started): a newer promote or publish wins");
    }
  }
  return Status::OK();
}

}  // namespace

Result<PointerOutcome> Promote(ObjectStore& store, const PromoteRequest& req) {
  if (req.run_ids.empty()) return Status::InvalidArgument("promote: no run given");
  if (!req.from_date.empty()) RUNLAKE_RETURN_NOT_OK(ValidateDate(req.from_date));
  if (!req.to_date.empty()) RUNLAKE_RETURN_NOT_OK(ValidateDate(req.to_date));
  if (!req.from_date.empty() && !req.to_date.empty() && req.from_date > req.to_date) {
    return Status::InvalidArgument("--dates " + req.from_date + ".." + req.to_date + ": FROM is after TO");
  }
  std::optional<DatasetId> dataset;
  std::map<std::string, std::string> wanted;  // source -> run
  for (const auto& run_id : req.run_ids) {
    RUNLAKE_RETURN_NOT_OK(ValidateRunId(run_id));
    RUNLAKE_ASSIGN_OR_RAISE(RunManifest m, CommittedRun(store, run_id));
    if (m.kind == "gold") {
      return Status::InvalidArgument("run '" + run_id + "' is a gold build: `gold build` publishes gold "
                                     "itself; promote takes silver runs");
    }
    if (dataset && !(*dataset == m.dataset)) {
      return Status::InvalidArgument("runs of different datasets cannot be promoted together");
    }
    dataset = m.dataset;
    for (const auto& s : m.sources) {
      if (!req.from_date.empty() && s.ingest_date < req.from_date) continue;
      if (!req.to_date.empty() && s.ingest_date > req.to_date) continue;
      auto [it, inserted] = wanted.emplace(s.ingest_date, run_id);
      if (!inserted && it->second != run_id) {
        return Status::InvalidArgument("runs '" + it->second + "' and '" + run_id +
                                       "' both cover " + s.ingest_date + "; promote one of them");
      }
    }
  }
  if (wanted.empty()) {
    if (req.from_date.empty() && req.to_date.empty()) {
      return Status::InvalidArgument("the runs have no sources to promote");
    }
    return Status::InvalidArgument("the runs have no source within --dates " + req.from_date + ".." +
                                   req.to_date);
  }

  PointerLog log(store, "silver", *dataset);
  PointerOutcome outcome;
  bool unchanged = false;
  auto committed = log.Commit([&](const std::optional<PointerVersion>& head) -> Result<PointerVersion> {
    PointerVersion v;
    if (head) v.sources = head->sources;
    if (req.expected_canonical) RUNLAKE_RETURN_NOT_OK(CheckUnchanged(*req.expected_canonical, wanted, v.sources));
    for (const auto& [source, run] : wanted) v.sources[source] = run;
    v.replaced = Diff(head ? head->sources : std::map<std::string, std::string>{}, v.sources);
    if (v.replaced.empty()) {
      unchanged = true;
      return Status::AlreadyExists("unchanged");
    }
    v.action = req.action;
    v.run_id = req.run_ids.front();
    v.run_ids = req.run_ids;
    v.reason = req.reason;
    v.execution = req.execution;
    return v;
  });
  if (unchanged) return outcome;  // already canonical: no new version
  RUNLAKE_RETURN_NOT_OK(committed.status());
  if (req.after_commit) req.after_commit(store, *committed);
  outcome.version = *committed;
  outcome.deltas = Deltas(store, committed->replaced);
  return outcome;
}

Result<PointerOutcome> Rollback(ObjectStore& store, const DatasetId& dataset,
                                std::optional<int64_t> to, const std::string& reason,
                                const AfterPointerCommit& after_commit) {
  PointerLog log(store, "silver", dataset);
  RUNLAKE_ASSIGN_OR_RAISE(auto head, log.Head());
  if (!head) {
    RUNLAKE_ASSIGN_OR_RAISE(auto gold_head, PointerLog(store, "gold", dataset).Head());
    if (gold_head) {
      return Status::InvalidArgument(dataset.path() + " is a gold table: rollback moves silver; rebuild gold "
                                     "from an older silver version with `runlake gold build --at-version N`");
    }
    return Status::FailedPrecondition("nothing to roll back: " + dataset.path() + " has no pointer versions");
  }
  // Plain rollback walks back: from a rollback to version T it goes to T-1, not back to
  // the version the rollback undid (repeating it never toggles between two states).
  int64_t position = head->action == "rollback" && head->rolled_back_to > 0 ? head->rolled_back_to : head->version;
  int64_t target = to ? *to : position - 1;
  if (to && target > head->version) {
    return Status::NotFound("silver pointer version " + std::to_string(target) + " of " + dataset.path() +
                            " does not exist (the newest is version " + std::to_string(head->version) + ")");
  }
  if (target < 1) {
    return Status::FailedPrecondition("cannot roll back past the first version (the newest is version " +
                                      std::to_string(head->version) + ")");
  }
  if (target >= head->version) {
    return Status::FailedPrecondition("--to " + std::to_string(target) +
                                      ": can only roll back to a version older than the newest (" +
                                      std::to_string(head->version) + ")");
  }
  RUNLAKE_ASSIGN_OR_RAISE(PointerVersion old, log.Get(target));
  Status lookup;
  RUNLAKE_RETURN_NOT_OK(RequireReferencedRuns(old, [&](const std::string& run) {
    auto m = LoadRunManifest(store, run);
    if (!m.ok() && lookup.ok()) lookup = m.status();
    return !m.ok() || m->has_value();  // a failed read is returned below, not called "deleted"
  }, "cannot roll back to it"));
  RUNLAKE_RETURN_NOT_OK(lookup);
  // The target is fixed now: a racing writer's version is rolled back too, never mixed in.
  PointerOutcome outcome;
  RUNLAKE_ASSIGN_OR_RAISE(PointerVersion v, log.Commit([&](const std::optional<PointerVersion>& now)
                                                           -> Result<PointerVersion> {
    PointerVersion next;
    next.sources = old.sources;
    next.replaced = Diff(now ? now->sources : std::map<std::string, std::string>{}, old.sources);
    next.action = "rollback";
    next.rolled_back_to = target;
    next.reason = reason;
    return next;
  }));
  if (after_commit) after_commit(store, v);
  outcome.version = v;
  outcome.deltas = Deltas(store, v.replaced);
  return outcome;
}

}  // namespace runlake
