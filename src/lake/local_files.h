#pragma once
// DuckDB reads local files. For a local lake these are the objects themselves; for any
// other store they are downloaded into a directory the caller owns.

#include <string>
#include <vector>

#include "runlake/object_store.h"

namespace runlake {

// Local paths for `keys`, in order. For a remote store they come from the object cache
// (object_cache.h; RUNLAKE_CACHE), or, with the cache off or for an object without an
// ETag, are downloaded into `download_dir`, keeping their key as relative path.
Result<std::vector<std::string>> LocalPathsFor(ObjectStore& store,
                                               const std::vector<std::string>& keys,
                                               const std::string& download_dir);

}  // namespace runlake
