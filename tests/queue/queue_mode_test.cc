// Backfills in queue mode: the controller only enqueues and follows. Two controllers
// resuming one backfill at once: one wins, the other is refused (exit 1). `backfill stop`
// cancels the queued dates and stops the running ones.

#include "queue_util.h"

namespace runlake::queue_test {
namespace {

TEST(QueueMode, TwoControllersResumingAtOnceOneWinsTheOtherIsRefused) {
  TestLake lake;
  auto days = Days("2024-10-01", 4);
  LandDays(lake, days, 1000);
  // No worker yet: the controller enqueues and waits; kill it to leave the backfill.
  pid_t first =
      SpawnBackfill(lake, {"run", "--from", days.front(), "--to", days.back(), "--queue"}, "first");
  ASSERT_TRUE(WaitFor([&] { return Tasks(lake).size() == days.size(); }))
      << Tasks(lake).dump() << it::ReadFile(lake.Work("first.err"))
      << it::ReadFile(lake.Work("first.out")) << " exited: " << waitpid(first, nullptr, WNOHANG);
  kill(first, SIGKILL);
  it::WaitExit(first);
  std::string id = OnlyBackfillId(lake);
  EXPECT_EQ(RlJson(lake, {"backfill", "status", id})["status"], "INTERRUPTED");
  EXPECT_NE(it::ReadFile(lake.Work("first.err")).find("no live worker"), std::string::npos);

  pid_t a = SpawnBackfill(lake, {"resume", id}, "a");
  pid_t b = SpawnBackfill(lake, {"resume", id}, "b");
  // The loser exits at once; the winner follows the queue until a worker runs it.
  pid_t loser = 0;
  ASSERT_TRUE(WaitFor([&] {
    for (pid_t p : {a, b}) {
      int status = 0;
      if (waitpid(p, &status, WNOHANG) == p) {
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1);
        loser = p;
        return true;
      }
    }
    return false;
  }));
  std::string tag = loser == a ? "a" : "b";
  std::string err = it::ReadFile(lake.Work(tag + ".err"));
  EXPECT_NE(err.find("is RUNNING under controller pid"), std::string::npos) << err;
  pid_t winner = loser == a ? b : a;

  pid_t worker = SpawnWorker(lake, "w", {"--concurrency", "2"});
  ASSERT_EQ(it::WaitExit(winner), 0)
      << it::ReadFile(lake.Work((loser == a ? "b" : "a") + std::string(".err")));
  json report =
      json::parse(it::ReadFile(lake.Work((loser == a ? "b" : "a") + std::string(".out"))));
  EXPECT_EQ(report["status"], "SUCCEEDED");
  EXPECT_EQ(report["succeeded"], static_cast<int>(days.size()));
  for (const auto& d : days) EXPECT_EQ(Manifests(lake, "backfill-" + d + "-").size(), 1u) << d;
  EXPECT_EQ(StopWorker(worker), 0);
}

TEST(QueueMode, StopCancelsQueuedDatesAndAbortsRunningOnes) {
  TestLake lake;
  auto days = Days("2024-11-01", 5);
  LandDays(lake, days, 150000);
  pid_t worker = SpawnWorker(lake, "w");
  pid_t controller = SpawnBackfill(lake,
                                   {"run", "--from", days.front(), "--to", days.back(), "--queue",
                                    "--concurrency", "1", "--promote"},
                                   "bf");
  ASSERT_TRUE(WaitFor([&] {
    json t = Tasks(lake);
    return !t.empty() &&
           std::any_of(t.begin(), t.end(), [](const json& x) { return x["status"] == "RUNNING"; });
  }));
  std::string id = OnlyBackfillId(lake);
  CmdResult stop = Rl(lake, {"backfill", "stop", id});
  ASSERT_EQ(stop.exit_code, 0) << stop.Describe();
  EXPECT_EQ(it::WaitExit(controller), 1) << it::ReadFile(lake.Work("bf.err"));
  json report = json::parse(it::ReadFile(lake.Work("bf.out")));
  EXPECT_EQ(report["status"], "ABORTED");
  EXPECT_FALSE(report["promotion"].is_object() && report["promotion"].value("promoted", false));
  int cancelled = 0;
  for (const auto& t : Tasks(lake, id)) {
    EXPECT_TRUE(t["status"] == "CANCELLED" || t["status"] == "SUCCEEDED") << t.dump();
    cancelled += t["status"] == "CANCELLED";
  }
  EXPECT_GE(cancelled, 1);
  for (const auto& d : report["dates"]) {
    if (d["status"] == "ABORTED") {
      EXPECT_FALSE(lake.HasManifest(d["run_id"])) << d.dump();
    }
  }
  EXPECT_EQ(PointerVersions(lake), 0);
  EXPECT_EQ(StopWorker(worker), 0);
}

}  // namespace
}  // namespace runlake::queue_test
