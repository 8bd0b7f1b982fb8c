// The literals a contract writes (min/max bounds, window dates, formats), checked before any
// row arrives: what parses as each type, and the order bounds compare in.

#include "contract/literal_values.h"

#include <gtest/gtest.h>

namespace runlake::contract_internal {
namespace {

ColumnType Decimal(int p, int s) { return {ColumnKind::kDecimal, p, s}; }
const ColumnType kInt64{ColumnKind::kInt64, 0, 0};
const ColumnType kDate{ColumnKind::kDate, 0, 0};
const ColumnType kTimestamp{ColumnKind::kTimestamp, 0, 0};

TEST(ContractLiterals, Int64IsPlainAndInRange) {
  EXPECT_EQ(BoundValue("-42", kInt64), -42);
  EXPECT_EQ(BoundValue("9223372036854775807", kInt64), INT64_MAX);
  EXPECT_EQ(BoundValue("-9223372036854775808", kInt64), INT64_MIN);
  for (const char* bad : {"9223372036854775808", "1.0", "1e3", "+1", " 1", "", "-", "1_000"}) {
    EXPECT_FALSE(BoundValue(bad, kInt64)) << bad;
  }
}

TEST(ContractLiterals, DecimalKeepsItsDigitLimitsWithoutRounding) {
  EXPECT_EQ(BoundValue("999.99", Decimal(5, 2)), 99999);
  EXPECT_EQ(BoundValue("-0.5", Decimal(5, 2)), -50);
  EXPECT_EQ(BoundValue("007", Decimal(3, 2)), 700);  // leading zeros take no room
  EXPECT_EQ(BoundValue("0.00000001", Decimal(18, 8)), 1);
  EXPECT_EQ(BoundValue("99999999999999999999999999999999999999", Decimal(38, 0)),
            BoundValue("99999999999999999999999999999999999999", Decimal(38, 0)));
  for (const char* bad : {"1000.00", "0.001", "1.", ".5", "1e2", "1,000", "--1", "1.2.3"}) {
    EXPECT_FALSE(BoundValue(bad, Decimal(5, 2))) << bad;
  }
}

TEST(ContractLiterals, DatesAndTimestampsAreIsoAndReal) {
  EXPECT_EQ(BoundValue("1970-01-02", kDate), 1);
  EXPECT_EQ(BoundValue("2024-02-29", kDate), 19782);
  EXPECT_FALSE(BoundValue("2023-02-29", kDate));
  EXPECT_FALSE(BoundValue("2024-13-01", kDate));
  EXPECT_FALSE(BoundValue("2024-01-01T00:00:00", kDate));
  EXPECT_EQ(BoundValue("1970-01-01T00:00:01Z", kTimestamp), 1000000);
  EXPECT_EQ(BoundValue("1970-01-01 00:00:00.5", kTimestamp), 500000);
  EXPECT_EQ(BoundValue("1970-01-02", kTimestamp), int64_t{86400} * 1000000);
  EXPECT_EQ(BoundValue("1969-12-31T23:59:59.9999999Z", kTimestamp), -1);  // truncated to µs
  for (const char* bad : {"1970-01-01T24:00:00", "1970-01-01T00:00", "1970-01-01T00:00:00.",
                          "1970-01-01T00:00:00+01:00", "1970-1-1"}) {
    EXPECT_FALSE(BoundValue(bad, kTimestamp)) << bad;
  }
  EXPECT_FALSE(BoundValue("a", ColumnType{}));  // strings have no order
}

TEST(ContractLiterals, FormatsUseTodaysDirectives) {
  EXPECT_EQ(TimeFormatProblem("%Y-%m-%dT%H:%M:%S.%f%z", ColumnKind::kTimestamp), "");
  EXPECT_EQ(TimeFormatProblem("100%% %Y", ColumnKind::kDate), "");
  EXPECT_EQ(TimeFormatProblem("%Y-%m-%", ColumnKind::kDate),
            "format '%Y-%m-%' ends with a lone '%'");
  EXPECT_EQ(TimeFormatProblem("", ColumnKind::kDate), "a format must not be empty");
  EXPECT_NE(TimeFormatProblem("%s", ColumnKind::kTimestamp), "");
}

}  // namespace
}  // namespace runlake::contract_internal
