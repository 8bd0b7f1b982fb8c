#pragma once
// Run ids are unique across processes: before writing any data file a run creates
// _runs/_claims/<RID>.json with put-if-absent. A claim without a manifest is a run that
// is in progress, failed, or died; it keeps the run_id taken until the run is deleted.

#include <string>

#include "runlake/object_store.h"

namespace runlake {

// AlreadyExists (saying whether the run is committed) when the run_id is taken.
Status ClaimRunId(ObjectStore& store, const std::string& run_id, const std::string& execution_name,
                  const std::string& source);

// True when `run_id`'s claim was written by this process (host and pid) for
// `execution_name`: an earlier try of the same run that failed and could not remove it
// (S3 unreachable at the time, say). False when another holds it or there is none.
Result<bool> ClaimedByThisProcess(ObjectStore& store, const std::string& run_id,
                                  const std::string& execution_name);

}  // namespace runlake
