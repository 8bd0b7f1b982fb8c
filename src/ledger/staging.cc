#include "ledger/staging.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/sha256.h"

namespace runlake {

namespace fs = std::filesystem;

namespace {

// Field 22 of /proc/<pid>/stat (start time in ticks since boot), 0 when unreadable. With
// the pid in a staging directory's name it tells a dead owner from a reused pid.
int64_t StartTicks(int64_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  size_t close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(text.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 22 && rest >> field; ++i) {
    if (i == 22) return std::stoll(field);
  }
  return 0;
}

// The liveness rule of claims and executions: gone only when certainly gone (ESRCH, or
// the pid now belongs to a process that started at another time).
bool OwnerIsGone(int64_t pid, int64_t ticks) {
  if (pid <= 0) return false;
  if (kill(static_cast<pid_t>(pid), 0) != 0) return errno == ESRCH;
  int64_t now = StartTicks(pid);
  return ticks > 0 && now > 0 && now != ticks;
}

fs::path StagingBase(const ObjectStore& store) {
  auto in_lake = store.LocalPath("_staging");
  return in_lake ? fs::path(*in_lake) : fs::temp_directory_path() / "runlake-staging";
}

Result<std::string> CreateIn(const fs::path& base, const std::string& label) {
  static std::atomic<int> counter{0};
  // <label>.<pid>-<start ticks>.<n>: SweepDead reads the owner back from the name.
  std::string name = label + "." + std::to_string(getpid()) + "-" + std::to_string(StartTicks(getpid())) +
                     "." + std::to_string(counter++);
  std::error_code ec;
  fs::path dir = base / name;
  fs::remove_all(dir, ec);
  // Another process's ~Staging may remove the shared, momentarily empty parent between our
  // creating it and creating our folder in it (found by the fault sweep): try again.
  for (int attempt = 0; attempt < 5; ++attempt) {
    ec.clear();
    fs::create_directories(dir, ec);
    if (!ec || ec != std::errc::no_such_file_or_directory) break;
  }
  if (ec == std::errc::permission_denied || ec == std::errc::read_only_file_system ||
      ec == std::errc::operation_not_permitted) {
    // A lake (or TMPDIR) this user may only read: name it, not our private folder in it.
    fs::path owner = base.filename() == "_staging" ? base.parent_path() : base;
    return Status::FailedPrecondition("cannot write to " +
                                      std::string(base.filename() == "_staging" ? "the lake " : "") +
                                      owner.string() + ": " + ec.message());
  }
  if (ec) return Status::IOError("create staging directory " + dir.string() + ": " + ec.message());
  return dir.string();
}

}  // namespace

Result<Staging> Staging::Create(const ObjectStore& store, const std::string& label) {
  RUNLAKE_ASSIGN_OR_RAISE(std::string dir, CreateIn(StagingBase(store), label));
  return Staging(dir);
}

Result<Staging> Staging::CreateOutsideLake(const std::string& label) {
  RUNLAKE_ASSIGN_OR_RAISE(std::string dir, CreateIn(fs::temp_directory_path() / "runlake-staging", label));
  return Staging(dir);
}

std::vector<std::string> Staging::DeadDirs(const ObjectStore& store) {
  std::vector<std::string> dead;
  std::error_code ec;
  fs::path base = StagingBase(store);
  if (!fs::is_directory(base, ec)) return dead;
  for (const auto& entry : fs::directory_iterator(base, ec)) {
    std::string name = entry.path().filename().string();
    size_t last = name.rfind('.');
    if (last == std::string::npos || last == 0) continue;
    size_t prev = name.rfind('.', last - 1);
    if (prev == std::string::npos) continue;
    std::string owner = name.substr(prev + 1, last - prev - 1);
    size_t dash = owner.find('-');
    int64_t pid = 0, ticks = 0;
    try {
      pid = std::stoll(owner.substr(0, dash));
      if (dash != std::string::npos) ticks = std::stoll(owner.substr(dash + 1));
    } catch (const std::exception&) {
      continue;  // not a staging directory of ours
    }
    if (pid == getpid() || !OwnerIsGone(pid, ticks)) continue;
    dead.push_back(entry.path().string());
  }
  return dead;
}

Result<std::vector<std::string>> Staging::SweepDead(const ObjectStore& store) {
  std::vector<std::string> removed;
  std::error_code ec;
  for (const auto& dir : DeadDirs(store)) {
    fs::remove_all(dir, ec);
    if (ec) return Status::IOError("removing staging directory " + dir + ": " + ec.message());
    removed.push_back(dir);
  }
  fs::path base = StagingBase(store);
  if (fs::is_directory(base, ec) && fs::is_empty(base, ec)) fs::remove(base, ec);
  return removed;
}

std::vector<std::string> Staging::DeadTempFiles(const ObjectStore& store) {
  std::vector<std::string> dead;
  auto marker = store.LocalPath("_lake.json");
  if (!marker) return dead;
  fs::path root = fs::path(*marker).parent_path();
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (it->is_directory(ec) && (name == "_staging" || name == "_state")) {
      it.disable_recursion_pending();  // swept by SweepDead; not the object store's
      continue;
    }
    if (name.rfind(".tmp-", 0) != 0 || !it->is_regular_file(ec)) continue;
    // The pid is the third field from the end: ".tmp-<name>.<pid>.<salt>.<n>".
    size_t n_dot = name.rfind('.');
    size_t salt_dot = n_dot == std::string::npos || n_dot == 0 ? std::string::npos : name.rfind('.', n_dot - 1);
    size_t pid_dot = salt_dot == std::string::npos || salt_dot == 0 ? std::string::npos
                                                                      : name.rfind('.', salt_dot - 1);
    if (pid_dot == std::string::npos) continue;
    int64_t pid = 0;
    try {
      pid = std::stoll(name.substr(pid_dot + 1, salt_dot - pid_dot - 1));
    } catch (const std::exception&) {
      continue;  // not a temp name of ours
    }
    if (pid == getpid() || !OwnerIsGone(pid, 0)) continue;
    dead.push_back(fs::relative(it->path(), root, ec).string());
  }
  std::sort(dead.begin(), dead.end());
  return dead;
}

Status Staging::RemoveTempFile(const ObjectStore& store, const std::string& rel) {
  auto marker = store.LocalPath("_lake.json");
  if (!marker) return Status::OK();
  fs::path root = fs::path(*marker).parent_path();
  std::error_code ec;
  fs::remove(root / rel, ec);
  if (ec) return Status::IOError("removing temp file " + (root / rel).string() + ": " + ec.message());
  for (fs::path dir = (root / rel).parent_path(); dir != root && fs::is_empty(dir, ec) && !ec;
       dir = dir.parent_path()) {
    if (!fs::remove(dir, ec)) break;
  }
  return Status::OK();
}

namespace {

std::string ScratchBase() {
  const char* base = std::getenv("TMPDIR");
  return base && *base ? base : "/tmp";
}

// "runlake-<label>-<lake>-": what the scratch folders of one label and lake start with.
std::string ScratchNamePrefix(const ObjectStore& store, const std::string& label) {
  return "runlake-" + label + "-" + Sha256::Of(store.uri()).substr(0, 12) + "-";
}

// "<pid>-<ticks>-XXXXXX" -> whether that owner is gone; anything else: never.
bool ScratchOwnerIsGone(const std::string& rest) {
  size_t first = rest.find('-');
  size_t second = first == std::string::npos ? first : rest.find('-', first + 1);
  if (first == 0 || second == std::string::npos || rest.size() - second - 1 != 6) return false;
  int64_t pid = 0, ticks = 0;
  try {
    size_t used = 0;
    pid = std::stoll(rest.substr(0, first), &used);
    if (used != first) return false;
    ticks = std::stoll(rest.substr(first + 1, second - first - 1), &used);
    if (used != second - first - 1) return false;
  } catch (const std::exception&) {
    return false;
  }
  return pid != getpid() && OwnerIsGone(pid, ticks);
}

}  // namespace

std::string Staging::ScratchPattern(const ObjectStore& store, const std::string& label) {
  return ScratchBase() + "/" + ScratchNamePrefix(store, label) + std::to_string(getpid()) + "-" +
         std::to_string(StartTicks(getpid())) + "-XXXXXX";
}

std::vector<std::string> Staging::DeadScratchDirs(const ObjectStore& store, const std::string& label) {
  std::vector<std::string> dead;
  const std::string prefix = ScratchNamePrefix(store, label);
  std::error_code ec;
  for (fs::directory_iterator it(ScratchBase(), ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.rfind(prefix, 0) != 0 || !it->is_directory(ec)) continue;
    if (ScratchOwnerIsGone(name.substr(prefix.size()))) dead.push_back(it->path().string());
  }
  std::sort(dead.begin(), dead.end());
  return dead;
}

Status Staging::RemoveScratchDir(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) return Status::IOError("removing scratch directory " + path + ": " + ec.message());
  return Status::OK();
}

Staging::~Staging() {
  if (dir_.empty()) return;
  std::error_code ec;
  fs::remove_all(dir_, ec);
  fs::path parent = fs::path(dir_).parent_path();
  if (fs::is_empty(parent, ec)) fs::remove(parent, ec);
}

}  // namespace runlake
