#include "store/local_files.h"

#include <filesystem>
#include <fstream>

#include "common/parallel.h"
#include "store/object_cache.h"

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

namespace {

std::string SizeProblem(const std::string& key, uint64_t actual, uint64_t expected) {
  return "file " + key + " has " + std::to_string(actual) + " bytes, its manifest says " +
         std::to_string(expected);
}

// Without a cache: a private download, checked against the manifest's size.
Status DownloadPrivate(ObjectStore& store, const CommittedFile& f, const std::string& path,
                       CommittedPath* out) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  auto data = store.Get(f.key);
  if (!data.ok()) {
    if (!data.status().IsNotFound()) return data.status();
    out->problem = "file " + f.key + " is missing";
    return Status::OK();
  }
  if (f.bytes != 0 && data->size() != f.bytes) {
    out->problem = SizeProblem(f.key, data->size(), f.bytes);
    return Status::OK();
  }
  std::ofstream file(path, std::ios::binary);
  file.write(data->data(), static_cast<std::streamsize>(data->size()));
  if (!file) return Status::IOError("write " + path);
  out->path = path;
  return Status::OK();
}

}  // namespace

Result<std::vector<CommittedPath>> FetchCommittedFiles(ObjectStore& store,
                                                       const std::vector<CommittedFile>& files,
                                                       const std::string& download_dir) {
  std::vector<CommittedPath> out(files.size());
  std::vector<Status> errors(files.size());
  bool local = !files.empty() && store.LocalPath(files.front().key).has_value();
  std::optional<ObjectCache> cache;
  if (!local) {
    if (auto options = ObjectCacheFromEnv()) cache.emplace(*options);
  }
  ParallelFor(files.size(), local ? 1 : kParallelRequests, [&](size_t i) {
    const CommittedFile& f = files[i];
    if (auto path = store.LocalPath(f.key)) {
      std::error_code ec;
      uint64_t size = std::filesystem::file_size(*path, ec);
      if (ec) out[i].problem = "file " + f.key + " is missing";
      else if (f.bytes != 0 && size != f.bytes) out[i].problem = SizeProblem(f.key, size, f.bytes);
      else out[i].path = *path;
      return;
    }
    if (cache) {
      auto cached = cache->FetchCommitted(store, f.key, f.bytes, f.version_tag);
      if (cached.ok()) {
        out[i].path = *cached;
        return;
      }
      if (cached.status().IsNotFound()) {
        out[i].problem = "file " + f.key + " is missing";
        return;
      }
      if (cached.status().code() == StatusCode::kCorruption) {
        out[i].problem = "file " + f.key + " does not have the size its manifest says (" +
                         cached.status().message() + ")";
        return;
      }
      // An unusable cache directory: a private download still answers.
    }
    errors[i] = DownloadPrivate(store, f, download_dir + "/" + f.key, &out[i]);
  });
  for (const auto& e : errors) RUNLAKE_RETURN_NOT_OK(e);
  if (cache && cache->stats().downloads > 0) RUNLAKE_RETURN_NOT_OK(cache->Trim());
  return out;
}

}  // namespace runlake
