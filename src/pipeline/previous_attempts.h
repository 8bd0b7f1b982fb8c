#pragma once
// Loop prevention (DESIGN.md "Rows"): how often each failing row of a source has already
// failed in earlier committed runs of that source (same dataset and ingest_date).

#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "ingest/attempt_spill.h"
#include "runlake/layout.h"
#include "runlake/object_store.h"
#include "runlake/run_manifest.h"

namespace runlake {

// The earlier attempts of `source`'s rows, as the quarantine and condemned files of the
// committed runs `manifests` (every committed run) record them, streamed from DuckDB into an
// AttemptSpill (temp files in scratch_dir) whose memory does not grow with them; only the
// row_hash and attempt_count columns are read. nullptr when no earlier run of the source
// rejected anything (then every rejected row is a first attempt).
Result<std::unique_ptr<AttemptSpill>> LoadPreviousAttempts(
    ObjectStore& store, Engine& engine, const std::vector<RunManifest>& manifests,
    const BronzeKeyParts& source, const std::string& scratch_dir);

}  // namespace runlake
