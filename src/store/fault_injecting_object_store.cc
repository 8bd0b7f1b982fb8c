// Test-only fault injection (see the header). Never active unless $RUNLAKE_TEST_FAULT is set.

#include "store/fault_injecting_object_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace runlake {
namespace {

namespace fs = std::filesystem;

// Shared by every store opened in this process (a command may open the lake twice).
std::atomic<uint64_t> g_ops{0};

bool ParseKind(const std::string& s, FaultKind* kind) {
  static const std::pair<const char*, FaultKind> kKinds[] = {
      {"crash", FaultKind::kCrash},         {"crash_after", FaultKind::kCrashAfter},
      {"ioerror", FaultKind::kIOError},     {"transient", FaultKind::kTransient},
      {"diskfull", FaultKind::kDiskFull},   {"torn", FaultKind::kTorn}};
  for (const auto& [name, k] : kKinds) {
    if (s == name) {
      *kind = k;
      return true;
    }
  }
  return false;
}

void Say(const std::string& what) {
  std::string line = "runlake-fault: " + what + "\n";
  (void)!::write(2, line.data(), line.size());
}

[[noreturn]] void Die(const std::string& what) {
  Say(what);
  ::_exit(137);  // 128 + SIGKILL: what a killed process reports
}

// Appends "op key" under an exclusive flock and returns the line's number, so processes
// sharing the file agree on one global order. 0 when the file cannot be used (then the
// process-wide counter decides: a test typo must not silently disable the faults).
uint64_t AppendToCountFile(const std::string& path, const std::string& line) {
  int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return 0;
  while (::flock(fd, LOCK_EX) != 0 && errno == EINTR) {
  }
  uint64_t lines = 0;
  char buf[1 << 14];
  off_t off = 0;
  for (ssize_t n; (n = ::pread(fd, buf, sizeof(buf), off)) > 0; off += n) {
    for (ssize_t i = 0; i < n; ++i) lines += buf[i] == '\n';
  }
  (void)!::write(fd, line.data(), line.size());
  ::fsync(fd);
  ::flock(fd, LOCK_UN);
  ::close(fd);
  return lines + 1;
}

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
    const std::string line = std::string(op) + " " + std::string(key) + "\n";
    uint64_t n = spec_.count_path.empty() ? 0 : AppendToCountFile(spec_.count_path, line);
    uint64_t local = ++g_ops;
    if (n == 0) n = local;
    if (spec_.at == 0 || n < spec_.at) return run();
    const std::string what = std::string(op) + " " + std::string(key) + " (op " + std::to_string(n) + ")";
    switch (spec_.kind) {
      case FaultKind::kIOError:
        if (n == spec_.at) Say("ioerror from " + what + " on");
        return Status::IOError("injected I/O error: " + what);
      case FaultKind::kNone:
        return run();
      default:
        break;
    }
    if (n != spec_.at) return run();
    switch (spec_.kind) {
      case FaultKind::kCrash:
        Die("crash before " + what);
      case FaultKind::kCrashAfter: {
        Status st = run();
        Die("crash after " + what + ": " + (st.ok() ? "OK" : st.ToString()));
      }
      case FaultKind::kTransient:
        Say("transient error at " + what);
        return Status::IOError("injected transient error: " + what);
      case FaultKind::kDiskFull:
        Say("disk full at " + what);
        return Status::FailedPrecondition("injected: " + what + ": disk full (No space left on device)");
      case FaultKind::kTorn:
        LeaveTornTemp(key, data, local_file);
        Die("torn write of " + what);
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

Result<FaultSpec> ParseFaultSpec(const std::string& text) {
  FaultSpec spec;
  std::stringstream ss(text);
  std::string part;
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("RUNLAKE_TEST_FAULT '" + text + "': " + why);
  };
  while (std::getline(ss, part, ',')) {
    size_t eq = part.find('=');
    if (eq == std::string::npos) return bad("'" + part + "' is not key=value");
    std::string k = part.substr(0, eq), v = part.substr(eq + 1);
    if (k == "count") {
      if (v.empty()) return bad("count= needs a file path");
      spec.count_path = v;
    } else if (k == "at") {
      char* end = nullptr;
      unsigned long long at = std::strtoull(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || at == 0) return bad("at= needs a number >= 1");
      spec.at = at;
    } else if (k == "kind") {
      if (!ParseKind(v, &spec.kind)) {
        return bad("unknown kind '" + v + "' (crash, crash_after, ioerror, transient, diskfull, torn)");
      }
    } else {
      return bad("unknown key '" + k + "' (count, at, kind)");
    }
  }
  if ((spec.at == 0) != (spec.kind == FaultKind::kNone)) return bad("at= and kind= go together");
  if (spec.at == 0 && spec.count_path.empty()) return bad("nothing to do (count=, or at= and kind=)");
  return spec;
}

std::unique_ptr<ObjectStore> NewFaultInjectingObjectStore(std::unique_ptr<ObjectStore> inner,
                                                          FaultSpec spec) {
  return std::make_unique<FaultInjectingObjectStore>(std::move(inner), std::move(spec));
}

}  // namespace runlake
