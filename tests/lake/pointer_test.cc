// The pointer log: versions, concurrent commits, _LATEST.json repair and corruption.

#include "runlake/pointer.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <set>
#include <thread>

#include "lake_test_util.h"

namespace runlake {
namespace {

using lake_test::TestLake;

PointerLog::NextVersionFn AddSource(const std::string& source, const std::string& run) {
  return [=](const std::optional<PointerVersion>& head) -> Result<PointerVersion> {
    PointerVersion v;
    if (head) v.sources = head->sources;
    v.sources[source] = run;
    v.action = "promote";
    v.run_id = run;
    return v;
  };
}

TEST(PointerLogTest, VersionsCountFromOneAndChain) {
  TestLake lake("ptr");
  PointerLog log(lake.store(), "silver", DatasetId{});
  EXPECT_FALSE(log.Head()->has_value());
  ASSERT_TRUE(log.Commit(AddSource("2024-01-01", "r1")).ok());
  ASSERT_TRUE(log.Commit(AddSource("2024-01-02", "r2")).ok());
  auto history = log.History();
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].version, 1);
  EXPECT_EQ((*history)[1].previous_version, 1);
  EXPECT_EQ((*history)[1].sources.size(), 2u);
  EXPECT_TRUE(lake.store().Head("silver/mortgages/transactions/_pointer_log/0000000002.json")->has_value());
  // _LATEST.json is the newest version, verbatim.
  auto latest = lake.store().Get("silver/mortgages/transactions/_LATEST.json");
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(nlohmann::json::parse(*latest)["version"], 2);
  EXPECT_EQ(nlohmann::json::parse(*latest)["run_id"], "r2");
  EXPECT_EQ(*log.CheckLatest(), LatestState::kInSync);
}

TEST(PointerLogTest, ConcurrentCommittersLoseNoUpdate) {
  TestLake lake("race");
  constexpr int kThreads = 16;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      PointerLog log(lake.store(), "silver", DatasetId{});
      auto v = log.Commit(AddSource("source-" + std::to_string(i), "run-" + std::to_string(i)));
      EXPECT_TRUE(v.ok()) << v.status().ToString();
    });
  }
  for (auto& t : threads) t.join();
  PointerLog log(lake.store(), "silver", DatasetId{});
  auto history = log.History();
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), size_t(kThreads));
  for (size_t i = 0; i < history->size(); ++i) {
    EXPECT_EQ((*history)[i].version, int64_t(i + 1));
    EXPECT_EQ((*history)[i].previous_version, int64_t(i));
    EXPECT_EQ((*history)[i].sources.size(), i + 1);  // each builds on the one before
  }
  EXPECT_EQ(history->back().sources.size(), size_t(kThreads));
}

TEST(PointerLogTest, ConcurrentProcessesLoseNoUpdate) {
  TestLake lake("procs");
  constexpr int kProcs = 8;
  std::vector<pid_t> pids;
  for (int i = 0; i < kProcs; ++i) {
    pid_t pid = fork();
    if (pid == 0) {
      auto store = NewLocalObjectStore(lake.root());
      PointerLog log(*store, "silver", DatasetId{});
      for (int k = 0; k < 5; ++k) {
        if (!log.Commit(AddSource("p" + std::to_string(i) + "-" + std::to_string(k), "r")).ok()) _exit(1);
      }
      _exit(0);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  auto head = PointerLog(lake.store(), "silver", DatasetId{}).Head();
  ASSERT_TRUE(head.ok() && head->has_value());
  EXPECT_EQ((*head)->version, kProcs * 5);
  EXPECT_EQ((*head)->sources.size(), size_t(kProcs * 5));
}

TEST(PointerLogTest, CrashBetweenLogAndLatestIsRepaired) {
  TestLake lake("crash");
  PointerLog log(lake.store(), "silver", DatasetId{});
  ASSERT_TRUE(log.Commit(AddSource("a", "r1")).ok());
  std::string v1 = *lake.store().Get(log.LatestKey());
  ASSERT_TRUE(log.Commit(AddSource("b", "r2")).ok());
  // Simulate the crash: the copy still holds version 1.
  ASSERT_TRUE(lake.store().Put(log.LatestKey(), v1).ok());
  EXPECT_EQ(*log.CheckLatest(), LatestState::kBehind);
  ASSERT_TRUE(log.RepairLatest().ok());
  EXPECT_EQ(*log.CheckLatest(), LatestState::kInSync);
  ASSERT_TRUE(lake.store().Delete(log.LatestKey()).ok());
  EXPECT_EQ(*log.CheckLatest(), LatestState::kMissing);
}

TEST(PointerLogTest, HandEditedLatestIsDetectedAndTheLogWins) {
  TestLake lake("edit");
  PointerLog log(lake.store(), "silver", DatasetId{});
  ASSERT_TRUE(log.Commit(AddSource("2024-01-15", "20240115T120000Z")).ok());
  // The runbook's own jq edit of _LATEST.json.
  auto j = nlohmann::json::parse(*lake.store().Get(log.LatestKey()));
  j["run_id"] = "backfill-2024-01-15-20260129T150000Z";
  ASSERT_TRUE(lake.store().Put(log.LatestKey(), j.dump()).ok());
  EXPECT_EQ(*log.CheckLatest(), LatestState::kHandEdited);
  EXPECT_EQ((*log.Head())->run_id, "20240115T120000Z");  // readers follow the log
  ASSERT_TRUE(lake.store().Put(log.LatestKey(), "{not json").ok());
  EXPECT_EQ(*log.CheckLatest(), LatestState::kHandEdited);
  ASSERT_TRUE(log.RepairLatest().ok());
  EXPECT_EQ(*log.CheckLatest(), LatestState::kInSync);
}

TEST(PointerLogTest, CorruptLogEntryIsAClearError) {
  TestLake lake("corrupt");
  PointerLog log(lake.store(), "silver", DatasetId{});
  ASSERT_TRUE(log.Commit(AddSource("a", "r1")).ok());
  ASSERT_TRUE(lake.store().Put(log.VersionKey(1), "{\"version\": 1, \"garbage\": true}").ok());
  auto head = log.Head();
  ASSERT_FALSE(head.ok());
  EXPECT_EQ(head.status().code(), StatusCode::kCorruption);
  EXPECT_NE(head.status().message().find("_pointer_log/0000000001.json"), std::string::npos)
      << head.status().message();
  // A commit on top of a corrupt head refuses rather than guessing.
  EXPECT_FALSE(log.Commit(AddSource("b", "r2")).ok());
  ASSERT_TRUE(lake.store().Put(log.VersionKey(1), "not json at all").ok());
  EXPECT_EQ(log.Head().status().code(), StatusCode::kCorruption);
}

TEST(PointerLogTest, ANextFunctionMayGiveUp) {
  TestLake lake("giveup");
  PointerLog log(lake.store(), "silver", DatasetId{});
  auto r = log.Commit([](const std::optional<PointerVersion>&) -> Result<PointerVersion> {
    return Status::FailedPrecondition("no");
  });
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(log.Head()->has_value());
}

}  // namespace
}  // namespace runlake
