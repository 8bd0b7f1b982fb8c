#pragma once
// `runlake check [--repair]`: a file system check of the lake (DESIGN.md "Readers").

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runlake/object_store.h"

namespace runlake {

struct CheckFinding {
  std::string kind;     // corrupt_manifest, missing_file, wrong_size, bronze_sha256,
                        // pointer_gap, pointer_corrupt, latest_differs, latest_ahead,
                        // dead_staging, dead_claim, dead_temp, dead_ingest,
                        // dead_scratch, empty_run_dir, run_index
  std::string object;   // the key (or local directory) it is about
  std::string problem;  // what is wrong, in words
  bool repaired = false;
  std::string action;   // what --repair did, or what the operator should do
};

struct CheckReport {
  std::vector<CheckFinding> findings;
  // Findings that remain wrong (not repaired): check exits 1 when this is non-zero.
  int unrepaired() const;
};

// Verifies manifests, committed file sizes, bronze objects against the sha256 of their
// ingest records, every pointer log (contiguous from 1, _LATEST.json equal to the newest
// version), the run index, staging, claims, temp files and ingest records of dead
// processes, this machine's canonical-table scratch folders of dead processes, and
// empty run folders of runs without a manifest or a live claim. With `repair`, does what
// is safe: sweeps dead staging and claims (with their uncommitted files), temp files, the
// records of ingests that died before their object, dead scratch folders and those empty
// run folders, rewrites _LATEST.json from the log and the run index. Errors only for
// storage trouble.
Result<CheckReport> CheckLake(ObjectStore& store, bool repair);

nlohmann::json CheckReportToJson(const CheckReport& r);

}  // namespace runlake
