#include "runlake/exec_log.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "common/temp_dir.h"

namespace runlake::testing {
namespace {

std::unique_ptr<ExecutionLog> OpenLog(const std::string& dir, const std::string& execution,
                                      const std::string& run_id) {
  auto log = ExecutionLog::Open(dir, execution, run_id);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return log.ok() ? std::move(log).value() : nullptr;
}

std::vector<nlohmann::json> Search(const std::string& dir, LogQuery q) {
  auto lines = SearchLogs(dir, q);
  EXPECT_TRUE(lines.ok()) << lines.status().ToString();
  return lines.ok() ? *lines : std::vector<nlohmann::json>{};
}

std::vector<std::string> Messages(const std::vector<nlohmann::json>& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines) out.push_back(l["message"]);
  return out;
}

TEST(ExecutionLogTest, WritesOneJsonObjectPerLine) {
  TempDir dir;
  auto log = OpenLog(dir.path(), "daily-2024-01-15", "20240115T120000Z");
  log->Info("ingest started", {{"s3_key", "bronze/x.csv.gz"}, {"level", "ignored"}});
  log->Warn("2 rows quarantined");
  log->Error("boom", "not an object");
  log->Metric("valid_rows", 10);
  ASSERT_TRUE(log->status().ok());

  std::ifstream in(log->path());
  std::vector<nlohmann::json> lines;
  for (std::string text; std::getline(in, text);) lines.push_back(nlohmann::json::parse(text));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0]["level"], "INFO");
  EXPECT_EQ(lines[0]["message"], "ingest started");
  EXPECT_EQ(lines[0]["run_id"], "20240115T120000Z");
  EXPECT_EQ(lines[0]["execution"], "daily-2024-01-15");
  EXPECT_EQ(lines[0]["s3_key"], "bronze/x.csv.gz");
  EXPECT_EQ(lines[0]["timestamp"].get<std::string>().size(), 24u);
  EXPECT_EQ(lines[1]["level"], "WARN");
  EXPECT_EQ(lines[2]["level"], "ERROR");
  EXPECT_EQ(lines[2]["extra"], "not an object");
  EXPECT_EQ(lines[3]["metric_name"], "valid_rows");
  EXPECT_EQ(lines[3]["metric_value"], 10.0);
  EXPECT_EQ(lines[3]["message"], "metric valid_rows=10.0");
}

TEST(ExecutionLogTest, ReopeningAppends) {
  TempDir dir;
  OpenLog(dir.path(), "x", "r1")->Info("first");
  OpenLog(dir.path(), "x", "r1")->Info("second");
  EXPECT_EQ(Messages(Search(dir.path(), {})), (std::vector<std::string>{"first", "second"}));
}

TEST(ExecutionLogTest, NamesWithSlashesStayInsideTheDirectory) {
  TempDir dir;
  EXPECT_EQ(LogFileName("bf-1/2024-01-15"), "bf-1%2F2024-01-15.jsonl");
  EXPECT_EQ(LogFileName("../etc"), "..%2Fetc.jsonl");
  EXPECT_NE(LogFileName("a/b"), LogFileName("a%2Fb"));  // '%' itself is encoded
  auto log = OpenLog(dir.path(), "bf-1/2024-01-15", "bf-1-2024-01-15");
  log->Info("hello");
  EXPECT_EQ(std::filesystem::path(log->path()).parent_path(), std::filesystem::path(dir.path()));
  auto lines = Search(dir.path(), {"", "bf-1/2024-01-15", "", 0});
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["execution"], "bf-1/2024-01-15");

  std::string long_name(300, 'n');
  std::string file = LogFileName(long_name);
  EXPECT_LE(file.size(), 255u);
  EXPECT_NE(file, LogFileName(std::string(299, 'n') + "m"));
  OpenLog(dir.path(), long_name, "r")->Info("long");
  EXPECT_EQ(Search(dir.path(), {"", long_name, "", 0}).size(), 1u);
}

TEST(ExecutionLogTest, SearchByRunIdExecutionAndFilter) {
  TempDir dir;
  auto a = OpenLog(dir.path(), "backfill-2024-01-15-20260129T150000Z",
                   "backfill-2024-01-15-20260129T150000Z");
  auto b = OpenLog(dir.path(), "daily-2024-01-16", "20240116T120000Z");
  a->Info("reading bronze/mortgages/transactions/ingest_date=2024-01-15/x.csv.gz");
  b->Info("reading bronze/mortgages/transactions/ingest_date=2024-01-16/x.csv.gz");
  a->Error("Validation failed: schema mismatch");
  b->Warn("2 rows quarantined", {{"reason", "negative amount"}});
  a->Info("done");

  EXPECT_EQ(Search(dir.path(), {}).size(), 5u);
  EXPECT_EQ(Messages(Search(dir.path(), {"20240116T120000Z", "", "", 0})),
            (std::vector<std::string>{
                "reading bronze/mortgages/transactions/ingest_date=2024-01-16/x.csv.gz",
                "2 rows quarantined"}));
  EXPECT_EQ(Search(dir.path(), {"", "backfill-2024-01-15-20260129T150000Z", "", 0}).size(), 3u);
  EXPECT_EQ(Search(dir.path(), {"", "never-ran", "", 0}).size(), 0u);
  // The runbook's query: every line mentioning the backfill.
  EXPECT_EQ(Search(dir.path(), {"", "", "backfill-2024-01-15", 0}).size(), 3u);
  // One literal phrase, in the message or one field's value (the level too); never a key,
  // nor words found apart.
  EXPECT_EQ(Messages(Search(dir.path(), {"", "", "ERROR", 0})),
            (std::vector<std::string>{"Validation failed: schema mismatch"}));
  EXPECT_EQ(Search(dir.path(), {"", "", "ERROR schema", 0}).size(), 0u);
  EXPECT_EQ(Messages(Search(dir.path(), {"", "", "schema mismatch", 0})),
            (std::vector<std::string>{"Validation failed: schema mismatch"}));
  EXPECT_EQ(Messages(Search(dir.path(), {"", "", "negative amount", 0})),
            (std::vector<std::string>{"2 rows quarantined"}));
  EXPECT_EQ(Messages(Search(dir.path(), {"", "", "\"negative amount\"", 0})),
            (std::vector<std::string>{"2 rows quarantined"}));  // CloudWatch's quotes
  EXPECT_EQ(Search(dir.path(), {"", "", "amount negative", 0}).size(), 0u);
  EXPECT_EQ(Search(dir.path(), {"", "", "reason", 0}).size(), 0u);  // a key
  EXPECT_EQ(Search(dir.path(), {"", "", "\"message\":", 0}).size(), 0u);  // punctuation
  EXPECT_EQ(Search(dir.path(), {"", "", "error", 0}).size(), 0u);  // case-sensitive
  // Limit keeps the oldest lines, in timestamp order across files.
  auto first_two = Search(dir.path(), {"", "", "reading", 1});
  ASSERT_EQ(first_two.size(), 1u);
  EXPECT_NE(first_two[0]["message"].get<std::string>().find("2024-01-15"), std::string::npos);
}

TEST(ExecutionLogTest, LinesReadAsText) {
  nlohmann::json line = {{"timestamp", "2024-01-15T12:00:00.123Z"}, {"level", "INFO"},
                         {"execution", "daily-1"}, {"run_id", "R1"},
                         {"message", "rows: \x1b[31m2\nok"}, {"rows", 2},
                         {"s3_key", "bronze/x.csv.gz"}, {"reason", "negative amount"},
                         {"empty", ""}, {"gate", {{"passed", true}}}};
  EXPECT_EQ(FormatLogLine(line),
            "2024-01-15T12:00:00.123Z INFO  daily-1 R1 rows: \\x1B[31m2\\nok empty=\"\" "
            "gate={\"passed\":true} reason=\"negative amount\" rows=2 s3_key=bronze/x.csv.gz");
  EXPECT_TRUE(LogLineMatches(line, "\"passed\":true"));  // a nested value reads as JSON
  EXPECT_TRUE(LogLineMatches(line, "2"));
  EXPECT_FALSE(LogLineMatches(line, "s3_key"));
  EXPECT_TRUE(LogLineMatches(line, ""));
}

TEST(ExecutionLogTest, ResultsAreOrderedByTimestampAcrossFiles) {
  TempDir dir;
  std::ofstream(dir.path() + "/b.jsonl")
      << R"({"timestamp":"2026-01-29T15:00:00.300Z","message":"3","execution":"b"})" "\n"
      << R"({"timestamp":"2026-01-29T15:00:00.100Z","message":"1","execution":"b"})" "\n";
  std::ofstream(dir.path() + "/a.jsonl")
      << R"({"timestamp":"2026-01-29T15:00:00.200Z","message":"2","execution":"a"})" "\n";
  EXPECT_EQ(Messages(Search(dir.path(), {})), (std::vector<std::string>{"1", "2", "3"}));
}

TEST(ExecutionLogTest, CorruptLinesAreSkipped) {
  TempDir dir;
  OpenLog(dir.path(), "x", "r1")->Info("good one");
  {
    std::ofstream out(dir.path() + "/x.jsonl", std::ios::app);
    out << "{\"timestamp\":\"2026-01-29T15:00:00.000Z\",\"message\":\"torn\n"  // torn write
        << "not json at all\n"
        << "[1,2,3]\n"
        << "\n";
  }
  std::ofstream(dir.path() + "/notes.txt") << "ignored: not a .jsonl file\n";
  OpenLog(dir.path(), "x", "r1")->Info("good two");
  EXPECT_EQ(Messages(Search(dir.path(), {})), (std::vector<std::string>{"good one", "good two"}));
}

TEST(ExecutionLogTest, MissingDirectoryHasNoLines) {
  auto lines = SearchLogs("/nonexistent/runlake/logs", {});
  ASSERT_TRUE(lines.ok());
  EXPECT_TRUE(lines->empty());
}

TEST(ExecutionLogTest, ConcurrentWritersNeverInterleave) {
  TempDir dir;
  constexpr int kProcesses = 4, kThreads = 4, kLines = 200;
  std::string payload(3000, 'p');  // large lines make torn writes likelier if any
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      std::vector<std::thread> threads;
      for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
          auto log = ExecutionLog::Open(dir.path(), "shared", "r");
          for (int i = 0; log.ok() && i < kLines; ++i) {
            (*log)->Info(payload, {{"p", p}, {"t", t}, {"i", i}});
          }
        });
      }
      for (auto& t : threads) t.join();
      _exit(0);
    }
    children.push_back(pid);
  }
  for (pid_t child : children) waitpid(child, nullptr, 0);
  std::ifstream in(dir.path() + "/" + LogFileName("shared"));
  int lines = 0;
  for (std::string text; std::getline(in, text); ++lines) {
    auto line = nlohmann::json::parse(text, nullptr, false);
    ASSERT_FALSE(line.is_discarded()) << "torn line " << lines;
    ASSERT_EQ(line["message"], payload);
  }
  EXPECT_EQ(lines, kProcesses * kThreads * kLines);
}

TEST(ExecutionLogTest, InvalidUtf8DoesNotThrow) {
  TempDir dir;
  auto log = OpenLog(dir.path(), "x", "r");
  log->Info(std::string("bad \xff byte"));
  EXPECT_EQ(Search(dir.path(), {}).size(), 1u);
}

TEST(ExecutionLogTest, EmptyNameIsInvalid) {
  TempDir dir;
  EXPECT_TRUE(ExecutionLog::Open(dir.path(), "", "r").status().IsInvalidArgument());
}

}  // namespace
}  // namespace runlake::testing
