#pragma once
// Finding the committed runs at constant cost (DESIGN.md "Readers"). The manifests
// `_runs/<RID>.json` stay the commit record; the run index is a cache of them:
//
//   _runs/_index/checkpoint.json   {"format": "runlake-run-index", "version": 1,
//                                   "runs": [{"run_id", "size", "etag", "manifest"}, ...]}
//
// A reader LISTs `_runs/` (the truth: a deleted run is gone even while the checkpoint
// still names it), takes every manifest whose (size, ETag) equals its checkpoint entry
// from the checkpoint, and GETs only the others, in parallel. The checkpoint is written
// with a plain Put (last writer wins, nobody retries) after a commit that found many
// manifests missing from it, and by `check --repair`; so committers never contend on it.
// A backend without ETags (a local directory) reads its manifests directly: there the
// cost is file reads, not round trips.

#include <map>
#include <string>
#include <vector>

#include "runlake/object_store.h"
#include "runlake/run_manifest.h"

namespace runlake {

inline constexpr const char* kRunIndexKey = "_runs/_index/checkpoint.json";

// A manifest that does not parse or lacks a required key: that run is invisible.
struct BrokenRun {
  std::string run_id;
  std::string problem;
};

struct RunListing {
  std::vector<RunManifest> runs;   // committed, readable runs, by run_id
  std::vector<BrokenRun> broken;   // committed runs whose manifest is unreadable
  // run_id -> "<etag>-<size>" of its manifest: changes when a run_id is deleted and reused.
  std::map<std::string, std::string> tags;
  int manifests_fetched = 0;       // manifests read from their own objects
  bool index_used = false;         // a checkpoint was read
  std::string index_problem;       // why the checkpoint was ignored ("" when fine/absent)

  const RunManifest* Find(const std::string& run_id) const;
  bool IsBroken(const std::string& run_id) const;
};

// Every committed run: one LIST of _runs/, the checkpoint, and parallel GETs of the
// manifests it lacks. Errors only for storage trouble; bad manifests go to `broken`.
Result<RunListing> ListRuns(ObjectStore& store);

// Writes the checkpoint from `listing` (plus `extra`, a run just committed).
Status WriteRunIndex(ObjectStore& store, const RunListing& listing,
                     const std::vector<RunManifest>& extra = {});

// After a commit: rewrites the checkpoint when `listing` (taken before the commit) had to
// fetch at least this many manifests. Errors are ignored by callers: it is a cache.
inline constexpr int kRunIndexRefreshThreshold = 32;

}  // namespace runlake
