// Backfill ids, run_ids, execution names and date ranges (runlake/backfill.h).

#include <gtest/gtest.h>

#include "runlake/backfill.h"

namespace runlake {
namespace {

TEST(BackfillNaming, FollowsTheRunbook) {
  EXPECT_EQ(BackfillId("2024-01-15", "2024-01-15", "20260129T150000Z"),
            "backfill-2024-01-15-20260129T150000Z");
  EXPECT_EQ(BackfillId("2024-01-01", "2024-01-31", "20260129T150000Z"),
            "backfill-2024-01-01-to-2024-01-31-20260129T150000Z");
  EXPECT_EQ(BackfillRunId("2024-01-15", "20260129T150000Z", 1), "backfill-2024-01-15-20260129T150000Z");
  EXPECT_EQ(BackfillRunId("2024-01-15", "20260129T150000Z", 2),
            "backfill-2024-01-15-20260129T150000Z-r2");
  EXPECT_EQ(BackfillExecutionName("B", "2024-01-15", 1), "B/2024-01-15");
  EXPECT_EQ(BackfillExecutionName("B", "2024-01-15", 3), "B/2024-01-15#3");
}

TEST(BackfillNaming, NextStampCarriesOver) {
  EXPECT_EQ(NextStamp("20260129T150000Z"), "20260129T150001Z");
  EXPECT_EQ(NextStamp("20241231T235959Z"), "20250101T000000Z");
}

TEST(BackfillDates, RangeIsInclusiveAndCrossesMonthsAndLeapDays) {
  auto r = DateRange("2024-02-27", "2024-03-02");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, (std::vector<std::string>{"2024-02-27", "2024-02-28", "2024-02-29", "2024-03-01",
                                          "2024-03-02"}));
  auto one = DateRange("2024-01-15", "2024-01-15");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->size(), 1u);
  auto january = DateRange("2024-01-01", "2024-01-31");
  ASSERT_TRUE(january.ok());
  EXPECT_EQ(january->size(), 31u);
}

TEST(BackfillDates, RejectsBadInput) {
  for (auto [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"2024-01-31", "2024-01-01"}, {"2024-13-01", "2024-12-31"}, {"2023-02-29", "2023-03-01"},
           {"24-01-01", "2024-01-02"}, {"2024/01/01", "2024-01-02"}, {"2024-01-01", "tomorrow"},
           {"2000-01-01", "2024-01-01"}}) {
    auto r = DateRange(from, to);
    EXPECT_FALSE(r.ok()) << from << ".." << to;
    if (!r.ok()) {
      EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
    }
  }
  auto r = DateRange("2024-01-31", "2024-01-01");
  EXPECT_NE(r.status().message().find("after"), std::string::npos) << r.status().message();
}

TEST(BackfillStatusText, RoundTrips) {
  for (auto s : {BackfillStatus::kRunning, BackfillStatus::kPaused, BackfillStatus::kAborting,
                 BackfillStatus::kInterrupted, BackfillStatus::kAborted, BackfillStatus::kSucceeded,
                 BackfillStatus::kFailed}) {
    auto parsed = ParseBackfillStatus(ToString(s));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, s);
  }
  EXPECT_FALSE(ParseBackfillStatus("running").ok());
}

}  // namespace
}  // namespace runlake
