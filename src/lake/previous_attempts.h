#pragma once
// Loop prevention (DESIGN.md "Rows"): how often each failing row of a source has already
// failed in earlier committed runs of that source (same dataset and ingest_date).

#include <string>
#include <unordered_map>
#include <vector>

#include "engine/engine.h"
#include "runlake/layout.h"
#include "runlake/object_store.h"
#include "runlake/run_manifest.h"

namespace runlake {

// row_hash -> the highest attempt_count recorded for it in quarantine or condemned of the
// committed runs `manifests` (every committed run; read once per run, not per source).
Result<std::unordered_map<std::string, int>> LoadPreviousAttempts(
    ObjectStore& store, Engine& engine, const std::vector<RunManifest>& manifests,
    const BronzeKeyParts& source, const std::string& scratch_dir);

}  // namespace runlake
