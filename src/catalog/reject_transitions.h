#pragma once
// What became of a run's rejected rows in another run of the same dataset (quarantine
// recovery: "of the rows that were TIMESTAMP_ERROR in A, how many are valid in B?"), for
// `runs diff` and the dashboard's compare page.

#include <map>
#include <string>

#include "runlake/object_store.h"
#include "runlake/run_diff.h"
#include "runlake/run_manifest.h"

namespace runlake {

// Per reason in A: every quarantined or condemned row of A counted once, matched to B by
// row_hash (the raw record's hash). Remote files are fetched into `scratch_dir`. Storage
// and query errors.
Result<std::map<std::string, RejectTransition>> RejectTransitions(ObjectStore& store, const RunManifest& a,
                                         const RunManifest& b, const std::string& scratch_dir);

}  // namespace runlake
