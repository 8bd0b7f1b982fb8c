// Operator mistakes that runlake used to take silently (issue 18, items 10-15, 18, 20):
// each is refused with a clear message and the right exit code, through the binary.

#include <gtest/gtest.h>

#include "cli_runner.h"

namespace runlake::it {
namespace {

const std::string kHeader = "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n";

class OperatorMistakes : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(lake_.Rl({"init"}).exit_code, 0); }
  // One committed, published daily run for 2024-01-15 (pointer version 1).
  void OneRun(const std::string& run_id = "R1") {
    std::string key = lake_.IngestText("d.csv", kHeader + "T1,A1,10.00,EUR,2024-01-15T01:00:00Z\n"
                                                          "T2,A2,5.00,EUR,2024-01-15T02:00:00Z\n",
                                       "2024-01-15");
    CmdResult r = lake_.RunKey(run_id, key);
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
  }
  TestLake lake_;
};

// Item 10: 0 and negative versions are bad input, never "previous" or "newest".
TEST_F(OperatorMistakes, VersionNumbersBelowOneAreRefused) {
  OneRun();
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"rollback", "--to", "0"}, {"rollback", "--to", "-1"},
        {"query", "--at-version", "0", "SELECT 1"}, {"query", "--at-version", "-1", "SELECT 1"},
        {"gold", "build", "--at-version", "-1"}, {"gold", "build", "--at-version", "0"}}) {
    CmdResult r = lake_.Rl(args);
    EXPECT_EQ(r.exit_code, 2) << args[0] << " " << r.Describe();
    EXPECT_NE(r.err.find(">= 1"), std::string::npos) << r.Describe();
  }
  // Nothing was rolled back or built.
  EXPECT_EQ(lake_.RlJson({"pointer"}).at("version"), 1);
  EXPECT_FALSE(fs::exists(lake_.Lake("gold")));
}

// Item 11: --json, --lake and --state after the subcommand (and after a nested one).
TEST_F(OperatorMistakes, GlobalOptionsAfterTheSubcommand) {
  OneRun();
  CmdResult r = RunBinary({"runs", "list", "--json", "--lake", lake_.lake()}, lake_.work());
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.Json().at(0).at("run_id"), "R1");
  std::string state = lake_.Lake("_state/runlake.sqlite");
  r = RunBinary({"executions", "list", "--lake", lake_.lake(), "--state", state, "--json"}, lake_.work());
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.Json().at(0).at("run_id"), "R1");
}

// Item 12: a folder or file that is not a lake is said to be one, exit 2, nothing created.
TEST_F(OperatorMistakes, ReadCommandsOnANonLake) {
  TempDir other;
  std::string dir = other / "empty";
  fs::create_directories(dir);
  WriteFile(other / "afile", "x");
  for (const std::string& lake : {dir, other / "afile"}) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"runs", "list"}, {"executions", "list"}, {"pointer"}, {"query", "SELECT 1"}}) {
      std::vector<std::string> full{"--lake", lake};
      full.insert(full.end(), args.begin(), args.end());
      CmdResult r = RunBinary(full, lake_.work());
      EXPECT_EQ(r.exit_code, 2) << lake << " " << args[0] << " " << r.Describe();
      EXPECT_NE(r.err.find("not a runlake lake"), std::string::npos) << r.Describe();
    }
  }
  EXPECT_TRUE(ListFiles(dir).empty());
  EXPECT_FALSE(fs::exists(dir + "/_state"));
}

TEST_F(OperatorMistakes, UnknownStateScheme) {
  CmdResult r = lake_.Rl({"--state", "mysql://x", "executions", "list"});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_NE(r.err.find("unknown scheme 'mysql://'"), std::string::npos) << r.Describe();
  EXPECT_FALSE(fs::exists(lake_.Work("mysql:")));
}

// Item 14: run_id rules, with the offending byte printed escaped.
TEST_F(OperatorMistakes, RunIdRules) {
  WriteFile(lake_.Work("d.csv"), kHeader + "T1,A1,10.00,EUR,2024-01-15T01:00:00Z\n");
  struct Case { std::string id, says; };
  for (const Case& c : {Case{"", "must not be empty"}, Case{".", "start with a letter or digit"},
                        Case{"-x", "start with a letter or digit"}, Case{"a..b", "'..'"},
                        Case{"a\xff" "b", "'\\xFF'"}}) {
    CmdResult r = lake_.Rl({"ingest", lake_.Work("d.csv"), "--date", "2024-01-15", "--run-id", c.id});
    EXPECT_EQ(r.exit_code, 2) << "[" << c.id << "] " << r.Describe();
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.Describe();
    EXPECT_EQ(r.err.find('\xff'), std::string::npos) << "raw byte in the message";
  }
  EXPECT_FALSE(fs::exists(lake_.Lake("bronze")));
  // An empty run_key in the input JSON is refused, not replaced by a timestamp.
  std::string key = lake_.Ingest(lake_.Work("d.csv"), "2024-01-15");
  WriteFile(lake_.Work("in.json"), InputJson("", key));
  CmdResult r = lake_.Rl({"run", "--input", lake_.Work("in.json")});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_NE(r.err.find("'run_key' is empty"), std::string::npos) << r.Describe();
  WriteFile(lake_.Work("in.json"), InputJson(".", key));
  r = lake_.Rl({"run", "--input", lake_.Work("in.json")});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_FALSE(fs::exists(lake_.Lake("_runs/..json")));
}

// Item 13: a zero-byte state file is not re-initialised; a malformed one is not "up to date".
TEST_F(OperatorMistakes, EmptyOrMalformedSqliteStateIsRefused) {
  OneRun();
  std::string state = lake_.Lake("_state/runlake.sqlite");
  std::string saved = ReadFile(state);
  WriteFile(state, "");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"executions", "list"}, {"state", "migrate"}}) {
    CmdResult r = lake_.Rl(args);
    EXPECT_EQ(r.exit_code, 2) << args[0] << " " << r.Describe();
    EXPECT_NE(r.err.find("empty file"), std::string::npos) << r.Describe();
    EXPECT_EQ(fs::file_size(state), 0u) << "the empty file was initialised";
  }
  // A database whose pages after the first are overwritten.
  std::string broken = saved;
  ASSERT_GT(broken.size(), 8192u);
  for (size_t i = 4096; i < broken.size(); ++i) broken[i] = static_cast<char>(0xAB);
  WriteFile(state, broken);
  CmdResult r = lake_.Rl({"state", "migrate"});
  EXPECT_NE(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out.find("up to date"), std::string::npos) << r.Describe();
  EXPECT_NE(r.err.find("malformed"), std::string::npos) << r.Describe();
  WriteFile(state, "this is not a database, just text that is long enough to look like a header\n");
  r = lake_.Rl({"state", "migrate"});
  EXPECT_NE(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out.find("up to date"), std::string::npos) << r.Describe();
}

// Item 20: a full disk says "disk full" (and is not an IOError, which is retried).
TEST_F(OperatorMistakes, FullDiskSaysDiskFull) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  CmdResult r = lake_.Rl({"sample", "/dev/full", "--rows", "100000", "--date", "2024-01-15"});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_NE(r.err.find("disk full"), std::string::npos) << r.Describe();
}

// Item 15: the input JSON is capped at 1 MiB; a directory is named as one.
TEST_F(OperatorMistakes, InputJsonCapAndDirectory) {
  std::string big = "{\"s3_key\": \"" + std::string(2 << 20, 'a') + "\"}";
  WriteFile(lake_.Work("big.json"), big);
  CmdResult r = lake_.Rl({"run", "--input", lake_.Work("big.json")});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_NE(r.err.find("1 MiB"), std::string::npos) << r.Describe();
  r = lake_.Rl({"run", "--input", lake_.Work("big.json"), "--no-wait"});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  fs::create_directories(lake_.Work("adir"));
  r = lake_.Rl({"run", "--input", lake_.Work("adir")});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_NE(r.err.find("is a directory"), std::string::npos) << r.Describe();
  EXPECT_EQ(lake_.RlJson({"executions", "list"}).size(), 0u);
}

// Item 18: two gold builds in one second get distinct run_ids (a suffix), both succeed.
TEST_F(OperatorMistakes, GoldBuildTwiceInOneSecond) {
  OneRun();
  bool suffixed = false;
  for (int pair = 0; pair < 6 && !suffixed; ++pair) {
    CmdResult a, b;
    std::thread ta([&] { a = lake_.Rl({"--json", "gold", "build"}); });
    std::thread tb([&] { b = lake_.Rl({"--json", "gold", "build"}); });
    ta.join();
    tb.join();
    ASSERT_EQ(a.exit_code, 0) << a.Describe();
    ASSERT_EQ(b.exit_code, 0) << b.Describe();
    std::string ra = a.Json().at("run_id"), rb = b.Json().at("run_id");
    EXPECT_NE(ra, rb);
    suffixed = rb == ra + "-1" || ra == rb + "-1";
  }
  EXPECT_TRUE(suffixed) << "no two builds landed in one second";
}

// Item 20, CLI points.
TEST_F(OperatorMistakes, SmallerMessages) {
  OneRun();
  CmdResult gold = lake_.Rl({"--json", "gold", "build"});
  ASSERT_EQ(gold.exit_code, 0) << gold.Describe();
  std::string gold_run = gold.Json().at("run_id");
  CmdResult r = lake_.Rl({"promote", gold_run});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.err.find("--dates"), std::string::npos) << r.Describe();
  EXPECT_NE(r.err.find("gold"), std::string::npos) << r.Describe();
  r = lake_.Rl({"rollback", "--dataset", "mortgages/account_balances"});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_NE(r.err.find("is a gold table"), std::string::npos) << r.Describe();
  r = lake_.Rl({"pointer", "--layer", "bronze"});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  r = lake_.Rl({"sample", lake_.Work("s.csv"), "--rows", "10", "--days", "0"});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_EQ(r.err.find("span_days"), std::string::npos) << r.Describe();
  EXPECT_NE(r.err.find("--days"), std::string::npos) << r.Describe();
  // executions history: the rule under the header stays narrow.
  r = lake_.Rl({"executions", "history", "R1"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  std::istringstream lines(r.out);
  std::string header, rule;
  std::getline(lines, header);
  std::getline(lines, rule);
  EXPECT_LT(rule.size(), 200u) << rule;
  // --json errors are JSON on stdout.
  r = lake_.Rl({"--json", "runs", "show", "NOPE"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.Json().at("error").at("message").get<std::string>().find("NOPE") != std::string::npos) << r.out;
  r = lake_.Rl({"--json", "rollback", "--to", "0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.Json().contains("error")) << r.out;
}

TEST_F(OperatorMistakes, MultiRunPromoteHistoryNamesEveryRun) {
  std::string k1 = lake_.IngestText("a.csv", kHeader + "T1,A1,1.00,EUR,2024-01-15T01:00:00Z\n", "2024-01-15");
  std::string k2 = lake_.IngestText("b.csv", kHeader + "T2,A1,1.00,EUR,2024-01-16T01:00:00Z\n", "2024-01-16");
  (void)k1;
  (void)k2;
  // `promote` takes one RID; a version naming several runs comes from `backfill run --promote`.
  CmdResult r = lake_.Rl({"backfill", "run", "--from", "2024-01-15", "--to", "2024-01-16", "--promote"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  r = lake_.Rl({"pointer", "--history"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  json last = lake_.RlJson({"pointer"});
  ASSERT_GE(last.at("run_ids").size(), 2u) << last.dump();
  for (const auto& id : last.at("run_ids")) {
    EXPECT_NE(r.out.find(id.get<std::string>()), std::string::npos) << id << "\n" << r.out;
  }
}

// run --no-wait of a name that already SUCCEEDED returns it and queues nothing.
TEST_F(OperatorMistakes, NoWaitOfASucceededNameDoesNotEnqueue) {
  OneRun();
  std::string key = lake_.RlJson({"runs", "show", "R1"}).at("sources").at(0).at("key");
  WriteFile(lake_.Work("again.json"), InputJson("R1", key));
  // The same input as OneRun's (RunKey writes InputJson(run_key, key)).
  CmdResult r = lake_.Rl({"run", "--input", lake_.Work("again.json"), "--no-wait"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.err.find("already SUCCEEDED"), std::string::npos) << r.Describe();
  EXPECT_EQ(lake_.RlJson({"queue", "list"}).size(), 0u);
}

}  // namespace
}  // namespace runlake::it
