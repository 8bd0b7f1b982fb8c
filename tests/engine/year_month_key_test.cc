// YearMonthKey / YearMonthPartition: the silver partition key and its directory name,
// checked against timestamps whose calendar month is known.

#include "engine/year_month_key_internal.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace runlake {
namespace {

constexpr int64_t kDay = 86400000000;

TEST(YearMonthKey, CalendarMonthsAroundTheEpochAndLeapDays) {
  EXPECT_EQ(YearMonthKey(0), 197001);
  EXPECT_EQ(YearMonthKey(-1), 196912);                    // one microsecond before 1970
  EXPECT_EQ(YearMonthKey(19782 * kDay), 202402);          // 2024-02-29
  EXPECT_EQ(YearMonthKey(19783 * kDay - 1), 202402);      // its last microsecond
  EXPECT_EQ(YearMonthKey(19783 * kDay), 202403);          // 2024-03-01
  EXPECT_EQ(YearMonthKey(-25567 * kDay), 190001);         // 1900-01-01
  EXPECT_EQ(YearMonthKey(2932896 * kDay), 999912);        // 9999-12-31
}

TEST(YearMonthKey, YearsOutsideFourDigits) {
  EXPECT_EQ(YearMonthKey(-719528 * kDay), 1);             // 0000-01-01
  EXPECT_EQ(YearMonthKey(-719529 * kDay), -1 * 100 + 12); // -0001-12-31
  EXPECT_EQ(YearMonthKey(2932897 * kDay), 1000001);       // 10000-01-01
}

TEST(YearMonthPartition, SpellsTheLayoutsDirectories) {
  EXPECT_EQ(YearMonthPartition(202401), "year=2024/month=01");
  EXPECT_EQ(YearMonthPartition(202412), "year=2024/month=12");
  EXPECT_EQ(YearMonthPartition(99905), "year=0999/month=05");
  EXPECT_EQ(YearMonthPartition(1), "year=0000/month=01");
  EXPECT_EQ(YearMonthPartition(-1 * 100 + 12), "year=-1/month=12");
  EXPECT_EQ(YearMonthPartition(1000001), "year=10000/month=01");
}

TEST(YearMonthPartition, InvertsTheKeyForEveryMonthOfManyYears) {
  for (int64_t year = -3; year <= 10003; year += 7) {
    for (int64_t month = 1; month <= 12; month++) {
      char want[64];
      std::snprintf(want, sizeof want, year >= 0 && year <= 9999 ? "year=%04lld/month=%02lld"
                                                                 : "year=%lld/month=%02lld",
                    static_cast<long long>(year), static_cast<long long>(month));
      EXPECT_EQ(YearMonthPartition(year * 100 + month), want) << year << "-" << month;
    }
  }
}

}  // namespace
}  // namespace runlake
