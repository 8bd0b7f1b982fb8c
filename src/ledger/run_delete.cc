#include "runlake/run_delete.h"

#include <algorithm>

#include "ledger/staging.h"
#include "runlake/layout.h"
#include "runlake/pointer.h"
#include "runlake/run_manifest.h"

namespace runlake {

Result<int> DeleteRunFiles(ObjectStore& store, const DatasetId& dataset, const std::string& run_id) {
  RUNLAKE_RETURN_NOT_OK(ValidateRunId(run_id));
  std::string marker = "/run_id=" + run_id + "/";
  int deleted = 0;
  for (const char* layer : {"silver", "quarantine", "condemned", "gold"}) {
    RUNLAKE_ASSIGN_OR_RAISE(auto objects, store.List(std::string(layer) + "/" + dataset.path() + "/"));
    for (const auto& o : objects) {
      if (o.key.find(marker) == std::string::npos) continue;
      RUNLAKE_RETURN_NOT_OK(store.Delete(o.key));
      ++deleted;
    }
  }
  return deleted;
}


namespace {

// Every object under a run_id=<RID>/ folder outside bronze: the files of a run whose
// dataset is unknown (uncommitted, or its manifest does not parse).
Result<int> DeleteFilesAnywhere(ObjectStore& store, const std::string& run_id) {
  int deleted = 0;
  RUNLAKE_ASSIGN_OR_RAISE(auto objects, store.List(""));
  std::string marker = "/run_id=" + run_id + "/";
  for (const auto& o : objects) {
    if (o.key.rfind(layout::kBronzePrefix, 0) == 0 || o.key.find(marker) == std::string::npos) continue;
    RUNLAKE_RETURN_NOT_OK(store.Delete(o.key));
    ++deleted;
  }
  return deleted;
}

// Commits a version without the sources `run_id` is canonical for.
Status UnmapRun(ObjectStore& log_store, PointerLog& log, const std::string& run_id, const AfterPointerCommit& after_commit,
                DeleteOutcome* out) {
  RUNLAKE_ASSIGN_OR_RAISE(PointerVersion v, log.Commit([&](const std::optional<PointerVersion>& head)
                                                           -> Result<PointerVersion> {
    PointerVersion next;
    if (head) next.sources = head->sources;
    next.replaced.clear();
    for (auto it = next.sources.begin(); it != next.sources.end();) {
      if (it->second == run_id) {
        next.replaced.push_back(PointerChange{it->first, run_id, ""});
        it = next.sources.erase(it);
      } else {
        ++it;
      }
    }
    next.action = "delete";
    next.reason = "runs delete --force " + run_id;
    return next;
  }));
  if (after_commit) after_commit(log_store, v);
  out->unmapped_version = v.version;
  for (const auto& c : v.replaced) out->unmapped_sources.push_back(c.source);
  return Status::OK();
}

}  // namespace

Result<DeleteOutcome> DeleteRun(ObjectStore& store, const std::string& run_id, bool force,
                                const AfterPointerCommit& after_commit) {
  RUNLAKE_RETURN_NOT_OK(ValidateRunId(run_id));
  DeleteOutcome out;
  auto loaded = LoadRunManifest(store, run_id);
  if (!loaded.ok() && loaded.status().code() == StatusCode::kCorruption) {
    if (!force) {
      return Status::FailedPrecondition(loaded.status().message() +
                                        "; the run is invisible. `runlake runs delete --force " + run_id +
                                        "` removes it");
    }
    out.was_committed = true;
    out.was_corrupt = true;
    RUNLAKE_RETURN_NOT_OK(store.Delete(layout::RunManifestKey(run_id)));
    RUNLAKE_ASSIGN_OR_RAISE(out.files_deleted, DeleteFilesAnywhere(store, run_id));
    RUNLAKE_RETURN_NOT_OK(store.Delete(layout::RunClaimKey(run_id)));
    return out;
  }
  RUNLAKE_RETURN_NOT_OK(loaded.status());
  auto& m = *loaded;
  RUNLAKE_ASSIGN_OR_RAISE(auto claim, store.Head(layout::RunClaimKey(run_id)));
  if (!m && !claim) return Status::NotFound("run '" + run_id + "' does not exist");
  if (m) {
    out.was_committed = true;
    PointerLog log(store, m->kind == "gold" ? "gold" : "silver", m->dataset);
    RUNLAKE_ASSIGN_OR_RAISE(auto history, log.History());
    bool canonical = false;
    for (const auto& v : history) {
      auto refs = v.ReferencedRuns();
      if (std::find(refs.begin(), refs.end(), run_id) == refs.end()) continue;
      if (&v == &history.back()) {
        if (!force) {
          return Status::FailedPrecondition("run '" + run_id + "' is canonical in the newest pointer version (" +
                                            std::to_string(v.version) +
                                            "); promote or roll back first, or pass --force");
        }
        canonical = true;
      }
      out.older_versions_referencing.push_back(v.version);
    }
    // Unmap first: a crash after it leaves a run no version newer than the delete names.
    if (canonical) RUNLAKE_RETURN_NOT_OK(UnmapRun(store, log, run_id, after_commit, &out));
    // The manifest goes first: from here on the run is invisible, whatever happens next.
    RUNLAKE_RETURN_NOT_OK(store.Delete(layout::RunManifestKey(run_id)));
    RUNLAKE_ASSIGN_OR_RAISE(out.files_deleted, DeleteRunFiles(store, m->dataset, run_id));
  } else {
    RUNLAKE_ASSIGN_OR_RAISE(out.files_deleted, DeleteFilesAnywhere(store, run_id));
    // Its staging too, when the process that wrote it is gone.
    RUNLAKE_RETURN_NOT_OK(Staging::SweepDead(store).status());
  }
  RUNLAKE_RETURN_NOT_OK(store.Delete(layout::RunClaimKey(run_id)));
  return out;
}

}  // namespace runlake
