// The execution log kept in the state store as well as in the local file: what another
// machine (a different log directory, the same store) finds with SearchLogs, each line once.

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "common/temp_dir.h"
#include "runlake/exec_log.h"
#include "runlake/state_store.h"

namespace runlake::testing {
namespace {

std::unique_ptr<StateStore> OpenStore(const std::string& path) {
  auto store = OpenSqliteStateStore(path);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

std::vector<std::string> Messages(StateStore* state, const std::string& dir, LogQuery q) {
  auto lines = SearchLogs(state, dir, q);
  EXPECT_TRUE(lines.ok()) << lines.status().ToString();
  std::vector<std::string> out;
  if (lines.ok()) {
    for (const auto& l : *lines) out.push_back(l["message"]);
  }
  return out;
}

TEST(ExecutionLogStoreTest, AnotherMachineFindsTheLinesThroughTheStore) {
  TempDir dir;
  auto state = OpenStore(dir.path() + "/state.db");
  const std::string here = dir.path() + "/logs-here", there = dir.path() + "/logs-there";
  {
    auto log = ExecutionLog::Open(here, "daily-1", "run-1", state.get());
    ASSERT_TRUE(log.ok());
    (*log)->Info("execution started");
    (*log)->Info("rows read", {{"rows", 25}});
    (*log)->Warn("2 rows quarantined");
    (*log)->Info("execution succeeded");
    EXPECT_TRUE((*log)->status().ok()) << (*log)->status().ToString();
  }  // flushed here
  // This machine: each line once, though both the file and the store hold it.
  EXPECT_EQ(Messages(state.get(), here, {}),
            (std::vector<std::string>{"execution started", "rows read", "2 rows quarantined",
                                      "execution succeeded"}));
  // Another machine: no file, the same store.
  auto other = OpenStore(dir.path() + "/state.db");
  LogQuery q;
  q.execution = "daily-1";
  q.filter_pattern = "rows";
  EXPECT_EQ(Messages(other.get(), there, q),
            (std::vector<std::string>{"rows read", "2 rows quarantined"}));
  q = {};
  q.run_id = "run-1";
  q.offset = 1;
  q.limit = 2;
  EXPECT_EQ(Messages(other.get(), there, q),
            (std::vector<std::string>{"rows read", "2 rows quarantined"}));
  // Without the store that machine has nothing.
  EXPECT_TRUE(Messages(nullptr, there, {}).empty());
}

TEST(ExecutionLogStoreTest, LinesReachTheStoreInBatchesBySizeAgeAndFlush) {
  TempDir dir;
  auto state = OpenStore(dir.path() + "/state.db");
  auto log = ExecutionLog::Open(dir.path() + "/logs", "e", "r", state.get());
  ASSERT_TRUE(log.ok());
  auto stored = [&] {
    auto t = state->LogTotals({"e"});
    return t.ok() && t->count("e") ? t->at("e").lines : int64_t{0};
  };
  (*log)->Error("boom");
  EXPECT_EQ(stored(), 0) << "one line waits for its batch, an ERROR too";
  for (size_t i = 1; i < ExecutionLog::kFlushLines; ++i) (*log)->Info("line");
  EXPECT_EQ(stored(), static_cast<int64_t>(ExecutionLog::kFlushLines)) << "a full batch goes";
  (*log)->Info("old");
  std::this_thread::sleep_for(ExecutionLog::kFlushAge + std::chrono::milliseconds(100));
  (*log)->Info("new");
  EXPECT_EQ(stored(), static_cast<int64_t>(ExecutionLog::kFlushLines) + 2)
      << "a line after the oldest waiting one aged sends both";
  (*log)->Info("last");
  (*log)->Flush();
  EXPECT_EQ(stored(), static_cast<int64_t>(ExecutionLog::kFlushLines) + 3);
}

TEST(ExecutionLogStoreTest, ATruncatedLogIsReadFromItsFileWhereTheFileIs) {
  TempDir dir;
  auto state = OpenStore(dir.path() + "/state.db");
  const std::string here = dir.path() + "/logs";
  const std::string filler(64 * 1024, 'y');
  int written = 0;
  {
    auto log = ExecutionLog::Open(here, "chatty", "run-2", state.get());
    ASSERT_TRUE(log.ok());
    for (; written < 40; ++written) (*log)->Info("line " + std::to_string(written), {{"filler", filler}});
  }
  auto totals = state->LogTotals({"chatty"});
  ASSERT_TRUE(totals.ok());
  ASSERT_TRUE(totals->at("chatty").truncated);
  EXPECT_LT(totals->at("chatty").bytes, kMaxStoredLogBytesPerExecution + 4096);

  LogQuery q;
  q.execution = "chatty";
  // Here: the whole file, no marker, no line twice.
  auto local = Messages(state.get(), here, q);
  ASSERT_EQ(local.size(), 40u);
  EXPECT_EQ(local.front(), "line 0");
  EXPECT_EQ(local.back(), "line 39");
  // Elsewhere: what the store kept, ending in the marker.
  auto remote = Messages(state.get(), dir.path() + "/elsewhere", q);
  ASSERT_GT(remote.size(), 10u);
  ASSERT_LT(remote.size(), 40u);
  EXPECT_EQ(remote.front(), "line 0");
  EXPECT_NE(remote.back().find("log truncated in the state store"), std::string::npos);
}

// The store tests only the phrase's raw text ("rows" is also a key in every "tick" line):
// a page of its lines may hold lines the phrase rejects, and the page is filled all the same.
TEST(ExecutionLogStoreTest, AFilteredPageFromTheStoreIsFull) {
  TempDir dir;
  auto state = OpenStore(dir.path() + "/state.db");
  {
    auto log = ExecutionLog::Open(dir.path() + "/here", "daily-2", "run-2", state.get());
    ASSERT_TRUE(log.ok());
    for (int i = 0; i < 10; ++i) (*log)->Info("tick", {{"rows", i}});
    (*log)->Info("rows read");
    (*log)->Info("more rows");
  }
  const std::string there = dir.path() + "/there";
  LogQuery q;
  q.filter_pattern = "rows";
  q.limit = 1;
  EXPECT_EQ(Messages(state.get(), there, q), (std::vector<std::string>{"rows read"}));
  q.offset = 1;
  EXPECT_EQ(Messages(state.get(), there, q), (std::vector<std::string>{"more rows"}));
  q.offset = 2;
  EXPECT_TRUE(Messages(state.get(), there, q).empty());
}

}  // namespace
}  // namespace runlake::testing
