// The backfill controller as a library: plan, run, failure, promotion gate, resume of a
// half-recorded attempt, and the daily share. Small CSV sources on a throwaway lake.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "../lake/lake_test_util.h"
#include "runlake/backfill_controller.h"
#include "runlake/pointer.h"
#include "runlake/promote.h"

namespace runlake {
namespace {

using lake_test::Csv;
using lake_test::TestLake;

std::string DayCsv(const std::string& date, int rows) {
  std::string out = "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n";
  for (int i = 0; i < rows; ++i) {
    out += "T" + date + "-" + std::to_string(i) + ",C" + std::to_string(i % 7) + "," +
           std::to_string(10 + i) + ".50,EUR," + date + "T10:00:00Z\n";
  }
  return out;
}

class BackfillControllerTest : public ::testing::Test {
 protected:
  BackfillControllerTest() : lake_("backfill") {
    auto s = OpenSqliteStateStore(lake_.dir() + "/state.sqlite");
    EXPECT_TRUE(s.ok());
    state_ = std::move(s).value();
    ctx_ = ExecutionContext{&lake_.store(), state_.get(), lake_.dir() + "/logs", ""};
  }
  BackfillRunRequest Request(const std::string& from, const std::string& to) {
    BackfillRunRequest req;
    req.plan.from = from;
    req.plan.to = to;
    req.concurrency = 2;
    return req;
  }
  int64_t PointerVersions() {
    auto h = PointerLog(lake_.store(), "silver", DatasetId{}).History();
    return h.ok() ? static_cast<int64_t>(h->size()) : -1;
  }

  TestLake lake_;
  std::unique_ptr<StateStore> state_;
  ExecutionContext ctx_;
};

TEST_F(BackfillControllerTest, PlanShowsBronzeCanonicalIdsAndMissingDates) {
  lake_.Ingest(DayCsv("2024-01-01", 5), "2024-01-01", "20240101T060000Z");
  lake_.Ingest(DayCsv("2024-01-01", 6), "2024-01-01", "20240102T060000Z");  // a correction
  std::string key = lake_.Ingest(DayCsv("2024-01-02", 4), "2024-01-02", "20240102T060000Z");
  ASSERT_TRUE(lake_.Run(key, "daily-0102").ok());
  PromoteRequest promote;
  promote.run_ids = {"daily-0102"};
  ASSERT_TRUE(Promote(lake_.store(), promote).ok());

  BackfillPlanRequest req;
  req.from = "2024-01-01";
  req.to = "2024-01-03";
  req.stamp = "20260129T150000Z";
  auto plan = PlanBackfill(lake_.store(), *state_, req);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->id, "backfill-2024-01-01-to-2024-01-03-20260129T150000Z");
  ASSERT_EQ(plan->dates.size(), 3u);
  EXPECT_EQ(plan->dates[0].bronze_run_id, "20240102T060000Z");  // the newest bronze run
  EXPECT_EQ(plan->dates[0].canonical_run_id, "");
  EXPECT_EQ(plan->dates[0].run_id, "backfill-2024-01-01-20260129T150000Z");
  EXPECT_EQ(plan->dates[1].canonical_run_id, "daily-0102");
  EXPECT_EQ(plan->dates[1].canonical_input_rows, 4);
  EXPECT_EQ(plan->dates[1].execution, plan->id + "/2024-01-02");
  EXPECT_EQ(plan->dates[2].problem, "no bronze data");
  EXPECT_EQ(plan->problem_dates, std::vector<std::string>{"2024-01-03"});

  req.bronze_run = "20240101T060000Z";
  plan = PlanBackfill(lake_.store(), *state_, req);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->dates[0].bronze_run_id, "20240101T060000Z");
  EXPECT_NE(plan->dates[1].problem.find("no bronze run"), std::string::npos);

  // run refuses the whole range and starts nothing.
  auto run = StartBackfill(ctx_, Request("2024-01-01", "2024-01-03"), nullptr);
  EXPECT_TRUE(run.status().IsNotFound()) << run.status().ToString();
  EXPECT_NE(run.status().message().find("2024-01-03"), std::string::npos);
  EXPECT_TRUE(state_->ListBackfills(BackfillFilter{})->empty());
}

TEST_F(BackfillControllerTest, AFailedDateBlocksPromotionAndResumeRetriesIt) {
  lake_.Ingest(DayCsv("2024-01-01", 5), "2024-01-01", "b1");
  lake_.Ingest("Nope,Header\n1,2\n", "2024-01-02", "b2");  // fails validation every time
  lake_.Ingest(DayCsv("2024-01-03", 5), "2024-01-03", "b3");
  auto req = Request("2024-01-01", "2024-01-03");
  req.promote = true;
  std::vector<std::string> finished;
  auto report = StartBackfill(ctx_, req, [&](const BackfillProgress& p, const BackfillDateOutcome* d) {
    if (d) finished.push_back(d->date + " " + d->status);
  });
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(finished.size(), 3u);
  EXPECT_EQ(report->record.status, BackfillStatus::kFailed);
  EXPECT_EQ(report->succeeded, 2);
  EXPECT_EQ(report->failed, 1);
  EXPECT_FALSE(report->ok());
  EXPECT_EQ(report->dates[1].cause, "ValidationError");
  EXPECT_FALSE(report->promotion.value("promoted", true));
  EXPECT_NE(report->promotion.value("reason", "").find("2024-01-02"), std::string::npos);
  EXPECT_EQ(PointerVersions(), 0);  // nothing published
  EXPECT_EQ(report->dates[0].after["input_rows"], 5);

  auto resumed = ResumeBackfill(ctx_, report->record.id, nullptr);
  ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
  EXPECT_EQ(resumed->dates[0].attempts, 1);  // SUCCEEDED dates never run again
  EXPECT_FALSE(resumed->dates[0].ran_now);
  EXPECT_EQ(resumed->dates[1].attempts, 2);
  EXPECT_EQ(resumed->dates[1].execution, report->record.id + "/2024-01-02#2");
  EXPECT_EQ(resumed->dates[1].run_id, report->dates[1].run_id + "-r2");
  EXPECT_EQ(resumed->record.status, BackfillStatus::kFailed);
  EXPECT_EQ(PointerVersions(), 0);
}

TEST_F(BackfillControllerTest, PromotesEveryDateInOnePointerVersion) {
  for (const char* d : {"2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"}) {
    lake_.Ingest(DayCsv(d, 3), d, std::string("b-") + d);
  }
  auto req = Request("2024-01-01", "2024-01-04");
  req.promote = true;
  req.reason = "currency fix";
  auto report = StartBackfill(ctx_, req, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->record.status, BackfillStatus::kSucceeded);
  EXPECT_EQ(PointerVersions(), 1);
  auto head = PointerLog(lake_.store(), "silver", DatasetId{}).Head();
  ASSERT_TRUE(head.ok() && *head);
  EXPECT_EQ((*head)->sources.size(), 4u);
  EXPECT_EQ((*head)->reason, "currency fix");
  for (const auto& d : report->dates) EXPECT_EQ((*head)->sources[d.date], d.run_id);

  // Nothing is left to do, and nothing is promoted twice.
  auto again = ResumeBackfill(ctx_, report->record.id, nullptr);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(PointerVersions(), 1);
  ASSERT_FALSE(again->warnings.empty());
  EXPECT_NE(again->warnings.back().find("nothing to resume"), std::string::npos);
}

TEST_F(BackfillControllerTest, CanaryPausesAndResumeStartsARecordedAttemptUnderItsName) {
  for (const char* d : {"2024-01-01", "2024-01-02", "2024-01-03"}) {
    lake_.Ingest(DayCsv(d, 3), d, std::string("b-") + d);
  }
  auto req = Request("2024-01-01", "2024-01-03");
  req.canary = true;
  auto report = StartBackfill(ctx_, req, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->record.status, BackfillStatus::kPaused);
  EXPECT_EQ(report->succeeded, 1);
  EXPECT_EQ(report->pending, 2);
  // A controller that died between recording an attempt and starting its execution.
  BackfillDate d = report->record.dates[1];
  d.attempts = 1;
  d.run_id = BackfillRunId(d.date, report->record.stamp, 1);
  d.execution = BackfillExecutionName(report->record.id, d.date, 1);
  ASSERT_TRUE(state_->RecordBackfillAttempt(report->record.id, d).ok());

  auto resumed = ResumeBackfill(ctx_, report->record.id, nullptr);
  ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
  EXPECT_EQ(resumed->record.status, BackfillStatus::kSucceeded);
  for (const auto& x : resumed->dates) EXPECT_EQ(x.attempts, 1) << x.date;
  EXPECT_EQ(resumed->dates[1].run_id, d.run_id);
}

TEST_F(BackfillControllerTest, AWorkerLostAfterTheCommitIsNotRunTwice) {
  for (const char* d : {"2024-01-01", "2024-01-02"}) {
    lake_.Ingest(DayCsv(d, 3), d, std::string("b-") + d);
  }
  auto req = Request("2024-01-01", "2024-01-02");
  req.canary = true;
  req.promote = true;
  auto report = StartBackfill(ctx_, req, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  // Date 2 as a dead controller leaves it: attempt recorded, run committed, execution
  // RUNNING under a process that is gone (the reaper turns it FAILED WorkerLost).
  BackfillDate d = report->record.dates[1];
  d.attempts = 1;
  d.run_id = BackfillRunId(d.date, report->record.stamp, 1);
  d.execution = BackfillExecutionName(report->record.id, d.date, 1);
  ASSERT_TRUE(state_->RecordBackfillAttempt(report->record.id, d).ok());
  ASSERT_TRUE(lake_.Run(d.source_key, d.run_id).ok());
  pid_t dead = fork();
  if (dead == 0) _exit(0);
  waitpid(dead, nullptr, 0);
  ExecutionRecord rec;
  rec.name = d.execution;
  rec.run_id = d.run_id;
  rec.input_json = "{}";
  rec.pid = dead;
  ASSERT_TRUE(state_->StartExecution(rec).ok());

  auto resumed = ResumeBackfill(ctx_, report->record.id, nullptr);
  ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
  EXPECT_EQ(resumed->record.status, BackfillStatus::kSucceeded);
  EXPECT_EQ(resumed->dates[1].attempts, 1);
  EXPECT_FALSE(resumed->dates[1].ran_now);
  EXPECT_EQ(resumed->dates[1].status, "SUCCEEDED");
  EXPECT_EQ(resumed->dates[1].cause, "WorkerLost after commit");
  EXPECT_TRUE(resumed->promotion.value("promoted", false)) << resumed->promotion.dump();
  EXPECT_EQ(PointerVersions(), 1);
}

TEST_F(BackfillControllerTest, ARunningDailyExecutionTakesAWorker) {
  for (const char* d : {"2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"}) {
    lake_.Ingest(DayCsv(d, 3), d, std::string("b-") + d);
  }
  ExecutionRecord daily;
  daily.name = "daily-2024-01-05";
  daily.run_id = "20240105T060000Z";
  daily.input_json = "{}";
  ASSERT_TRUE(state_->StartExecution(daily).ok());  // RUNNING, owned by this live process
  auto req = Request("2024-01-01", "2024-01-04");
  req.concurrency = 2;
  auto report = StartBackfill(ctx_, req, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->succeeded, 4);
  EXPECT_EQ(report->max_parallel, 1);
}

TEST_F(BackfillControllerTest, OneRunFailsOrSucceedsAsAWholeAndResumeRepairsAHalfRecordedAttempt) {
  std::vector<std::string> days{"2024-01-01", "2024-01-02", "2024-01-03"};
  for (const auto& d : days) lake_.Ingest(DayCsv(d, 4), d, "b-" + d);
  lake_.Ingest("TransactionID,Amount\nT1,1\n", "2024-01-04", "b-2024-01-04");  // bad header
  // A bad source fails the one run, so every date of it fails, nothing is committed.
  auto bad_req = Request("2024-01-03", "2024-01-04");
  bad_req.plan.one_run = true;
  bad_req.promote = true;
  auto bad = StartBackfill(ctx_, bad_req, nullptr);
  ASSERT_TRUE(bad.ok()) << bad.status().ToString();
  EXPECT_EQ(bad->failed, 2);
  for (const auto& d : bad->dates) EXPECT_EQ(d.cause, "ValidationError") << d.date;
  EXPECT_FALSE(LoadRunManifest(lake_.store(), bad->dates[0].run_id)->has_value());
  EXPECT_EQ(PointerVersions(), 0);

  // A controller died after recording the attempt of the first date only.
  BackfillPlanRequest plan_req;
  plan_req.from = days.front();
  plan_req.to = days.back();
  plan_req.one_run = true;
  plan_req.stamp = "20300101T000000Z";  // not the failed backfill's second
  auto plan = PlanBackfill(lake_.store(), *state_, plan_req);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  BackfillRecord rec;
  rec.id = plan->id;
  rec.stamp = plan->stamp;
  rec.from_date = plan->from;
  rec.to_date = plan->to;
  rec.status = BackfillStatus::kInterrupted;
  rec.options.one_run = true;
  rec.options.promote = true;
  rec.options.schema_version = "v1";
  rec.options.concurrency = 2;
  for (const auto& d : plan->dates) rec.dates.push_back(BackfillDate{d.date, d.source_key, 0, "", ""});
  Status created = state_->CreateBackfill(rec);
  ASSERT_TRUE(created.ok()) << created.ToString();
  BackfillDate first = rec.dates[0];
  first.attempts = 1;
  first.run_id = BackfillRangeRunId(rec.from_date, rec.to_date, rec.stamp, 1);
  first.execution = BackfillRangeExecutionName(rec.id, rec.from_date, rec.to_date, 1);
  ASSERT_TRUE(state_->RecordBackfillAttempt(rec.id, first).ok());

  auto resumed = ResumeBackfill(ctx_, rec.id, nullptr);
  ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
  EXPECT_EQ(resumed->record.status, BackfillStatus::kSucceeded);
  ASSERT_EQ(resumed->dates.size(), 3u);
  for (const auto& d : resumed->dates) {
    EXPECT_EQ(d.attempts, 1) << d.date;
    EXPECT_EQ(d.run_id, first.run_id) << d.date;
    EXPECT_EQ(d.execution, first.execution) << d.date;
    EXPECT_EQ(d.after.value("input_rows", 0), 4) << d.date;
  }
  auto m = LoadRunManifest(lake_.store(), first.run_id);
  ASSERT_TRUE(m.ok() && m->has_value());
  EXPECT_EQ((*m)->sources.size(), 3u);
  EXPECT_TRUE(resumed->promotion.value("promoted", false)) << resumed->promotion.dump();
  EXPECT_EQ(PointerVersions(), 1);
  auto head = PointerLog(lake_.store(), "silver", DatasetId{}).Head();
  ASSERT_TRUE(head.ok() && head->has_value());
  EXPECT_EQ((*head)->run_ids, std::vector<std::string>{first.run_id});
  EXPECT_EQ((*head)->sources.size(), 3u);
}

// The controller renews its heartbeat while it works: with a 2 s staleness limit, a
// backfill whose dates take longer is still RUNNING to every reader, and ends SUCCEEDED.
// (0.3 s, then 1 s, were too tight beside the whole suite: a renewal waiting on the store's
// lock for a moment read as a dead controller, and since a holder gives up after 2/3 of
// the limit without a renewal, as one.) 2 s, dates of 4 s.
TEST_F(BackfillControllerTest, HeartbeatKeepsARunningControllerAlivePastTheStaleLimit) {
  for (const char* d : {"2024-01-01", "2024-01-02"}) lake_.Ingest(DayCsv(d, 3), d, std::string("b-") + d);
  setenv("RUNLAKE_CONTROLLER_STALE_SECONDS", "2", 1);
  auto req = Request("2024-01-01", "2024-01-02");
  req.concurrency = 1;
  std::vector<std::string> seen;  // the status a reader saw after each date
  auto report = StartBackfill(ctx_, req, [&](const BackfillProgress&, const BackfillDateOutcome* d) {
    if (!d) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(4000));
    auto list = state_->ListBackfills(BackfillFilter{});  // reaps stale controllers
    seen.push_back(list.ok() && list->size() == 1 ? ToString((*list)[0].status) : "?");
  });
  unsetenv("RUNLAKE_CONTROLLER_STALE_SECONDS");
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(seen, (std::vector<std::string>{"RUNNING", "RUNNING"}));
  EXPECT_EQ(report->record.status, BackfillStatus::kSucceeded);
}

// A controller that lost its backfill (another machine found its heartbeat stale and
// reaped it, so a new controller may run it) stops taking dates and leaves the status.
TEST_F(BackfillControllerTest, AControllerThatLostItsBackfillStopsAndLeavesItsStatus) {
  for (const char* d : {"2024-01-01", "2024-01-02", "2024-01-03"}) {
    lake_.Ingest(DayCsv(d, 3), d, std::string("b-") + d);
  }
  setenv("RUNLAKE_CONTROLLER_STALE_SECONDS", "0.3", 1);
  auto req = Request("2024-01-01", "2024-01-03");
  req.concurrency = 1;
  req.promote = true;
  auto report = StartBackfill(ctx_, req, [&](const BackfillProgress&, const BackfillDateOutcome* d) {
    if (!d || d->date != "2024-01-01") return;
    auto list = state_->ListBackfills(BackfillFilter{});
    ASSERT_TRUE(list.ok() && list->size() == 1);
    // What a reaper elsewhere does; then long enough for a heartbeat and a stop poll.
    ASSERT_TRUE(*state_->TransitionBackfill((*list)[0].id, {BackfillStatus::kRunning},
                                            BackfillStatus::kInterrupted, nullptr));
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  });
  unsetenv("RUNLAKE_CONTROLLER_STALE_SECONDS");
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->record.status, BackfillStatus::kInterrupted);
  EXPECT_EQ(report->succeeded, 1);
  EXPECT_EQ(report->dates[1].attempts, 0);  // never started
  EXPECT_EQ(report->dates[2].attempts, 0);
  bool warned = false;
  for (const auto& w : report->warnings) warned = warned || w.find("lost backfill") != std::string::npos;
  EXPECT_TRUE(warned);
  EXPECT_EQ(PointerVersions(), 0);  // the lost controller promotes nothing
}

}  // namespace
}  // namespace runlake
