// Faults: the controller killed mid-backfill (resume finishes only what is missing, no
// date committed twice), `backfill stop`, and `executions stop`.

#include <signal.h>

#include "cli_util.h"

namespace runlake::bf_test {
namespace {

// Rows per date large enough that a date takes a noticeable moment to run.
constexpr int64_t kSlowRows = 150000;

// Polls until `done` or about 60 s.
template <typename F>
bool WaitFor(F done) {
  for (int i = 0; i < 1200; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

pid_t SpawnBackfill(const TestLake& lake, std::vector<std::string> args, const std::string& tag) {
  std::vector<std::string> full{it::Binary(), "--lake", lake.lake(), "--json", "backfill"};
  full.insert(full.end(), args.begin(), args.end());
  return it::Spawn(full, lake.Work(tag + ".out"), lake.Work(tag + ".err"),
                   {"RUNLAKE_LAKE=", "RUNLAKE_STATE="});
}

TEST(BackfillCliFault, ControllerKilledMidBackfillResumeFinishesOnlyWhatIsMissing) {
  TestLake lake;
  auto days = Days("2024-02-01", 6);
  LandDays(lake, days, kSlowRows);
  pid_t pid = SpawnBackfill(lake, {"run", "--from", days.front(), "--to", days.back(),
                                   "--concurrency", "1", "--promote"}, "crash");
  // Kill it (SIGKILL: no cleanup at all) once two dates are committed.
  ASSERT_TRUE(WaitFor([&] { return Manifests(lake, "backfill-").size() >= 2; }));
  kill(pid, SIGKILL);
  ASSERT_EQ(it::WaitExit(pid), 128 + SIGKILL);
  auto committed_before = Manifests(lake, "backfill-");
  ASSERT_LT(committed_before.size(), days.size());

  std::string id = OnlyBackfillId(lake);
  json st = lake.RlJson({"backfill", "status", id});
  EXPECT_EQ(st["status"], "INTERRUPTED");
  int lost = 0;
  for (const auto& d : st["dates"]) lost += d["cause"] == "WorkerLost";
  EXPECT_LE(lost, 1);  // the date that was running, if any, was reaped
  EXPECT_EQ(PointerVersions(lake), 0);  // nothing published by a dead controller

  CmdResult r = lake.Rl({"--json", "backfill", "resume", id});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  json rep = r.Json();
  EXPECT_EQ(rep["status"], "SUCCEEDED");
  // Dates committed before the kill are not run again; each date has exactly one commit.
  for (const auto& d : rep["dates"]) {
    std::string run_id = d["run_id"];
    bool was_committed =
        std::find(committed_before.begin(), committed_before.end(), run_id) != committed_before.end();
    EXPECT_EQ(d["ran_now"].get<bool>(), !was_committed) << d.dump();
    EXPECT_EQ(Manifests(lake, "backfill-" + d["date"].get<std::string>() + "-").size(), 1u) << d.dump();
    if (d["attempts"] == 2) {
      EXPECT_EQ(run_id.substr(run_id.size() - 3), "-r2");
    }
  }
  EXPECT_EQ(Manifests(lake, "backfill-").size(), days.size());
  EXPECT_EQ(PointerVersions(lake), 1);
  EXPECT_EQ(NewestPointer(lake)["sources"].size(), days.size());
  // The partial run of the killed date never became visible: views see one run per date.
  EXPECT_EQ(lake.Scalar("SELECT count(DISTINCT run_id) FROM silver_transactions"), "6");
}

TEST(BackfillCliFault, StopEndsRunningDatesAbortedAndLeavesTheRestPending) {
  TestLake lake;
  // A date runs in ~0.3 s here since the engine got faster: 12 dates leave the stop a few
  // seconds to land after the first commit even on a loaded machine (5 did not, always).
  auto days = Days("2024-04-01", 12);
  LandDays(lake, days, kSlowRows);
  pid_t pid = SpawnBackfill(lake, {"run", "--from", days.front(), "--to", days.back(),
                                   "--concurrency", "1", "--promote"}, "stop");
  ASSERT_TRUE(WaitFor([&] { return Manifests(lake, "backfill-").size() >= 1; }));
  std::string id = OnlyBackfillId(lake);
  CmdResult stop = lake.Rl({"backfill", "stop", id});
  ASSERT_EQ(stop.exit_code, 0) << stop.Describe();
  EXPECT_NE(stop.out.find("ABORTING"), std::string::npos) << stop.out;
  EXPECT_EQ(it::WaitExit(pid), 1);
  json rep = json::parse(it::ReadFile(lake.Work("stop.out")));
  EXPECT_EQ(rep["status"], "ABORTED");
  EXPECT_GE(rep["pending"].get<int>(), 1);
  EXPECT_FALSE(rep["promotion"].is_object() && rep["promotion"].value("promoted", false));
  for (const auto& d : rep["dates"]) {
    if (d["status"] == "ABORTED") {
      EXPECT_FALSE(lake.HasManifest(d["run_id"])) << d.dump();
    }
  }
  EXPECT_EQ(PointerVersions(lake), 0);
  // An ended backfill cannot be stopped again.
  CmdResult again = lake.Rl({"backfill", "stop", id});
  EXPECT_EQ(again.exit_code, 1) << again.Describe();
}

TEST(BackfillCliFault, ExecutionsStopAbortsARunningExecution) {
  TestLake lake;
  LandDays(lake, {"2024-06-01"}, kSlowRows * 20);  // long enough to be stopped mid-run
  std::string input = lake.Work("input.json");
  it::WriteFile(input, it::InputJson("20240601T060000Z",
                                     "bronze/mortgages/transactions/ingest_date=2024-06-01/run_id=b20240601/"
                                     "day-2024-06-01.csv.gz"));
  pid_t pid = it::Spawn({it::Binary(), "--lake", lake.lake(), "run", "--input", input, "--name", "daily-0601"},
                        lake.Work("run.out"), lake.Work("run.err"), {"RUNLAKE_LAKE=", "RUNLAKE_STATE="});
  ASSERT_TRUE(WaitFor([&] {
    CmdResult d = lake.Rl({"--json", "executions", "describe", "daily-0601"});
    return d.exit_code == 0 && d.Json()["status"] == "RUNNING";
  }));
  CmdResult stop = lake.Rl({"executions", "stop", "daily-0601"});
  ASSERT_EQ(stop.exit_code, 0) << stop.Describe();
  EXPECT_EQ(it::WaitExit(pid), 1) << it::ReadFile(lake.Work("run.out")) << it::ReadFile(lake.Work("run.err"));
  json rec = lake.RlJson({"executions", "describe", "daily-0601"});
  EXPECT_EQ(rec["status"], "ABORTED");
  EXPECT_FALSE(lake.HasManifest("20240601T060000Z"));
  EXPECT_TRUE(it::ListFiles(lake.Lake("silver")).empty());
  CmdResult again = lake.Rl({"executions", "stop", "daily-0601"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(lake.Rl({"executions", "stop", "nope"}).exit_code, 2);
}

}  // namespace
}  // namespace runlake::bf_test
