// Test-only fault injection: the spec and the op numbering (see the header).

#include "common/fault_spec.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <sstream>
#include <utility>

namespace runlake {
namespace {

bool ParseKind(const std::string& s, FaultKind* kind) {
  static const std::pair<const char*, FaultKind> kKinds[] = {
      {"crash", FaultKind::kCrash},         {"crash_after", FaultKind::kCrashAfter},
      {"ioerror", FaultKind::kIOError},     {"transient", FaultKind::kTransient},
      {"diskfull", FaultKind::kDiskFull},   {"torn", FaultKind::kTorn},
      {"serialization", FaultKind::kSerialization}};
  for (const auto& [name, k] : kKinds) {
    if (s == name) {
      *kind = k;
      return true;
    }
  }
  return false;
}

// Appends `line` under an exclusive flock and returns its number, so processes sharing the
// file agree on one global order; 0 when the file cannot be used. No fsync: the faults end
// processes, not the machine, so what was written stays written.
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
  ::flock(fd, LOCK_UN);
  ::close(fd);
  return lines + 1;
}

}  // namespace

Result<FaultSpec> ParseFaultSpec(const std::string& text, const std::string& variable) {
  FaultSpec spec;
  std::stringstream ss(text);
  std::string part;
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument(variable + " '" + text + "': " + why);
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

uint64_t CountFaultOp(const FaultSpec& spec, const std::string& op, std::atomic<uint64_t>& process_counter) {
  uint64_t n = spec.count_path.empty() ? 0 : AppendToCountFile(spec.count_path, op + "\n");
  uint64_t local = ++process_counter;
  return n == 0 ? local : n;
}

void SayFault(const std::string& what) {
  std::string line = "runlake-fault: " + what + "\n";
  (void)!::write(2, line.data(), line.size());
}

void CrashForFault(const std::string& what) {
  SayFault(what);
  ::_exit(137);  // 128 + SIGKILL: what a killed process reports
}

}  // namespace runlake
