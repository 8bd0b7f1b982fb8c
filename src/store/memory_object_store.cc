// In-memory backend for unit tests. Stores of one name share their objects through a
// process-wide registry, like two clients of one bucket.

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>

#include "common/sha256.h"
#include "runlake/object_store.h"

namespace runlake {
namespace {

struct Bucket {
  std::mutex mu;
  std::map<std::string, std::string, std::less<>> objects;
};

std::shared_ptr<Bucket> BucketNamed(const std::string& name) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<Bucket>> buckets;
  std::lock_guard<std::mutex> lock(mu);
  auto& b = buckets[name];
  if (!b) b = std::make_shared<Bucket>();
  return b;
}

class StringReader : public ObjectReader {
 public:
  explicit StringReader(std::string data) : data_(std::move(data)) {}
  Result<size_t> Read(char* buf, size_t n) override {
    size_t k = std::min(n, data_.size() - pos_);
    std::memcpy(buf, data_.data() + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  std::string data_;
  size_t pos_ = 0;
};

class MemoryObjectStore : public ObjectStore {
 public:
  explicit MemoryObjectStore(std::string name) : name_(std::move(name)), b_(BucketNamed(name_)) {}

  std::string uri() const override { return "mem://" + name_; }

  Status Put(std::string_view key, std::string_view data) override {
    RUNLAKE_RETURN_NOT_OK(ValidateKey(key));
    std::lock_guard<std::mutex> lock(b_->mu);
    b_->objects[std::string(key)] = std::string(data);
    return Status::OK();
  }

  Status PutIfAbsent(std::string_view key, std::string_view data) override {
    RUNLAKE_RETURN_NOT_OK(ValidateKey(key));
    std::lock_guard<std::mutex> lock(b_->mu);
    auto [it, inserted] = b_->objects.try_emplace(std::string(key), std::string(data));
    if (!inserted) return Status::AlreadyExists(std::string(key) + " already exists");
    return Status::OK();
  }

  Status PutFile(std::string_view key, const std::string& local_path) override {
    FILE* f = std::fopen(local_path.c_str(), "rb");
    if (!f) return Status::NotFound("open " + local_path + ": " + std::strerror(errno));
    std::string data;
    char buf[1 << 16];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) data.append(buf, n);
    std::fclose(f);
    RUNLAKE_RETURN_NOT_OK(Put(key, data));
    std::remove(local_path.c_str());
    return Status::OK();
  }

  Result<std::string> Get(std::string_view key) override {
    RUNLAKE_RETURN_NOT_OK(ValidateKey(key));
    std::lock_guard<std::mutex> lock(b_->mu);
    auto it = b_->objects.find(key);
    if (it == b_->objects.end()) {
      return Status::NotFound("object " + std::string(key) + " does not exist in " + uri());
    }
    return it->second;
  }

  Result<std::unique_ptr<ObjectReader>> OpenRead(std::string_view key) override {
    RUNLAKE_ASSIGN_OR_RAISE(std::string data, Get(key));
    return std::unique_ptr<ObjectReader>(new StringReader(std::move(data)));
  }

  Result<std::optional<ObjectInfo>> Head(std::string_view key) override {
    RUNLAKE_RETURN_NOT_OK(ValidateKey(key));
    std::lock_guard<std::mutex> lock(b_->mu);
    auto it = b_->objects.find(key);
    if (it == b_->objects.end()) return std::optional<ObjectInfo>();
    return std::optional<ObjectInfo>(ObjectInfo{it->first, it->second.size(), Sha256::Of(it->second)});
  }

  Result<std::vector<ObjectInfo>> List(std::string_view prefix) override {
    std::lock_guard<std::mutex> lock(b_->mu);
    std::vector<ObjectInfo> out;
    for (auto it = b_->objects.lower_bound(prefix);
         it != b_->objects.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
      out.push_back(ObjectInfo{it->first, it->second.size(), Sha256::Of(it->second)});
    }
    return out;
  }

  Status Delete(std::string_view key) override {
    RUNLAKE_RETURN_NOT_OK(ValidateKey(key));
    std::lock_guard<std::mutex> lock(b_->mu);
    auto it = b_->objects.find(key);
    if (it != b_->objects.end()) b_->objects.erase(it);
    return Status::OK();
  }

  std::optional<std::string> LocalPath(std::string_view) const override { return std::nullopt; }

 private:
  std::string name_;
  std::shared_ptr<Bucket> b_;
};

}  // namespace

std::unique_ptr<ObjectStore> NewMemoryObjectStore(const std::string& name) {
  return std::make_unique<MemoryObjectStore>(name);
}

}  // namespace runlake
