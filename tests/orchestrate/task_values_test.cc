// Task queue values (runlake/task_queue.h): the kind lists that `--queues` takes and the
// state stores keep as text round-trip, whatever the backend.

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace runlake
