#pragma once
// A small thread that renews something in the state store every interval until stopped:
// the backfill controller's heartbeat (backfill/controller_heartbeat.h) and an execution's
// (orchestrate/execution_heartbeat.h). `renew` answers true while the caller still holds
// what it renews; false (or NotFound) makes lost() true and ends the thread. A failed
// renewal (store unreachable) is retried at the next interval, but a holder that could not
// renew for `give_up_ms` counts as having lost it too: by the store's clock it is about to
// be stale, and another process may take over, so it must stop before that (a lease's
// rule; the state fault sweep found a backfill controller waiting forever on a store that
// failed every write, its heartbeat never renewed).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "runlake/status.h"
#include "state/process_liveness.h"

namespace runlake {

// How long a heartbeat may go unrenewed before its holder gives up (PeriodicRenewal's
// give_up_ms): two thirds of the staleness limit, so it stops before anyone may reap it.
inline int64_t HeartbeatGiveUpMillis() { return ControllerStaleMillis() * 2 / 3; }

class PeriodicRenewal {
 public:
  // Renews at once, then every `interval_ms`. `renew` runs on the renewal thread.
  // `give_up_ms` > 0: lost() once no renewal has succeeded for that long.
  PeriodicRenewal(std::function<Result<bool>()> renew, int64_t interval_ms, int64_t give_up_ms = 0)
      : renew_(std::move(renew)), interval_ms_(interval_ms), give_up_ms_(give_up_ms),
        thread_([this] { Loop(); }) {}
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
    auto last_renewed = std::chrono::steady_clock::now();
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      auto held = renew_();
      lock.lock();
      if ((held.ok() && !*held) || held.status().IsNotFound()) {
        lost_ = true;
        return;
      }
      const auto now = std::chrono::steady_clock::now();
      if (held.ok()) {
        last_renewed = now;
      } else if (give_up_ms_ > 0 && now - last_renewed >= std::chrono::milliseconds(give_up_ms_)) {
        lost_ = true;
        return;
      }
      cv_.wait_for(lock, std::chrono::milliseconds(interval_ms_), [this] { return stopping_; });
    }
  }

  const std::function<Result<bool>()> renew_;
  const int64_t interval_ms_;
  const int64_t give_up_ms_;
  std::atomic<bool> lost_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after everything it uses
};

}  // namespace runlake
