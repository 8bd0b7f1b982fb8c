// The runbook (ingest, run, promote, query, rollback) through the CLI against an S3 lake
// on the test Ceph RGW. Skips unless RUNLAKE_TEST_S3_ENDPOINT is set
// (eval "$(scripts/s3-server.sh start)").

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>

#include "../integration/cli_runner.h"

namespace runlake::it {
namespace {

class S3RunbookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* endpoint = std::getenv("RUNLAKE_TEST_S3_ENDPOINT");
    const char* bucket = std::getenv("RUNLAKE_TEST_S3_BUCKET");
    if (!endpoint || !bucket) GTEST_SKIP() << "RUNLAKE_TEST_S3_ENDPOINT not set: no S3 server";
    auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    lake_ = std::string("s3://") + bucket + "/runbook-" + std::to_string(getpid()) + "-" + std::to_string(now);
  }
  CmdResult Rl(std::vector<std::string> args) {
    args.insert(args.begin(), {"--lake", lake_, "--state", dir_ / "state.sqlite"});
    return RunBinary(args, dir_.path());
  }
  json RlJson(std::vector<std::string> args) {
    args.insert(args.begin(), "--json");
    CmdResult r = Rl(args);
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    return r.exit_code == 0 ? json::parse(r.out) : json();
  }
  std::string Count(const std::string& sql) {
    json r = RlJson({"query", sql});
    return r.is_array() && !r.empty() ? r[0].begin()->dump() : "";
  }
  std::string Ingest(const std::string& csv, const std::string& date) {
    WriteFile(dir_ / ("in-" + date + ".csv"), csv);
    return RlJson({"ingest", dir_ / ("in-" + date + ".csv"), "--date", date})["key"].get<std::string>();
  }
  CmdResult Run(const std::string& run_key, const std::string& key, const std::string& trigger) {
    json in = json::parse(InputJson(run_key, key));
    in["s3_bucket"] = std::getenv("RUNLAKE_TEST_S3_BUCKET");
    in["trigger_source"] = trigger;
    WriteFile(dir_ / (run_key + ".json"), in.dump());
    return Rl({"run", "--input", dir_ / (run_key + ".json")});
  }

  TempDir dir_;
  std::string lake_;
};

const char* kHeader = "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n";

TEST_F(S3RunbookTest, IngestRunPromoteQueryRollback) {
  ASSERT_EQ(Rl({"init"}).exit_code, 0);
  std::string day = std::string(kHeader) + "T1,A1,10.00,EUR,2024-01-15T09:00:00Z\nT2,A2,2.50,GBP,2024-01-15T10:00:00Z\n";
  std::string key = Ingest(day, "2024-01-15");
  auto daily = Run("20240115T120000Z", key, "daily");
  ASSERT_EQ(daily.exit_code, 0) << daily.Describe();
  EXPECT_EQ(Count("SELECT count(*) FROM silver_current"), "2");
  EXPECT_EQ(Count("SELECT CAST(sum(amount) AS VARCHAR) FROM silver_current"), "\"12.50\"");

  // A backfill under a new run_id with GBP dropped, promoted, then rolled back.
  WriteFile(dir_ / "rules.json", R"({"currencies": ["EUR"], "gate": {"max_quarantine_rate": 0.9}})");
  json in = json::parse(InputJson("backfill-2024-01-15-20260129T150000Z", key));
  in["s3_bucket"] = std::getenv("RUNLAKE_TEST_S3_BUCKET");
  in["trigger_source"] = "manual_backfill";
  WriteFile(dir_ / "bf.json", in.dump());
  auto bf = Rl({"run", "--input", dir_ / "bf.json", "--rules", dir_ / "rules.json"});
  ASSERT_EQ(bf.exit_code, 0) << bf.Describe();
  EXPECT_EQ(Count("SELECT count(*) FROM silver_current"), "2");
  ASSERT_EQ(Rl({"promote", "backfill-2024-01-15-20260129T150000Z"}).exit_code, 0);
  EXPECT_EQ(Count("SELECT count(*) FROM silver_current"), "1");
  EXPECT_EQ(Count("SELECT count(*) FROM quarantine WHERE validation_error = 'CURRENCY_ERROR'"), "1");
  ASSERT_EQ(Rl({"rollback"}).exit_code, 0);
  EXPECT_EQ(Count("SELECT count(*) FROM silver_current"), "2");
  EXPECT_EQ(RlJson({"pointer"})["version"], 3);
  ASSERT_EQ(Rl({"gold", "build"}).exit_code, 0);
  EXPECT_EQ(Count("SELECT count(*) FROM gold_account_balances"), "2");
}

TEST_F(S3RunbookTest, WrongBucketInInputIsRefused) {
  std::string key = Ingest(std::string(kHeader) + "T1,A1,1.00,EUR,2024-01-15T09:00:00Z\n", "2024-01-15");
  json in = json::parse(InputJson("r1", key));
  in["s3_bucket"] = "some-other-bucket";
  WriteFile(dir_ / "in.json", in.dump());
  auto r = Rl({"run", "--input", dir_ / "in.json"});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_NE(r.err.find("some-other-bucket"), std::string::npos);
}

// `bronze list` on S3: the LIST of objects and of ingest records, the GETs of records,
// both listing paths (per date; the dataset prefix once for a long range).
TEST_F(S3RunbookTest, BronzeListOnS3) {
  ASSERT_EQ(Rl({"init"}).exit_code, 0);
  std::string day = std::string(kHeader) + "T1,A1,10.00,EUR,2024-01-15T09:00:00Z\n";
  WriteFile(dir_ / "d.csv", day);
  json a = RlJson({"ingest", dir_ / "d.csv", "--date", "2024-01-15", "--run-id", "20240115T120000Z"});
  json b = RlJson({"ingest", dir_ / "d.csv", "--date", "2024-01-15", "--run-id", "20240116T000000Z"});
  json c = RlJson({"ingest", dir_ / "d.csv", "--date", "2024-02-20"});
  json one = RlJson({"bronze", "list", "--date", "2024-01-15"});
  ASSERT_EQ(one["dates"].size(), 1u);
  const json& d = one["dates"][0];
  EXPECT_EQ(d["default_key"], b["key"]);
  ASSERT_EQ(d["objects"].size(), 2u);
  EXPECT_EQ(d["objects"][0]["key"], a["key"]);
  EXPECT_EQ(d["objects"][0]["sha256"], a["sha256"]);
  EXPECT_EQ(d["objects"][0]["size"], a["size"]);
  EXPECT_TRUE(d["objects"][0]["problem"].is_null()) << d.dump(2);
  json range = Rl({"--json", "bronze", "list", "--from", "2024-01-01", "--to", "2024-02-29"}).Json();
  ASSERT_EQ(range["dates"].size(), 60u);
  EXPECT_EQ(range["dates"][14], d);
  EXPECT_EQ(range["dates"][50]["default_key"], c["key"]);
  json all = RlJson({"bronze", "list"});
  EXPECT_EQ(all["dates"].size(), 2u);
}

}  // namespace
}  // namespace runlake::it
