#include "common/retry.h"

#include <algorithm>
#include <random>
#include <thread>

namespace runlake {

Backoff::Backoff(const RetryPolicy& policy, SleepFn sleep)
    : policy_(policy), sleep_(std::move(sleep)), start_(std::chrono::steady_clock::now()) {
  if (!sleep_) sleep_ = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  policy_.max_attempts = std::max(1, policy_.max_attempts);
}

std::chrono::milliseconds Backoff::DelayAfter(int attempt) const {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  int64_t window = policy_.first_delay.count();
  for (int i = 1; i < attempt && window < policy_.max_delay.count(); ++i) window *= 2;
  window = std::min<int64_t>(window, policy_.max_delay.count());
  if (policy_.budget.count() > 0) {
    auto used = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start_);
    window = std::min<int64_t>(window, std::max<int64_t>(0, (policy_.budget - used).count()));
  }
  int64_t half = window / 2;
  return std::chrono::milliseconds(half + std::uniform_int_distribution<int64_t>(0, window - half)(rng));
}

bool Backoff::Next() {
  if (attempt_ >= policy_.max_attempts) return false;
  if (policy_.budget.count() > 0 && std::chrono::steady_clock::now() - start_ >= policy_.budget) return false;
  sleep_(DelayAfter(attempt_));
  ++attempt_;
  return true;
}

}  // namespace runlake
