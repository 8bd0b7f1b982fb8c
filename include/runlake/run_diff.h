#pragma once
// Comparing two committed runs of one dataset (`runlake runs diff`, the dashboard's compare
// page, a backfill's report): figures per source and per silver partition side by side,
// rows added/removed/changed, and what became of A's rejected rows in B. Typed records with
// one JSON codec each, so the CLI and the dashboard read fields, not keys.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "runlake/object_store.h"
#include "runlake/run_manifest.h"
#include "runlake/status.h"

namespace runlake {

// One run's figures for one source (ingest_date). A source can be known from its rejects
// alone (has_figures false): its manifest entry is missing.
struct SourceSide {
  bool has_figures = false;
  std::string key;
  int64_t input_rows = 0, valid_rows = 0, quarantined_rows = 0, condemned_rows = 0;
  std::map<std::string, int64_t> quarantine_by_reason;  // from the run's quarantine files
};

struct PartitionSide {
  int64_t valid_rows = 0;
  std::string amount_sum;  // as DuckDB prints the DECIMAL sum
};

template <typename Side>
struct SideBySide {
  std::optional<Side> a, b;
};

struct RunDiff {
  std::string run_a, run_b;
  std::map<std::string, SideBySide<SourceSide>> sources;        // by ingest_date
  std::map<std::string, SideBySide<PartitionSide>> partitions;  // "year=YYYY/month=MM"
  int64_t added = 0, removed = 0, changed = 0, unchanged = 0;   // rows, by transaction_id
  // Up to `detail_limit` transaction_ids of each kind.
  std::vector<std::string> added_ids, removed_ids, changed_ids;
};

// What became of A's rejected rows (quarantined or condemned) with one reason in B,
// matched by row_hash (the raw record's hash).
struct RejectTransition {
  int64_t valid = 0, still_failing = 0, other_reason = 0, not_in_b = 0;
};

struct RunComparison {
  RunManifest a, b;
  RunDiff diff;
  std::map<std::string, RejectTransition> transitions;  // by A's reason
};

// Compares two committed runs of one dataset. NotFound for a run that is not committed,
// InvalidArgument for runs of two datasets. Remote files are fetched into `scratch_dir`.
Result<RunDiff> DiffRuns(ObjectStore& store, const std::string& run_a, const std::string& run_b,
                         const std::string& scratch_dir, size_t detail_limit = 1000);

// DiffRuns and the reject transitions, in a scratch folder of its own outside the lake.
Result<RunComparison> CompareRuns(ObjectStore& store, const std::string& run_a, const std::string& run_b,
                                  size_t detail_limit = 1000);

// {"run_a", "run_b", "sources": {date: {"a": {...}, "b": {...}}}, "partitions", "rows":
// {"added", ...}, "added_ids", "removed_ids", "changed_ids"}: DESIGN.md's `runs diff --json`.
nlohmann::json RunDiffToJson(const RunDiff& d);
// {"<reason in A>": {"valid", "still_failing", "other_reason", "not_in_b"}, ...}
nlohmann::json TransitionsToJson(const std::map<std::string, RejectTransition>& transitions);

}  // namespace runlake
