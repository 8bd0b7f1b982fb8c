#pragma once
// Every committed run with the sources it is canonical for (`runlake runs list`): the run
// index, each dataset's newest pointer version, and on a local lake a check of each run's
// files.

#include <string>
#include <vector>

#include "runlake/object_store.h"
#include "runlake/run_index.h"
#include "runlake/run_manifest.h"
#include "runlake/status.h"

namespace runlake {

struct ListedRun {
  RunManifest manifest;
  // The ingest dates this run is canonical for in its layer's newest pointer version (for
  // a gold run: its own sources when it is the gold table's current build).
  std::vector<std::string> canonical_sources;
};

struct RunsWithCanonical {
  std::vector<ListedRun> runs;    // readable runs, by run_id
  std::vector<BrokenRun> broken;  // unreadable manifests, and local runs with a missing or
                                  // wrong-size file (every query leaves them out too)
};

// On a local lake a stat per file is cheap, so a run with a bad file is listed as broken;
// on S3 that would be a HEAD per file of every run: `runlake check` finds those instead.
Result<RunsWithCanonical> ListRunsWithCanonical(ObjectStore& store);

}  // namespace runlake
