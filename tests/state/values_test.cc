// The values a StateStore holds (runlake/execution.h, runlake/task_queue.h): execution
// statuses and the task-kind lists that `--queues` takes round-trip through text.

#include <gtest/gtest.h>

#include "runlake/backfill.h"
#include "runlake/execution.h"
#include "runlake/task_queue.h"

namespace runlake {
namespace {

TEST(TaskKinds, ListRoundTripsThroughText) {
  std::vector<TaskKind> both = {TaskKind::kBackfill, TaskKind::kDaily};
  EXPECT_EQ(TaskKindsText(both), "backfill,daily");
  auto parsed = ParseTaskKinds(TaskKindsText(both));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, both);
}

TEST(TaskKinds, EmptyItemsAndRepeatsAreDroppedInOrder) {
  auto parsed = ParseTaskKinds(",daily,,daily,backfill,");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, (std::vector<TaskKind>{TaskKind::kDaily, TaskKind::kBackfill}));
  auto none = ParseTaskKinds("");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(TaskKinds, UnknownKindIsNamed) {
  auto parsed = ParseTaskKinds("daily,weekly");
  ASSERT_FALSE(parsed.ok());
  EXPECT_TRUE(parsed.status().IsInvalidArgument());
  EXPECT_NE(parsed.status().message().find("'weekly'"), std::string::npos);
}

TEST(ExecutionStatusTest, RoundTripsAndRejectsUnknown) {
  for (auto s : {ExecutionStatus::kRunning, ExecutionStatus::kSucceeded, ExecutionStatus::kFailed,
                 ExecutionStatus::kTimedOut, ExecutionStatus::kAborted}) {
    auto parsed = ParseExecutionStatus(ToString(s));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, s);
  }
  EXPECT_STREQ(ToString(ExecutionStatus::kTimedOut), "TIMED_OUT");
  EXPECT_TRUE(ParseExecutionStatus("running").status().IsInvalidArgument());
  EXPECT_FALSE(IsTerminal(ExecutionStatus::kRunning));
  EXPECT_TRUE(IsTerminal(ExecutionStatus::kAborted));
}

// Backfill options are ours: one codec, and an unknown or missing key is a corruption
// rather than a silent default (issue 26).
TEST(BackfillOptionsTest, RoundTripAndStrictKeys) {
  BackfillOptions o;
  o.concurrency = 4;
  o.promote = true;
  o.reason = "fix";
  o.canonical = {{"2024-01-01", "d1"}};
  o.rules_text = "{}";
  o.rules_origin = "rules.json";
  nlohmann::json j = BackfillOptionsToJson(o);
  auto back = BackfillOptionsFromJson(j, "backfill 'b'");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(BackfillOptionsToJson(*back), j);

  nlohmann::json typo = j;
  typo["promtoe"] = true;
  auto bad = BackfillOptionsFromJson(typo, "backfill 'b'");
  EXPECT_EQ(bad.status().code(), StatusCode::kCorruption);
  EXPECT_NE(bad.status().message().find("unknown option 'promtoe'"), std::string::npos);

  // A record from before a key existed loads with its default.
  nlohmann::json older = j;
  older.erase("queue");
  auto old = BackfillOptionsFromJson(older, "b");
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  EXPECT_FALSE(old->queue);

  nlohmann::json wrong = j;
  wrong["concurrency"] = "four";
  EXPECT_NE(BackfillOptionsFromJson(wrong, "b").status().message().find("wrong type"), std::string::npos);
}

}  // namespace
}  // namespace runlake
