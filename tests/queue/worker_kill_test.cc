// Workers that die: 4 worker processes run a 31-day backfill and one is killed with
// SIGKILL mid-task; a worker with a skewed clock is killed too. Leases expire by the state
// store's clock, the lost dates run again as new attempts, nothing is committed twice.

#include "queue_util.h"

namespace runlake::queue_test {
namespace {

// Rows per day: a date takes a moment, so a worker can be caught holding one.
constexpr int64_t kRows = 30000;

TEST(QueueWorkers, FourWorkersOneKilledMidTaskEveryDateSucceedsExactlyOnce) {
  TestLake lake;
  auto days = Days("2024-01-01", 31);
  LandDays(lake, days, kRows);
  std::vector<std::string> ids{"w1", "w2", "w3", "w4"};
  std::vector<pid_t> pids;
  for (const auto& id : ids) pids.push_back(SpawnWorker(lake, id));
  pid_t controller = SpawnBackfill(lake,
                                   {"run", "--from", days.front(), "--to", days.back(), "--queue",
                                    "--concurrency", "4", "--promote"},
                                   "bf");
  std::string lost_task;
  pid_t victim = FreezeAHolder(lake, ids, &lost_task);
  ASSERT_NE(victim, 0);
  ASSERT_EQ(kill(victim, SIGKILL), 0);
  ASSERT_EQ(it::WaitExit(victim), 128 + SIGKILL);

  ASSERT_EQ(it::WaitExit(controller), 0)
      << it::ReadFile(lake.Work("bf.out")) << it::ReadFile(lake.Work("bf.err"));
  json report = json::parse(it::ReadFile(lake.Work("bf.out")));
  EXPECT_EQ(report["status"], "SUCCEEDED");
  EXPECT_EQ(report["succeeded"], 31);
  EXPECT_TRUE(report["promotion"]["promoted"].get<bool>());
  EXPECT_EQ(NewestPointer(lake)["sources"].size(), 31u);

  // Every date: one committed run, the one the report names; every task SUCCEEDED.
  for (const auto& d : report["dates"]) {
    std::string date = d["date"];
    auto runs = Manifests(lake, "backfill-" + date + "-");
    ASSERT_EQ(runs.size(), 1u) << date;
    EXPECT_EQ(runs[0], d["run_id"]) << date;
  }
  json tasks = Tasks(lake, report["id"]);
  ASSERT_EQ(tasks.size(), 31u);
  int retried = 0;
  for (const auto& t : tasks) {
    EXPECT_EQ(t["status"], "SUCCEEDED") << t.dump();
    json first = RlJson(lake, {"executions", "describe", t["name"]});
    if (first["pid"] != victim) {
      EXPECT_EQ(t["attempts"], 1) << t.dump();
      EXPECT_EQ(first["status"], "SUCCEEDED") << first.dump();
      continue;
    }
    if (first["status"] == "SUCCEEDED") continue;  // a date the victim finished earlier
    // The task the victim held: its lease expired and another worker took it over.
    ++retried;
    EXPECT_EQ(t["name"], lost_task);
    EXPECT_EQ(t["attempts"], 2) << t.dump();
    EXPECT_EQ(first["status"], "FAILED") << first.dump();
    EXPECT_EQ(first["cause"], "WorkerLost") << first.dump();
  }
  EXPECT_EQ(retried, 1);
  // The partial run of the lost attempt never became visible.
  EXPECT_EQ(lake.Scalar("SELECT count(DISTINCT run_id) FROM silver_transactions"), "31");
  for (pid_t pid : pids) {
    if (pid != victim) {
      EXPECT_EQ(StopWorker(pid), 0);
    }
  }
}

TEST(QueueWorkers, LeasesFollowTheStoreClockNotASkewedWorkerClock) {
  TestLake lake;
  auto days = Days("2024-05-01", 3);
  LandDays(lake, days, kRows * 2);
  // Ahead by a day: were its lease computed from its own clock, it would never expire.
  pid_t ahead = SpawnWorker(lake, "ahead", {}, {"RUNLAKE_CLOCK_SKEW_SECONDS=86400"});
  pid_t controller = SpawnBackfill(
      lake, {"run", "--from", days.front(), "--to", days.back(), "--queue", "--concurrency", "1"},
      "bf");
  std::string lost_task;
  ASSERT_EQ(FreezeAHolder(lake, {"ahead"}, &lost_task), ahead);
  kill(ahead, SIGKILL);
  it::WaitExit(ahead);
  auto real_now = std::chrono::system_clock::now();
  json held = RlJson(lake, {"queue", "list", "--status", "RUNNING"});
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0]["name"], lost_task);
  // claimed_at and the lease are the store's time (this machine's real clock), not +1 day.
  std::string claimed = held[0]["claimed_at"], expires = held[0]["lease_expires_at"];
  auto parse = [](const std::string& iso) {
    std::tm tm{};
    strptime(iso.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
    return std::chrono::system_clock::from_time_t(timegm(&tm));
  };
  EXPECT_LT(std::chrono::abs(parse(claimed) - real_now), std::chrono::minutes(5)) << claimed;
  EXPECT_LE(parse(expires) - parse(claimed), std::chrono::seconds(3)) << expires;

  // Behind by a day: were leases its clock's, every lease it takes would look expired to
  // the others at once and be stolen; by the store's clock nothing is taken twice.
  pid_t behind = SpawnWorker(lake, "behind", {}, {"RUNLAKE_CLOCK_SKEW_SECONDS=-86400"});
  pid_t normal = SpawnWorker(lake, "normal");
  ASSERT_EQ(it::WaitExit(controller), 0) << it::ReadFile(lake.Work("bf.err"));
  json report = json::parse(it::ReadFile(lake.Work("bf.out")));
  EXPECT_EQ(report["status"], "SUCCEEDED");
  for (const auto& t : Tasks(lake, report["id"])) {
    EXPECT_EQ(t["status"], "SUCCEEDED");
    EXPECT_EQ(t["attempts"], t["name"] == lost_task ? 2 : 1) << t.dump();
  }
  for (const auto& d : days) EXPECT_EQ(Manifests(lake, "backfill-" + d + "-").size(), 1u) << d;
  EXPECT_EQ(StopWorker(behind), 0);
  EXPECT_EQ(StopWorker(normal), 0);
}

}  // namespace
}  // namespace runlake::queue_test
