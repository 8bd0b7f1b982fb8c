#include "runlake/clock.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace runlake {

namespace {
// Floors towards the past so times before 1970 still format their own second.
std::tm UtcFields(std::chrono::system_clock::time_point t, int* millis) {
  auto ms = std::chrono::floor<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  *millis = static_cast<int>(ms - static_cast<long long>(seconds) * 1000);
  std::tm fields{};
  gmtime_r(&seconds, &fields);
  return fields;
}
}  // namespace

std::string ToIso8601Utc(std::chrono::system_clock::time_point t) {
  int millis = 0;
  std::tm f = UtcFields(t, &millis);
  char buf[64];  // room for any int year, so no truncation is possible
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", f.tm_year + 1900,
                f.tm_mon + 1, f.tm_mday, f.tm_hour, f.tm_min, f.tm_sec, millis);
  return buf;
}

std::chrono::system_clock::time_point SystemNow() {
  static const std::chrono::milliseconds skew = [] {
    const char* text = std::getenv("RUNLAKE_CLOCK_SKEW_SECONDS");
    return std::chrono::milliseconds(text ? static_cast<int64_t>(std::atof(text) * 1000) : 0);
  }();
  return std::chrono::system_clock::now() + skew;
}

std::string NowIso8601Utc() { return ToIso8601Utc(SystemNow()); }

std::string ToRunIdTimestamp(std::chrono::system_clock::time_point t) {
  int millis = 0;
  std::tm f = UtcFields(t, &millis);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02dZ", f.tm_year + 1900, f.tm_mon + 1,
                f.tm_mday, f.tm_hour, f.tm_min, f.tm_sec);
  return buf;
}

std::string NowRunIdTimestamp() { return ToRunIdTimestamp(SystemNow()); }

int64_t UnixMicrosNow() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             SystemNow().time_since_epoch())
      .count();
}

}  // namespace runlake
