#pragma once
// Comparing runs: `runlake runs diff` (the runbook's "compare with original data").

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

}  // namespace runlake
