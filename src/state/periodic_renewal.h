#pragma once
// A small thread that renews something in the state store every interval until stopped:
// the backfill controller's heartbeat (backfill/controller_heartbeat.h) and an execution's
// (orchestrate/execution_heartbeat.h). `renew` answers true while the caller still holds
// what it renews; false (or NotFound) makes lost() true and ends the thread. A failed
// renewal (store unreachable) is not a loss: the next one tries again.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "runlake/status.h"

namespace runlake {

class PeriodicRenewal {
 public:
  // Renews at once, then every `interval_ms`. `renew` runs on the renewal thread.
  PeriodicRenewal(std::function<Result<bool>()> renew, int64_t interval_ms)
      : renew_(std::move(renew)), interval_ms_(interval_ms), thread_([this] { Loop(); }) {}
  ~PeriodicRenewal() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  PeriodicRenewal(const PeriodicRenewal&) = delete;
  PeriodicRenewal& operator=(const PeriodicRenewal&) = delete;

  bool lost() const { return lost_.load(); }

 private:
  void Loop() {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      auto held = renew_();
      lock.lock();
      if ((held.ok() && !*held) || held.status().IsNotFound()) {
        lost_ = true;
        return;
      }
      cv_.wait_for(lock, std::chrono::milliseconds(interval_ms_), [this] { return stopping_; });
    }
  }

  const std::function<Result<bool>()> renew_;
  const int64_t interval_ms_;
  std::atomic<bool> lost_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after everything it uses
};

}  // namespace runlake
