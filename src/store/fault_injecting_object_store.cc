// Test-only fault injection (see the header). Never active unless $RUNLAKE_TEST_FAULT is set.

#include "store/fault_injecting_object_store.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace runlake {
namespace {

namespace fs = std::filesystem;

// Shared by every store opened in this process (a command may open the lake twice).
std::atomic<uint64_t> g_ops{0};

class FaultInjectingObjectStore : public ObjectStore {
 public:
  FaultInjectingObjectStore(std::unique_ptr<ObjectStore> inner, FaultSpec spec)
      : inner_(std::move(inner)), spec_(std::move(spec)) {}

  std::string uri() const override { return inner_->uri(); }

  Status Put(std::string_view key, std::string_view data) override {
    return Mutate("Put", key, data, nullptr, [&] { return inner_->Put(key, data); });
  }
  Status PutIfAbsent(std::string_view key, std::string_view data) override {
    return Mutate("PutIfAbsent", key, data, nullptr, [&] { return inner_->PutIfAbsent(key, data); });
  }
  Status PutFile(std::string_view key, const std::string& local_path) override {
    return Mutate("PutFile", key, {}, &local_path, [&] { return inner_->PutFile(key, local_path); });
  }
  Status Delete(std::string_view key) override {
    return Mutate("Delete", key, {}, nullptr, [&] { return inner_->Delete(key); });
  }

  Result<std::string> Get(std::string_view key) override { return inner_->Get(key); }
  Result<std::unique_ptr<ObjectReader>> OpenRead(std::string_view key) override {
    return inner_->OpenRead(key);
  }
  Result<std::optional<ObjectInfo>> Head(std::string_view key) override { return inner_->Head(key); }
  Result<std::vector<ObjectInfo>> List(std::string_view prefix) override {
    return inner_->List(prefix);
  }
  std::optional<std::string> LocalPath(std::string_view key) const override {
    return inner_->LocalPath(key);
  }

 private:
  template <typename Op>
  Status Mutate(const char* op, std::string_view key, std::string_view data,
                const std::string* local_file, Op&& run) {
    // Invalid keys fail in the backend without touching anything: not an operation.
    if (!ValidateKey(key).ok()) return run();
    const uint64_t n = CountFaultOp(spec_, std::string(op) + " " + std::string(key), g_ops);
    if (spec_.at == 0 || n < spec_.at) return run();
    const std::string what = std::string(op) + " " + std::string(key) + " (op " + std::to_string(n) + ")";
    switch (spec_.kind) {
      case FaultKind::kIOError:
        if (n == spec_.at) SayFault("ioerror from " + what + " on");
        return Status::IOError("injected I/O error: " + what);
      case FaultKind::kNone:
        return run();
      default:
        break;
    }
    if (n != spec_.at) return run();
    switch (spec_.kind) {
      case FaultKind::kCrash:
        CrashForFault("crash before " + what);
      case FaultKind::kCrashAfter: {
        Status st = run();
        CrashForFault("crash after " + what + ": " + (st.ok() ? "OK" : st.ToString()));
      }
      case FaultKind::kTransient:
      case FaultKind::kSerialization:
        SayFault("transient error at " + what);
        return Status::Unavailable("injected transient error: " + what);
      case FaultKind::kDiskFull:
        SayFault("disk full at " + what);
        return Status::ResourceExhausted("injected: " + what + ": disk full (No space left on device)");
      case FaultKind::kTorn:
        LeaveTornTemp(key, data, local_file);
        CrashForFault("torn write of " + what);
      default:
        return run();
    }
  }

  // Half the object in a temp file beside the target, the local backend's temp name
  // (".tmp-<name>.<pid>.<salt>.<n>"), as a writer killed mid-write leaves it.
  void LeaveTornTemp(std::string_view key, std::string_view data, const std::string* local_file) {
    auto path = inner_->LocalPath(key);
    if (!path) return;
    std::string bytes(data);
    if (local_file) {
      std::ifstream in(*local_file, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      bytes = ss.str();
    }
    if (bytes.empty()) return;  // a Delete, or an empty object: nothing to tear
    fs::path p(*path);
    std::error_code ec;
    fs::create_directories(p.parent_path(), ec);
    fs::path tmp = p.parent_path() / (".tmp-" + p.filename().string() + "." +
                                      std::to_string(::getpid()) + ".0.0");
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  }

  std::unique_ptr<ObjectStore> inner_;
  FaultSpec spec_;
};

}  // namespace

std::unique_ptr<ObjectStore> NewFaultInjectingObjectStore(std::unique_ptr<ObjectStore> inner,
                                                          FaultSpec spec) {
  return std::make_unique<FaultInjectingObjectStore>(std::move(inner), std::move(spec));
}

}  // namespace runlake
