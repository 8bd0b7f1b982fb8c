#pragma once
// Loop prevention (DESIGN.md "Rows"): how often each failing row of a source has already
// failed in earlier committed runs of that source (same dataset and ingest_date).

#include <string>
#include <unordered_map>

#include "engine/engine.h"
#include "runlake/layout.h"
#include "runlake/object_store.h"

namespace runlake {

// row_hash -> the highest attempt_count recorded for it in quarantine or condemned.
Result<std::unordered_map<std::string, int>> LoadPreviousAttempts(ObjectStore& store,
                                                                  Engine& engine,
                                                                  const BronzeKeyParts& source,
                                                                  const std::string& scratch_dir);

}  // namespace runlake
