// The refresher with a fake clock: cached while fresh, refreshed in the background
// ahead of expiry, in the caller when expired, forced once after ExpiredToken.

#include <gtest/gtest.h>

#include <atomic>

#include "store/credentials_refresher.h"

namespace runlake::aws {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

// Hands out "K<n>" credentials living `lifetime` from the fake now.
class CountingProvider : public CredentialsProvider {
 public:
  CountingProvider(std::atomic<int64_t>* now_s, std::chrono::seconds lifetime, bool* fail)
      : now_s_(now_s), lifetime_(lifetime), fail_(fail) {}
  std::string Name() const override { return "test"; }
  Result<Credentials> Fetch() override {
    if (*fail_) return Status::IOError("scripted failure");
    Credentials c{"K" + std::to_string(++n_), "s", "t", std::nullopt};
    if (lifetime_.count() > 0) c.expiration = TimePoint(seconds(*now_s_)) + lifetime_;
    return c;
  }

 private:
  std::atomic<int64_t>* now_s_;
  std::chrono::seconds lifetime_;
  bool* fail_;
  int n_ = 0;
};

class RefresherTest : public ::testing::Test {
 protected:
  std::unique_ptr<CredentialsRefresher> Make(std::chrono::seconds lifetime, bool background = true) {
    CredentialsRefresher::Options o;
    o.now = [this] { return TimePoint(seconds(now_s_.load())); };
    o.background = background;
    return std::make_unique<CredentialsRefresher>(
        std::make_unique<CountingProvider>(&now_s_, lifetime, &fail_), o);
  }
  std::string Key(CredentialsRefresher& r) {
    Result<Credentials> c = r.Get();
    return c.ok() ? c->access_key_id : "error: " + c.status().message();
  }
  void Advance(std::chrono::seconds d) { now_s_ += d.count(); }

  std::atomic<int64_t> now_s_{1'700'000'000};
  bool fail_ = false;
};

TEST_F(RefresherTest, LongTermKeysAreFetchedOnce) {
  auto r = Make(seconds(0));
  EXPECT_EQ(Key(*r), "K1");
  Advance(std::chrono::hours(24 * 365));
  EXPECT_EQ(Key(*r), "K1");
  EXPECT_EQ(r->fetch_count(), 1);
}

TEST_F(RefresherTest, RefreshesInTheBackground15MinutesAhead) {
  auto r = Make(minutes(60));
  EXPECT_EQ(Key(*r), "K1");
  Advance(minutes(44));
  EXPECT_EQ(Key(*r), "K1");
  EXPECT_EQ(r->fetch_count(), 1);
  Advance(minutes(2));  // 14 minutes left: inside the advisory window
  EXPECT_EQ(Key(*r), "K1");  // still valid: answered at once, refreshed behind
  r->WaitForBackgroundRefresh();
  EXPECT_EQ(r->fetch_count(), 2);
  EXPECT_EQ(Key(*r), "K2");
}

TEST_F(RefresherTest, ShortLifetimesRefreshAtHalfTime) {
  auto r = Make(minutes(10), /*background=*/false);
  EXPECT_EQ(Key(*r), "K1");
  Advance(minutes(4));
  EXPECT_EQ(Key(*r), "K1");
  Advance(minutes(1) + seconds(1));
  EXPECT_EQ(Key(*r), "K2");
}

TEST_F(RefresherTest, ExpiredCredentialsAreFetchedInTheCaller) {
  auto r = Make(minutes(60));
  EXPECT_EQ(Key(*r), "K1");
  Advance(minutes(61));
  EXPECT_EQ(Key(*r), "K2");
  EXPECT_EQ(r->fetch_count(), 2);
}

TEST_F(RefresherTest, AFailedAdvisoryRefreshKeepsTheValidOnesAndBacksOff) {
  auto r = Make(minutes(60), /*background=*/false);
  EXPECT_EQ(Key(*r), "K1");
  fail_ = true;
  Advance(minutes(50));
  EXPECT_EQ(Key(*r), "K1");  // the refresh failed; K1 is still valid
  EXPECT_EQ(Key(*r), "K1");
  EXPECT_EQ(r->fetch_count(), 2);  // no second try inside the back-off
  Advance(minutes(10));  // within a minute of expiry: must fetch, and that fails
  Result<Credentials> c = r->Get();
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("AWS credentials (test)"), std::string::npos);
  fail_ = false;
  EXPECT_EQ(Key(*r), "K2");
}

TEST_F(RefresherTest, ForceRefreshOnceForManyCallersHoldingTheStaleOnes) {
  auto r = Make(minutes(60));
  Result<Credentials> stale = r->Get();
  ASSERT_TRUE(stale.ok());
  Result<Credentials> a = r->ForceRefresh(*stale);
  Result<Credentials> b = r->ForceRefresh(*stale);  // a second request with the same answer
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->access_key_id, "K2");
  EXPECT_EQ(b->access_key_id, "K2");
  EXPECT_EQ(r->fetch_count(), 2);
  EXPECT_EQ(Key(*r), "K2");
}

}  // namespace
}  // namespace runlake::aws
