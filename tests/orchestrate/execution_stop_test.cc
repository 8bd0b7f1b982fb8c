// Stopping an execution (execution_stop.h): ABORTED always means nothing was committed,
// wherever the stop lands. The window between the worker's last check and its commit is
// hit deterministically through StartRequest::after_last_stop_check.

#include <gtest/gtest.h>

#include <filesystem>

#include "../lake/lake_test_util.h"
#include "runlake/execution_runner.h"
#include "runlake/execution_stop.h"

namespace runlake {
namespace {

using lake_test::Csv;
using lake_test::TestLake;

class ExecutionStopTest : public ::testing::Test {
 protected:
  ExecutionStopTest() : lake_("stop") {
    auto s = OpenSqliteStateStore(lake_.dir() + "/state.sqlite");
    EXPECT_TRUE(s.ok());
    state_ = std::move(s).value();
    ctx_ = ExecutionContext{&lake_.store(), state_.get(), lake_.dir() + "/logs", ""};
    key_ = lake_.Ingest(Csv({"T1,A1,10.00,EUR,2024-01-01T10:00:00Z", "T2,A2,5.00,EUR,2024-01-01T11:00:00Z"}),
                        "2024-01-01", "b1");
  }
  StartRequest Request() {
    StartRequest req;
    req.input_json = nlohmann::json{{"run_key", "r1"}, {"s3_key", key_}}.dump();
    req.name = "daily";
    return req;
  }
  std::vector<std::string> EventTypes() {
    std::vector<std::string> out;
    auto h = state_->History("daily");
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    if (h.ok()) for (const auto& e : *h) out.push_back(e.type);
    return out;
  }
  bool Exists(const std::string& key) { return std::filesystem::exists(lake_.root() + "/" + key); }

  TestLake lake_;
  std::unique_ptr<StateStore> state_;
  ExecutionContext ctx_;
  std::string key_;
};

size_t IndexOf(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) - v.begin();
}

TEST_F(ExecutionStopTest, AStopAfterTheLastCheckFindsTheRunCommittedAndSucceeds) {
  StartRequest req = Request();
  bool hooked = false;
  req.after_last_stop_check = [&] {
    hooked = true;
    // The stopper asks and does not wait: the worker is right here, about to commit.
    auto rec = StopExecution(*state_, "daily", std::chrono::milliseconds(0));
    ASSERT_TRUE(rec.ok()) << rec.status().ToString();
    EXPECT_EQ(rec->status, ExecutionStatus::kRunning);
  };
  auto out = RunExecution(ctx_, req);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_TRUE(hooked);
  EXPECT_EQ(out->record.status, ExecutionStatus::kSucceeded) << out->record.error;
  EXPECT_TRUE(Exists("_runs/r1.json"));
  auto events = EventTypes();
  EXPECT_LT(IndexOf(events, kStopRequestedEvent), IndexOf(events, kStopIgnoredEvent));
  EXPECT_LT(IndexOf(events, kStopIgnoredEvent), IndexOf(events, "ExecutionSucceeded"));
  EXPECT_EQ(IndexOf(events, "ExecutionAborted"), events.size());
  // Once it ended, a stop is refused.
  EXPECT_TRUE(RequestExecutionStop(*state_, "daily", "test").code() == StatusCode::kFailedPrecondition);
}

TEST_F(ExecutionStopTest, AStopBeforeTheLastCheckAbortsAndNothingIsCommitted) {
  StartRequest req = Request();
  bool asked = false;
  // Asked from between the row batches; the store is read at latest just before the
  // commit, so the run cannot slip through (it is far shorter than the 1 s poll).
  req.cancelled = [&] {
    if (!asked) asked = RequestExecutionStop(*state_, "daily", "test").ok();
    return false;
  };
  bool reached_window = false;
  req.after_last_stop_check = [&] { reached_window = true; };
  auto out = RunExecution(ctx_, req);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_TRUE(asked);
  EXPECT_FALSE(reached_window);
  EXPECT_EQ(out->record.status, ExecutionStatus::kAborted);
  EXPECT_FALSE(Exists("_runs/r1.json"));
  EXPECT_FALSE(Exists("_runs/_claims/r1.json"));
  EXPECT_FALSE(Exists("silver/mortgages/transactions/year=2024"));
  auto events = EventTypes();
  EXPECT_LT(IndexOf(events, kStopRequestedEvent), IndexOf(events, "ExecutionAborted"));
  EXPECT_EQ(IndexOf(events, kStopIgnoredEvent), events.size());
}

TEST_F(ExecutionStopTest, UnknownOrEndedExecutionsAreRefused) {
  EXPECT_TRUE(StopExecution(*state_, "nope", std::chrono::milliseconds(0)).status().IsNotFound());
  auto out = RunExecution(ctx_, Request());
  ASSERT_TRUE(out.ok());
  auto again = StopExecution(*state_, "daily", std::chrono::milliseconds(0));
  EXPECT_TRUE(again.status().code() == StatusCode::kFailedPrecondition) << again.status().ToString();
  EXPECT_NE(again.status().message().find("SUCCEEDED"), std::string::npos);
}

}  // namespace
}  // namespace runlake
