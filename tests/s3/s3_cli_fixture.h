#pragma once
// A fixture for tests that drive `runlake` against the test Ceph RGW: a fresh lake under
// its own prefix, a sample landed in bronze, the input JSON of a run, and what a test
// asks of the lake afterwards (is a run visible, does `check` find anything). Skips unless
// RUNLAKE_TEST_S3_ENDPOINT is set (eval "$(scripts/s3-server.sh start)").

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "integration/cli_runner.h"

namespace runlake::it {

class S3CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* endpoint = std::getenv("RUNLAKE_TEST_S3_ENDPOINT");
    const char* bucket = std::getenv("RUNLAKE_TEST_S3_BUCKET");
    if (!endpoint || !bucket) GTEST_SKIP() << "RUNLAKE_TEST_S3_ENDPOINT not set: no S3 server";
    endpoint_ = endpoint;
    bucket_ = bucket;
    auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    lake_ = "s3://" + bucket_ + "/s3cli-" + std::to_string(getpid()) + "-" + std::to_string(now);
    ASSERT_EQ(Rl({"init"}).exit_code, 0);
  }

  // Every command a test runs gets these too (AWS_ENDPOINT_URL_S3 of a proxy, say).
  void AlwaysWith(std::vector<std::string> env) { env_ = std::move(env); }

  std::vector<std::string> Args(std::vector<std::string> args) {
    args.insert(args.begin(), {"--lake", lake_, "--state", dir_ / "state.sqlite"});
    return args;
  }
  CmdResult Rl(std::vector<std::string> args, std::vector<std::string> env = {}) {
    env.insert(env.begin(), env_.begin(), env_.end());
    return RunBinary(Args(std::move(args)), dir_.path(), env);
  }
  // `runlake <args>` in the background, its output in <dir>/<name>.out and .err.
  pid_t Background(const std::string& name, std::vector<std::string> args, std::vector<std::string> env = {}) {
    std::vector<std::string> argv = Args(std::move(args));
    argv.insert(argv.begin(), Binary());
    std::vector<std::string> e = HarnessEnv();
    e.insert(e.end(), env_.begin(), env_.end());
    e.insert(e.end(), env.begin(), env.end());
    return Spawn(argv, dir_ / (name + ".out"), dir_ / (name + ".err"), e);
  }

  // Lands a sample of `rows` rows for 2024-01-15 and writes the input JSON of run_key.
  std::string Prepare(const std::string& run_key, int rows) {
    std::string csv = dir_ / ("in-" + run_key + ".csv.gz");
    EXPECT_EQ(RunBinary({"sample", csv, "--rows", std::to_string(rows), "--date", "2024-01-15",
                         "--invalid-fraction", "0.01"}, dir_.path()).exit_code, 0);
    CmdResult ing = Rl({"--json", "ingest", csv, "--date", "2024-01-15", "--run-id", "b-" + run_key});
    EXPECT_EQ(ing.exit_code, 0) << ing.Describe();
    json in = json::parse(InputJson(run_key, ing.exit_code == 0 ? ing.Json().value("key", "") : ""));
    in["s3_bucket"] = bucket_;
    std::string path = dir_ / (run_key + ".json");
    WriteFile(path, in.dump());
    return path;
  }

  // scripts/s3-server.sh <what> on this test's server (RUNLAKE_S3_DIR picks it).
  int Server(const std::string& what) {
    pid_t pid = Spawn({"/bin/bash", std::string(RUNLAKE_SOURCE_DIR) + "/scripts/s3-server.sh", what},
                      dir_ / ("server-" + what + ".out"), dir_ / ("server-" + what + ".err"));
    return WaitExit(pid);
  }

  // Waits (60 s at most) until execution `name` has started its run: it is writing then.
  bool WaitUntilStarted(const std::string& name) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      CmdResult logs = Rl({"logs", "--execution", name, "--filter", "started from"});
      if (logs.exit_code == 0 && !logs.out.empty()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  // The canonical state (`pointer --json`), to compare before and after a failure.
  std::string Canonical() {
    CmdResult p = Rl({"--json", "pointer"});
    return p.exit_code == 0 ? p.out : "pointer failed: " + p.Describe();
  }
  // Rows in silver and quarantine together (what any reader would see).
  int64_t VisibleRows() {
    CmdResult q = Rl({"--json", "query", "SELECT (SELECT count(*) FROM silver_transactions) + "
                                         "(SELECT count(*) FROM quarantine) AS n"});
    EXPECT_EQ(q.exit_code, 0) << q.Describe();
    return q.exit_code == 0 ? q.Json()[0]["n"].get<int64_t>() : -1;
  }
  // `check` with nothing to repair: no finding at all, exit 0.
  void ExpectCheckClean() {
    CmdResult c = Rl({"--json", "check"});
    EXPECT_EQ(c.exit_code, 0) << c.Describe();
    if (c.exit_code == 0) {
      EXPECT_TRUE(c.Json()["findings"].empty()) << c.out;
    }
  }
  json Execution(const std::string& name) {
    CmdResult d = Rl({"--json", "executions", "describe", name});
    EXPECT_EQ(d.exit_code, 0) << d.Describe();
    return d.exit_code == 0 ? d.Json() : json::object();
  }

  TempDir dir_;
  std::string endpoint_, bucket_, lake_;
  std::vector<std::string> env_;
};

}  // namespace runlake::it
