#pragma once
// A pre-compiled strptime-style timestamp parser for the rules' timestamp_formats.
// strptime itself is locale-dependent, accepts partial input and has no fractional
// seconds or ':' in %z, so we compile the few directives the rules need into steps once
// and run them per row without allocation.
//
// Directives: %Y (4 digits) %m %d %H %M %S (exactly 2 digits each), %f (1-9 fractional
// digits, truncated to microseconds), %z (Z, +HH:MM or +HHMM, also '-'; converted to UTC),
// %% (a literal '%'). Other characters match themselves exactly. The whole text must be
// consumed; the calendar date and the time ranges are checked (no leap second 60).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runlake/status.h"

namespace runlake {

class TimestampFormat {
 public:
  // InvalidArgument "unsupported directive %b in timestamp format '...'" and the like.
  static Result<TimestampFormat> Compile(std::string_view format);

  // True and *micros = UTC microseconds since the epoch when `text` matches entirely.
  bool Parse(std::string_view text, int64_t* micros) const;

 private:
  enum class Op : uint8_t {
    kYear,
    kMonth,
    kDay,
    kHour,
    kMinute,
    kSecond,
    kFraction,
    kZone,
    kLiteral
  };
  struct Step {
    Op op;
    char literal;
  };
  std::vector<Step> steps_;
};

// Tries formats in order; the first that matches wins.
class TimestampParser {
 public:
  static Result<TimestampParser> Compile(const std::vector<std::string>& formats);
  bool Parse(std::string_view text, int64_t* micros) const;

 private:
  std::vector<TimestampFormat> formats_;
};

// A calendar date "YYYY-MM-DD" exactly: *micros = its 00:00:00 UTC. False otherwise.
bool ParseDayMicros(std::string_view date, int64_t* micros);

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);

}  // namespace runlake
