#pragma once
// The one way runlake waits and tries again. A call is retried only when it fails with
// kUnavailable (status.h), which the boundaries to S3, PostgreSQL and SQLite assign to
// failures that may pass; every other failure is returned at once. Between tries it
// sleeps with "equal jitter" (half the exponential delay fixed, half random), so many
// workers that lost the same server do not come back in lockstep, within a number of
// attempts and a deadline, whichever ends first.
//
//   RetryPolicy policy{.max_attempts = 5};
//   Status st = Retry(policy, [&] { return store.Put(key, data); });

#include <chrono>
#include <functional>
#include <optional>

#include "runlake/status.h"

namespace runlake {

struct RetryPolicy {
  int max_attempts = 5;                       // tries in all, the first included (>= 1)
  std::chrono::milliseconds first_delay{100};  // the delay window before the second try
  std::chrono::milliseconds max_delay{5000};   // the window doubles up to this
  // No try starts after this much time since the first (zero: attempts alone decide).
  std::chrono::milliseconds budget{0};
};

// The waits of one retried call. Each Next() sleeps before the next try and says whether
// there is one; Attempt() counts tries started.
class Backoff {
 public:
  // `sleep` is replaceable for tests (it is given the delay it should wait).
  using SleepFn = std::function<void(std::chrono::milliseconds)>;
  explicit Backoff(const RetryPolicy& policy, SleepFn sleep = nullptr);

  // The delay before try `attempt` + 1 (attempt >= 1): uniform in [w/2, w], where
  // w = first_delay * 2^(attempt-1), capped at max_delay and at what is left of the budget.
  std::chrono::milliseconds DelayAfter(int attempt) const;
  // false when the attempts or the budget are spent (no sleep then); otherwise sleeps
  // DelayAfter(Attempt()) and counts the next try.
  bool Next();
  int Attempt() const { return attempt_; }

 private:
  RetryPolicy policy_;
  SleepFn sleep_;
  std::chrono::steady_clock::time_point start_;
  int attempt_ = 1;
};

// True for the failures Retry repeats by default.
inline bool IsTransient(const Status& st) { return st.IsUnavailable(); }

// What Retry calls before each wait: the failed try's number, its error and the wait.
using RetryObserver =
    std::function<void(int attempt, const Status& error, std::chrono::milliseconds wait)>;

namespace retry_internal {
inline const Status& StatusOf(const Status& s) { return s; }
template <typename T>
Status StatusOf(const Result<T>& r) { return r.status(); }
}  // namespace retry_internal

// Calls `fn` (returning Status or Result<T>) until it succeeds, fails with an error that
// `retryable` rejects, or the policy is spent; returns the last outcome. `retryable`
// defaults to IsTransient: pass another test only for a race that is not a failure (a
// put-if-absent that lost to another writer).
template <typename Fn>
auto Retry(const RetryPolicy& policy, Fn&& fn,
           const std::function<bool(const Status&)>& retryable = IsTransient,
           const RetryObserver& observe = nullptr) -> decltype(fn()) {
  Backoff backoff(policy);
  while (true) {
    auto outcome = fn();
    Status st = retry_internal::StatusOf(outcome);
    if (st.ok() || !retryable(st) || backoff.Attempt() >= policy.max_attempts) return outcome;
    if (observe) observe(backoff.Attempt(), st, backoff.DelayAfter(backoff.Attempt()));
    if (!backoff.Next()) return outcome;
  }
}

}  // namespace runlake
