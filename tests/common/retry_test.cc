// common/retry.h: only a transient error (kUnavailable) is tried again, within the
// attempts and the budget, with equal-jitter waits that double up to the cap.

#include "common/retry.h"

#include <gtest/gtest.h>

#include <vector>

namespace runlake {
namespace {

using std::chrono::milliseconds;

TEST(RetryTest, OnlyTransientErrorsAreTriedAgain) {
  RetryPolicy policy{4, milliseconds(1), milliseconds(2)};
  int calls = 0;
  Status st = Retry(policy, [&] { return ++calls < 3 ? Status::Unavailable("busy") : Status::OK(); });
  EXPECT_TRUE(st.ok());
  EXPECT_EQ(calls, 3);

  for (Status hard : {Status::IOError("eio"), Status::ResourceExhausted("disk full"),
                      Status::InvalidArgument("bad"), Status::Internal("bug")}) {
    calls = 0;
    Status got = Retry(policy, [&] { ++calls; return hard; });
    EXPECT_EQ(got.code(), hard.code());
    EXPECT_EQ(calls, 1) << hard.ToString() << " was tried again";
  }
}

TEST(RetryTest, AttemptsBoundTheTriesAndTheLastErrorIsReturned) {
  RetryPolicy policy{3, milliseconds(1), milliseconds(1)};
  int calls = 0;
  std::vector<int> observed;
  Result<int> r = Retry(
      policy, [&]() -> Result<int> { return Status::Unavailable("try " + std::to_string(++calls)); }, IsTransient,
      [&](int attempt, const Status&, milliseconds) { observed.push_back(attempt); });
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(r.status().message(), "try 3");
  EXPECT_EQ(observed, (std::vector<int>{1, 2}));
}

TEST(RetryTest, AnotherTestCanRetryARace) {
  RetryPolicy policy{5, milliseconds(1), milliseconds(1)};
  int calls = 0;
  Status st = Retry(
      policy, [&] { return ++calls < 2 ? Status::AlreadyExists("lost the race") : Status::OK(); },
      [](const Status& s) { return s.IsAlreadyExists(); });
  EXPECT_TRUE(st.ok());
  EXPECT_EQ(calls, 2);
}

TEST(RetryTest, EqualJitterDoublesUpToTheCap) {
  RetryPolicy policy{10, milliseconds(100), milliseconds(400)};
  Backoff backoff(policy, [](milliseconds) {});
  for (int i = 0; i < 200; ++i) {
    auto first = backoff.DelayAfter(1), second = backoff.DelayAfter(2), late = backoff.DelayAfter(8);
    EXPECT_GE(first.count(), 50);
    EXPECT_LE(first.count(), 100);
    EXPECT_GE(second.count(), 100);
    EXPECT_LE(second.count(), 200);
    EXPECT_GE(late.count(), 200);
    EXPECT_LE(late.count(), 400);
  }
}

TEST(RetryTest, TheBudgetEndsTheTries) {
  RetryPolicy policy{1000, milliseconds(5), milliseconds(5), milliseconds(30)};
  int calls = 0;
  auto start = std::chrono::steady_clock::now();
  Status st = Retry(policy, [&] { ++calls; return Status::Unavailable("down"); });
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(st.IsUnavailable());
  EXPECT_LT(calls, 1000);
  EXPECT_LT(took, std::chrono::seconds(5));
}

}  // namespace
}  // namespace runlake
