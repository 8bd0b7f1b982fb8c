// The runbook's own `aws s3` command lines (Step 1's bronze listing, Step 5's `_SUCCESS`
// check, the cleanup's run listing) on a runlake S3 lake, with Debian's AWS CLI through
// tests/s3/bin/aws (which adds --endpoint-url). Skips unless RUNLAKE_TEST_S3_ENDPOINT is
// set (eval "$(scripts/s3-server.sh start)", which also installs awscli and jq).

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>

#include "../integration/cli_runner.h"

namespace runlake::it {
namespace {

class AwsCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* endpoint = std::getenv("RUNLAKE_TEST_S3_ENDPOINT");
    const char* bucket = std::getenv("RUNLAKE_TEST_S3_BUCKET");
    if (!endpoint || !bucket) GTEST_SKIP() << "RUNLAKE_TEST_S3_ENDPOINT not set: no S3 server";
    ASSERT_TRUE(fs::exists("/usr/bin/aws") && fs::exists("/usr/bin/jq"))
        << "needs Debian's awscli and jq (scripts/s3-server.sh start installs them)";
    bucket_ = bucket;
    auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    prefix_ = "awscli-" + std::to_string(getpid()) + "-" + std::to_string(now);
    lake_ = "s3://" + bucket_ + "/" + prefix_;
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
  // Runs a shell command line with tests/s3/bin first on PATH, so `aws` is the wrapper.
  CmdResult Shell(const std::string& line) {
    std::string out = dir_ / ".sh.out", err = dir_ / ".sh.err";
    std::string path = std::string("PATH=") + RUNLAKE_SOURCE_DIR + "/tests/s3/bin:/usr/bin:/bin";
    pid_t pid = Spawn({"/bin/bash", "-o", "pipefail", "-c", line}, out, err, {path}, dir_.path());
    CmdResult r;
    r.exit_code = WaitExit(pid);
    r.out = ReadFile(out);
    r.err = ReadFile(err);
    return r;
  }
  std::string Url(const std::string& rest) const { return "s3://" + bucket_ + "/" + prefix_ + "/" + rest; }

  TempDir dir_;
  std::string bucket_, prefix_, lake_;
};

// 25 valid rows and one bad currency: under the default gate (quarantine rate < 5%), so the
// daily run publishes itself.
std::string Day() {
  std::string csv = "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n";
  for (int i = 1; i <= 25; ++i) {
    csv += "T" + std::to_string(i) + ",A" + std::to_string(i % 4) + ",10.00,EUR,2024-01-15T09:00:00Z\n";
  }
  return csv + "T99,A1,1.00,XXX,2024-01-15T11:00:00Z\n";
}

TEST_F(AwsCliTest, RunbookCommandLinesSeeTheLake) {
  ASSERT_EQ(Rl({"init"}).exit_code, 0);
  WriteFile(dir_ / "day.csv", Day());
  json ingested = RlJson({"ingest", dir_ / "day.csv", "--date", "2024-01-15"});
  const std::string key = ingested["key"];
  json in = json::parse(InputJson("20240115T120000Z", key));
  in["s3_bucket"] = bucket_;
  WriteFile(dir_ / "in.json", in.dump());
  CmdResult run = Rl({"--json", "run", "--input", dir_ / "in.json"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  const std::string rid = "20240115T120000Z";

  // Step 1: "verify bronze data exists".
  CmdResult bronze = Shell("aws s3 ls " + Url("bronze/mortgages/transactions/ingest_date=2024-01-15/") +
                           " --recursive");
  ASSERT_EQ(bronze.exit_code, 0) << bronze.Describe();
  ASSERT_NE(key.find("bronze/"), std::string::npos) << key;
  EXPECT_NE(bronze.out.find(key.substr(key.find("bronze/"))), std::string::npos) << bronze.out;
  EXPECT_NE(bronze.out.find(" " + std::to_string(ingested["size"].get<long>()) + " "),
            std::string::npos)
      << bronze.out;

  // Step 5: the run's valid row count from its _SUCCESS marker.
  const std::string run_dir =
      Url("silver/mortgages/transactions/year=2024/month=01/schema_v=v1/run_id=" + rid + "/");
  CmdResult valid = Shell("aws s3 cp " + run_dir + "_SUCCESS - | jq '.metrics.valid_rows'");
  ASSERT_EQ(valid.exit_code, 0) << valid.Describe();
  EXPECT_EQ(valid.out, "25\n");

  // Cleanup's "list the run's files": every part file the manifest lists, and _SUCCESS.
  CmdResult files = Shell("aws s3 ls " + run_dir + " --recursive");
  ASSERT_EQ(files.exit_code, 0) << files.Describe();
  json manifest = RlJson({"runs", "show", rid});
  int parts = 0;
  for (const auto& f : manifest["files"]) {
    if (f["layer"] != "silver") continue;
    ++parts;
    std::string path = f["key"];  // relative to the lake
    EXPECT_NE(files.out.find(prefix_ + "/" + path), std::string::npos) << path << "\n" << files.out;
  }
  EXPECT_GE(parts, 1) << manifest.dump(2);
  EXPECT_NE(files.out.find("run_id=" + rid + "/_SUCCESS"), std::string::npos) << files.out;

  // The pointer, as the runbook reads it before editing it by hand.
  CmdResult latest = Shell("aws s3 cp " + Url("silver/mortgages/transactions/_LATEST.json") +
                           " - | jq '.version'");
  ASSERT_EQ(latest.exit_code, 0) << latest.Describe();
  EXPECT_EQ(latest.out, std::to_string(RlJson({"pointer"})["version"].get<int>()) + "\n");
}

}  // namespace
}  // namespace runlake::it
