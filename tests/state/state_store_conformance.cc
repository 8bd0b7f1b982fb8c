// The StateStore conformance suite (see state_store_conformance.h).

#include "state/state_store_conformance.h"
#include "runlake/reaping_reads.h"

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include "state/process_liveness.h"

namespace runlake::testing {
namespace {

ExecutionRecord Proposal(const std::string& name, const std::string& input = R"({"run_key":"r1"})") {
  ExecutionRecord r;
  r.name = name;
  r.input_json = input;
  r.run_id = "run-" + name;
  return r;
}

std::vector<std::string> EventTypes(const std::vector<ExecutionEvent>& events) {
  std::vector<std::string> types;
  for (const auto& e : events) types.push_back(e.type);
  return types;
}

TEST_P(StateStoreConformanceTest, StartCreatesRunningExecutionWithDefaults) {
  auto outcome = store_->StartExecution(Proposal("daily-2024-01-15"));
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_TRUE(outcome->created);
  const ExecutionRecord& r = outcome->record;
  EXPECT_EQ(r.status, ExecutionStatus::kRunning);
  EXPECT_EQ(r.arn, ExecutionArn("daily-2024-01-15"));
  EXPECT_EQ(r.input_sha256, ExecutionInputSha256(R"({"run_key":"r1"})"));
  EXPECT_EQ(r.pid, getpid());
  EXPECT_EQ(r.host, LocalHostName());
  EXPECT_EQ(r.start_time.size(), 24u);
  EXPECT_EQ(r.stop_time, "");

  auto got = store_->GetExecution("daily-2024-01-15");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ(ToJson(**got), ToJson(r));

  auto history = store_->History("daily-2024-01-15");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].id, 1);
  EXPECT_EQ((*history)[0].type, "ExecutionStarted");
  EXPECT_EQ((*history)[0].details["input"]["run_key"], "r1");
  EXPECT_EQ((*history)[0].details["run_id"], "run-daily-2024-01-15");
}

TEST_P(StateStoreConformanceTest, StartSameNameSameInputReturnsExisting) {
  auto first = store_->StartExecution(Proposal("x"));
  ASSERT_TRUE(first.ok());
  ExecutionRecord again = Proposal("x");
  again.run_id = "some-other-run";  // identity is the input, not the other fields
  auto second = store_->StartExecution(again);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_FALSE(second->created);
  EXPECT_EQ(ToJson(second->record), ToJson(first->record));
  EXPECT_EQ(store_->History("x")->size(), 1u);  // no second ExecutionStarted
}

TEST_P(StateStoreConformanceTest, StartSameNameDifferentInputIsAlreadyExists) {
  ASSERT_TRUE(store_->StartExecution(Proposal("x", "{\"a\":1}")).ok());
  auto second = store_->StartExecution(Proposal("x", "{\"a\":2}"));
  ASSERT_FALSE(second.ok());
  EXPECT_TRUE(second.status().IsAlreadyExists());
  EXPECT_EQ(second.status().message(), "execution 'x' already exists with a different input");
}

TEST_P(StateStoreConformanceTest, StartReturnsFinishedExecutionUnchanged) {
  ASSERT_TRUE(store_->StartExecution(Proposal("x")).ok());
  ASSERT_TRUE(store_->FinishExecution("x", ExecutionStatus::kSucceeded, "", "", {{"rows", 3}}).ok());
  auto again = store_->StartExecution(Proposal("x"));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->record.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(again->record.summary["rows"], 3);
}

TEST_P(StateStoreConformanceTest, StartRejectsBadNames) {
  EXPECT_TRUE(store_->StartExecution(Proposal("")).status().IsInvalidArgument());
  EXPECT_TRUE(store_->StartExecution(Proposal("a\nb")).status().IsInvalidArgument());
}

TEST_P(StateStoreConformanceTest, ConcurrentStartsFromThreadsCreateExactlyOnce) {
  constexpr int kThreads = 8;
  std::vector<std::unique_ptr<StateStore>> stores;
  for (int i = 0; i < kThreads; ++i) stores.push_back(OpenAnother());
  std::atomic<int> ready{0}, created{0}, failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      ++ready;
      while (ready < kThreads) std::this_thread::yield();
      auto outcome = stores[i]->StartExecution(Proposal("race"));
      if (!outcome.ok()) ++failed;
      else if (outcome->created) ++created;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(created, 1);
  EXPECT_EQ(store_->History("race")->size(), 1u);
}

TEST_P(StateStoreConformanceTest, ConcurrentStartsFromProcessesCreateExactlyOnce) {
  constexpr int kChildren = 6;
  std::vector<pid_t> children;
  for (int i = 0; i < kChildren; ++i) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int code = 12;  // error
      {
        auto store = GetParam().open(key_);
        if (store.ok()) {
          auto outcome = (*store)->StartExecution(Proposal("race"));
          if (outcome.ok()) code = outcome->created ? 10 : 11;
        }
      }
      _exit(code);
    }
    children.push_back(pid);
  }
  int created = 0, existing = 0;
  for (pid_t child : children) {
    int wstatus = 0;
    ASSERT_EQ(waitpid(child, &wstatus, 0), child);
    ASSERT_TRUE(WIFEXITED(wstatus));
    created += WEXITSTATUS(wstatus) == 10;
    existing += WEXITSTATUS(wstatus) == 11;
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(existing, kChildren - 1);
}

TEST_P(StateStoreConformanceTest, FinishAppendsEventsInOrder) {
  ASSERT_TRUE(store_->StartExecution(Proposal("x")).ok());
  ASSERT_TRUE(store_->AppendEvent("x", "TaskStateEntered", {{"state", "Ingest"}}).ok());
  ASSERT_TRUE(store_->AppendEvent("x", "TaskSucceeded", {{"state", "Ingest"}}).ok());
  nlohmann::json summary = {{"valid_rows", 10}, {"quarantined_rows", 2}};
  ASSERT_TRUE(store_->FinishExecution("x", ExecutionStatus::kSucceeded, "", "", summary).ok());

  auto history = store_->History("x");
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(EventTypes(*history),
            (std::vector<std::string>{"ExecutionStarted", "TaskStateEntered", "TaskSucceeded",
                                      "ExecutionSucceeded"}));
  for (size_t i = 0; i < history->size(); ++i) {
    EXPECT_EQ((*history)[i].id, static_cast<int64_t>(i + 1));
    if (i > 0) {
      EXPECT_LE((*history)[i - 1].timestamp, (*history)[i].timestamp);
    }
  }
  EXPECT_EQ((*history)[1].details["state"], "Ingest");
  EXPECT_EQ((*history)[3].details["summary"], summary);

  auto record = store_->GetExecution("x");
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->status, ExecutionStatus::kSucceeded);
  EXPECT_EQ((*record)->summary, summary);
  EXPECT_FALSE((*record)->stop_time.empty());
  EXPECT_LE((*record)->start_time, (*record)->stop_time);
}

TEST_P(StateStoreConformanceTest, FailedFinishRecordsCauseAndError) {
  ASSERT_TRUE(store_->StartExecution(Proposal("x")).ok());
  ASSERT_TRUE(store_->FinishExecution("x", ExecutionStatus::kFailed, "ValidationError",
                                      "schema_version v9 is unknown", nullptr)
                  .ok());
  auto record = store_->GetExecution("x");
  EXPECT_EQ((*record)->status, ExecutionStatus::kFailed);
  EXPECT_EQ((*record)->cause, "ValidationError");
  EXPECT_EQ((*record)->error, "schema_version v9 is unknown");
  auto history = store_->History("x");
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[1].type, "ExecutionFailed");
  EXPECT_EQ((*history)[1].details["cause"], "ValidationError");
  EXPECT_EQ((*history)[1].details["error"], "schema_version v9 is unknown");
}

TEST_P(StateStoreConformanceTest, FinishEventTypePerStatus) {
  const std::pair<ExecutionStatus, const char*> cases[] = {
      {ExecutionStatus::kTimedOut, "ExecutionTimedOut"},
      {ExecutionStatus::kAborted, "ExecutionAborted"}};
  for (const auto& [status, type] : cases) {
    std::string name = std::string("x-") + ToString(status);
    ASSERT_TRUE(store_->StartExecution(Proposal(name)).ok());
    ASSERT_TRUE(store_->FinishExecution(name, status, "", "", nullptr).ok());
    EXPECT_EQ(store_->History(name)->back().type, type);
    EXPECT_EQ((*store_->GetExecution(name))->status, status);
  }
}

TEST_P(StateStoreConformanceTest, FinishIsIdempotentButNotReversible) {
  ASSERT_TRUE(store_->StartExecution(Proposal("x")).ok());
  ASSERT_TRUE(store_->FinishExecution("x", ExecutionStatus::kSucceeded, "", "", nullptr).ok());
  EXPECT_TRUE(store_->FinishExecution("x", ExecutionStatus::kSucceeded, "", "", nullptr).ok());
  EXPECT_EQ(store_->History("x")->size(), 2u);
  Status other = store_->FinishExecution("x", ExecutionStatus::kFailed, "c", "e", nullptr);
  EXPECT_EQ(other.code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(store_->FinishExecution("x", ExecutionStatus::kRunning, "", "", nullptr)
                  .IsInvalidArgument());
  EXPECT_TRUE(store_->FinishExecution("nope", ExecutionStatus::kFailed, "", "", nullptr)
                  .IsNotFound());
}

TEST_P(StateStoreConformanceTest, UnknownNames) {
  auto got = store_->GetExecution("nope");
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
  EXPECT_TRUE(store_->History("nope").status().IsNotFound());
  EXPECT_TRUE(store_->AppendEvent("nope", "TaskStateEntered", {}).IsNotFound());
}

TEST_P(StateStoreConformanceTest, ListFiltersAndOrdersNewestFirst) {
  const char* names[] = {"a_1", "a_2", "ab", "b_1"};
  int second = 0;
  for (const char* name : names) {
    ExecutionRecord r = Proposal(name);
    r.start_time = "2026-01-29T15:00:0" + std::to_string(second++) + ".000Z";
    ASSERT_TRUE(store_->StartExecution(r).ok());
  }
  ASSERT_TRUE(store_->FinishExecution("a_2", ExecutionStatus::kFailed, "c", "e", nullptr).ok());

  auto names_of = [&](const ExecutionFilter& f) {
    std::vector<std::string> out;
    auto list = store_->ListExecutions(f);
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    if (list.ok()) {
      for (const auto& r : *list) out.push_back(r.name);
    }
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(names_of({}), (V{"b_1", "ab", "a_2", "a_1"}));
  EXPECT_EQ(names_of({ExecutionStatus::kFailed, "", 0}), (V{"a_2"}));
  EXPECT_EQ(names_of({ExecutionStatus::kRunning, "", 0}), (V{"b_1", "ab", "a_1"}));
  EXPECT_EQ(names_of({std::nullopt, "a", 0}), (V{"ab", "a_2", "a_1"}));
  EXPECT_EQ(names_of({std::nullopt, "a_", 0}), (V{"a_2", "a_1"}));  // '_' is no wildcard
  EXPECT_EQ(names_of({std::nullopt, "A", 0}), V{});                  // case-sensitive
  EXPECT_EQ(names_of({std::nullopt, "", 2}), (V{"b_1", "ab"}));
  EXPECT_EQ(names_of({ExecutionStatus::kRunning, "a", 1}), (V{"ab"}));
}

TEST_P(StateStoreConformanceTest, NamesWithSlashes) {
  ASSERT_TRUE(store_->StartExecution(Proposal("bf-20260129T150000Z/2024-01-15")).ok());
  ASSERT_TRUE(store_->StartExecution(Proposal("bf-20260129T150000Z/2024-01-16")).ok());
  ASSERT_TRUE(store_->StartExecution(Proposal("bf-other/2024-01-15")).ok());
  auto list = store_->ListExecutions({std::nullopt, "bf-20260129T150000Z/", 0});
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 2u);
  EXPECT_TRUE(store_->GetExecution("bf-other/2024-01-15")->has_value());
}

// A child that has exited; `reap` says whether it has been waited for (else: a zombie).
pid_t ExitedChild(bool reap) {
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  if (reap) {
    waitpid(pid, nullptr, 0);
  } else {
    // Wait until the kernel reports the zombie state.
    for (int i = 0; i < 500; ++i) {
      std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
      std::string line;
      std::getline(stat, line);
      auto close = line.rfind(')');
      if (close != std::string::npos && line.substr(close + 2, 1) == "Z") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  return pid;
}

TEST_P(StateStoreConformanceTest, ReapFailsExecutionsOfDeadWorkers) {
  pid_t dead = ExitedChild(/*reap=*/true);
  pid_t zombie = ExitedChild(/*reap=*/false);
  ExecutionRecord lost = Proposal("lost");
  lost.pid = dead;
  ExecutionRecord undead = Proposal("zombie");
  undead.pid = zombie;
  ExecutionRecord foreign = Proposal("other-host");
  foreign.pid = dead;
  foreign.host = "some-other-host.example";
  ASSERT_TRUE(store_->StartExecution(lost).ok());
  ASSERT_TRUE(store_->StartExecution(undead).ok());
  ASSERT_TRUE(store_->StartExecution(foreign).ok());
  ASSERT_TRUE(store_->StartExecution(Proposal("alive")).ok());  // this process

  auto reaped = store_->ReapDeadExecutions();
  ASSERT_TRUE(reaped.ok()) << reaped.status().ToString();
  EXPECT_EQ(*reaped, 2);
  waitpid(zombie, nullptr, 0);

  for (const char* name : {"lost", "zombie"}) {
    auto r = store_->GetExecution(name);
    ASSERT_TRUE(r.ok() && r->has_value());
    EXPECT_EQ((*r)->status, ExecutionStatus::kFailed) << name;
    EXPECT_EQ((*r)->cause, "WorkerLost");
    EXPECT_FALSE((*r)->stop_time.empty());
    auto history = store_->History(name);
    EXPECT_EQ(history->back().type, "ExecutionFailed");
    EXPECT_EQ(history->back().details["cause"], "WorkerLost");
  }
  EXPECT_EQ((*store_->GetExecution("other-host"))->status, ExecutionStatus::kRunning);
  EXPECT_EQ((*store_->GetExecution("alive"))->status, ExecutionStatus::kRunning);
  EXPECT_EQ(*store_->ReapDeadExecutions(), 0);
  // The worker is gone: a late finish must not overwrite the reaper's verdict silently.
  EXPECT_EQ(store_->FinishExecution("lost", ExecutionStatus::kSucceeded, "", "", nullptr).code(),
            StatusCode::kFailedPrecondition);
}

// Reads never write (issue 26): a dead worker's execution stays RUNNING for Get and List
// (the dashboard and /metrics only look); the reaping reads of the commands end it.
TEST_P(StateStoreConformanceTest, ReadsNeverReapTheReapingReadsDo) {
  pid_t dead = ExitedChild(/*reap=*/true);
  ExecutionRecord a = Proposal("a");
  a.pid = dead;
  ASSERT_TRUE(store_->StartExecution(a).ok());
  EXPECT_EQ((*store_->GetExecution("a"))->status, ExecutionStatus::kRunning);
  EXPECT_EQ(store_->ListExecutions({ExecutionStatus::kRunning, "", 0})->size(), 1u);
  EXPECT_EQ(store_->History("a")->size(), 1u) << "a read appended an event";
  auto got = ReapAndGetExecution(*store_, "a");
  EXPECT_EQ((*got)->status, ExecutionStatus::kFailed);

  ExecutionRecord b = Proposal("b");
  b.pid = dead;
  ASSERT_TRUE(store_->StartExecution(b).ok());
  auto running = ReapAndListExecutions(*store_, {ExecutionStatus::kRunning, "", 0});
  ASSERT_TRUE(running.ok());
  EXPECT_TRUE(running->empty());
}

TEST_P(StateStoreConformanceTest, RecoverRefinishesOnlyAWorkerLostExecution) {
  ExecutionRecord lost = Proposal("lost");
  lost.pid = ExitedChild(/*reap=*/true);
  ASSERT_TRUE(store_->StartExecution(lost).ok());
  ASSERT_EQ((*ReapAndGetExecution(*store_, "lost"))->cause, "WorkerLost");
  ASSERT_TRUE(store_->StartExecution(Proposal("alive")).ok());
  ASSERT_TRUE(store_->StartExecution(Proposal("bad")).ok());
  ASSERT_TRUE(store_->FinishExecution("bad", ExecutionStatus::kFailed, "ValidationError", "no", nullptr).ok());

  Status st = store_->RecoverExecution("lost", ExecutionStatus::kSucceeded, "", "",
                                       {{"rows", 7}}, "the run had committed");
  ASSERT_TRUE(st.ok()) << st.ToString();
  auto r = *store_->GetExecution("lost");
  EXPECT_EQ(r->status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(r->cause, "");
  EXPECT_EQ(r->summary["rows"], 7);
  auto history = *store_->History("lost");
  ASSERT_GE(history.size(), 3u);
  EXPECT_EQ(history[history.size() - 2].type, "ExecutionRecovered");
  EXPECT_EQ(history[history.size() - 2].details["lost_cause"], "WorkerLost");
  EXPECT_EQ(history.back().type, "ExecutionSucceeded");
  // A second recoverer (another process that raced) changes nothing.
  size_t events = history.size();
  EXPECT_TRUE(store_->RecoverExecution("lost", ExecutionStatus::kSucceeded, "", "", nullptr, "again").ok());
  EXPECT_EQ(store_->History("lost")->size(), events);
  EXPECT_EQ((*store_->GetExecution("lost"))->summary["rows"], 7);
  // Only WorkerLost executions are recovered.
  EXPECT_EQ(store_->RecoverExecution("alive", ExecutionStatus::kSucceeded, "", "", nullptr, "x").code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->RecoverExecution("bad", ExecutionStatus::kSucceeded, "", "", nullptr, "x").code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->RecoverExecution("nope", ExecutionStatus::kSucceeded, "", "", nullptr, "x").code(),
            StatusCode::kNotFound);
  EXPECT_EQ((*store_->GetExecution("alive"))->status, ExecutionStatus::kRunning);
}

TEST_P(StateStoreConformanceTest, AForeignExecutionLivesByItsHeartbeat) {
  // A `runlake run` on another machine: its pid means nothing here, only its heartbeat.
  setenv("RUNLAKE_CONTROLLER_STALE_SECONDS", "1", 1);
  ExecutionRecord far = Proposal("far");
  far.pid = ExitedChild(/*reap=*/true);
  far.host = "some-other-host.example";
  ASSERT_TRUE(store_->StartExecution(far).ok());
  for (int i = 0; i < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    auto renewed = store_->HeartbeatExecution("far");
    ASSERT_TRUE(renewed.ok()) << renewed.status().ToString();
    EXPECT_TRUE(*renewed);
    EXPECT_EQ(*store_->ReapDeadExecutions(), 0) << "a renewed heartbeat keeps it RUNNING";
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));
  EXPECT_EQ(*store_->ReapDeadExecutions(), 1);
  unsetenv("RUNLAKE_CONTROLLER_STALE_SECONDS");
  auto r = *store_->GetExecution("far");
  EXPECT_EQ(r->status, ExecutionStatus::kFailed);
  EXPECT_EQ(r->cause, "WorkerLost");
  EXPECT_NE(r->error.find("no heartbeat"), std::string::npos) << r->error;
  EXPECT_NE(r->error.find("some-other-host.example"), std::string::npos) << r->error;
  EXPECT_FALSE(*store_->HeartbeatExecution("far")) << "a reaped execution is not renewed";
  EXPECT_FALSE(*store_->HeartbeatExecution("no-such-execution"));
}

}  // namespace
}  // namespace runlake::testing
