// The second adversarial tour's FAILs (issue 27, F1-F4; repros in shared/qa/2026-12-07) and
// the paper cuts of the query, gold, pointer and run paths, through the binary: each test
// failed before its fix.

#include <gtest/gtest.h>

#include "cli_runner.h"

namespace runlake::it {
namespace {

const std::string kHeader = "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n";

class Integrity : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(lake_.Rl({"init"}).exit_code, 0); }
  std::string Key(const std::string& dataset, const std::string& bronze_run, const std::string& file) const {
    return "bronze/" + dataset + "/ingest_date=2024-01-15/run_id=" + bronze_run + "/" + file + ".gz";
  }
  // Ingests `csv` for 2024-01-15 under bronze run `bronze_run`; returns its key.
  std::string Land(const std::string& file, const std::string& csv, const std::string& bronze_run,
                   const std::string& dataset = "mortgages/transactions") const {
    WriteFile(lake_.Work(file), csv);
    CmdResult r = lake_.Rl({"ingest", lake_.Work(file), "--date", "2024-01-15", "--run-id", bronze_run,
                            "--dataset", dataset});
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    return Key(dataset, bronze_run, file);
  }
  CmdResult Run(const std::string& run_key, const std::string& key, const std::string& trigger = "daily",
                const std::vector<std::string>& env = {}, const std::vector<std::string>& extra = {}) const {
    json j = json::parse(InputJson(run_key, key));
    j["trigger_source"] = trigger;
    std::string path = lake_.Work("in-" + run_key + ".json");
    WriteFile(path, j.dump());
    std::vector<std::string> args{"run", "--input", path};
    args.insert(args.end(), extra.begin(), extra.end());
    return lake_.Rl(args, env);
  }
  TestLake lake_;
};

// F1: a query is a read. Every writing statement is refused (exit 2, naming its type)
// before any statement of the text runs, and nothing in the lake or the cache changes.
TEST_F(Integrity, QueryRefusesEveryStatementThatWrites) {
  std::string k1 = Land("a.csv", kHeader + "T1,ACC1,10.00,EUR,2024-01-15T10:00:00Z\n", "b1");
  ASSERT_EQ(Run("good", k1).exit_code, 0);
  std::string k2 = Land("b.csv", kHeader + "T1,ACC1,99999.00,EUR,2024-01-15T10:00:00Z\n", "b2");
  ASSERT_EQ(Run("evil", k2, "manual_backfill").exit_code, 0);
  const std::vector<std::string> before = ListFiles(lake_.lake());
  const std::string forged = lake_.Lake("silver/mortgages/transactions/_pointer_log/0000000002.json");
  std::string part;
  for (const auto& f : before) {
    if (f.find("run_id=good/part-") != std::string::npos) part = lake_.Lake(f);
  }
  ASSERT_FALSE(part.empty());
  const std::string cache = lake_.Work("cache");
  fs::create_directories(cache);
  struct Case {
    std::string sql, type;
  };
  const std::vector<Case> cases = {
      {"COPY (SELECT 'evil' AS run_id, 2 AS version) TO '" + forged + "' (FORMAT json)", "COPY"},
      {"COPY (SELECT 1 AS x) TO '" + part + "' (FORMAT parquet)", "COPY"},
      {"COPY (SELECT 1 AS x) TO '" + cache + "/v1/x.parquet' (FORMAT parquet)", "COPY"},
      {"SELECT 1; COPY (SELECT 1 AS x) TO '" + forged + "' (FORMAT json)", "COPY"},
      {"EXPLAIN ANALYZE COPY (SELECT 1 AS x) TO '" + forged + "' (FORMAT json)", "COPY"},  // the explained statement is checked
      {"EXPORT DATABASE '" + lake_.Lake("exported") + "'", "EXPORT"},
      {"CREATE TABLE t AS SELECT 1 AS x", "CREATE"},
      {"CREATE VIEW v AS SELECT 1 AS x; SELECT * FROM v", "CREATE"},
      {"INSERT INTO silver_current SELECT * FROM silver_current", ""},  // fails to bind first: exit 2 all the same
      {"ATTACH '" + lake_.Lake("x.duckdb") + "' AS x", "ATTACH"},
      {"SET threads = 1", "SET"},
      {"PRAGMA enable_profiling", "PRAGMA"},
      {"INSTALL httpfs", "LOAD/INSTALL"},
      {"LOAD parquet", "LOAD/INSTALL"},
      {"CALL pragma_version()", "CALL"},
  };
  for (const auto& c : cases) {
    CmdResult r = lake_.Rl({"query", c.sql}, {"RUNLAKE_CACHE=" + cache});
    EXPECT_EQ(r.exit_code, 2) << c.sql << "\n" << r.Describe();
    if (!c.type.empty()) {
      EXPECT_NE(r.err.find("refused a " + c.type), std::string::npos) << c.sql << "\n" << r.Describe();
    }
  }
  EXPECT_EQ(ListFiles(lake_.lake()), before);
  EXPECT_FALSE(fs::exists(forged));
  EXPECT_TRUE(ListFiles(cache + "/v1").empty());
  EXPECT_EQ(lake_.Scalar("SELECT run_id FROM silver_current"), "good");
  // Reads still work: SELECT, FROM-first, DESCRIBE, SUMMARIZE, EXPLAIN of a SELECT.
  for (const std::string sql : {"SELECT count(*) FROM silver_current", "FROM silver_current",
                                "DESCRIBE silver_current", "SUMMARIZE silver_current",
                                "EXPLAIN SELECT * FROM silver_current", "SELECT 1; SELECT 2"}) {
    CmdResult r = lake_.Rl({"query", sql});
    EXPECT_EQ(r.exit_code, 0) << sql << "\n" << r.Describe();
  }
}

// F2: one domain's account_balances belongs to the dataset that built it; another
// dataset's build is refused and leaves it as it was, and status never calls the other
// dataset's build "up to date".
TEST_F(Integrity, GoldOfOneDatasetIsNotReplacedByAnother) {
  ASSERT_EQ(Run("ra", Land("a.csv", kHeader + "T1,ALICE,10.00,EUR,2024-01-15T10:00:00Z\n", "b1")).exit_code, 0);
  ASSERT_EQ(Run("rp", Land("p.csv", kHeader + "P1,MALLORY,5000.00,EUR,2024-01-15T10:00:00Z\n", "b1",
                           "mortgages/payments")).exit_code, 0);
  ASSERT_EQ(lake_.Rl({"gold", "build", "--dataset", "mortgages/transactions"}).exit_code, 0);
  CmdResult other = lake_.Rl({"gold", "build", "--dataset", "mortgages/payments"});
  EXPECT_EQ(other.exit_code, 1) << other.Describe();
  EXPECT_NE(other.err.find("holds a build of mortgages/transactions"), std::string::npos) << other.Describe();
  EXPECT_EQ(lake_.Scalar("SELECT string_agg(account_id, ',') FROM gold_account_balances"), "ALICE");
  json st = lake_.RlJson({"gold", "status", "--dataset", "mortgages/payments"});
  EXPECT_EQ(st.at("built_from_dataset"), "mortgages/transactions");
  EXPECT_TRUE(st.at("stale").get<bool>());
  json mine = lake_.RlJson({"gold", "status", "--dataset", "mortgages/transactions"});
  EXPECT_FALSE(mine.at("stale").get<bool>());
}

// F3 and U14: a read at a pointer version whose run was deleted is refused (gold build,
// query) with rollback's message, never an empty or partial answer.
TEST_F(Integrity, ReadsAtAVersionWithADeletedRunAreRefused) {
  std::string k = Land("a.csv", kHeader + "T1,ACC1,10.00,EUR,2024-01-15T10:00:00Z\n", "b1");
  ASSERT_EQ(Run("r1", k).exit_code, 0);
  ASSERT_EQ(Run("bf1", k, "manual_backfill").exit_code, 0);
  ASSERT_EQ(lake_.Rl({"promote", "bf1"}).exit_code, 0);   // version 2
  ASSERT_EQ(lake_.Rl({"rollback"}).exit_code, 0);         // version 3 = version 1
  ASSERT_EQ(lake_.Rl({"runs", "delete", "bf1"}).exit_code, 0);
  ASSERT_EQ(lake_.Rl({"gold", "build"}).exit_code, 0);
  EXPECT_EQ(lake_.Scalar("SELECT count(*) FROM gold_account_balances"), "1");

  CmdResult rb = lake_.Rl({"rollback", "--to", "2"});
  EXPECT_EQ(rb.exit_code, 1) << rb.Describe();
  CmdResult gold = lake_.Rl({"gold", "build", "--at-version", "2"});
  EXPECT_EQ(gold.exit_code, 1) << gold.Describe();
  CmdResult query = lake_.Rl({"query", "--at-version", "2", "SELECT count(*) FROM silver_current"});
  EXPECT_EQ(query.exit_code, 1) << query.Describe();
  for (const CmdResult* r : {&rb, &gold, &query}) {
    EXPECT_NE(r->err.find("references run 'bf1', which has been deleted"), std::string::npos) << r->Describe();
  }
  EXPECT_EQ(lake_.Scalar("SELECT count(*) FROM gold_account_balances"), "1");
  EXPECT_EQ(lake_.Rl({"query", "--at-version", "1", "SELECT count(*) FROM silver_current"}).exit_code, 0);
}

// F4: a run that published and then died is described as published, with its version,
// even after a later publish moved the pointer on.
TEST_F(Integrity, RecoveryReadsThePointerLogBeforeDeciding) {
  std::string k = Land("a.csv", kHeader + "T1,ACC1,10.00,EUR,2024-01-15T10:00:00Z\n", "b1");
  ASSERT_EQ(Run("r0", k).exit_code, 0);
  // Op 6 of a daily run is the write after its publish's pointer version: it dies there.
  CmdResult died = Run("rA", k, "daily", {"RUNLAKE_TEST_FAULT=at=6,kind=crash"});
  ASSERT_NE(died.exit_code, 0) << died.Describe();
  ASSERT_TRUE(fs::exists(lake_.Lake("silver/mortgages/transactions/_pointer_log/0000000002.json")));
  json v2 = json::parse(ReadFile(lake_.Lake("silver/mortgages/transactions/_pointer_log/0000000002.json")));
  ASSERT_EQ(v2.at("run_id"), "rA");
  ASSERT_EQ(Run("rB", k).exit_code, 0);
  json d = lake_.RlJson({"executions", "describe", "rA"});
  EXPECT_EQ(d.at("status"), "SUCCEEDED") << d.dump(2);
  EXPECT_EQ(d.at("summary").at("published"), true) << d.dump(2);
  EXPECT_EQ(d.at("summary").at("pointer_version"), 2) << d.dump(2);
  EXPECT_FALSE(d.at("summary").contains("not_published_because")) << d.dump(2);
  EXPECT_EQ(lake_.RlJson({"pointer"}).at("version"), 3);  // recovery published nothing more
}

// U5: a run whose every row is condemned has no valid rows: its gate fails.
TEST_F(Integrity, ARunWithNoValidRowsFailsItsGate) {
  WriteFile(lake_.Work("rules.json"), R"({"max_attempts": 1})");
  std::string k = Land("a.csv", kHeader + "T1,ACC1,abc,EUR,2024-01-15T10:00:00Z\nT2,ACC1,1.00,XYZ,2024-01-15T10:00:00Z\n", "b1");
  CmdResult r = Run("r1", k, "daily", {}, {"--rules", lake_.Work("rules.json")});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  json d = lake_.RlJson({"executions", "describe", "r1"});
  EXPECT_EQ(d.at("status"), "FAILED");
  EXPECT_EQ(d.at("cause"), "QualityGateFailed");
  EXPECT_EQ(lake_.Manifest("r1").at("metrics").at("condemned_rows"), 2);
  EXPECT_FALSE(fs::exists(lake_.Lake("silver/mortgages/transactions/_LATEST.json")));
}

// U3: a byte order mark glued into a record (files concatenated) is an ENCODING_ERROR,
// never part of a valid transaction_id.
TEST_F(Integrity, AByteOrderMarkInsideTheFileIsAnEncodingError) {
  std::string k = Land("a.csv", "\xEF\xBB\xBF" + kHeader + "T1,ACC1,10.00,EUR,2024-01-15T10:00:00Z\n"
                                "\xEF\xBB\xBFT2,ACC1,10.00,EUR,2024-01-15T10:00:00Z\n", "b1");
  Run("r1", k, "manual_backfill");  // half its rows rejected: committed, gate failed
  ASSERT_TRUE(lake_.HasManifest("r1"));
  EXPECT_EQ(lake_.Scalar("SELECT string_agg(transaction_id, ',') FROM silver_transactions"), "T1");
  EXPECT_EQ(lake_.Scalar("SELECT validation_error || ':' || source_line FROM quarantine"), "ENCODING_ERROR:3");
}

// U7, U8, U9, U10: bad names and inputs are exit 2, and a typo burns nothing.
TEST_F(Integrity, BadNamesAndInputsAreRefusedBeforeAnythingStarts) {
  std::string k = Land("a.csv", kHeader + "T1,ACC1,10.00,EUR,2024-01-15T10:00:00Z\n", "b1");
  CmdResult ds = lake_.Rl({"query", "--dataset", "mortgages/" + std::string(300, 'x'), "SELECT 1"});
  EXPECT_EQ(ds.exit_code, 2) << ds.Describe();
  EXPECT_EQ(ds.err.find("File name too long"), std::string::npos) << ds.Describe();
  EXPECT_LT(ds.err.size(), 400u) << ds.Describe();

  json good = json::parse(InputJson("r1", k));
  auto run_text = [&](const std::string& text, const std::vector<std::string>& extra = {}) {
    WriteFile(lake_.Work("in.json"), text);
    std::vector<std::string> args{"run", "--input", lake_.Work("in.json")};
    args.insert(args.end(), extra.begin(), extra.end());
    return lake_.Rl(args);
  };
  CmdResult longname = run_text(good.dump(), {"--name", std::string(100000, 'n')});
  EXPECT_EQ(longname.exit_code, 2) << longname.Describe().substr(0, 2000);
  EXPECT_LT(longname.err.size(), 400u);

  std::string dup = good.dump();
  dup.insert(dup.size() - 1, ",\"s3_key\":\"bronze/other.csv.gz\"");
  CmdResult d = run_text(dup);
  EXPECT_EQ(d.exit_code, 2) << d.Describe();
  EXPECT_NE(d.err.find("'s3_key' appears twice"), std::string::npos) << d.Describe();
  json null_bucket = good;
  null_bucket["s3_bucket"] = nullptr;
  EXPECT_EQ(run_text(null_bucket.dump()).exit_code, 2);
  json yesterday = good;
  yesterday["trigger_event_time"] = "yesterday";
  CmdResult y = run_text(yesterday.dump());
  EXPECT_EQ(y.exit_code, 2) << y.Describe();
  EXPECT_NE(y.err.find("trigger_event_time"), std::string::npos) << y.Describe();
  WriteFile(lake_.Work("rules.json"), R"({"max_attempts": 3, "max_attempts": 30})");
  CmdResult rules = run_text(good.dump(), {"--rules", lake_.Work("rules.json")});
  EXPECT_EQ(rules.exit_code, 2) << rules.Describe();
  EXPECT_NE(rules.err.find("'max_attempts' appears twice"), std::string::npos) << rules.Describe();

  // A typo in s3_key starts nothing, so the same name then runs the corrected input.
  json typo = good;
  typo["s3_key"] = k + "x";
  CmdResult t = run_text(typo.dump(), {"--name", "daily-2024-01-15"});
  EXPECT_EQ(t.exit_code, 2) << t.Describe();
  EXPECT_NE(t.err.find("not in the lake"), std::string::npos) << t.Describe();
  CmdResult fixed = run_text(good.dump(), {"--name", "daily-2024-01-15"});
  EXPECT_EQ(fixed.exit_code, 0) << fixed.Describe();
  // Nothing of the refused starts was recorded.
  json list = lake_.RlJson({"executions", "list"});
  ASSERT_TRUE(list.is_array()) << list.dump();
  EXPECT_EQ(list.size(), 1u) << list.dump(2);
}

// U12 and U13: a version that does not exist is bad input everywhere (exit 2); a plain
// rollback repeated walks back instead of toggling.
TEST_F(Integrity, RollbackWalksBackAndMissingVersionsAreBadInput) {
  std::string k = Land("a.csv", kHeader + "T1,ACC1,10.00,EUR,2024-01-15T10:00:00Z\n", "b1");
  ASSERT_EQ(Run("r1", k).exit_code, 0);                      // v1: r1
  ASSERT_EQ(Run("r2", k).exit_code, 0);                      // v2: r2
  ASSERT_EQ(Run("r3", k).exit_code, 0);                      // v3: r3
  EXPECT_EQ(lake_.Rl({"rollback", "--to", "99"}).exit_code, 2);
  EXPECT_EQ(lake_.Rl({"query", "--at-version", "99", "SELECT 1"}).exit_code, 2);
  EXPECT_EQ(lake_.Rl({"gold", "build", "--at-version", "99"}).exit_code, 2);
  ASSERT_EQ(lake_.Rl({"rollback"}).exit_code, 0);            // v4 = v2
  EXPECT_EQ(lake_.Scalar("SELECT run_id FROM silver_current"), "r2");
  ASSERT_EQ(lake_.Rl({"rollback"}).exit_code, 0);            // v5 = v1, not v3 again
  EXPECT_EQ(lake_.Scalar("SELECT run_id FROM silver_current"), "r1");
  CmdResult first = lake_.Rl({"rollback"});                  // nothing before v1
  EXPECT_EQ(first.exit_code, 1) << first.Describe();
}

// U19: trace before any gold build is refused, not "built from silver version 0".
TEST_F(Integrity, TraceBeforeAnyGoldBuildIsRefused) {
  ASSERT_EQ(Run("r1", Land("a.csv", kHeader + "T1,ACC1,10.00,EUR,2024-01-15T10:00:00Z\n", "b1")).exit_code, 0);
  CmdResult r = lake_.Rl({"trace", "--account", "ACC1", "--month", "2024-01"});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_NE(r.err.find("gold build"), std::string::npos) << r.Describe();
}

// U20: on a local lake, a run with a missing or wrong-size file is CORRUPT in `runs list`,
// as every query leaves it out.
TEST_F(Integrity, RunsListShowsARunWithAMissingFileAsCorrupt) {
  ASSERT_EQ(Run("r1", Land("a.csv", kHeader + "T1,ACC1,10.00,EUR,2024-01-15T10:00:00Z\n", "b1")).exit_code, 0);
  ASSERT_EQ(Run("r2", Land("b.csv", kHeader + "T2,ACC1,10.00,EUR,2024-01-15T10:00:00Z\n", "b2")).exit_code, 0);
  for (const auto& f : ListFiles(lake_.lake())) {
    if (f.find("run_id=r1/part-") != std::string::npos) fs::remove(lake_.Lake(f));
  }
  json list = lake_.RlJson({"runs", "list"});
  std::map<std::string, std::string> status;
  for (const auto& r : list) status[r.at("run_id")] = r.at("status");
  EXPECT_EQ(status["r1"], "CORRUPT") << list.dump(2);
  EXPECT_EQ(status["r2"], "ok") << list.dump(2);
}

// U25: --timeout ends a long query (exit 1), SIGINT ends it (exit 130), and neither
// leaves its scratch folder behind.
TEST_F(Integrity, QueryTimeoutAndInterruptLeaveNothingBehind) {
  ASSERT_EQ(Run("r1", Land("a.csv", kHeader + "T1,ACC1,10.00,EUR,2024-01-15T10:00:00Z\n", "b1")).exit_code, 0);
  const std::string tmp = lake_.Work("tmp");
  fs::create_directories(tmp);
  const std::string slow = "SELECT count(*) FROM range(100000000000) a WHERE a.range % 7 = 3";
  auto started = std::chrono::steady_clock::now();
  CmdResult r = lake_.Rl({"query", "--timeout", "0.5", slow}, {"TMPDIR=" + tmp});
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_NE(r.err.find("--timeout"), std::string::npos) << r.Describe();
  EXPECT_LT(took, 20.0);

  std::vector<std::string> args{Binary(), "--lake", lake_.lake(), "query", slow};
  std::vector<std::string> env = HarnessEnv();
  env.push_back("TMPDIR=" + tmp);
  pid_t pid = Spawn(args, lake_.Work("q.out"), lake_.Work("q.err"), env, lake_.work());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  kill(pid, SIGINT);
  EXPECT_EQ(WaitExit(pid), 130) << ReadFile(lake_.Work("q.err"));
  EXPECT_TRUE(ListFiles(tmp).empty());
  std::vector<std::string> dirs;
  if (fs::exists(tmp + "/runlake-staging")) {
    for (const auto& e : fs::directory_iterator(tmp + "/runlake-staging")) dirs.push_back(e.path().string());
  }
  EXPECT_TRUE(dirs.empty()) << dirs.front();
}

}  // namespace
}  // namespace runlake::it
