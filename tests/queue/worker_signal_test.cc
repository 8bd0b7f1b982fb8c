// Stopping workers: SIGTERM lets the running task finish (drain); past --drain-seconds the
// task is stopped, nothing is committed, and it goes back to the queue for another worker.
// `run --no-wait` enqueues a daily execution that a worker runs and publishes.

#include "queue_util.h"

namespace runlake::queue_test {
namespace {

constexpr int64_t kSlowRows = 150000;

TEST(QueueSignals, SigtermDrainsTheRunningTaskThenStops) {
  TestLake lake;
  auto days = Days("2024-07-01", 2);
  LandDays(lake, days, kSlowRows);
  pid_t worker = SpawnWorker(lake, "drainer");
  pid_t controller = SpawnBackfill(
      lake, {"run", "--from", days.front(), "--to", days.back(), "--queue", "--concurrency", "1"},
      "bf");
  std::string task;
  ASSERT_EQ(FreezeAHolder(lake, {"drainer"}, &task), worker);
  kill(worker, SIGTERM);
  kill(worker, SIGCONT);
  EXPECT_EQ(it::WaitExit(worker), 0) << it::ReadFile(lake.Work("drainer.err"));
  // It finished what it held and took nothing new.
  json t = RlJson(lake, {"queue", "list"});
  ASSERT_EQ(t.size(), 2u);
  int succeeded = 0, queued = 0;
  for (const auto& x : t) {
    succeeded += x["status"] == "SUCCEEDED";
    queued += x["status"] == "QUEUED";
    if (x["name"] == task) {
      EXPECT_EQ(x["status"], "SUCCEEDED") << x.dump();
    }
  }
  EXPECT_EQ(succeeded, 1);
  EXPECT_EQ(queued, 1);
  json all = RlJson(lake, {"workers", "--all"});
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0]["status"], "STOPPED");
  EXPECT_TRUE(RlJson(lake, {"workers"}).empty());
  std::string log = it::ReadFile(lake.Work("drainer.err"));
  EXPECT_NE(log.find("draining"), std::string::npos) << log;

  pid_t next = SpawnWorker(lake, "next");
  ASSERT_EQ(it::WaitExit(controller), 0) << it::ReadFile(lake.Work("bf.err"));
  EXPECT_EQ(json::parse(it::ReadFile(lake.Work("bf.out")))["status"], "SUCCEEDED");
  EXPECT_EQ(StopWorker(next), 0);
}

TEST(QueueSignals, PastTheDrainTimeTheTaskIsReleasedUncommittedAndRetriedElsewhere) {
  TestLake lake;
  LandDays(lake, {"2024-08-01"}, kSlowRows * 3);
  pid_t worker = SpawnWorker(lake, "impatient", {"--drain-seconds", "0"});
  pid_t controller =
      SpawnBackfill(lake, {"run", "--from", "2024-08-01", "--to", "2024-08-01", "--queue"}, "bf");
  std::string task;
  ASSERT_EQ(FreezeAHolder(lake, {"impatient"}, &task), worker);
  kill(worker, SIGTERM);
  kill(worker, SIGCONT);
  EXPECT_EQ(it::WaitExit(worker), 0) << it::ReadFile(lake.Work("impatient.err"));
  json released = RlJson(lake, {"queue", "list"});
  ASSERT_EQ(released.size(), 1u);
  EXPECT_EQ(released[0]["status"], "QUEUED") << released.dump();
  EXPECT_NE(released[0]["error"].get<std::string>().find("released"), std::string::npos);
  json first = RlJson(lake, {"executions", "describe", task});
  EXPECT_EQ(first["status"], "ABORTED") << first.dump();
  EXPECT_FALSE(lake.HasManifest(first["run_id"]));

  pid_t next = SpawnWorker(lake, "next");
  ASSERT_EQ(it::WaitExit(controller), 0) << it::ReadFile(lake.Work("bf.err"));
  json report = json::parse(it::ReadFile(lake.Work("bf.out")));
  EXPECT_EQ(report["status"], "SUCCEEDED");
  EXPECT_EQ(report["dates"][0]["attempts"], 2);
  EXPECT_EQ(report["dates"][0]["execution"], task + "#2");
  EXPECT_EQ(Manifests(lake, "backfill-2024-08-01-").size(), 1u);
  EXPECT_EQ(StopWorker(next), 0);
}

TEST(QueueSignals, AStalledWorkerLosesItsLeaseAndNeverCommits) {
  TestLake lake;
  LandDays(lake, {"2024-08-15"}, kSlowRows * 2);
  pid_t stalled = SpawnWorker(lake, "stalled");
  pid_t controller =
      SpawnBackfill(lake, {"run", "--from", "2024-08-15", "--to", "2024-08-15", "--queue"}, "bf");
  std::string task;
  // A paused machine: alive, but silent past its lease.
  ASSERT_EQ(FreezeAHolder(lake, {"stalled"}, &task), stalled);
  pid_t other = SpawnWorker(lake, "other");
  ASSERT_EQ(it::WaitExit(controller), 0) << it::ReadFile(lake.Work("bf.err"));
  json report = json::parse(it::ReadFile(lake.Work("bf.out")));
  EXPECT_EQ(report["status"], "SUCCEEDED");
  EXPECT_EQ(report["dates"][0]["attempts"], 2);
  json first = RlJson(lake, {"executions", "describe", task});
  EXPECT_EQ(first["status"], "FAILED");
  EXPECT_EQ(first["cause"], "WorkerLost");

  // Woken up, it finds its lease gone: it stops and commits nothing.
  kill(stalled, SIGCONT);
  ASSERT_TRUE(WaitFor(
      [&] {
        return it::ReadFile(lake.Work("stalled.err")).find("lease lost, left to the worker") !=
               std::string::npos;
      },
      60))
      << it::ReadFile(lake.Work("stalled.err"));
  EXPECT_EQ(StopWorker(stalled), 0);
  EXPECT_FALSE(lake.HasManifest(first["run_id"]));
  EXPECT_EQ(Manifests(lake, "backfill-2024-08-15-").size(), 1u);
  EXPECT_EQ(lake.Scalar("SELECT count(DISTINCT run_id) FROM silver_transactions"), "1");
  EXPECT_EQ(StopWorker(other), 0);
}

TEST(QueueSignals, RunNoWaitEnqueuesADailyExecutionThatAWorkerRunsAndPublishes) {
  TestLake lake;
  LandDays(lake, {"2024-09-01"}, 500);
  std::string input = lake.Work("input.json");
  it::WriteFile(input, it::InputJson("20240901T060000Z",
                                     "bronze/mortgages/transactions/ingest_date=2024-09-01/"
                                     "run_id=b20240901/day-2024-09-01.csv.gz"));
  CmdResult r = Rl(lake, {"run", "--input", input, "--name", "daily-0901", "--no-wait"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out, "daily-0901\n");
  json queued = RlJson(lake, {"queue", "list"});
  ASSERT_EQ(queued.size(), 1u);
  EXPECT_EQ(queued[0]["kind"], "daily");
  EXPECT_EQ(queued[0]["status"], "QUEUED");
  // Same name, other input: refused; bad input: exit 2, nothing queued.
  it::WriteFile(lake.Work("other.json"), it::InputJson("other", "bronze/x.csv.gz"));
  EXPECT_EQ(
      Rl(lake, {"run", "--input", lake.Work("other.json"), "--name", "daily-0901", "--no-wait"})
          .exit_code,
      1);
  it::WriteFile(lake.Work("bad.json"), "{\"run_key\": ");
  EXPECT_EQ(Rl(lake, {"run", "--input", lake.Work("bad.json"), "--no-wait"}).exit_code, 2);
  EXPECT_EQ(RlJson(lake, {"queue", "list"}).size(), 1u);

  pid_t worker = SpawnWorker(lake, "daily-worker", {"--queues", "daily"});
  ASSERT_TRUE(WaitFor([&] {
    CmdResult d = Rl(lake, {"--json", "executions", "describe", "daily-0901"});
    return d.exit_code == 0 && d.Json()["status"] == "SUCCEEDED";
  }));
  EXPECT_TRUE(lake.HasManifest("20240901T060000Z"));
  EXPECT_EQ(PointerVersions(lake), 1);  // a daily run publishes itself
  ASSERT_TRUE(WaitFor([&] { return RlJson(lake, {"queue", "list"})[0]["status"] == "SUCCEEDED"; }));
  EXPECT_EQ(StopWorker(worker), 0);
  EXPECT_EQ(Rl(lake, {"worker", "--queues", "nightly"}).exit_code, 2);
}

}  // namespace
}  // namespace runlake::queue_test
