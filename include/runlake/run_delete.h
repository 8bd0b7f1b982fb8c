#pragma once
// Deleting runs: `runlake runs delete` (the runbook's cleanup and rollback steps, made
// safe). Part of the ledger: no query engine is needed to forget a run.

#include <cstdint>
#include <string>
#include <vector>

#include "runlake/layout.h"
#include "runlake/object_store.h"
#include "runlake/pointer.h"

namespace runlake {

struct DeleteOutcome {
  bool was_committed = false;
  int files_deleted = 0;
  std::vector<int64_t> older_versions_referencing;  // rollback to these will be refused
  bool was_corrupt = false;  // its manifest did not parse (removed with --force)
  // --force of a canonical run: the pointer version that unmapped its sources (0: none).
  int64_t unmapped_version = 0;
  std::vector<std::string> unmapped_sources;
};

// Deletes a run: its manifest first (so it is invisible at once), then its files, then
// its claim. Never touches another run. Refuses (FailedPrecondition) a run that the
// newest pointer version references, unless `force`; with `force`, first commits a pointer
// version that unmaps the sources it is canonical for (action "delete"), so no pointer
// version newer than the delete names a run that is gone. A run whose manifest does not
// parse is refused without `force` and removed with it. Works for uncommitted runs (the
// leftovers of a crash) too. NotFound when nothing of the run exists.
// `after_commit` runs after that version (PublishCanonicalTable).
Result<DeleteOutcome> DeleteRun(ObjectStore& store, const std::string& run_id, bool force,
                                const AfterPointerCommit& after_commit);

// Deletes every object of `run_id` under silver/, quarantine/, condemned/, gold/ of `dataset`
// (the manifest and claim are left to the caller). Returns the number deleted.
Result<int> DeleteRunFiles(ObjectStore& store, const DatasetId& dataset, const std::string& run_id);

}  // namespace runlake
