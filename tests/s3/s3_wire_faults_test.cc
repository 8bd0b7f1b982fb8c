// The error taxonomy (issue 26) on the wire, through the binary: runlake talks to the test
// RGW through a faulting proxy (fault_proxy.h) that answers silver writes with what a
// real S3 gives when it is busy or broken. A fault that passes is retried by the S3
// client and the run commits; one that lasts beyond the client's attempts and the run's
// ends the execution FAILED with exit 1, a message naming the endpoint and the status,
// and nothing of the run visible. Skips without RUNLAKE_TEST_S3_ENDPOINT.

#include <gtest/gtest.h>

#include "s3/fault_proxy.h"
#include "s3/s3_cli_fixture.h"

namespace runlake::it {
namespace {

class S3WireFaultTest : public S3CliTest {
 protected:
  void SetUp() override {
    S3CliTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    std::string error;
    proxy_ = FaultProxy::Start(endpoint_, &error);
    ASSERT_TRUE(proxy_) << error;
    // AWS_ENDPOINT_URL_S3 wins over the AWS_ENDPOINT_URL of scripts/s3-server.sh env.
    AlwaysWith({"AWS_ENDPOINT_URL_S3=" + proxy_->endpoint()});
  }
  void TearDown() override { proxy_.reset(); }

  // The proxy's lines that match `needle` (its log, for a failure message too).
  int Seen(const std::string& needle, std::string* all = nullptr) {
    int n = 0;
    for (const auto& line : proxy_->Log()) {
      n += line.find(needle) != std::string::npos;
      if (all) *all += line + "\n";
    }
    return n;
  }

  // Runs `run_key` with `rule` in force on its silver PUTs; expects it to commit.
  void ExpectRetriedAndCommitted(const std::string& run_key, FaultRule rule, const std::string& fault_line) {
    std::string input = Prepare(run_key, 2000);
    rule.method = "PUT";
    rule.target_contains = "/silver/";
    proxy_->Inject(rule);
    CmdResult r = Rl({"run", "--input", input});
    proxy_->Clear();
    std::string log;
    int faulted = Seen(fault_line, &log);
    ASSERT_EQ(r.exit_code, 0) << r.Describe() << "\nproxy:\n" << log;
    EXPECT_EQ(faulted, rule.count) << log;  // the faults happened, on silver writes
    EXPECT_EQ(Execution(run_key).value("status", ""), "SUCCEEDED");
    // The S3 client absorbed the fault: the run itself was not tried again.
    CmdResult history = Rl({"executions", "history", run_key});
    EXPECT_EQ(history.out.find("TaskRetry"), std::string::npos) << history.out;
    EXPECT_EQ(Rl({"runs", "show", run_key}).exit_code, 0);
    CmdResult runs = Rl({"runs", "list"});
    EXPECT_NE(runs.out.find(run_key), std::string::npos) << runs.Describe();
    EXPECT_GT(VisibleRows(), 0);
    ExpectCheckClean();
  }

  std::unique_ptr<FaultProxy> proxy_;
};

TEST_F(S3WireFaultTest, A503SlowDownOnASilverWriteIsRetriedAndTheRunCommits) {
  ExpectRetriedAndCommitted("slow-1", {.fault = Fault::kSlowDown503, .count = 2}, "-> 503 SlowDown");
}

TEST_F(S3WireFaultTest, A500InternalErrorOnASilverWriteIsRetriedAndTheRunCommits) {
  ExpectRetriedAndCommitted("internal-1", {.fault = Fault::kInternal500, .count = 2}, "-> 500 InternalError");
}

TEST_F(S3WireFaultTest, AConnectionResetOnASilverWriteIsRetriedAndTheRunCommits) {
  ExpectRetriedAndCommitted("reset-1", {.fault = Fault::kReset, .count = 2}, "-> reset");
}

// The run's first try fails on its silver write (503s beyond the client's attempts) and
// cannot remove its claim (the DELETE fails too, as when the gateway is down); S3 is
// fine again for the second try, which must take over its own claim, not refuse the
// run_id as taken by "an uncommitted run".
TEST_F(S3WireFaultTest, ATryAfterOneThatCouldNotRemoveItsClaimTakesItOverAndCommits) {
  std::string input = Prepare("again-1", 2000);
  proxy_->Inject({.fault = Fault::kSlowDown503, .count = 6, .method = "PUT", .target_contains = "/silver/"});
  proxy_->Inject({.fault = Fault::kSlowDown503, .count = 6, .method = "DELETE", .target_contains = "/_claims/"});
  CmdResult r = Rl({"run", "--input", input});
  proxy_->Clear();
  std::string log;
  int faulted = Seen("-> 503 SlowDown", &log);
  ASSERT_EQ(r.exit_code, 0) << r.Describe() << "\nproxy:\n" << log;
  EXPECT_EQ(faulted, 12) << log;
  EXPECT_EQ(Execution("again-1").value("status", ""), "SUCCEEDED");
  CmdResult history = Rl({"executions", "history", "again-1"});
  EXPECT_NE(history.out.find("TaskRetry"), std::string::npos) << history.out;
  EXPECT_EQ(Rl({"runs", "show", "again-1"}).exit_code, 0);
  EXPECT_GT(VisibleRows(), 0);
  ExpectCheckClean();
}

// Worse: the commit is done but its answer is lost, and every request that could tell
// (the put-if-absent's retries and its HEADs and GETs of the manifest) fails after it, so
// the try ends Unavailable. The run is committed: its files must stay (deleting them would
// leave a visible manifest naming missing files), and the next try finds the manifest and
// ends the execution SUCCEEDED instead of refusing its own run_id.
TEST_F(S3WireFaultTest, ACommitWhoseOutcomeCouldNotBeLearnedIsFoundByTheNextTry) {
  std::string input = Prepare("unknown-1", 2000);
  proxy_->Inject({.fault = Fault::kDropAnswer, .count = 1, .method = "PUT", .target_contains = "/_runs/unknown-1.json"});
  // The put-if-absent's own attempts (6): a HEAD and a ranged GET after the first, a PUT,
  // a HEAD and a GET after each of the 5 others.
  proxy_->Inject({.fault = Fault::kSlowDown503, .count = 17, .target_contains = "/_runs/unknown-1.json"});
  CmdResult r = Rl({"run", "--input", input});
  proxy_->Clear();
  std::string log;
  Seen("->", &log);
  ASSERT_EQ(r.exit_code, 0) << r.Describe() << "\nproxy:\n" << log;
  EXPECT_EQ(Seen("-> done, answer dropped"), 1) << log;
  EXPECT_EQ(Execution("unknown-1").value("status", ""), "SUCCEEDED");
  CmdResult history = Rl({"executions", "history", "unknown-1"});
  EXPECT_NE(history.out.find("TaskRetry"), std::string::npos) << history.out;
  CmdResult runs = Rl({"runs", "list"});
  EXPECT_NE(runs.out.find("unknown-1"), std::string::npos) << runs.out;
  EXPECT_EQ(runs.out.find("CORRUPT"), std::string::npos) << runs.out;
  EXPECT_GT(VisibleRows(), 0);
  ExpectCheckClean();
}

// Readers retry too: a query whose LISTs and GETs meet 503s and resets answers as it does
// without them (RUNLAKE_CACHE=off, so the Parquet files are fetched through the proxy).
TEST_F(S3WireFaultTest, AQueryRetriesBusyAndResetReadsAndAnswersTheSame) {
  std::string input = Prepare("read-1", 2000);
  ASSERT_EQ(Rl({"run", "--input", input}).exit_code, 0);
  const std::string sql = "SELECT count(*) AS n, sum(amount) AS total FROM silver_transactions";
  CmdResult clean = Rl({"--json", "query", sql}, {"RUNLAKE_CACHE=off"});
  ASSERT_EQ(clean.exit_code, 0) << clean.Describe();
  for (FaultRule rule : {FaultRule{.fault = Fault::kSlowDown503, .count = 3, .method = "GET"},
                         FaultRule{.fault = Fault::kReset, .count = 3, .method = "GET"},
                         FaultRule{.fault = Fault::kInternal500, .count = 2, .method = "GET",
                                   .target_contains = "list-type"}}) {
    int before = proxy_->faults();
    proxy_->Inject(rule);
    CmdResult faulted = Rl({"--json", "query", sql}, {"RUNLAKE_CACHE=off"});
    proxy_->Clear();
    std::string log;
    Seen("->", &log);
    ASSERT_EQ(faulted.exit_code, 0) << faulted.Describe() << "\nproxy:\n" << log;
    EXPECT_EQ(proxy_->faults() - before, rule.count) << log;
    EXPECT_EQ(faulted.out, clean.out);
  }
}

// A write RGW did whose answer is lost (the connection reset after it): the client tries
// again. A put-if-absent (the claim, the manifest that commits, a pointer version) then
// finds the object there and its token says it is ours; a plain put writes the same bytes
// again. Either way the run commits once: one manifest, one pointer version naming it.
class S3LostAnswerTest : public S3WireFaultTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(S3LostAnswerTest, TheRunCommitsOnce) {
  std::string input = Prepare("lost-1", 2000);
  proxy_->Inject({.fault = Fault::kDropAnswer, .count = 1, .method = "PUT", .target_contains = GetParam()});
  CmdResult r = Rl({"run", "--input", input});
  proxy_->Clear();
  std::string log;
  int dropped = Seen("-> done, answer dropped", &log);
  ASSERT_EQ(r.exit_code, 0) << r.Describe() << "\nproxy:\n" << log;
  EXPECT_EQ(dropped, 1) << log;
  EXPECT_EQ(Execution("lost-1").value("status", ""), "SUCCEEDED");
  CmdResult history = Rl({"executions", "history", "lost-1"});
  EXPECT_EQ(history.out.find("TaskRetry"), std::string::npos) << history.out;
  EXPECT_EQ(Rl({"runs", "show", "lost-1"}).exit_code, 0);
  CmdResult versions = Rl({"--json", "pointer", "--history"});
  ASSERT_EQ(versions.exit_code, 0) << versions.Describe();
  EXPECT_EQ(versions.Json().size(), 1u) << versions.out;
  EXPECT_NE(versions.out.find("lost-1"), std::string::npos) << versions.out;
  EXPECT_GT(VisibleRows(), 0);
  ExpectCheckClean();
}

INSTANTIATE_TEST_SUITE_P(Writes, S3LostAnswerTest,
                         ::testing::Values("/_runs/_claims/lost-1.json", "/silver/", "/_runs/lost-1.json",
                                           "/_pointer_log/", "/_LATEST.json", "/catalog/"));

TEST_F(S3WireFaultTest, A503ThatOutlastsTheRetriesFailsTheRunWithNothingVisible) {
  // A committed run first: the canonical state the failure must leave as it was.
  std::string base = Prepare("base-1", 500);
  ASSERT_EQ(Rl({"run", "--input", base}).exit_code, 0);
  const std::string canonical = Canonical();
  const int64_t rows = VisibleRows();

  std::string input = Prepare("busy-1", 2000);
  proxy_->Inject({.fault = Fault::kSlowDown503, .count = -1, .method = "PUT", .target_contains = "/silver/"});
  auto t0 = std::chrono::steady_clock::now();
  CmdResult r = Rl({"run", "--input", input});
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  proxy_->Clear();

  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_LT(took, 60) << "the retries must end";
  EXPECT_NE(r.err.find(proxy_->endpoint()), std::string::npos) << r.err;  // which server
  EXPECT_NE(r.err.find("SlowDown (HTTP 503)"), std::string::npos) << r.err;  // what it said
  EXPECT_GE(Seen("-> 503 SlowDown"), 6) << "the client's attempts, at least";
  json rec = Execution("busy-1");
  EXPECT_EQ(rec.value("status", ""), "FAILED") << rec.dump(2);
  EXPECT_EQ(rec.value("cause", ""), "TransientError") << rec.dump(2);
  CmdResult history = Rl({"executions", "history", "busy-1"});
  EXPECT_NE(history.out.find("TaskRetry"), std::string::npos) << "the run is tried again:\n" << history.out;

  // Nothing of it is visible, and nothing is left behind to repair.
  EXPECT_NE(Rl({"runs", "show", "busy-1"}).exit_code, 0);
  EXPECT_EQ(Canonical(), canonical);
  EXPECT_EQ(VisibleRows(), rows);
  ExpectCheckClean();
}

}  // namespace
}  // namespace runlake::it
