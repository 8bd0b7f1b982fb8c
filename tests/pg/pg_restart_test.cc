// PostgreSQL restarted under a store in use: its threads reconnect and carry on, and no
// transaction is applied twice or lost (a COMMIT whose reply was lost is resolved).
// Restarts the shared test server (scripts/pg-server.sh restart), so CTest runs it alone.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>
#include <vector>

#include "integration/cli_runner.h"
#include "runlake/state_store.h"
#include "pg/pg_test_db.h"

namespace runlake::testing {
namespace {

int RestartServer() {
  std::string cmd = std::string(RUNLAKE_SOURCE_DIR) + "/scripts/pg-server.sh restart";
  return std::system(cmd.c_str());
}

TEST(PgRestart, ThreadsReconnectAndContinueAcrossAServerRestart) {
  RUNLAKE_SKIP_WITHOUT_PG();
  if (std::getenv("RUNLAKE_PG_DIR") == nullptr) {
    GTEST_SKIP() << "RUNLAKE_PG_DIR is unset: the server was not started by scripts/pg-server.sh";
  }
  auto store = OpenPostgresStateStore(PgDatabaseFor("PgRestart.Threads"));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  StateStore* s = store->get();

  constexpr int kThreads = 4;
  std::atomic<bool> stop{false};
  std::atomic<int> done{0};
  std::vector<std::vector<std::string>> names(kThreads);
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; !stop && errors[t].empty(); ++i) {
        ExecutionRecord r;
        r.name = "t" + std::to_string(t) + "-" + std::to_string(i);
        r.input_json = "{}";
        auto started = s->StartExecution(r);
        Status st = started.status();
        if (st.ok() && !started->created) st = Status::Internal(r.name + " existed already");
        if (st.ok()) st = s->AppendEvent(r.name, "TaskStateEntered", {{"i", i}});
        if (st.ok()) st = s->FinishExecution(r.name, ExecutionStatus::kSucceeded, "", "", nullptr);
        if (!st.ok()) {
          errors[t] = r.name + ": " + st.ToString();
          return;
        }
        names[t].push_back(r.name);
        ++done;
      }
    });
  }
  auto wait_for = [&](int target) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    while (done < target && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  };
  wait_for(20);
  int before_restart = done;
  ASSERT_EQ(RestartServer(), 0);
  wait_for(before_restart + 40);
  stop = true;
  for (auto& t : threads) t.join();
  for (const auto& e : errors) EXPECT_EQ(e, "");
  EXPECT_GE(done, before_restart + 40) << "the threads did not continue after the restart";

  // Every execution once, finished once: no retried transaction was applied twice.
  for (const auto& list : names) {
    for (const auto& name : list) {
      auto history = s->History(name);
      ASSERT_TRUE(history.ok()) << history.status().ToString();
      ASSERT_EQ(history->size(), 3u) << name;
      EXPECT_EQ((*history)[2].type, "ExecutionSucceeded") << name;
    }
  }
  auto all = s->ListExecutions({});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(static_cast<int>(all->size()), done.load());
}

// Through the real binary: two `runlake worker` processes and a queued backfill; the
// server restarts after the first dates are done; everything reconnects and the backfill
// ends SUCCEEDED with every date committed exactly once.
TEST(PgRestart, WorkersAndTheBackfillReconnectAndFinishAcrossARestart) {
  RUNLAKE_SKIP_WITHOUT_PG();
  if (std::getenv("RUNLAKE_PG_DIR") == nullptr) {
    GTEST_SKIP() << "RUNLAKE_PG_DIR is unset: the server was not started by scripts/pg-server.sh";
  }
  using it::CmdResult;
  it::TestLake lake;
  std::string uri = PgDatabaseFor("PgRestart.Backfill");
  constexpr int kDays = 8;
  for (int d = 1; d <= kDays; ++d) {
    std::string date = "2024-01-0" + std::to_string(d);
    CmdResult sample = lake.Rl({"sample", lake.Work("d.csv"), "--rows", "3000", "--date", date,
                                "--days", "1", "--seed", std::to_string(d),
                                "--invalid-fraction", "0.01"});
    ASSERT_EQ(sample.exit_code, 0) << sample.Describe();
    lake.Ingest(lake.Work("d.csv"), date);
  }
  std::vector<std::string> base = {it::Binary(), "--lake", lake.lake(), "--state", uri};
  std::vector<std::string> env = {"RUNLAKE_LAKE=", "RUNLAKE_STATE="};
  std::vector<pid_t> workers;
  for (int w = 0; w < 2; ++w) {
    auto args = base;
    args.insert(args.end(), {"worker", "--concurrency", "1", "--lease-seconds", "10"});
    workers.push_back(it::Spawn(args, lake.Work("w" + std::to_string(w) + ".out"),
                                lake.Work("w" + std::to_string(w) + ".err"), env));
  }
  auto args = base;
  args.insert(args.end(), {"--json", "backfill", "run", "--from", "2024-01-01", "--to",
                           "2024-01-0" + std::to_string(kDays), "--concurrency", "2"});
  pid_t backfill = it::Spawn(args, lake.Work("bf.out"), lake.Work("bf.err"), env);

  auto store = OpenPostgresStateStore(uri);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  TaskFilter done;
  done.statuses = {TaskStatus::kSucceeded};
  for (int i = 0; i < 1200; ++i) {  // until two dates are done (at most 2 minutes)
    auto tasks = (*store)->ListTasks(done);
    if (tasks.ok() && tasks->size() >= 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(RestartServer(), 0);
  int backfill_exit = it::WaitExit(backfill);
  for (pid_t w : workers) kill(w, SIGTERM);
  for (pid_t w : workers) EXPECT_EQ(it::WaitExit(w), 0) << it::ReadFile(lake.Work("w0.err"));
  std::string out = it::ReadFile(lake.Work("bf.out"));
  ASSERT_EQ(backfill_exit, 0) << out << it::ReadFile(lake.Work("bf.err"));
  auto report = nlohmann::json::parse(out);
  EXPECT_EQ(report["status"], "SUCCEEDED");
  EXPECT_EQ(report["succeeded"], kDays);

  auto tasks = (*store)->ListTasks({});
  ASSERT_TRUE(tasks.ok()) << tasks.status().ToString();
  ASSERT_EQ(static_cast<int>(tasks->size()), kDays);
  for (const auto& t : *tasks) EXPECT_EQ(t.status, TaskStatus::kSucceeded) << t.name;
  // One committed run per date: no date was committed twice by a retried attempt.
  auto runs = nlohmann::json::parse(lake.Rl({"--json", "runs", "list"}).out);
  int backfill_runs = 0;
  for (const auto& r : runs) backfill_runs += r.value("run_id", "").rfind("backfill-", 0) == 0;
  EXPECT_EQ(backfill_runs, kDays) << runs.dump(1);
}

}  // namespace
}  // namespace runlake::testing
