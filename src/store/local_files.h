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

// A committed file of a run: its size comes from the manifest, and `version_tag` (the
// manifest's "<etag>-<size>") names its immutable bytes, so no HEAD is needed.
struct CommittedFile {
  std::string key;
  uint64_t bytes = 0;  // 0: unknown (manifests of old versions), not checked
  std::string version_tag;
};

// Where a committed file can be read, or why it cannot (missing, wrong size).
struct CommittedPath {
  std::string path;
  std::string problem;  // "" when `path` is good
};

// Local paths of committed files, fetched in parallel (kParallelRequests at once, the
// store's own retries) into the cache or, with it off, into `download_dir`. A file that
// is missing or has another size than its manifest says gets a `problem`, not an error:
// the caller makes that run invisible. Errors only for other storage or local trouble.
Result<std::vector<CommittedPath>> FetchCommittedFiles(ObjectStore& store,
                                                       const std::vector<CommittedFile>& files,
                                                       const std::string& download_dir);

}  // namespace runlake
