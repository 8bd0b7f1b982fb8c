// Executions: idempotent names, list/describe/history, and the structured logs.

#include <gtest/gtest.h>

#include "cli_runner.h"

namespace runlake::it {
namespace {

const std::string kCsv = "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n"
                         "E1,A,1.00,EUR,2024-01-05T10:00:00Z\n"
                         "E2,A,2.00,EUR,2024-01-05T11:00:00Z\n";

TEST(Executions, SameNameSameInputReturnsExisting) {
  TestLake lake;
  std::string key = lake.IngestText("e.csv", kCsv, "2024-01-05");
  std::string input = lake.Work("in.json");
  WriteFile(input, InputJson("ex-run-1", key));
  CmdResult first = lake.Rl({"run", "--input", input, "--name", "daily-2024-01-05"});
  ASSERT_EQ(first.exit_code, 0) << first.Describe();
  std::string manifest = ReadFile(lake.Lake("_runs/ex-run-1.json"));

  // A byte-identical copy of the input is the same input.
  std::string copy = lake.Work("copy.json");
  WriteFile(copy, ReadFile(input));
  CmdResult again = lake.Rl({"--json", "run", "--input", copy, "--name", "daily-2024-01-05"});
  EXPECT_EQ(again.exit_code, 0) << again.Describe();
  json j = json::parse(again.out);
  EXPECT_EQ(j["created"], false);
  EXPECT_EQ(j["status"], "SUCCEEDED");
  EXPECT_EQ(j["run_id"], "ex-run-1");
  EXPECT_EQ(lake.RlJson({"runs", "list"}).size(), 1u) << "no second run";
  EXPECT_EQ(ReadFile(lake.Lake("_runs/ex-run-1.json")), manifest);
  EXPECT_EQ(lake.RlJson({"executions", "list"}).size(), 1u);
  json hist = lake.RlJson({"executions", "history", "daily-2024-01-05"});
  int started = 0;
  for (const auto& e : hist) started += e["type"] == "ExecutionStarted";
  EXPECT_EQ(started, 1);

  CmdResult text = lake.Rl({"run", "--input", copy, "--name", "daily-2024-01-05"});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("already exists"), std::string::npos) << text.out;
}

TEST(Executions, SameNameDifferentInputIsRefused) {
  TestLake lake;
  std::string key = lake.IngestText("e.csv", kCsv, "2024-01-05");
  WriteFile(lake.Work("a.json"), InputJson("ex-a", key));
  WriteFile(lake.Work("b.json"), InputJson("ex-b", key));
  ASSERT_EQ(lake.Rl({"run", "--input", lake.Work("a.json"), "--name", "N"}).exit_code, 0);
  CmdResult r = lake.Rl({"run", "--input", lake.Work("b.json"), "--name", "N"});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_NE(r.err.find("N"), std::string::npos);
  EXPECT_NE(r.err.find("input"), std::string::npos) << "the message should say the input differs: " << r.err;
  EXPECT_FALSE(lake.HasManifest("ex-b"));
  EXPECT_EQ(lake.RlJson({"runs", "list"}).size(), 1u);
  json e = lake.RlJson({"executions", "describe", "N"});
  EXPECT_EQ(e["run_id"], "ex-a");
  EXPECT_EQ(e["status"], "SUCCEEDED");
}

TEST(Executions, FailedExecutionIsReturnedNotRerun) {
  TestLake lake;
  // A bronze object whose header lacks the schema's columns: the execution starts and fails.
  // (A key that names no object starts nothing: Integrity.BadNamesAndInputsAreRefused...)
  std::string key = lake.IngestText("bad.csv", "Foo,Bar\n1,2\n", "2024-01-05");
  std::string input = lake.Work("missing.json");
  WriteFile(input, InputJson("ex-missing", key));
  CmdResult first = lake.Rl({"run", "--input", input});
  EXPECT_EQ(first.exit_code, 2) << first.Describe();
  json e = lake.RlJson({"executions", "describe", "ex-missing"});
  EXPECT_EQ(e["status"], "FAILED");
  EXPECT_FALSE(e["cause"].get<std::string>().empty());
  CmdResult again = lake.Rl({"run", "--input", input});
  EXPECT_NE(again.exit_code, 0) << "exit per the existing execution's status";
  json hist = lake.RlJson({"executions", "history", "ex-missing"});
  int started = 0;
  for (const auto& ev : hist) started += ev["type"] == "ExecutionStarted";
  EXPECT_EQ(started, 1);
}

TEST(Executions, ListDescribeHistoryTextAndJson) {
  TestLake lake;
  std::string key = lake.IngestText("e.csv", kCsv, "2024-01-05");
  ASSERT_EQ(lake.RunKey("exl-1", key, {"--name", "first"}).exit_code, 0);
  ASSERT_EQ(lake.RunKey("exl-2", key, {"--name", "second"}).exit_code, 0);

  json list = lake.RlJson({"executions", "list"});
  ASSERT_EQ(list.size(), 2u);
  std::set<std::string> names;
  for (const auto& e : list) {
    names.insert(e["name"]);
    EXPECT_EQ(e["status"], "SUCCEEDED");
    for (const char* k : {"arn", "run_id", "start_time", "stop_time", "input_json"}) EXPECT_TRUE(e.contains(k)) << k;
  }
  EXPECT_EQ(names, (std::set<std::string>{"first", "second"}));
  json filtered = lake.RlJson({"executions", "list", "--status", "FAILED"});
  EXPECT_TRUE(filtered.empty());
  CmdResult bad_status = lake.Rl({"executions", "list", "--status", "BOGUS"});
  EXPECT_EQ(bad_status.exit_code, 2);

  CmdResult text = lake.Rl({"executions", "list"});
  ASSERT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("first"), std::string::npos);
  EXPECT_NE(text.out.find("SUCCEEDED"), std::string::npos);

  json d = lake.RlJson({"executions", "describe", "first"});
  EXPECT_EQ(d["name"], "first");
  EXPECT_EQ(d["run_id"], "exl-1");
  EXPECT_EQ(d["arn"], "arn:runlake:states:local:execution:runlake:first");
  EXPECT_EQ(d["summary"]["metrics"]["valid_rows"], 2);
  EXPECT_EQ(json::parse(d["input_json"].get<std::string>())["run_key"], "exl-1");
  CmdResult dt = lake.Rl({"executions", "describe", "first"});
  EXPECT_NE(dt.out.find("SUCCEEDED"), std::string::npos);
  EXPECT_NE(dt.out.find("exl-1"), std::string::npos);

  json h = lake.RlJson({"executions", "history", "first"});
  ASSERT_GE(h.size(), 2u);
  EXPECT_EQ(h.front()["type"], "ExecutionStarted");
  EXPECT_EQ(h.back()["type"], "ExecutionSucceeded");
  for (size_t i = 0; i < h.size(); ++i) EXPECT_EQ(h[i]["id"], static_cast<int>(i) + 1);
  CmdResult ht = lake.Rl({"executions", "history", "first"});
  EXPECT_NE(ht.out.find("ExecutionSucceeded"), std::string::npos);

  CmdResult missing = lake.Rl({"executions", "describe", "nobody"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("nobody"), std::string::npos);
  CmdResult missing_h = lake.Rl({"executions", "history", "nobody"});
  EXPECT_NE(missing_h.exit_code, 0) << "history of an unknown execution: " << missing_h.Describe();
}

TEST(Executions, LogsByRunIdExecutionAndFilter) {
  TestLake lake;
  std::string key = lake.IngestText("e.csv", kCsv, "2024-01-05");
  ASSERT_EQ(lake.RunKey("log-1", key, {"--name", "logged"}).exit_code, 0);
  ASSERT_EQ(lake.RunKey("log-2", key, {"--name", "other"}).exit_code, 0);

  CmdResult by_run = lake.Rl({"--json", "logs", "--run-id", "log-1"});
  ASSERT_EQ(by_run.exit_code, 0) << by_run.Describe();
  json lines = by_run.Json();
  ASSERT_FALSE(lines.empty());
  bool metric_seen = false;
  for (const auto& l : lines) {
    for (const char* k : {"timestamp", "level", "message", "run_id", "execution"}) {
      EXPECT_TRUE(l.contains(k)) << k << " missing in " << l.dump();
    }
    EXPECT_EQ(l["run_id"], "log-1");
    EXPECT_EQ(l["execution"], "logged");
    if (l.contains("metric_name")) {
      metric_seen = true;
      EXPECT_TRUE(l["metric_value"].is_number()) << l.dump();
      if (l["metric_name"] == "valid_rows") {
        EXPECT_EQ(l["metric_value"].get<double>(), 2.0);
      }
    }
  }
  EXPECT_TRUE(metric_seen) << by_run.out;

  json by_exec = lake.RlJson({"logs", "--execution", "other"});
  ASSERT_FALSE(by_exec.empty());
  for (const auto& l : by_exec) EXPECT_EQ(l["execution"], "other");

  json filtered = lake.RlJson({"logs", "--filter", "valid_rows", "--run-id", "log-2"});
  ASSERT_TRUE(filtered.is_array());
  ASSERT_FALSE(filtered.empty());
  for (const auto& l : filtered) {
    EXPECT_EQ(l["run_id"], "log-2");
    EXPECT_NE(l.dump().find("valid_rows"), std::string::npos);
  }
  json none = lake.RlJson({"logs", "--filter", "no-such-term-anywhere"});
  EXPECT_TRUE(none.empty());
  json phrase = lake.RlJson({"logs", "--filter", "\"execution succeeded\""});
  EXPECT_EQ(phrase.size(), 2u) << phrase.dump();
}

}  // namespace
}  // namespace runlake::it
