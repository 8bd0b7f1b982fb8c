#pragma once
// Helpers for queue tests: worker processes, the state store they share, and readers of
// `queue list` / `workers` output.

#include <signal.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "../backfill/cli_util.h"
#ifdef RUNLAKE_QUEUE_TESTS_ON_PG
#include "../pg/pg_test_db.h"
#endif

namespace runlake::queue_test {

using namespace runlake::bf_test;  // Days, LandDays, Manifests, TestLake, json, ...

// --state from $RUNLAKE_TEST_STATE (e.g. postgres://...), else the lake's own SQLite. The
// pg-labelled build of these tests (tests/pg/) gives every test a fresh PostgreSQL
// database instead: tests run in parallel and must not claim each other's tasks.
inline std::vector<std::string> StateArgs() {
#ifdef RUNLAKE_QUEUE_TESTS_ON_PG
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return {"--state", runlake::testing::PgDatabaseFor(std::string("PgQueue.") +
                                                     info->test_suite_name() + "." + info->name())};
#endif
  const char* uri = std::getenv("RUNLAKE_TEST_STATE");
  if (uri && *uri) return {"--state", uri};
  return {};
}

inline std::vector<std::string> With(std::vector<std::string> args) {
  auto state = StateArgs();
  args.insert(args.begin(), state.begin(), state.end());
  return args;
}

inline CmdResult Rl(const TestLake& lake, std::vector<std::string> args) {
  return lake.Rl(With(std::move(args)));
}

inline json RlJson(const TestLake& lake, std::vector<std::string> args) {
  args.insert(args.begin(), "--json");
  CmdResult r = Rl(lake, args);
  if (r.exit_code != 0) throw std::runtime_error("runlake failed: " + r.Describe());
  return json::parse(r.out);
}

// The only backfill in the test's state store (bf_test's reads the lake's SQLite file).
inline std::string OnlyBackfillId(const TestLake& lake) {
  json all = RlJson(lake, {"backfill", "list"});
  EXPECT_EQ(all.size(), 1u) << all.dump();
  return all.empty() ? "" : all[0]["id"].get<std::string>();
}

// Starts `runlake worker` in the background; its stderr goes to work/<tag>.err.
inline pid_t SpawnWorker(const TestLake& lake, const std::string& tag,
                         std::vector<std::string> extra = {}, std::vector<std::string> env = {}) {
  std::vector<std::string> args{it::Binary(), "--lake", lake.lake()};
  for (const auto& s : StateArgs()) args.push_back(s);
  for (const auto& s : {"worker", "--id", tag.c_str(), "--lease-seconds", "2"}) args.push_back(s);
  args.insert(args.end(), extra.begin(), extra.end());
  env.insert(env.begin(), {"RUNLAKE_LAKE=", "RUNLAKE_STATE="});
  return it::Spawn(args, lake.Work(tag + ".out"), lake.Work(tag + ".err"), env);
}

// Starts `runlake --json backfill ARGS` in the background (stdout: work/<tag>.out).
inline pid_t SpawnBackfill(const TestLake& lake, std::vector<std::string> args,
                           const std::string& tag) {
  std::vector<std::string> full{it::Binary(), "--lake", lake.lake()};
  for (const auto& s : StateArgs()) full.push_back(s);
  full.push_back("--json");
  full.push_back("backfill");
  full.insert(full.end(), args.begin(), args.end());
  return it::Spawn(full, lake.Work(tag + ".out"), lake.Work(tag + ".err"),
                   {"RUNLAKE_LAKE=", "RUNLAKE_STATE="});
}

// Polls until `done` or `seconds`.
template <typename F>
bool WaitFor(F done, int seconds = 120) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

inline json Tasks(const TestLake& lake, const std::string& backfill = "") {
  std::vector<std::string> args{"queue", "list"};
  if (!backfill.empty()) args.insert(args.end(), {"--backfill", backfill});
  return RlJson(lake, args);
}

// Stops a worker with SIGTERM and returns its exit code.
inline int StopWorker(pid_t pid) {
  kill(pid, SIGTERM);
  return it::WaitExit(pid);
}

// True unless some process holds the write lock of the lake's SQLite state store (always
// true for another state store: its tests answer for their own locks).
inline bool SqliteWriteLockFree(const TestLake& lake) {
  if (!StateArgs().empty()) return true;
  sqlite3* db = nullptr;
  bool free = false;
  if (sqlite3_open(lake.Lake("_state/runlake.sqlite").c_str(), &db) == SQLITE_OK) {
    free = sqlite3_exec(db, "BEGIN IMMEDIATE; ROLLBACK;", nullptr, nullptr, nullptr) == SQLITE_OK;
  }
  sqlite3_close(db);
  return free;
}

// True if execution `name` exists and is RUNNING: the attempt has started, not merely been
// claimed (a worker caught between its claim and its execution's start leaves no attempt).
inline bool ExecutionRunning(const TestLake& lake, const std::string& name) {
  CmdResult r = Rl(lake, {"--json", "executions", "describe", name});
  if (r.exit_code != 0) return false;
  return json::parse(r.out).value("status", "") == "RUNNING";
}

// Freezes (SIGSTOP) one of the workers `ids` while it holds a RUNNING task whose attempt's
// execution has started, so that a SIGKILL that follows certainly lands mid-task. Returns
// its pid and sets *task, or 0.
inline pid_t FreezeAHolder(const TestLake& lake, const std::vector<std::string>& ids,
                           std::string* task) {
  pid_t frozen = 0;
  WaitFor([&] {
    for (const auto& w : RlJson(lake, {"workers"})) {
      std::string id = w["id"];
      if (std::find(ids.begin(), ids.end(), id) == ids.end() || w["tasks"].empty()) continue;
      pid_t pid = static_cast<pid_t>(w["pid"].get<int64_t>());
      kill(pid, SIGSTOP);
      // Frozen inside a write transaction it would block every other process: let it go on.
      if (!SqliteWriteLockFree(lake)) {
        kill(pid, SIGCONT);
        continue;
      }
      // Frozen, it cannot finish: does it still hold a task?
      for (const auto& t : RlJson(lake, {"queue", "list", "--status", "RUNNING"})) {
        if (t["worker_id"] == id && ExecutionRunning(lake, t["execution"])) {
          *task = t["name"];
          frozen = pid;
          return true;
        }
      }
      kill(pid, SIGCONT);
    }
    return false;
  });
  return frozen;
}

inline std::string Date(const json& task) {
  return task["name"].get<std::string>().substr(task["name"].get<std::string>().rfind('/') + 1);
}

}  // namespace runlake::queue_test
