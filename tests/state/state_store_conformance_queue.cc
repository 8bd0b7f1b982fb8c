// The StateStore conformance suite, task queue part (runlake/task_queue.h): enqueue, claim
// order, quotas, leases (expiry by the store's clock, renew), complete, release, cancel,
// bounded attempts, workers. Every backend's test target compiles this file beside
// state_store_conformance.cc.

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <set>
#include <thread>

#include "state/state_store_conformance.h"

namespace runlake::testing {
namespace {

using nlohmann::json;

TaskSpec Daily(const std::string& name, int priority = 0) {
  TaskSpec s;
  s.name = name;
  s.kind = TaskKind::kDaily;
  s.priority = priority;
  s.payload = {{"input_json", "{\"run_key\":\"" + name + "\"}"}};
  return s;
}

TaskSpec Backfill(const std::string& backfill, const std::string& date, int priority = 0) {
  TaskSpec s;
  s.name = backfill + "/" + date;
  s.kind = TaskKind::kBackfill;
  s.backfill_id = backfill;
  s.priority = priority;
  s.payload = {{"date", date}};
  return s;
}

WorkerRecord Worker(const std::string& id) {
  WorkerRecord w;
  w.id = id;
  w.host = "host-" + id;
  w.pid = 4242;
  w.concurrency = 2;
  w.kinds = {TaskKind::kDaily, TaskKind::kBackfill};
  return w;
}

ClaimRequest By(const std::string& worker, int lease_seconds = 30) {
  ClaimRequest r;
  r.worker_id = worker;
  r.lease_seconds = lease_seconds;
  return r;
}

// Seconds since the epoch of "YYYY-MM-DDTHH:MM:SS.mmmZ".
double EpochSeconds(const std::string& iso) {
  std::tm tm{};
  int ms = 0;
  std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
              &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms);
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<double>(timegm(&tm)) + ms / 1000.0;
}

// The name claimed by `worker`, or "" when nothing was claimable.
std::string ClaimName(StateStore& store, const ClaimRequest& req) {
  auto claimed = store.ClaimTask(req);
  EXPECT_TRUE(claimed.ok()) << claimed.status().ToString();
  return claimed.ok() && claimed->has_value() ? (*claimed)->name : "";
}

void SleepSeconds(double s) { std::this_thread::sleep_for(std::chrono::duration<double>(s)); }

TEST_P(StateStoreConformanceTest, EnqueueCreatesQueuedTaskIdempotently) {
  auto task = store_->EnqueueTask(Daily("daily-1"));
  ASSERT_TRUE(task.ok()) << task.status().ToString();
  EXPECT_EQ(task->status, TaskStatus::kQueued);
  EXPECT_EQ(task->kind, TaskKind::kDaily);
  EXPECT_EQ(task->attempts, 0);
  EXPECT_EQ(task->max_attempts, 3);
  EXPECT_EQ(task->payload, Daily("daily-1").payload);
  EXPECT_EQ(task->enqueued_at.size(), 24u);
  EXPECT_EQ(task->worker_id, "");

  auto again = store_->EnqueueTask(Daily("daily-1"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(ToJson(*again), ToJson(*task));
  TaskSpec other = Daily("daily-1");
  other.payload = {{"input_json", "{}"}};
  auto refused = store_->EnqueueTask(other);
  EXPECT_TRUE(refused.status().IsAlreadyExists());
  EXPECT_EQ(refused.status().message(), "task 'daily-1' already exists with a different payload");

  EXPECT_TRUE(store_->EnqueueTask(Daily("")).status().IsInvalidArgument());
  EXPECT_TRUE(store_->EnqueueTask(Daily("a\tb")).status().IsInvalidArgument());
  TaskSpec no_backfill = Backfill("", "2024-01-01");
  EXPECT_TRUE(store_->EnqueueTask(no_backfill).status().IsInvalidArgument());
  TaskSpec no_attempts = Daily("d2");
  no_attempts.max_attempts = 0;
  EXPECT_TRUE(store_->EnqueueTask(no_attempts).status().IsInvalidArgument());
  auto got = store_->GetTask("daily-1");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->id, task->id);
  EXPECT_FALSE(store_->GetTask("nope")->has_value());
}

TEST_P(StateStoreConformanceTest, ClaimNeedsARegisteredWorker) {
  ASSERT_TRUE(store_->EnqueueTask(Daily("d")).ok());
  EXPECT_TRUE(store_->ClaimTask(By("ghost")).status().IsNotFound());
  ASSERT_TRUE(store_->RegisterWorker(Worker("w1")).ok());
  EXPECT_TRUE(store_->ClaimTask(By("w1", 0)).status().IsInvalidArgument());
  ClaimRequest none = By("w1");
  none.kinds.clear();
  EXPECT_TRUE(store_->ClaimTask(none).status().IsInvalidArgument());
  EXPECT_EQ(ClaimName(*store_, By("w1")), "d");
}

TEST_P(StateStoreConformanceTest, ClaimOrderDailyFirstThenPriorityThenEnqueueOrder) {
  ASSERT_TRUE(store_->RegisterWorker(Worker("w")).ok());
  ASSERT_TRUE(store_->EnqueueTask(Backfill("bf", "2024-01-01")).ok());
  ASSERT_TRUE(store_->EnqueueTask(Backfill("bf", "2024-01-02", 5)).ok());
  ASSERT_TRUE(store_->EnqueueTask(Daily("d-low")).ok());
  ASSERT_TRUE(store_->EnqueueTask(Daily("d-high", 9)).ok());
  ASSERT_TRUE(store_->EnqueueTask(Backfill("bf", "2024-01-03")).ok());

  ClaimRequest backfill_only = By("w");
  backfill_only.kinds = {TaskKind::kBackfill};
  EXPECT_EQ(ClaimName(*store_, backfill_only), "bf/2024-01-02");
  EXPECT_EQ(ClaimName(*store_, By("w")), "d-high");
  EXPECT_EQ(ClaimName(*store_, By("w")), "d-low");
  ClaimRequest daily_only = By("w");
  daily_only.kinds = {TaskKind::kDaily};
  EXPECT_EQ(ClaimName(*store_, daily_only), "");
  EXPECT_EQ(ClaimName(*store_, By("w")), "bf/2024-01-01");
  EXPECT_EQ(ClaimName(*store_, By("w")), "bf/2024-01-03");
  EXPECT_EQ(ClaimName(*store_, By("w")), "");
}

TEST_P(StateStoreConformanceTest, ClaimLeasesByTheStoreClock) {
  ASSERT_TRUE(store_->RegisterWorker(Worker("w")).ok());
  ASSERT_TRUE(store_->EnqueueTask(Backfill("bf", "2024-01-01")).ok());
  auto claimed = store_->ClaimTask(By("w", 30));
  ASSERT_TRUE(claimed.ok() && claimed->has_value()) << claimed.status().ToString();
  const TaskRecord& t = **claimed;
  EXPECT_EQ(t.status, TaskStatus::kRunning);
  EXPECT_EQ(t.worker_id, "w");
  EXPECT_EQ(t.attempts, 1);
  EXPECT_EQ(t.claimed_at.size(), 24u);
  EXPECT_NEAR(EpochSeconds(t.lease_expires_at) - EpochSeconds(t.claimed_at), 30.0, 0.002);
  auto listed = store_->ListTasks(TaskFilter{"bf", "w", {TaskStatus::kRunning}, 0});
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(ToJson((*listed)[0]), ToJson(t));
  EXPECT_EQ(ToJson(t)["execution"], "bf/2024-01-01");
}

TEST_P(StateStoreConformanceTest, PerBackfillQuotaBoundsHeldTasks) {
  ASSERT_TRUE(store_->RegisterWorker(Worker("w")).ok());
  for (const char* d : {"2024-01-01", "2024-01-02", "2024-01-03"}) {
    ASSERT_TRUE(store_->EnqueueTask(Backfill("bf-a", d)).ok());
  }
  ASSERT_TRUE(store_->EnqueueTask(Backfill("bf-b", "2024-01-01")).ok());
  ASSERT_TRUE(store_->SetTaskQuota("bf-a", 2).ok());
  auto first = store_->ClaimTask(By("w"));
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->name, "bf-a/2024-01-01");
  EXPECT_EQ(ClaimName(*store_, By("w")), "bf-a/2024-01-02");
  EXPECT_EQ(ClaimName(*store_, By("w")), "bf-b/2024-01-01");  // bf-a is at its quota
  EXPECT_EQ(ClaimName(*store_, By("w")), "");
  ASSERT_TRUE(
      store_->CompleteTask((*first)->id, "w", TaskStatus::kSucceeded, "", {{"rows", 1}}).ok());
  EXPECT_EQ(ClaimName(*store_, By("w")), "bf-a/2024-01-03");
  EXPECT_EQ((*store_->TaskQuotas()), (std::map<std::string, int>{{"bf-a", 2}}));
}

TEST_P(StateStoreConformanceTest, GlobalQuotaBoundsBackfillTasksButNotDaily) {
  ASSERT_TRUE(store_->RegisterWorker(Worker("w")).ok());
  ASSERT_TRUE(store_->SetTaskQuota(kGlobalQuotaScope, 1).ok());
  ASSERT_TRUE(store_->EnqueueTask(Backfill("bf-a", "2024-01-01")).ok());
  ASSERT_TRUE(store_->EnqueueTask(Backfill("bf-b", "2024-01-01")).ok());
  EXPECT_EQ(ClaimName(*store_, By("w")), "bf-a/2024-01-01");
  EXPECT_EQ(ClaimName(*store_, By("w")), "");
  ASSERT_TRUE(store_->EnqueueTask(Daily("d1")).ok());
  ASSERT_TRUE(store_->EnqueueTask(Daily("d2")).ok());
  EXPECT_EQ(ClaimName(*store_, By("w")), "d1");
  EXPECT_EQ(ClaimName(*store_, By("w")), "d2");
  EXPECT_EQ(ClaimName(*store_, By("w")), "");
  ASSERT_TRUE(store_->SetTaskQuota(kGlobalQuotaScope, 0).ok());  // removed
  EXPECT_TRUE(store_->TaskQuotas()->empty());
  EXPECT_EQ(ClaimName(*store_, By("w")), "bf-b/2024-01-01");
}

TEST_P(StateStoreConformanceTest, ExpiredLeaseIsClaimedAgainAsTheNextAttempt) {
  auto other = OpenAnother();  // a second "process"
  ASSERT_TRUE(store_->RegisterWorker(Worker("a")).ok());
  ASSERT_TRUE(other->RegisterWorker(Worker("b")).ok());
  ASSERT_TRUE(store_->EnqueueTask(Backfill("bf", "2024-01-01")).ok());
  auto mine = store_->ClaimTask(By("a", 1));
  ASSERT_TRUE(mine.ok() && mine->has_value());
  EXPECT_EQ(ClaimName(*other, By("b", 30)), "");  // held
  SleepSeconds(1.2);
  auto theirs = other->ClaimTask(By("b", 30));
  ASSERT_TRUE(theirs.ok() && theirs->has_value());
  EXPECT_EQ((*theirs)->id, (*mine)->id);
  EXPECT_EQ((*theirs)->attempts, 2);
  EXPECT_EQ((*theirs)->worker_id, "b");
  EXPECT_NE((*theirs)->error.find("worker a"), std::string::npos) << (*theirs)->error;
  EXPECT_EQ(ToJson(**theirs)["execution"], "bf/2024-01-01#2");
  // The lost holder can neither renew nor complete.
  EXPECT_EQ(*store_->RenewLease((*mine)->id, "a", 30), LeaseState::kLost);
  EXPECT_EQ(store_->CompleteTask((*mine)->id, "a", TaskStatus::kSucceeded, "", nullptr).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(*other->RenewLease((*theirs)->id, "b", 30), LeaseState::kHeld);
  ASSERT_TRUE(
      other->CompleteTask((*theirs)->id, "b", TaskStatus::kSucceeded, "", {{"ok", true}}).ok());
  auto done = store_->GetTask("bf/2024-01-01");
  EXPECT_EQ((*done)->status, TaskStatus::kSucceeded);
  EXPECT_EQ((*done)->result["ok"], true);
  EXPECT_EQ((*done)->lease_expires_at, "");
  EXPECT_FALSE((*done)->finished_at.empty());
}

TEST_P(StateStoreConformanceTest, RenewKeepsTheLeaseAlive) {
  ASSERT_TRUE(store_->RegisterWorker(Worker("a")).ok());
  ASSERT_TRUE(store_->RegisterWorker(Worker("b")).ok());
  ASSERT_TRUE(store_->EnqueueTask(Daily("d")).ok());
  auto t = store_->ClaimTask(By("a", 1));
  ASSERT_TRUE(t.ok() && t->has_value());
  EXPECT_EQ(*store_->RenewLease((*t)->id, "a", 30), LeaseState::kHeld);
  EXPECT_EQ(*store_->RenewLease((*t)->id, "b", 30), LeaseState::kLost);  // not b's
  EXPECT_EQ(*store_->RenewLease(999999, "a", 30), LeaseState::kLost);
  SleepSeconds(1.2);
  EXPECT_EQ(ClaimName(*store_, By("b")), "");
  auto now = store_->GetTask("d");
  EXPECT_GT(EpochSeconds((*now)->lease_expires_at) - EpochSeconds((*now)->claimed_at), 29.0);
}

TEST_P(StateStoreConformanceTest, AttemptsAreBounded) {
  ASSERT_TRUE(store_->RegisterWorker(Worker("w")).ok());
  TaskSpec spec = Daily("d");
  spec.max_attempts = 2;
  ASSERT_TRUE(store_->EnqueueTask(spec).ok());
  EXPECT_EQ(ClaimName(*store_, By("w", 1)), "d");
  SleepSeconds(1.2);
  EXPECT_EQ(ClaimName(*store_, By("w", 1)), "d");
  SleepSeconds(1.2);
  EXPECT_EQ(ClaimName(*store_, By("w", 1)), "");
  auto t = store_->GetTask("d");
  EXPECT_EQ((*t)->status, TaskStatus::kFailed);
  EXPECT_EQ((*t)->attempts, 2);
  EXPECT_NE((*t)->error.find("no attempt left"), std::string::npos) << (*t)->error;
  // Enqueued again after the failure: new attempts, numbering continues.
  auto again = store_->EnqueueTask(spec);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, TaskStatus::kQueued);
  EXPECT_EQ(again->max_attempts, 4);
  EXPECT_EQ(again->error, "");
  auto claimed = store_->ClaimTask(By("w"));
  ASSERT_TRUE(claimed.ok() && claimed->has_value());
  EXPECT_EQ((*claimed)->attempts, 3);
}

TEST_P(StateStoreConformanceTest, AttemptsBeforeContinueTheNumbering) {
  ASSERT_TRUE(store_->RegisterWorker(Worker("w")).ok());
  TaskSpec spec = Backfill("bf", "2024-01-01");
  spec.attempts_before = 2;  // attempts 1 and 2 ran before the queue took over
  auto t = store_->EnqueueTask(spec);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->attempts, 2);
  EXPECT_EQ(t->max_attempts, 5);
  auto claimed = store_->ClaimTask(By("w"));
  ASSERT_TRUE(claimed.ok() && claimed->has_value());
  EXPECT_EQ((*claimed)->attempts, 3);
}

TEST_P(StateStoreConformanceTest, ReleaseRequeuesAtOnceAndCompleteEnds) {
  ASSERT_TRUE(store_->RegisterWorker(Worker("a")).ok());
  ASSERT_TRUE(store_->RegisterWorker(Worker("b")).ok());
  ASSERT_TRUE(store_->EnqueueTask(Daily("d")).ok());
  auto t = store_->ClaimTask(By("a"));
  ASSERT_TRUE(t.ok() && t->has_value());
  EXPECT_EQ(store_->ReleaseTask((*t)->id, "b", "not mine").code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(store_->ReleaseTask((*t)->id, "a", "worker a stopping").ok());
  auto queued = store_->GetTask("d");
  EXPECT_EQ((*queued)->status, TaskStatus::kQueued);
  EXPECT_EQ((*queued)->error, "worker a stopping");
  EXPECT_EQ(*store_->RenewLease((*t)->id, "a", 30), LeaseState::kLost);
  auto next = store_->ClaimTask(By("b"));
  ASSERT_TRUE(next.ok() && next->has_value());
  EXPECT_EQ((*next)->attempts, 2);
  EXPECT_TRUE(store_->CompleteTask((*next)->id, "b", TaskStatus::kRunning, "", nullptr)
                  .IsInvalidArgument());
  EXPECT_TRUE(store_->CompleteTask(999999, "b", TaskStatus::kFailed, "", nullptr).IsNotFound());
  ASSERT_TRUE(
      store_->CompleteTask((*next)->id, "b", TaskStatus::kFailed, "bad data", nullptr).ok());
  EXPECT_EQ(store_->CompleteTask((*next)->id, "b", TaskStatus::kFailed, "", nullptr).code(),
            StatusCode::kFailedPrecondition);
  auto failed = store_->GetTask("d");
  EXPECT_EQ((*failed)->status, TaskStatus::kFailed);
  EXPECT_EQ((*failed)->error, "bad data");
  // A SUCCEEDED task stays as it is when enqueued again.
  ASSERT_TRUE(store_->EnqueueTask(Daily("s")).ok());
  auto s = store_->ClaimTask(By("a"));
  ASSERT_TRUE(store_->CompleteTask((*s)->id, "a", TaskStatus::kSucceeded, "", nullptr).ok());
  EXPECT_EQ(store_->EnqueueTask(Daily("s"))->status, TaskStatus::kSucceeded);
}

TEST_P(StateStoreConformanceTest, CancelTasksOfOneBackfill) {
  ASSERT_TRUE(store_->RegisterWorker(Worker("w")).ok());
  for (const char* d : {"2024-01-01", "2024-01-02", "2024-01-03"}) {
    ASSERT_TRUE(store_->EnqueueTask(Backfill("bf", d)).ok());
  }
  ASSERT_TRUE(store_->EnqueueTask(Backfill("other", "2024-01-01")).ok());
  auto running = store_->ClaimTask(By("w"));
  ASSERT_TRUE(running.ok() && running->has_value());
  auto cancelled = store_->CancelTasks("bf");
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(*cancelled, 2);
  EXPECT_EQ(*store_->RenewLease((*running)->id, "w", 30), LeaseState::kCancelRequested);
  EXPECT_TRUE((*store_->GetTask("bf/2024-01-01"))->cancel_requested);
  EXPECT_EQ((*store_->GetTask("bf/2024-01-02"))->status, TaskStatus::kCancelled);
  EXPECT_EQ((*store_->GetTask("other/2024-01-01"))->status, TaskStatus::kQueued);
  EXPECT_EQ(ClaimName(*store_, By("w")), "other/2024-01-01");
  auto ended = store_->ListTasks(TaskFilter{"bf", "", {TaskStatus::kCancelled}, 0});
  EXPECT_EQ(ended->size(), 2u);
  // Enqueued again (resume), a cancelled task is queued again.
  EXPECT_EQ(store_->EnqueueTask(Backfill("bf", "2024-01-02"))->status, TaskStatus::kQueued);
}

TEST_P(StateStoreConformanceTest, CancelledTaskOfALostWorkerEndsAndIsNeverClaimed) {
  ASSERT_TRUE(store_->RegisterWorker(Worker("a")).ok());
  ASSERT_TRUE(store_->RegisterWorker(Worker("b")).ok());
  ASSERT_TRUE(store_->EnqueueTask(Backfill("bf", "2024-01-01")).ok());
  ASSERT_TRUE(store_->EnqueueTask(Backfill("bf2", "2024-01-01")).ok());
  auto one = store_->ClaimTask(By("a", 1));
  auto two = store_->ClaimTask(By("a", 1));
  ASSERT_TRUE(one.ok() && one->has_value() && two.ok() && two->has_value());
  EXPECT_EQ(*store_->CancelTasks("bf"), 0);  // held: only asked to stop
  EXPECT_EQ(*store_->CancelTasks("bf2"), 0);
  SleepSeconds(1.2);                           // worker a died
  EXPECT_EQ(ClaimName(*store_, By("b")), "");  // neither is claimed again
  EXPECT_EQ((*store_->GetTask("bf/2024-01-01"))->status, TaskStatus::kCancelled);
  ASSERT_TRUE(store_->EnqueueTask(Backfill("bf3", "2024-01-01")).ok());
  auto three = store_->ClaimTask(By("a", 1));
  ASSERT_TRUE(three.ok() && three->has_value());
  SleepSeconds(1.2);
  EXPECT_EQ(*store_->CancelTasks("bf3"), 1);  // expired: no holder to ask
  EXPECT_EQ((*store_->GetTask("bf3/2024-01-01"))->status, TaskStatus::kCancelled);
}

TEST_P(StateStoreConformanceTest, WorkersRegisterHeartbeatAndStop) {
  ASSERT_TRUE(store_->RegisterWorker(Worker("a")).ok());
  ASSERT_TRUE(store_->RegisterWorker(Worker("b")).ok());
  EXPECT_TRUE(store_->RegisterWorker(Worker("a")).IsAlreadyExists());
  ASSERT_TRUE(store_->HeartbeatWorker("b", "DRAINING").ok());
  EXPECT_TRUE(store_->HeartbeatWorker("ghost", "").IsNotFound());
  auto live = store_->ListWorkers(60);
  ASSERT_TRUE(live.ok()) << live.status().ToString();
  ASSERT_EQ(live->size(), 2u);
  for (const auto& w : *live) {
    EXPECT_GE(w.seconds_since_heartbeat, 0.0);
    EXPECT_LT(w.seconds_since_heartbeat, 60.0);
    EXPECT_EQ(w.pid, 4242);
    EXPECT_EQ(w.kinds, (std::vector<TaskKind>{TaskKind::kDaily, TaskKind::kBackfill}));
    EXPECT_EQ(w.status, w.id == "b" ? "DRAINING" : "ACTIVE");
    EXPECT_EQ(w.host, "host-" + w.id);
  }
  ASSERT_TRUE(store_->DeregisterWorker("a").ok());
  EXPECT_TRUE(store_->DeregisterWorker("ghost").IsNotFound());
  live = store_->ListWorkers(60);
  ASSERT_EQ(live->size(), 1u);
  EXPECT_EQ((*live)[0].id, "b");
  auto all = store_->ListWorkers(0);
  ASSERT_EQ(all->size(), 2u);
  for (const auto& w : *all) {
    if (w.id == "a") {
      EXPECT_EQ(w.status, "STOPPED");
      EXPECT_FALSE(w.stopped_at.empty());
    }
  }
  SleepSeconds(1.1);
  EXPECT_TRUE(store_->ListWorkers(1)->empty());  // no heartbeat within a second
}

TEST_P(StateStoreConformanceTest, ConcurrentClaimsFromProcessesClaimEachTaskOnce) {
  constexpr int kChildren = 6, kTasks = 40;
  for (int i = 0; i < kTasks; ++i) {
    ASSERT_TRUE(store_->EnqueueTask(Backfill("bf", "d" + std::to_string(100 + i))).ok());
  }
  std::string dir = ::testing::TempDir();
  std::vector<pid_t> children;
  for (int c = 0; c < kChildren; ++c) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int code = 0;
      {
        auto store = GetParam().open(key_);
        std::ofstream out(dir + "/claims-" + key_ + "-" + std::to_string(c));
        std::string id = "child-" + std::to_string(c);
        if (!store.ok() || !(*store)->RegisterWorker(Worker(id)).ok()) code = 1;
        while (code == 0) {
          auto t = (*store)->ClaimTask(By(id));
          if (!t.ok()) code = 2;
          if (code || !t->has_value()) break;
          out << (*t)->name << "\n";
          if (!(*store)->CompleteTask((**t).id, id, TaskStatus::kSucceeded, "", nullptr).ok())
            code = 3;
        }
      }
      _exit(code);
    }
    children.push_back(pid);
  }
  for (pid_t child : children) {
    int wstatus = 0;
    ASSERT_EQ(waitpid(child, &wstatus, 0), child);
    EXPECT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
  }
  std::multiset<std::string> claimed;
  for (int c = 0; c < kChildren; ++c) {
    std::ifstream in(dir + "/claims-" + key_ + "-" + std::to_string(c));
    for (std::string line; std::getline(in, line);) claimed.insert(line);
  }
  EXPECT_EQ(claimed.size(), static_cast<size_t>(kTasks));
  EXPECT_EQ(std::set<std::string>(claimed.begin(), claimed.end()).size(),
            static_cast<size_t>(kTasks));
  auto done = store_->ListTasks(TaskFilter{"bf", "", {TaskStatus::kSucceeded}, 0});
  EXPECT_EQ(done->size(), static_cast<size_t>(kTasks));
  for (const auto& t : *done) EXPECT_EQ(t.attempts, 1) << t.name;
}

}  // namespace
}  // namespace runlake::testing
