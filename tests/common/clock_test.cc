#include "runlake/clock.h"

#include <gtest/gtest.h>

namespace runlake {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

TEST(ClockTest, FormatsIso8601WithMillisAndRunIdTimestamp) {
  // 2026-01-29T15:00:00.123Z
  system_clock::time_point t{milliseconds(1769698800123)};
  EXPECT_EQ(ToIso8601Utc(t), "2026-01-29T15:00:00.123Z");
  EXPECT_EQ(ToRunIdTimestamp(t), "20260129T150000Z");
  EXPECT_EQ(ToIso8601Utc(system_clock::time_point{milliseconds(-1)}), "1969-12-31T23:59:59.999Z");
}

TEST(ClockTest, NowHasTheFixedWidthFormat) {
  std::string now = NowIso8601Utc();
  ASSERT_EQ(now.size(), 24u);
  EXPECT_EQ(now[10], 'T');
  EXPECT_EQ(now.back(), 'Z');
  EXPECT_EQ(NowRunIdTimestamp().size(), 16u);
}

}  // namespace
}  // namespace runlake
