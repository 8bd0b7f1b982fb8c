// The backfill worker pool: concurrency, the daily share, and stop.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "backfill/backfill_pool.h"

namespace runlake {
namespace {

std::vector<std::string> Dates(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back("d" + std::to_string(i));
  return out;
}

TEST(BackfillPool, RunsEveryDateOnceWithinTheConcurrency) {
  std::mutex mu;
  std::multiset<std::string> ran;
  std::atomic<int> now{0}, peak{0};
  BackfillPoolHooks hooks;
  hooks.run_date = [&](const std::string& d, const std::function<bool()>&) {
    int n = ++now;
    for (int p = peak; n > p && !peak.compare_exchange_weak(p, n);) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    --now;
    std::lock_guard lock(mu);
    ran.insert(d);
  };
  auto result = RunBackfillPool(Dates(12), 3, hooks);
  EXPECT_EQ(ran.size(), 12u);
  EXPECT_EQ(std::set<std::string>(ran.begin(), ran.end()).size(), 12u);
  EXPECT_EQ(result.started, 12);
  EXPECT_LE(peak.load(), 3);
  EXPECT_EQ(result.max_parallel, peak.load());
  EXPECT_FALSE(result.stopped);
}

TEST(BackfillPool, DailyRunsTakeSlotsButNeverTheLastOne) {
  EXPECT_EQ(AdmittedWorkers(4, 0), 4);
  EXPECT_EQ(AdmittedWorkers(4, 1), 3);
  EXPECT_EQ(AdmittedWorkers(4, 9), 1);
  EXPECT_EQ(AdmittedWorkers(1, 1), 1);
  BackfillPoolHooks hooks;
  hooks.run_date = [](const std::string&, const std::function<bool()>&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  };
  hooks.daily_running = [] { return 2; };  // two daily runs on the lake
  auto result = RunBackfillPool(Dates(8), 3, hooks);
  EXPECT_EQ(result.started, 8);
  EXPECT_EQ(result.max_parallel, 1);
}

TEST(BackfillPool, StopLeavesDatesNotTakenAndCancelsRunningOnes) {
  std::atomic<int> cancelled_seen{0};
  BackfillPoolHooks hooks;
  hooks.run_date = [&](const std::string&, const std::function<bool()>& cancelled) {
    for (int i = 0; i < 300 && !cancelled(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (cancelled()) ++cancelled_seen;
  };
  hooks.stop_requested = [] { return true; };
  auto result = RunBackfillPool(Dates(10), 2, hooks);
  EXPECT_TRUE(result.stopped);
  EXPECT_LE(result.started, 2);
  EXPECT_EQ(cancelled_seen.load(), result.started);
}

}  // namespace
}  // namespace runlake
