#include "lake/local_files.h"

#include <filesystem>
#include <fstream>

#include "lake/object_cache.h"

namespace runlake {

Result<std::vector<std::string>> LocalPathsFor(ObjectStore& store,
                                               const std::vector<std::string>& keys,
                                               const std::string& download_dir) {
  std::vector<std::string> out;
  out.reserve(keys.size());
  std::optional<ObjectCache> cache;
  bool cache_usable = true;
  for (const auto& key : keys) {
    if (auto local = store.LocalPath(key)) {
      out.push_back(*local);
      continue;
    }
    if (!cache && cache_usable) {
      auto options = ObjectCacheFromEnv();
      if (options) cache.emplace(*options);
      cache_usable = options.has_value();
    }
    if (cache && cache_usable) {
      auto cached = cache->Fetch(store, key);
      if (cached.ok()) {
        out.push_back(*cached);
        continue;
      }
      if (cached.status().IsNotFound()) return cached.status();
      // No ETag to key it by, or an unusable cache directory (a read-only HOME, a full
      // disk): a private download still answers; the store's own errors show up there.
      if (cached.status().code() != StatusCode::kFailedPrecondition) cache_usable = false;
    }
    // Keep the key's folders: DuckDB reads Hive partitions from the path.
    std::string path = download_dir + "/" + key;
    if (!std::filesystem::exists(path)) {
      std::error_code ec;
      std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
      RUNLAKE_ASSIGN_OR_RAISE(std::string data, store.Get(key));
      std::ofstream f(path, std::ios::binary);
      f.write(data.data(), static_cast<std::streamsize>(data.size()));
      if (!f) return Status::IOError("write " + path);
    }
    out.push_back(path);
  }
  if (cache && cache_usable && cache->stats().downloads > 0) RUNLAKE_RETURN_NOT_OK(cache->Trim());
  return out;
}

}  // namespace runlake
