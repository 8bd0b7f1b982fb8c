// PeriodicRenewal: a renewal the store refuses is a loss at once; failed renewals are
// retried, and only a holder that could not renew for give_up_ms gives up.

#include "state/periodic_renewal.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace runlake {
namespace {

using namespace std::chrono_literals;

// Waits up to `limit` for lost().
bool LostWithin(const PeriodicRenewal& r, std::chrono::milliseconds limit) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (!r.lost() && std::chrono::steady_clock::now() < end) std::this_thread::sleep_for(5ms);
  return r.lost();
}

TEST(PeriodicRenewal, ARefusedRenewalIsALoss) {
  PeriodicRenewal r([] { return Result<bool>(false); }, 10);
  EXPECT_TRUE(LostWithin(r, 2000ms));
}

TEST(PeriodicRenewal, FailuresAloneAreRetriedWithoutAGiveUpTime) {
  std::atomic<int> calls{0};
  PeriodicRenewal r([&]() -> Result<bool> { ++calls; return Status::IOError("store unreachable"); }, 10);
  EXPECT_FALSE(LostWithin(r, 300ms));
  EXPECT_GE(calls.load(), 5);
}

TEST(PeriodicRenewal, AHolderThatCannotRenewForTheGiveUpTimeLosesIt) {
  const auto start = std::chrono::steady_clock::now();
  PeriodicRenewal r([]() -> Result<bool> { return Status::IOError("disk I/O error"); }, 10, 200);
  ASSERT_TRUE(LostWithin(r, 5000ms));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 200ms);
}

TEST(PeriodicRenewal, ASuccessInBetweenStartsTheGiveUpTimeAgain) {
  // Fails for ~150 ms at a time, then succeeds once: never 400 ms without a renewal.
  std::atomic<int> calls{0};
  PeriodicRenewal r(
      [&]() -> Result<bool> {
        if (++calls % 15 == 0) return true;
        return Status::IOError("busy");
      },
      10, 400);
  EXPECT_FALSE(LostWithin(r, 1000ms));
  EXPECT_GE(calls.load(), 30);
}

}  // namespace
}  // namespace runlake
