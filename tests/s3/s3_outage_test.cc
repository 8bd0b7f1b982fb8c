// Outages in the middle of a `runlake run` (issue 31, item 6), on the test Ceph RGW: the
// gateway restarted, and the gateway frozen (SIGSTOP) for 30 s then continued. Every S3
// request has a connect and a low-speed timeout, and retries are bounded, so the run
// either commits or fails cleanly; either way nothing half-written is visible and `check`
// finds nothing to repair. Serial: it stops the shared gateway. Skips without
// RUNLAKE_TEST_S3_ENDPOINT.

#include <gtest/gtest.h>
#include <signal.h>

#include <iostream>

#include "s3/s3_cli_fixture.h"

namespace runlake::it {
namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// radosgw's pid, from the pid file scripts/s3-server.sh keeps in RUNLAKE_S3_DIR.
pid_t GatewayPid() {
  const char* dir = std::getenv("RUNLAKE_S3_DIR");
  std::string path = (dir && *dir ? std::string(dir) : "/tmp/runlake-ceph-" + std::to_string(getuid())) +
                     "/run/client.rgw.pid";
  std::string text = ReadFile(path);
  return text.empty() ? 0 : pid_t(std::atoll(text.c_str()));
}

// Continues a stopped gateway when it goes out of scope, so a failed assertion cannot
// leave the server frozen for the tests that follow.
struct Continuer {
  pid_t pid;
  ~Continuer() { if (pid > 0) ::kill(pid, SIGCONT); }
};

class S3OutageTest : public S3CliTest {
 protected:
  void ExpectOnlyItsDeadClaimThenRepair(const std::string& run_key) {
    CmdResult c = Rl({"--json", "check"});
    ASSERT_FALSE(c.out.empty()) << c.Describe();
    for (const auto& f : c.Json()["findings"]) {
      EXPECT_EQ(f.value("kind", ""), "dead_claim") << c.out;
      EXPECT_EQ(f.value("object", ""), "_runs/_claims/" + run_key + ".json") << c.out;
    }
    CmdResult repair = Rl({"--json", "check", "--repair"});
    EXPECT_EQ(repair.exit_code, 0) << repair.Describe();
  }
  // The run either committed (all of it visible) or failed (none of it); nothing to repair.
  // `gave_up_while_down`: the run failed while the gateway was still down, so it could not
  // remove its claim; that claim (of a dead process, naming no committed run) is the one
  // finding allowed, and `check --repair` removes it.
  void ExpectCommittedOrCleanlyFailed(const std::string& run_key, int code, int64_t rows_before,
                                      const std::string& canonical_before, bool gave_up_while_down = false) {
    std::string err = ReadFile(dir_ / (run_key + ".err"));
    json rec = Execution(run_key);
    if (code == 0) {
      EXPECT_EQ(rec.value("status", ""), "SUCCEEDED") << rec.dump(2);
      EXPECT_EQ(Rl({"runs", "show", run_key}).exit_code, 0);
      EXPECT_GT(VisibleRows(), rows_before);
    } else {
      EXPECT_EQ(code, 1) << err;
      EXPECT_NE(err.find(endpoint_), std::string::npos) << err;
      EXPECT_EQ(rec.value("status", ""), "FAILED") << rec.dump(2);
      EXPECT_EQ(rec.value("cause", ""), "TransientError") << rec.dump(2);
      EXPECT_NE(Rl({"runs", "show", run_key}).exit_code, 0);
      EXPECT_EQ(VisibleRows(), rows_before);
      EXPECT_EQ(Canonical(), canonical_before);
    }
    if (code != 0 && gave_up_while_down) ExpectOnlyItsDeadClaimThenRepair(run_key);
    ExpectCheckClean();
    // And the lake works: a new run commits.
    std::string again = Prepare(run_key + "-after", 100);
    CmdResult ok = Rl({"run", "--input", again});
    EXPECT_EQ(ok.exit_code, 0) << ok.Describe();
  }
};

TEST_F(S3OutageTest, GatewayRestartedMidRunCommitsOrFailsCleanly) {
  std::string input = Prepare("restart", 300000);
  const int64_t rows = VisibleRows();
  const std::string canonical = Canonical();
  pid_t run = Background("restart", {"run", "--input", input});
  ASSERT_TRUE(WaitUntilStarted("restart")) << ReadFile(dir_ / "restart.err");
  ASSERT_EQ(Server("gateway-stop"), 0) << ReadFile(dir_ / "server-gateway-stop.err");
  auto down = Clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(3));
  ASSERT_EQ(Server("gateway-start"), 0) << ReadFile(dir_ / "server-gateway-start.err");
  std::cout << "gateway down for " << Since(down) << " s\n";
  int code = WaitExit(run);
  std::cout << "run ended with " << code << " " << Since(down) << " s after the gateway stopped:\n"
            << ReadFile(dir_ / "restart.err");
  EXPECT_LT(Since(down), 120) << "the retries must end";
  ExpectCommittedOrCleanlyFailed("restart", code, rows, canonical);
}

TEST_F(S3OutageTest, GatewayDownLongerThanTheRetriesFailsTheRunCleanly) {
  std::string input = Prepare("outlasted", 300000);
  const int64_t rows = VisibleRows();
  const std::string canonical = Canonical();
  pid_t run = Background("outlasted", {"run", "--input", input});
  ASSERT_TRUE(WaitUntilStarted("outlasted")) << ReadFile(dir_ / "outlasted.err");
  ASSERT_EQ(Server("gateway-stop"), 0) << ReadFile(dir_ / "server-gateway-stop.err");
  auto down = Clock::now();
  int code = WaitExit(run);  // the gateway stays down until the run has given up
  std::cout << "run ended with " << code << " " << Since(down) << " s after the gateway stopped:\n"
            << ReadFile(dir_ / "outlasted.err");
  ASSERT_EQ(Server("gateway-start"), 0) << ReadFile(dir_ / "server-gateway-start.err");
  EXPECT_EQ(code, 1);
  ExpectCommittedOrCleanlyFailed("outlasted", code, rows, canonical, /*gave_up_while_down=*/true);
}

TEST_F(S3OutageTest, GatewayFrozenFor30SecondsMidRunCommitsOrFailsCleanly) {
  std::string input = Prepare("frozen", 300000);
  const int64_t rows = VisibleRows();
  const std::string canonical = Canonical();
  pid_t gateway = GatewayPid();
  ASSERT_GT(gateway, 0) << "no radosgw pid file (RUNLAKE_S3_DIR?)";
  pid_t run = Background("frozen", {"run", "--input", input});
  ASSERT_TRUE(WaitUntilStarted("frozen")) << ReadFile(dir_ / "frozen.err");
  auto frozen = Clock::now();
  {
    ASSERT_EQ(::kill(gateway, SIGSTOP), 0);
    Continuer continuer{gateway};
    std::this_thread::sleep_for(std::chrono::seconds(30));
  }
  std::cout << "gateway continued after " << Since(frozen) << " s\n";
  int code = WaitExit(run);
  double took = Since(frozen);
  std::cout << "run ended with " << code << " " << took << " s after the freeze:\n" << ReadFile(dir_ / "frozen.err");
  // Bounded: a frozen server costs at most the low-speed timeout (60 s) per request and
  // the retries after it; this one came back after 30 s.
  EXPECT_LT(took, 85) << "the requests must not wait for ever";
  ExpectCommittedOrCleanlyFailed("frozen", code, rows, canonical);
}

}  // namespace
}  // namespace runlake::it
