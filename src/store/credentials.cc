// Time parsing for credential expirations, the environment snapshot, small file reads.

#include "store/credentials.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include "store/aws_env.h"

extern char** environ;

namespace runlake::aws {

std::optional<TimePoint> ParseIso8601(std::string_view s) {
  std::tm tm{};
  int consumed = 0;
  std::string str(s);
  if (std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6) {
    return std::nullopt;
  }
  std::string_view rest = s.substr(consumed);
  if (!rest.empty() && rest.front() == '.') {  // fractional seconds: dropped
    rest.remove_prefix(1);
    while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') rest.remove_prefix(1);
  }
  if (rest != "Z" && rest != "+00:00" && rest != "UTC" && rest != "+0000") return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  time_t t = timegm(&tm);
  if (t == time_t(-1)) return std::nullopt;
  return std::chrono::system_clock::from_time_t(t);
}

std::string FormatIso8601(TimePoint t) {
  time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<std::string> ReadSmallFile(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int e = errno;
    std::string msg = what + " '" + path + "': " + std::strerror(e);
    return e == ENOENT ? Status::NotFound(msg) : Status::IOError(msg);
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string AwsEnv::ExpandHome(const std::string& path) const {
  if (path == "~") return Get("HOME");
  if (path.rfind("~/", 0) == 0) return Get("HOME") + path.substr(1);
  return path;
}

AwsEnv AwsEnv::FromProcess() {
  AwsEnv env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv(*e);
    size_t eq = kv.find('=');
    if (eq != std::string::npos) env.vars[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

}  // namespace runlake::aws
