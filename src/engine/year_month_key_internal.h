#pragma once
// The silver partition key as one integer, year * 100 + month of a UTC timestamp, and its
// directory in the lake layout. WriteRun routes rows to one writer per key
// (month_writers_internal.h), each writing under `ym=<key>`, and then renames those
// directories to YearMonthPartition(key).

#include <cstdint>
#include <cstdio>
#include <string>

#include "common/civil_date.h"

namespace runlake {

// year * 100 + month, for any year (a negative year keeps month = key mod 100, floored).
inline int64_t YearMonthKey(int64_t micros) {
  const int64_t days = micros / 86400000000 - (micros % 86400000000 < 0);  // the floor
  const CivilDate d = CivilFromDays(days);
  return d.year * 100 + d.month;
}

// "year=2024/month=01": a four-digit year where it has at most four digits (as strftime's
// %Y would print it, and as the layout's readers expect), else its plain decimal form.
inline std::string YearMonthPartition(int64_t key) {
  const int64_t month = ((key % 100) + 100) % 100;
  const int64_t year = (key - month) / 100;
  char buf[64];
  if (year >= 0 && year <= 9999) {
    std::snprintf(buf, sizeof buf, "year=%04lld/month=%02lld", static_cast<long long>(year),
                  static_cast<long long>(month));
  } else {
    std::snprintf(buf, sizeof buf, "year=%lld/month=%02lld", static_cast<long long>(year),
                  static_cast<long long>(month));
  }
  return buf;
}

}  // namespace runlake
