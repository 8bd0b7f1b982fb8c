// PostgreSQL restarted under a store in use: its threads reconnect and carry on, and no
// transaction is applied twice or lost (a COMMIT whose reply was lost is resolved).
// Restarts the shared test server (scripts/pg-server.sh restart), so CTest runs it alone.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>
#include <vector>

#include "orchestrate/state_store.h"
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

}  // namespace
}  // namespace runlake::testing
