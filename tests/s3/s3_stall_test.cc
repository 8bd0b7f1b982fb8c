// A server that takes a request and then says nothing (a frozen gateway, a dead peer
// behind a load balancer) costs a bounded time: every S3 request carries a low-speed
// timeout (S3Config::stall_timeout_s, 60 s by default), after which it is retried like a
// reset. Shown with a 1 s limit through the faulting proxy in front of the test RGW, on
// the object store itself (a run through the binary would wait the full 60 s). Skips
// without RUNLAKE_TEST_S3_ENDPOINT.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>

#include "runlake/object_store.h"
#include "s3/fault_proxy.h"

namespace runlake::it {
namespace {

using Clock = std::chrono::steady_clock;

class S3StallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* ep = std::getenv("RUNLAKE_TEST_S3_ENDPOINT");
    const char* bucket = std::getenv("RUNLAKE_TEST_S3_BUCKET");
    if (!ep || !bucket) GTEST_SKIP() << "RUNLAKE_TEST_S3_ENDPOINT not set: no S3 server";
    std::string error;
    proxy_ = FaultProxy::Start(ep, &error);
    ASSERT_TRUE(proxy_) << error;
    auto now = Clock::now().time_since_epoch().count();
    Result<S3Config> c = S3ConfigFromUri(std::string("s3://") + bucket + "/stall-" +
                                         std::to_string(getpid()) + "-" + std::to_string(now));
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    S3Config config = *c;
    config.endpoint = proxy_->endpoint();
    config.stall_timeout_s = 1;
    config.max_attempts = 3;
    config.retry_base_ms = 50;
    config.retry_max_ms = 100;
    store_ = NewS3ObjectStore(config);
  }

  std::unique_ptr<FaultProxy> proxy_;
  std::unique_ptr<ObjectStore> store_;
};

TEST_F(S3StallTest, AStalledAnswerTimesOutAndTheRetryGetsIt) {
  ASSERT_TRUE(store_->Put("k", "v").ok());
  for (const char* method : {"GET", "PUT", "HEAD"}) {
    int before = proxy_->faults();
    proxy_->Inject({.fault = Fault::kStall, .count = 1, .method = method, .stall = std::chrono::seconds(10)});
    auto t0 = Clock::now();
    Status st = std::string(method) == "GET" ? store_->Get("k").status()
                : std::string(method) == "PUT" ? store_->Put("k", "v")
                                               : store_->Head("k").status();
    double took = std::chrono::duration<double>(Clock::now() - t0).count();
    EXPECT_TRUE(st.ok()) << method << ": " << st.ToString();
    EXPECT_EQ(proxy_->faults() - before, 1) << method;
    EXPECT_GE(took, 0.9) << method << ": the first try waited for the limit";
    EXPECT_LT(took, 5) << method << ": and not for the stalled server";
  }
}

TEST_F(S3StallTest, AServerThatStaysSilentFailsAsUnavailableAfterTheAttempts) {
  ASSERT_TRUE(store_->Put("k", "v").ok());
  proxy_->Inject({.fault = Fault::kStall, .count = -1, .method = "GET", .stall = std::chrono::seconds(30)});
  auto t0 = Clock::now();
  Status st = store_->Get("k").status();
  double took = std::chrono::duration<double>(Clock::now() - t0).count();
  EXPECT_TRUE(st.IsUnavailable()) << st.ToString();
  EXPECT_NE(st.message().find(proxy_->endpoint()), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("after 3 attempts"), std::string::npos) << st.message();
  EXPECT_EQ(proxy_->faults(), 3);
  EXPECT_LT(took, 8) << "three 1 s limits and two short backoffs";
}

}  // namespace
}  // namespace runlake::it
