#pragma once
// Comparing and deleting runs: `runlake runs diff` (the runbook's "compare with original
// data") and `runlake runs delete` (its cleanup and rollback steps, made safe).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runlake/object_store.h"
#include "runlake/run_manifest.h"

namespace runlake {

struct RunDiff {
  std::string run_a, run_b;
  // Per source (ingest_date) and per silver partition (year=/month=): the figures of each
  // run side by side, as JSON objects {"a": {...}, "b": {...}}.
  nlohmann::json sources, partitions;
  int64_t added = 0, removed = 0, changed = 0, unchanged = 0;  // by transaction_id
  // Up to `detail_limit` transaction_ids of each kind.
  std::vector<std::string> added_ids, removed_ids, changed_ids;
};

// Compares two committed runs of one dataset. NotFound for a run that is not committed.
Result<RunDiff> DiffRuns(ObjectStore& store, const std::string& run_a, const std::string& run_b,
                         const std::string& scratch_dir, size_t detail_limit = 1000);
nlohmann::json RunDiffToJson(const RunDiff& d);

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
Result<DeleteOutcome> DeleteRun(ObjectStore& store, const std::string& run_id, bool force);

}  // namespace runlake
