#pragma once
// Days since 1970-01-01 as a proleptic Gregorian (year, month, day), for any day: H. Hinnant's
// civil_from_days. Shared by the silver partition key (engine/year_month_key_internal.h) and
// the samplers' date formatting.

#include <cstdint>

namespace runlake {

struct CivilDate {
  int64_t year;
  unsigned month, day;  // 1-12, 1-31
};

inline CivilDate CivilFromDays(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return CivilDate{static_cast<int64_t>(yoe) + era * 400 + (m <= 2), m, doy - (153 * mp + 2) / 5 + 1};
}

}  // namespace runlake
