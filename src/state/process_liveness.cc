#include "state/process_liveness.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace runlake {

namespace {
struct ProcStat {
  bool readable = false;
  char state = '?';
  int64_t start_ticks = 0;
};

// /proc/<pid>/stat is "pid (comm) state ppid ... starttime ..."; comm may itself contain
// spaces and parentheses, so fields are counted from the last ')'.
ProcStat ReadProcStat(int64_t pid) {
  ProcStat result;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!in || !std::getline(in, line)) return result;
  auto close = line.rfind(')');
  if (close == std::string::npos) return result;
  std::istringstream fields(line.substr(close + 1));
  std::string field;
  // After ')': field 3 is the state, field 22 the start time.
  for (int index = 3; fields >> field; ++index) {
    if (index == 3) result.state = field.empty() ? '?' : field[0];
    if (index == 22) {
      try {
        result.start_ticks = std::stoll(field);
        result.readable = true;
      } catch (...) {
      }
      break;
    }
  }
  return result;
}
}  // namespace

std::string LocalHostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

int64_t ProcessStartTicks(int64_t pid) {
  if (pid <= 0) return 0;
  ProcStat stat = ReadProcStat(pid);
  return stat.readable ? stat.start_ticks : 0;
}

bool ProcessIsGone(int64_t pid, int64_t recorded_start_ticks) {
  // pid 0 or negative would address process groups in kill(): never probe those.
  if (pid <= 0 || pid > INT32_MAX) return false;
  if (kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) return true;
  ProcStat stat = ReadProcStat(pid);
  if (!stat.readable) return false;
  if (stat.state == 'Z' || stat.state == 'X') return true;
  return recorded_start_ticks > 0 && stat.start_ticks != recorded_start_ticks;
}

int64_t ControllerStaleMillis() {
  constexpr int64_t kDefault = 60'000;
  const char* env = std::getenv("RUNLAKE_CONTROLLER_STALE_SECONDS");
  if (env == nullptr || *env == '\0') return kDefault;
  char* end = nullptr;
  double seconds = std::strtod(env, &end);
  // A malformed value must not make every controller look dead: keep the default.
  if (end == env || *end != '\0' || !(seconds > 0) || seconds > 86400.0 * 365) return kDefault;
  return std::max<int64_t>(1, static_cast<int64_t>(seconds * 1000));
}

}  // namespace runlake
