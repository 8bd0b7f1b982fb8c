// `runlake state migrate` on the default SQLite state store (PostgreSQL: tests/pg/).

#include <gtest/gtest.h>

#include "cli_runner.h"

namespace runlake::it {
namespace {

TEST(StateMigrate, SqliteFromEmptyThenUpToDate) {
  TestLake lake;
  CmdResult first = lake.Rl({"--json", "state", "migrate"});
  ASSERT_EQ(first.exit_code, 0) << first.Describe();
  json j = first.Json();
  EXPECT_EQ(j["backend"], "sqlite");
  EXPECT_EQ(j["version_before"], 0);
  EXPECT_GE(j["version_after"].get<int>(), 3);
  EXPECT_TRUE(fs::exists(lake.Lake("_state/runlake.sqlite")));
  CmdResult again = lake.Rl({"state", "migrate"});
  ASSERT_EQ(again.exit_code, 0) << again.Describe();
  EXPECT_EQ(again.out, "sqlite state store at schema version " +
                           std::to_string(j["version_after"].get<int>()) + ": up to date\n");
  EXPECT_EQ(lake.Rl({"state"}).exit_code, 2);  // a subcommand is required
}

}  // namespace
}  // namespace runlake::it
