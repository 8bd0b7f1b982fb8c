// The SQLite fault VFS ($RUNLAKE_TEST_STATE_FAULT, state/sqlite/fault_vfs.h), each case in
// a child process (the VFS takes one spec per process): a bad spec refuses to open, the
// count names every write, truncate and sync, and each fault kind reaches the caller as
// the Status a real failure would (disk full as FailedPrecondition, an I/O error as
// IOError) or ends the process as a kill would.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>

#include "common/temp_dir.h"
#include "runlake/state_store.h"

namespace runlake::testing {
namespace {

// Runs `body` in a child with $RUNLAKE_TEST_STATE_FAULT=spec; returns its exit status
// (128 + signal when killed).
int InChild(const std::string& spec, const std::function<int()>& body) {
  pid_t pid = fork();
  if (pid == 0) {
    setenv("RUNLAKE_TEST_STATE_FAULT", spec.c_str(), 1);
    _exit(body());
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Opens a store at `path` and records one execution: 0 when all went well, 10 + the code of
// the first error.
int StartOne(const std::string& path) {
  auto store = OpenSqliteStateStore(path);
  if (!store.ok()) return 10 + static_cast<int>(store.status().code());
  ExecutionRecord rec;
  rec.name = "e1";
  rec.run_id = "r1";
  rec.input_json = "{}";
  auto started = (*store)->StartExecution(rec);
  if (!started.ok()) return 10 + static_cast<int>(started.status().code());
  return 0;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(SqliteFaultVfs, ABadSpecRefusesToOpen) {
  TempDir dir;
  EXPECT_EQ(InChild("at=3", [&] { return StartOne(dir.path() + "/s.db"); }),
            10 + static_cast<int>(StatusCode::kInvalidArgument));
}

TEST(SqliteFaultVfs, TheCountNamesEveryWriteTruncateAndSync) {
  TempDir dir;
  const std::string count = dir.path() + "/ops.txt";
  ASSERT_EQ(InChild("count=" + count, [&] { return StartOne(dir.path() + "/s.db"); }), 0);
  const std::string ops = ReadAll(count);
  EXPECT_NE(ops.find("Write s.db"), std::string::npos) << ops;
  EXPECT_NE(ops.find("Sync s.db"), std::string::npos) << ops;
  EXPECT_NE(ops.find("Write s.db-wal"), std::string::npos) << ops;
}

TEST(SqliteFaultVfs, EachKindFailsOrEndsTheProcessAsARealFaultWould) {
  TempDir dir;
  // A store that exists: the faults then hit the execution's own writes (op 1 onwards).
  ASSERT_EQ(InChild("count=" + dir.path() + "/setup.txt", [&] { return StartOne(dir.path() + "/s.db"); }), 0);
  auto again = [&](const std::string& kind) {
    return InChild("at=1,kind=" + kind, [&] {
      auto store = OpenSqliteStateStore(dir.path() + "/s.db");
      if (!store.ok()) return 10 + static_cast<int>(store.status().code());
      ExecutionRecord rec;
      rec.name = "e-" + kind;
      rec.run_id = "r-" + kind;
      rec.input_json = "{}";
      auto started = (*store)->StartExecution(rec);
      return started.ok() ? 0 : 10 + static_cast<int>(started.status().code());
    });
  };
  EXPECT_EQ(again("diskfull"), 10 + static_cast<int>(StatusCode::kResourceExhausted));
  EXPECT_EQ(again("ioerror"), 10 + static_cast<int>(StatusCode::kIOError));
  EXPECT_EQ(again("crash"), 137);
  EXPECT_EQ(again("crash_after"), 137);
  EXPECT_EQ(again("torn"), 137);
  // None of that damaged the store: it opens, and what committed is there.
  auto store = OpenSqliteStateStore(dir.path() + "/s.db");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto e1 = (*store)->GetExecution("e1");
  ASSERT_TRUE(e1.ok() && e1->has_value());
  auto full = (*store)->GetExecution("e-diskfull");
  ASSERT_TRUE(full.ok());
  EXPECT_FALSE(full->has_value());  // the failed transaction left nothing
}

}  // namespace
}  // namespace runlake::testing
