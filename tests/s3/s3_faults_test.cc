// Faults through a whole `runlake run` against the test Ceph RGW: wrong credentials, a
// missing bucket, and the gateway stopped in the middle of a run (retries, then a clean
// failure with nothing visible). Skips unless RUNLAKE_TEST_S3_ENDPOINT is set
// (eval "$(scripts/s3-server.sh start)"). Runs serially: it stops the shared gateway.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "../integration/cli_runner.h"

namespace runlake::it {
namespace {

class S3CliFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* endpoint = std::getenv("RUNLAKE_TEST_S3_ENDPOINT");
    const char* bucket = std::getenv("RUNLAKE_TEST_S3_BUCKET");
    if (!endpoint || !bucket) GTEST_SKIP() << "RUNLAKE_TEST_S3_ENDPOINT not set: no S3 server";
    endpoint_ = endpoint;
    bucket_ = bucket;
    auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    lake_ = "s3://" + bucket_ + "/faults-" + std::to_string(getpid()) + "-" + std::to_string(now);
    ASSERT_EQ(Rl({"init"}).exit_code, 0);
  }
  std::vector<std::string> Args(std::vector<std::string> args, const std::string& lake = "") {
    args.insert(args.begin(), {"--lake", lake.empty() ? lake_ : lake, "--state", dir_ / "state.sqlite"});
    return args;
  }
  CmdResult Rl(std::vector<std::string> args, const std::vector<std::string>& env = {},
               const std::string& lake = "") {
    return RunBinary(Args(std::move(args), lake), dir_.path(), env);
  }
  // Lands a sample of `rows` rows for 2024-01-15 and writes the input JSON for run_key.
  std::string Prepare(const std::string& run_key, int rows) {
    std::string csv = dir_ / ("in-" + run_key + ".csv.gz");
    EXPECT_EQ(RunBinary({"sample", csv, "--rows", std::to_string(rows), "--date", "2024-01-15",
                         "--invalid-fraction", "0.01"}, dir_.path()).exit_code, 0);
    CmdResult ing = Rl({"--json", "ingest", csv, "--date", "2024-01-15", "--run-id", "b-" + run_key});
    EXPECT_EQ(ing.exit_code, 0) << ing.Describe();
    json in = json::parse(InputJson(run_key, ing.Json()["key"]));
    in["s3_bucket"] = bucket_;
    std::string path = dir_ / (run_key + ".json");
    WriteFile(path, in.dump());
    return path;
  }
  int Server(const std::string& what) {
    pid_t pid = Spawn({"/bin/bash", std::string(RUNLAKE_SOURCE_DIR) + "/scripts/s3-server.sh", what},
                      dir_ / ("server-" + what + ".out"), dir_ / ("server-" + what + ".err"));
    return WaitExit(pid);
  }

  TempDir dir_;
  std::string endpoint_, bucket_, lake_;
};

TEST_F(S3CliFaultTest, WrongCredentialsFailTheRunNamingEndpointAndCodeWithoutTheSecret) {
  std::string input = Prepare("creds", 50);
  const std::string secret = "wrong-secret-do-not-print-4711";
  CmdResult r = Rl({"run", "--input", input}, {"AWS_SECRET_ACCESS_KEY=" + secret});
  EXPECT_NE(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.err.find(endpoint_), std::string::npos) << r.Describe();
  EXPECT_NE(r.err.find("SignatureDoesNotMatch"), std::string::npos) << r.Describe();
  EXPECT_EQ((r.out + r.err).find(secret), std::string::npos) << r.Describe();
  CmdResult key = Rl({"run", "--input", input, "--name", "creds-2"}, {"AWS_ACCESS_KEY_ID=NOSUCHKEY0000000000"});
  EXPECT_NE(key.exit_code, 0) << key.Describe();
  EXPECT_NE(key.err.find("InvalidAccessKeyId"), std::string::npos) << key.Describe();
  // The lake cannot even be opened (its _lake.json is read first), so no execution is
  // recorded; nothing in the state store holds the secret either.
  CmdResult d = Rl({"--json", "executions", "list"});
  ASSERT_EQ(d.exit_code, 0) << d.Describe();
  EXPECT_EQ(d.out.find(secret), std::string::npos);
  for (const auto& e : d.Json()) EXPECT_NE(e.value("name", ""), "creds") << d.out;
  EXPECT_NE(Rl({"runs", "show", "creds"}).exit_code, 0);  // nothing committed
}

TEST_F(S3CliFaultTest, AMissingBucketFailsTheRunNamingTheBucket) {
  std::string input = Prepare("nobucket", 20);
  std::string lake = "s3://runlake-no-such-bucket-" + std::to_string(getpid()) + "/x";
  json in = json::parse(ReadFile(input));
  in["s3_bucket"] = "runlake-no-such-bucket-" + std::to_string(getpid());
  WriteFile(input, in.dump());
  CmdResult r = Rl({"run", "--input", input}, {}, lake);
  EXPECT_NE(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.err.find("runlake-no-such-bucket-"), std::string::npos) << r.Describe();
  EXPECT_NE(r.err.find("NoSuchBucket"), std::string::npos) << r.Describe();
}

TEST_F(S3CliFaultTest, GatewayStoppedMidRunRetriesThenFailsCleanlyWithNothingVisible) {
  std::string input = Prepare("midrun", 1500000);
  pid_t pid = Spawn({Binary(), "--lake", lake_, "--state", dir_ / "state.sqlite", "run", "--input", input},
                    dir_ / "run.out", dir_ / "run.err", {"RUNLAKE_LAKE=", "RUNLAKE_STATE="});
  // Once the run has claimed its run_id it is writing; take the endpoint away then.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  bool started = false;
  while (!started && std::chrono::steady_clock::now() < deadline) {
    CmdResult logs = Rl({"logs", "--execution", "midrun", "--filter", "started from"});
    started = logs.exit_code == 0 && !logs.out.empty();
    if (!started) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(started) << ReadFile(dir_ / "run.err");
  ASSERT_EQ(Server("gateway-stop"), 0) << ReadFile(dir_ / "server-gateway-stop.err");
  auto stopped_at = std::chrono::steady_clock::now();
  int code = WaitExit(pid);
  double failed_after = std::chrono::duration<double>(std::chrono::steady_clock::now() - stopped_at).count();
  ASSERT_EQ(Server("gateway-start"), 0) << ReadFile(dir_ / "server-gateway-start.err");

  std::string err = ReadFile(dir_ / "run.err");
  std::cout << "run failed " << failed_after << " s after the gateway stopped: " << err;
  EXPECT_EQ(code, 1) << err << ReadFile(dir_ / "run.out");
  EXPECT_LT(failed_after, 120) << "the retries must end";
  EXPECT_NE(err.find(endpoint_), std::string::npos) << err;
  json rec = json::parse(Rl({"--json", "executions", "describe", "midrun"}).out);
  EXPECT_EQ(rec["status"], "FAILED");
  EXPECT_EQ(rec["cause"], "TransientError");
  CmdResult history = Rl({"executions", "history", "midrun"});
  EXPECT_NE(history.out.find("TaskRetry"), std::string::npos) << history.out;

  // Nothing of the run is visible: no manifest, no rows in any view.
  EXPECT_NE(Rl({"runs", "show", "midrun"}).exit_code, 0);
  CmdResult q = Rl({"--json", "query", "SELECT (SELECT count(*) FROM silver_transactions) + "
                                      "(SELECT count(*) FROM quarantine) AS n"});
  ASSERT_EQ(q.exit_code, 0) << q.Describe();
  EXPECT_EQ(q.Json()[0]["n"], 0);
  // The lake works again: a new run commits.
  std::string again = Prepare("after", 100);
  CmdResult ok = Rl({"run", "--input", again});
  EXPECT_EQ(ok.exit_code, 0) << ok.Describe();
}

}  // namespace
}  // namespace runlake::it
