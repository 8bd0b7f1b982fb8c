#pragma once
// A local cache of lake objects from a remote store (S3), so that queries, diffs and loop
// prevention download a committed file once, not on every command. DuckDB's httpfs would
// read S3 directly, but it is an extension DuckDB downloads from extensions.duckdb.org at
// run time, which runlake does not allow (offline machines, pinned dependencies).
//
// Entries are keyed by the object's ETag and size, so a replaced object (a run deleted and
// its run_id reused) is fetched again, never served stale. Layout:
//   <dir>/v1/<hash of the store URI>/<key's folders>/<etag>-<size>-<file name>
// (the key's folders stay, so DuckDB still reads Hive partitions from the path), and beside
// each entry `<entry>.sha256`, the digest of the bytes as downloaded: a hit is served only
// when the entry still has its size and that digest, else it is fetched again.
// Safe with concurrent runlake processes: a download goes to a private temp file that is
// renamed into place, and readers only ever see whole files. Bounded: after each fetch the
// least recently used entries (by mtime, touched on every hit) are evicted until the cache
// is under its size, except entries used within the grace period, which a concurrent
// command may be about to open.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>

#include "runlake/object_store.h"

namespace runlake {

struct ObjectCacheOptions {
  std::string dir;
  uint64_t max_bytes = 10ull << 30;
  std::chrono::seconds grace{600};
};

// From the environment: RUNLAKE_CACHE (the directory; "off" disables the cache; default
// $XDG_CACHE_HOME/runlake, else $HOME/.cache/runlake) and RUNLAKE_CACHE_MAX_MB (default
// 10240). nullopt when disabled or no directory can be named.
std::optional<ObjectCacheOptions> ObjectCacheFromEnv();

struct CacheStats {
  int hits = 0, downloads = 0, evicted = 0;
  uint64_t downloaded_bytes = 0;
};

class ObjectCache {
 public:
  explicit ObjectCache(ObjectCacheOptions options) : options_(std::move(options)) {}

  // A local path holding `key`'s current bytes, downloaded unless already cached.
  // NotFound when the object is absent; FailedPrecondition when the store gives it no
  // ETag (the caller should download it uncached); IOError for local trouble.
  Result<std::string> Fetch(ObjectStore& store, const std::string& key);

  // A local path holding the committed object `key`, whose size the manifest gives and
  // whose bytes never change under `version_tag` (committed objects are immutable; the
  // tag changes when a run_id is deleted and reused). No HEAD: a hit costs no request.
  // NotFound when the object is absent; Corruption when its size differs from `size`.
  Result<std::string> FetchCommitted(ObjectStore& store, const std::string& key, uint64_t size,
                                     const std::string& version_tag);

  // Evicts least recently used entries (outside the grace period) while the cache is over
  // max_bytes, down to 90% of it; also removes temp files of downloads that died.
  Status Trim();

  const CacheStats& stats() const { return stats_; }

 private:
  Result<std::string> Place(ObjectStore& store, const std::string& key,
                            const std::filesystem::path& dir, const std::string& name,
                            uint64_t size);
  ObjectCacheOptions options_;
  CacheStats stats_;
  std::mutex stats_mu_;  // FetchCommitted runs on several threads at once
};

}  // namespace runlake
