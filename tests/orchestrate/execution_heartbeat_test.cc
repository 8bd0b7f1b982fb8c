// An execution's heartbeat (execution_heartbeat.h): a long run beside a reaper with a tiny
// staleness limit is not reaped, and a run whose execution was reaped meanwhile learns so.
// (Reaping by heartbeat age, for executions of other hosts, is in the state conformance
// suite: AForeignExecutionLivesByItsHeartbeat.)

#include "orchestrate/execution_heartbeat.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <thread>

#include "../lake/lake_test_util.h"
#include "runlake/execution_runner.h"

namespace runlake {
namespace {

using lake_test::Csv;
using lake_test::TestLake;

struct StaleLimit {
  explicit StaleLimit(const char* seconds) { setenv("RUNLAKE_CONTROLLER_STALE_SECONDS", seconds, 1); }
  ~StaleLimit() { unsetenv("RUNLAKE_CONTROLLER_STALE_SECONDS"); }
};

TEST(ExecutionHeartbeat, KeepsALongRunAliveWhileAnotherProcessReaps) {
  StaleLimit limit("0.3");
  TestLake lake("heartbeat");
  auto state = OpenSqliteStateStore(lake.dir() + "/state.sqlite");
  auto reaper_state = OpenSqliteStateStore(lake.dir() + "/state.sqlite");  // "another process"
  ASSERT_TRUE(state.ok() && reaper_state.ok());
  std::string key = lake.Ingest(Csv({"T1,A1,10.00,EUR,2024-01-01T10:00:00Z"}), "2024-01-01", "b1");
  ExecutionContext ctx{&lake.store(), state->get(), lake.dir() + "/logs", ""};

  std::atomic<bool> done{false};
  std::atomic<int> reaped{0};
  std::thread reaper([&] {
    while (!done) {
      auto n = (*reaper_state)->ReapDeadExecutions();
      if (n.ok()) reaped += *n;
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
    }
  });
  StartRequest req;
  req.input_json = nlohmann::json{{"run_key", "slow"}, {"s3_key", key}}.dump();
  // Five staleness limits long: without renewals the reaper would fail it.
  req.before_commit = [] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    return Status::OK();
  };
  auto out = RunExecution(ctx, req);
  done = true;
  reaper.join();
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->record.status, ExecutionStatus::kSucceeded) << out->record.error;
  EXPECT_EQ(reaped, 0);
}

TEST(ExecutionHeartbeat, SaysLostOnceTheExecutionIsNoLongerRunning) {
  StaleLimit limit("0.3");  // renewals every 50 ms
  TestLake lake("heartbeat-lost");
  auto state = OpenSqliteStateStore(lake.dir() + "/state.sqlite");
  ASSERT_TRUE(state.ok());
  ExecutionRecord r;
  r.name = "x";
  r.run_id = "x";
  r.input_json = "{}";
  ASSERT_TRUE((*state)->StartExecution(r).ok());
  ExecutionHeartbeat heartbeat(**state, "x");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(heartbeat.lost());
  ASSERT_TRUE((*state)->FinishExecution("x", ExecutionStatus::kFailed, "WorkerLost", "reaped", nullptr).ok());
  for (int i = 0; i < 100 && !heartbeat.lost(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_TRUE(heartbeat.lost());
}

}  // namespace
}  // namespace runlake
