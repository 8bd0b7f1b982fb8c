#pragma once
// ObjectStore: the lake's storage, addressed by '/'-separated keys relative to the lake
// root. Backends: local directory, in-memory (tests), S3 (later). Chosen from a URI by
// OpenObjectStore. Every write is atomic: a reader sees the whole object or nothing.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runlake/status.h"

namespace runlake {

struct ObjectInfo {
  std::string key;
  uint64_t size = 0;
};

// A sequential reader of one object. Read returns 0 at the end.
class ObjectReader {
 public:
  virtual ~ObjectReader() = default;
  virtual Result<size_t> Read(char* buf, size_t n) = 0;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // The URI this store was opened from (as given, normalised: "file:///abs/lake").
  virtual std::string uri() const = 0;

  // Writes `data` under `key`, replacing any previous object atomically.
  virtual Status Put(std::string_view key, std::string_view data) = 0;
  // Writes `data` under `key` only if no object exists there. Returns AlreadyExists
  // when one does (nothing is written). This is the lake's commit primitive.
  virtual Status PutIfAbsent(std::string_view key, std::string_view data) = 0;
  // Moves or uploads the local file at `local_path` to `key` (atomic, replaces). The local
  // file may be consumed (renamed away).
  virtual Status PutFile(std::string_view key, const std::string& local_path) = 0;

  // The whole object; NotFound when absent.
  virtual Result<std::string> Get(std::string_view key) = 0;
  virtual Result<std::unique_ptr<ObjectReader>> OpenRead(std::string_view key) = 0;
  // nullopt when absent.
  virtual Result<std::optional<ObjectInfo>> Head(std::string_view key) = 0;
  // Every object whose key starts with `prefix`, sorted by key.
  virtual Result<std::vector<ObjectInfo>> List(std::string_view prefix) = 0;
  // Deletes `key`; deleting a missing key is OK (like S3).
  virtual Status Delete(std::string_view key) = 0;

  // A local filesystem path for `key` when the backend is a local directory, so DuckDB
  // can read files in place; nullopt otherwise.
  virtual std::optional<std::string> LocalPath(std::string_view key) const = 0;
};

// Keys: non-empty, relative, '/'-separated, no empty, "." or ".." segments, no NUL or
// backslash. InvalidArgument names the key and the problem.
Status ValidateKey(std::string_view key);

// "./lake", "/abs/lake", "file:///abs/lake" -> local; "mem://name" -> in-memory (a
// process-wide registry, so two opens of one name share objects). s3:// comes later.
Result<std::unique_ptr<ObjectStore>> OpenObjectStore(const std::string& uri);

std::unique_ptr<ObjectStore> NewLocalObjectStore(const std::string& root_dir);
std::unique_ptr<ObjectStore> NewMemoryObjectStore(const std::string& name);

}  // namespace runlake
