// The StateStore conformance suite, backfill part (runlake/backfill.h): records and their
// dates, unique ids and stamps, attempts, compare-and-set transitions, claims by a
// controller, and the reaping of a dead controller's backfills. Every backend's test
// target compiles this file beside state_store_conformance.cc.

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "runlake/reaping_reads.h"
#include "state/process_liveness.h"
#include "state/state_store_conformance.h"

namespace runlake::testing {
namespace {

BackfillRecord BackfillRecordOf(const std::string& stamp, const std::string& from = "2024-01-01",
                                const std::string& to = "2024-01-03") {
  BackfillRecord r;
  r.stamp = stamp;
  r.id = BackfillId(from, to, stamp);
  r.from_date = from;
  r.to_date = to;
  r.options.promote = true;
  r.options.canonical = {{"2024-01-01", "d1"}};
  for (const char* d : {"2024-01-01", "2024-01-02", "2024-01-03"}) {
    r.dates.push_back(BackfillDate{d, std::string("bronze/x/") + d, 0, "", ""});
  }
  return r;
}

TEST_P(StateStoreConformanceTest, BackfillCreateGetAndList) {
  auto rec = BackfillRecordOf("20260129T150000Z");
  ASSERT_TRUE(store_->CreateBackfill(rec).ok());
  auto got = ReapAndGetBackfill(*store_, rec.id);
  ASSERT_TRUE(got.ok() && *got);
  EXPECT_EQ((*got)->status, BackfillStatus::kRunning);
  EXPECT_EQ((*got)->dates.size(), 3u);
  EXPECT_EQ((*got)->dates[1].source_key, "bronze/x/2024-01-02");
  EXPECT_TRUE((*got)->options.promote);
  EXPECT_EQ((*got)->options.canonical.at("2024-01-01"), "d1");
  EXPECT_EQ((*got)->controller_pid, getpid());
  EXPECT_FALSE((*got)->created_at.empty());
  auto missing = ReapAndGetBackfill(*store_, "nope");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(*missing);
  auto active = ReapAndListBackfills(*store_, BackfillFilter{true, 0});
  ASSERT_TRUE(active.ok());
  EXPECT_EQ(active->size(), 1u);
}

TEST_P(StateStoreConformanceTest, BackfillIdAndStampAreUnique) {
  ASSERT_TRUE(store_->CreateBackfill(BackfillRecordOf("20260129T150000Z")).ok());
  // Another range in the same second: its run_ids would collide, so the stamp is refused.
  auto other = BackfillRecordOf("20260129T150000Z", "2024-01-02", "2024-01-05");
  Status st = store_->CreateBackfill(other);
  EXPECT_TRUE(st.IsAlreadyExists()) << st.ToString();
  EXPECT_TRUE(store_->CreateBackfill(BackfillRecordOf("20260129T150001Z", "2024-01-02", "2024-01-05")).ok());
}

TEST_P(StateStoreConformanceTest, BackfillAttemptsTransitionsAndClaim) {
  auto rec = BackfillRecordOf("20260129T150000Z");
  ASSERT_TRUE(store_->CreateBackfill(rec).ok());
  BackfillDate d{"2024-01-02", "bronze/x/2024-01-02", 2, "backfill-2024-01-02-20260129T150000Z-r2",
                 rec.id + "/2024-01-02#2"};
  ASSERT_TRUE(store_->RecordBackfillAttempt(rec.id, d).ok());
  d.date = "2024-02-02";
  EXPECT_EQ(store_->RecordBackfillAttempt(rec.id, d).code(), StatusCode::kNotFound);
  auto got = ReapAndGetBackfill(*store_, rec.id);
  EXPECT_EQ((*got)->dates[1].attempts, 2);
  EXPECT_EQ((*got)->dates[1].execution, rec.id + "/2024-01-02#2");

  // A live controller (this process) holds it: a second claim is refused.
  auto claim = store_->ClaimBackfill(rec.id);
  EXPECT_EQ(claim.status().code(), StatusCode::kFailedPrecondition);
  auto moved = store_->TransitionBackfill(rec.id, {BackfillStatus::kPaused}, BackfillStatus::kFailed,
                                          nullptr);
  ASSERT_TRUE(moved.ok());
  EXPECT_FALSE(*moved);
  moved = store_->TransitionBackfill(rec.id, {BackfillStatus::kRunning}, BackfillStatus::kPaused,
                                     nlohmann::json{{"note", "canary"}});
  ASSERT_TRUE(moved.ok());
  EXPECT_TRUE(*moved);
  claim = OpenAnother()->ClaimBackfill(rec.id);
  ASSERT_TRUE(claim.ok()) << claim.status().ToString();
  EXPECT_EQ(claim->status, BackfillStatus::kRunning);
  EXPECT_EQ((*ReapAndGetBackfill(*store_, rec.id))->result["note"], "canary");
  EXPECT_EQ(store_->ClaimBackfill("nope").status().code(), StatusCode::kNotFound);
}

TEST_P(StateStoreConformanceTest, BackfillDeadControllerIsInterruptedAndItsStopFinishes) {
  // A child process creates two backfills and dies without finishing them.
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto opened = GetParam().open(key_);
    if (!opened.ok()) _exit(2);
    auto& s = *opened;
    auto a = BackfillRecordOf("20260129T150000Z");
    auto b = BackfillRecordOf("20260129T160000Z");
    bool ok = s->CreateBackfill(a).ok() && s->CreateBackfill(b).ok() &&
              *s->TransitionBackfill(b.id, {BackfillStatus::kRunning}, BackfillStatus::kAborting, nullptr);
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_EQ(WEXITSTATUS(status), 0);
  auto a = ReapAndGetBackfill(*store_, BackfillRecordOf("20260129T150000Z").id);
  ASSERT_TRUE(a.ok() && *a);
  EXPECT_EQ((*a)->status, BackfillStatus::kInterrupted);
  auto list = ReapAndListBackfills(*store_, BackfillFilter{});
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].status, BackfillStatus::kAborted);  // newest first: it was stopping
  // The interrupted one can be claimed by a new controller (resume).
  auto claim = store_->ClaimBackfill((*a)->id);
  ASSERT_TRUE(claim.ok()) << claim.status().ToString();
  EXPECT_EQ(claim->controller_pid, getpid());
}

// Sets RUNLAKE_CONTROLLER_STALE_SECONDS for one test (unset: the 60 s default).
class StaleLimit {
 public:
  explicit StaleLimit(const char* seconds) {
    if (seconds) setenv("RUNLAKE_CONTROLLER_STALE_SECONDS", seconds, 1);
    else unsetenv("RUNLAKE_CONTROLLER_STALE_SECONDS");
  }
  ~StaleLimit() { unsetenv("RUNLAKE_CONTROLLER_STALE_SECONDS"); }
};

void SleepSeconds(double s) {
  std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int>(s * 1000)));
}

TEST_P(StateStoreConformanceTest, BackfillControllerOfAnotherHostIsJudgedByItsHeartbeat) {
  // Two controllers on a machine this store cannot look into: one running, one stopping.
  // pid 1 is alive here, so only the heartbeat can tell that they are gone.
  auto a = BackfillRecordOf("20260129T150000Z");
  auto b = BackfillRecordOf("20260129T160000Z");
  for (auto* r : {&a, &b}) {
    r->controller_host = "some-other-host.example";
    r->controller_pid = 1;
  }
  ASSERT_TRUE(store_->CreateBackfill(a).ok());
  ASSERT_TRUE(store_->CreateBackfill(b).ok());
  ASSERT_TRUE(*store_->TransitionBackfill(b.id, {BackfillStatus::kRunning},
                                          BackfillStatus::kAborting, nullptr));
  {
    StaleLimit limit(nullptr);  // 60 s: a fresh heartbeat from another host is alive
    auto got = ReapAndGetBackfill(*store_, a.id);
    ASSERT_TRUE(got.ok() && *got);
    EXPECT_EQ((*got)->status, BackfillStatus::kRunning);
    EXPECT_EQ((*got)->controller_host, "some-other-host.example");
    EXPECT_EQ((*got)->controller_pid, 1);
    EXPECT_FALSE((*got)->controller_heartbeat_at.empty());
    auto claim = OpenAnother()->ClaimBackfill(a.id);
    EXPECT_EQ(claim.status().code(), StatusCode::kFailedPrecondition) << claim.status().ToString();
    EXPECT_EQ((*ReapAndGetBackfill(*store_, b.id))->status, BackfillStatus::kAborting);
    // This process is not their controller: its heartbeat changes nothing.
    auto beat = store_->HeartbeatBackfill(a.id);
    ASSERT_TRUE(beat.ok()) << beat.status().ToString();
    EXPECT_FALSE(*beat);
  }
  StaleLimit limit("1");
  SleepSeconds(1.5);
  auto got = ReapAndGetBackfill(*store_, a.id);
  ASSERT_TRUE(got.ok() && *got);
  EXPECT_EQ((*got)->status, BackfillStatus::kInterrupted);
  auto list = ReapAndListBackfills(*store_, BackfillFilter{});
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].status, BackfillStatus::kAborted);  // newest first: it was stopping
  // Resume: a new controller claims it, with a fresh heartbeat.
  auto claim = OpenAnother()->ClaimBackfill(a.id);
  ASSERT_TRUE(claim.ok()) << claim.status().ToString();
  EXPECT_EQ(claim->status, BackfillStatus::kRunning);
  EXPECT_EQ(claim->controller_pid, getpid());
  EXPECT_EQ(claim->controller_host, LocalHostName());
  EXPECT_GT(claim->controller_heartbeat_at, (*got)->controller_heartbeat_at);
  EXPECT_EQ((*ReapAndGetBackfill(*store_, a.id))->status, BackfillStatus::kRunning);
}

TEST_P(StateStoreConformanceTest, BackfillHeartbeatKeepsItsControllerAndAStaleOneLosesIt) {
  StaleLimit limit("1");
  auto rec = BackfillRecordOf("20260129T150000Z");
  ASSERT_TRUE(store_->CreateBackfill(rec).ok());
  std::string created_beat = (*ReapAndGetBackfill(*store_, rec.id))->controller_heartbeat_at;
  SleepSeconds(1.3);
  // Past the limit since creation, but renewed now: alive (from any store object of it).
  auto beat = OpenAnother()->HeartbeatBackfill(rec.id);
  ASSERT_TRUE(beat.ok()) << beat.status().ToString();
  EXPECT_TRUE(*beat);
  auto got = ReapAndGetBackfill(*store_, rec.id);
  ASSERT_TRUE(got.ok() && *got);
  EXPECT_EQ((*got)->status, BackfillStatus::kRunning);
  EXPECT_GT((*got)->controller_heartbeat_at, created_beat);
  // A controller that stops renewing counts as gone even on this host, alive: it stalled,
  // and another controller may take over. Its next heartbeat tells it so.
  SleepSeconds(1.3);
  EXPECT_EQ((*ReapAndGetBackfill(*store_, rec.id))->status, BackfillStatus::kInterrupted);
  beat = store_->HeartbeatBackfill(rec.id);
  ASSERT_TRUE(beat.ok()) << beat.status().ToString();
  EXPECT_FALSE(*beat);
  EXPECT_EQ((*ReapAndGetBackfill(*store_, rec.id))->status, BackfillStatus::kInterrupted);
  EXPECT_EQ(store_->HeartbeatBackfill("nope").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace runlake::testing
