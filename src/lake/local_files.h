#pragma once
// DuckDB reads local files. For a local lake these are the objects themselves; for any
// other store they are downloaded into a directory the caller owns.

#include <string>
#include <vector>

#include "runlake/object_store.h"

namespace runlake {

// Local paths for `keys`, in order. `download_dir` is used only when the store is not
// local; files there keep their key as relative path.
Result<std::vector<std::string>> LocalPathsFor(ObjectStore& store,
                                               const std::vector<std::string>& keys,
                                               const std::string& download_dir);

}  // namespace runlake
