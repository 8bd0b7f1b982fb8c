// TimestampFormat::Parse for the formats operators use, against <regex> + <chrono>:
// byte 0 picks the format, the rest is the text.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <regex>
#include <string>

#include "fuzz_check.h"
#include "ingest/timestamp_format.h"

namespace {

struct Format {
  const char* strptime;
  const char* regex;  // groups: Y m d H M S, then fraction, then zone
};
const Format kFormats[] = {
    {"%Y-%m-%dT%H:%M:%SZ", R"(([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})()Z())"},
    {"%Y-%m-%dT%H:%M:%S.%fZ",
     R"(([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})\.([0-9]{1,9})Z())"},
    {"%Y-%m-%dT%H:%M:%S%z",
     R"(([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})()(Z|[+-][0-9]{2}:?[0-9]{2}))"},
    {"%Y-%m-%d %H:%M:%S", R"(([0-9]{4})-([0-9]{2})-([0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2})()())"},
    {"%d/%m/%Y %H%M", R"(([0-9]{2})/([0-9]{2})/([0-9]{4}) ([0-9]{2})([0-9]{2})()()())"},
};

bool Reference(size_t which, const std::string& s, int64_t* micros) {
  std::smatch m;
  if (!std::regex_match(s, m, std::regex(kFormats[which].regex))) return false;
  int y, mo, d;
  if (which == 4) {
    d = std::stoi(m[1]), mo = std::stoi(m[2]), y = std::stoi(m[3]);
  } else {
    y = std::stoi(m[1]), mo = std::stoi(m[2]), d = std::stoi(m[3]);
  }
  int h = std::stoi(m[4]), mi = std::stoi(m[5]), sec = m[6].length() ? std::stoi(m[6]) : 0;
  using namespace std::chrono;
  year_month_day ymd{year{y}, month{unsigned(mo)}, day{unsigned(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 59) return false;
  std::string frac = m[7].str().substr(0, 6);
  while (!frac.empty() && frac.size() < 6) frac += '0';
  int64_t offset = 0;
  std::string zone = m[8].str();
  if (!zone.empty() && zone != "Z") {
    int zh = std::stoi(zone.substr(1, 2)), zm = std::stoi(zone.substr(zone.size() - 2));
    if (zh > 23 || zm > 59) return false;
    offset = (zone[0] == '-' ? -1 : 1) * (zh * 3600 + zm * 60);
  }
  auto t = sys_days(ymd) + hours(h) + minutes(mi) + seconds(sec) - seconds(offset);
  *micros = duration_cast<microseconds>(t.time_since_epoch()).count() +
            (frac.empty() ? 0 : std::stoll(frac));
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t which = data[0] % (sizeof kFormats / sizeof kFormats[0]);
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto format = runlake::TimestampFormat::Compile(kFormats[which].strptime);
  runlake::fuzz::Check(format.ok(), "compile");
  int64_t got = 0, want = 0;
  bool ok = format->Parse(text, &got);
  bool ref = Reference(which, text, &want);
  std::string where = std::string(kFormats[which].strptime) + " '" + text + "': ";
  runlake::fuzz::Check(ok == ref, where + "parser " + (ok ? "accepts" : "rejects") +
                                      ", reference " + (ref ? "accepts" : "rejects"));
  runlake::fuzz::Check(!ok || got == want,
                       where + std::to_string(got) + " != reference " + std::to_string(want));
  // Any format text compiles or is refused with a message; a compiled one never crashes.
  auto any = runlake::TimestampFormat::Compile(text);
  if (any.ok()) any->Parse(text, &got);
  return 0;
}
