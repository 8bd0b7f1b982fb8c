// Amounts (decimal(16,2), the transactions amount) and timestamps: the two parsers that turn text into exact values.

#include <gtest/gtest.h>

#include <optional>

#include "ingest/number_text.h"
#include "ingest/timestamp_format.h"
#include "runlake/rules.h"

namespace runlake {
namespace {

std::optional<int64_t> Cents(std::string_view s) {
  int64_t c = 0;
  if (!ParseScaledDecimal(s, 16, 2, &c)) return std::nullopt;  // the transactions amount
  return c;
}

TEST(IngestAmount, ValidAmounts) {
  EXPECT_EQ(Cents("-12.5"), -1250);
  EXPECT_EQ(Cents("0.07"), 7);
  EXPECT_EQ(Cents("300"), 30000);
  EXPECT_EQ(Cents("12.34"), 1234);
  EXPECT_EQ(Cents("0"), 0);
  EXPECT_EQ(Cents("-0"), 0);
  EXPECT_EQ(Cents("007.50"), 750);
  EXPECT_EQ(Cents("99999999999999.99"), 9999999999999999);
  EXPECT_EQ(Cents("-99999999999999.99"), -9999999999999999);
  EXPECT_EQ(Cents("00000000000000000001"), 100);  // leading zeros do not count
  // However many: the scan once stopped at 32 digits (found by tests/fuzz/amount_fuzz).
  EXPECT_EQ(Cents(std::string(40, '0') + "12.5"), 1250);
  EXPECT_EQ(Cents("-" + std::string(100, '0') + "99999999999999.99"), -9999999999999999);
}

TEST(IngestAmount, InvalidAmounts) {
  for (const char* s : {"1e5",
                        "1,000.00",
                        "12.345",
                        "+5",
                        ".5",
                        "5.",
                        "",
                        "-",
                        "abc",
                        "100000000000000",
                        "123456789012345.00",
                        "1.2.3",
                        " 5",
                        "5 ",
                        "--5",
                        "0x10",
                        "1E5",
                        "1.99999999999999999999999",  // long fractions once overflowed frac
                        "12.3a",
                        "NaN",
                        "inf",
                        "١٢"}) {
    EXPECT_EQ(Cents(s), std::nullopt) << "'" << s << "'";
  }
}

std::optional<int64_t> Micros(std::string_view format, std::string_view text) {
  auto f = TimestampFormat::Compile(format);
  EXPECT_TRUE(f.ok()) << format;
  int64_t m = 0;
  if (!f->Parse(text, &m)) return std::nullopt;
  return m;
}

constexpr int64_t kSecond = 1000000;

TEST(IngestTimestamp, IsoFormats) {
  // 2024-01-15T10:30:00Z = 1705314600
  EXPECT_EQ(Micros("%Y-%m-%dT%H:%M:%SZ", "2024-01-15T10:30:00Z"), 1705314600 * kSecond);
  EXPECT_EQ(Micros("%Y-%m-%d %H:%M:%S", "2024-01-15 10:30:00"), 1705314600 * kSecond);
  EXPECT_EQ(Micros("%Y-%m-%dT%H:%M:%S", "1970-01-01T00:00:00"), 0);
  EXPECT_EQ(Micros("%Y-%m-%dT%H:%M:%S", "1969-12-31T23:59:59"), -kSecond);
  EXPECT_EQ(Micros("%Y-%m-%d", "2000-03-01"), 951868800 * kSecond);
}

TEST(IngestTimestamp, Fractions) {
  const char* f = "%Y-%m-%dT%H:%M:%S.%fZ";
  EXPECT_EQ(Micros(f, "1970-01-01T00:00:01.5Z"), kSecond + 500000);
  EXPECT_EQ(Micros(f, "1970-01-01T00:00:00.000001Z"), 1);
  EXPECT_EQ(Micros(f, "1970-01-01T00:00:00.123456789Z"), 123456);         // truncated
  EXPECT_EQ(Micros(f, "1970-01-01T00:00:00.999999999Z"), 999999);         // never carries
  EXPECT_EQ(Micros(f, "1970-01-01T00:00:00.1234567890Z"), std::nullopt);  // 10 digits
  EXPECT_EQ(Micros(f, "1970-01-01T00:00:00.Z"), std::nullopt);
}

TEST(IngestTimestamp, Offsets) {
  const char* f = "%Y-%m-%dT%H:%M:%S%z";
  int64_t base = 1705314600 * kSecond;  // 2024-01-15T10:30:00Z
  EXPECT_EQ(Micros(f, "2024-01-15T10:30:00Z"), base);
  EXPECT_EQ(Micros(f, "2024-01-15T12:30:00+02:00"), base);
  EXPECT_EQ(Micros(f, "2024-01-15T12:30:00+0200"), base);
  EXPECT_EQ(Micros(f, "2024-01-15T05:00:00-05:30"), base);
  EXPECT_EQ(Micros(f, "2024-01-15T00:30:00-1000"), base);
  EXPECT_EQ(Micros(f, "2024-01-16T00:00:00+13:30"), base);
  for (const char* bad :
       {"2024-01-15T10:30:00", "2024-01-15T10:30:00+2", "2024-01-15T10:30:00+02",
        "2024-01-15T10:30:00+02:0", "2024-01-15T10:30:00+24:00", "2024-01-15T10:30:00+02:60",
        "2024-01-15T10:30:00z", "2024-01-15T10:30:00 +02:00"}) {
    EXPECT_EQ(Micros(f, bad), std::nullopt) << bad;
  }
}

TEST(IngestTimestamp, CalendarAndRanges) {
  const char* f = "%Y-%m-%d %H:%M:%S";
  EXPECT_TRUE(Micros(f, "2024-02-29 00:00:00"));  // leap year
  EXPECT_TRUE(Micros(f, "2000-02-29 00:00:00"));  // divisible by 400
  EXPECT_FALSE(Micros(f, "2023-02-29 00:00:00"));
  EXPECT_FALSE(Micros(f, "1900-02-29 00:00:00"));  // divisible by 100
  EXPECT_FALSE(Micros(f, "2024-02-30 00:00:00"));
  EXPECT_FALSE(Micros(f, "2024-04-31 00:00:00"));
  EXPECT_TRUE(Micros(f, "2024-12-31 23:59:59"));
  EXPECT_FALSE(Micros(f, "2024-13-01 00:00:00"));
  EXPECT_FALSE(Micros(f, "2024-00-10 00:00:00"));
  EXPECT_FALSE(Micros(f, "2024-01-00 00:00:00"));
  EXPECT_FALSE(Micros(f, "2024-01-01 24:00:00"));
  EXPECT_FALSE(Micros(f, "2024-01-01 00:60:00"));
  EXPECT_FALSE(Micros(f, "2024-01-01 00:00:60"));
  EXPECT_EQ(Micros(f, "2024-03-01 00:00:00").value() - Micros(f, "2024-02-29 00:00:00").value(),
            86400 * kSecond);
}

TEST(IngestTimestamp, WholeTextAndExactDigits) {
  const char* f = "%Y-%m-%dT%H:%M:%SZ";
  for (const char* bad : {"2024-01-15T10:30:00Z ", "2024-01-15T10:30:00", "2024-1-15T10:30:00Z",
                          "24-01-15T10:30:00Z", "2024-01-15 10:30:00Z", "2024-01-15T10:30:00ZZ", "",
                          "garbage", "2024-01-15T10:30Z", "+2024-01-15T10:30:00Z"}) {
    EXPECT_FALSE(Micros(f, bad)) << bad;
  }
  EXPECT_EQ(Micros("%%%Y", "%1970"), 0);
  EXPECT_FALSE(Micros("%%%Y", "1970"));
}

TEST(IngestTimestamp, CompileErrors) {
  EXPECT_FALSE(TimestampFormat::Compile("%Y-%b").ok());
  EXPECT_FALSE(TimestampFormat::Compile("%Y%").ok());
  EXPECT_FALSE(TimestampFormat::Compile("").ok());
  EXPECT_TRUE(TimestampFormat::Compile("%Y%m%d%H%M%S%f%z%%").ok());
}

TEST(IngestTimestamp, ParserTriesFormatsInOrder) {
  auto p = TimestampParser::Compile(Rules::Defaults().timestamp_formats);
  ASSERT_TRUE(p.ok());
  int64_t m = 0;
  for (const char* ok :
       {"2024-01-15T10:30:00Z", "2024-01-15T10:30:00.25Z", "2024-01-15T10:30:00+01:00",
        "2024-01-15 10:30:00", "2024-01-15T10:30:00"}) {
    EXPECT_TRUE(p->Parse(ok, &m)) << ok;
  }
  EXPECT_TRUE(p->Parse("2024-01-15T11:30:00+01:00", &m));
  EXPECT_EQ(m, 1705314600 * kSecond);
  for (const char* bad : {"15/01/2024", "2024-01-15", "1705314600", "2024-01-15T10:30:00.Z"}) {
    EXPECT_FALSE(p->Parse(bad, &m)) << bad;
  }
}

TEST(IngestTimestamp, DaysFromCivil) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(DaysFromCivil(0, 1, 1), -719528);
}

}  // namespace
}  // namespace runlake
