#pragma once
// Whether the files a run's manifest lists are still there with the sizes it records: the
// check `runlake query` makes as it fetches them (local_files.h), for readers that show a
// run without reading its files (the dashboard). A run with a missing or wrong-size file
// is CORRUPT: every query leaves it out (DESIGN.md "Readers").
//
// Cost: one HEAD per file (a stat on a local lake), kParallelRequests at once. Callers use
// it for the few runs a page shows, never for the whole lake (`runlake check` LISTs for
// that).

#include <string>
#include <vector>

#include "runlake/run_manifest.h"

namespace runlake {

struct FileProblem {
  std::string run_id;
  std::string key;
  std::string problem;  // "file K is missing", "file K has N bytes, its manifest says M"
};

// The problems of `runs`' files, in run then file order; empty when all are as their
// manifests say (a size of 0 in a manifest is unknown: only existence is checked). Errors
// only for storage trouble other than a missing object.
Result<std::vector<FileProblem>> CheckRunFiles(ObjectStore& store,
                                               const std::vector<const RunManifest*>& runs);

}  // namespace runlake
