#pragma once
// An execution's heartbeat (StateStore::HeartbeatExecution): a small thread that renews it
// while the run works, so that a `runlake run` whose machine died is reaped by the age of
// its heartbeat on the store's clock from any other host (issue 13: before, only queue tasks
// and backfill controllers had one, and such an execution stayed RUNNING forever). A run
// whose execution was reaped meanwhile (it stalled past the limit) learns so and must not
// commit: the runner checks lost() before the commit.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "state/process_liveness.h"
#include "state/state_store.h"

namespace runlake {

class ExecutionHeartbeat {
 public:
  // Renews `name` every sixth of ControllerStaleMillis() (50 ms .. 10 s). `state` must
  // outlive this object.
  ExecutionHeartbeat(StateStore& state, std::string name)
      : state_(state),
        name_(std::move(name)),
        interval_ms_(std::clamp<int64_t>(ControllerStaleMillis() / 6, 50, 10'000)),
        thread_([this] { Loop(); }) {}
  ~ExecutionHeartbeat() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  ExecutionHeartbeat(const ExecutionHeartbeat&) = delete;
  ExecutionHeartbeat& operator=(const ExecutionHeartbeat&) = delete;

  // true once the store said the execution is no longer RUNNING (reaped as stale). A
  // failed renewal (store unreachable) is not a loss: the next one tries again.
  bool lost() const { return lost_.load(); }

 private:
  void Loop() {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      cv_.wait_for(lock, std::chrono::milliseconds(interval_ms_), [this] { return stopping_; });
      if (stopping_) return;
      lock.unlock();
      auto renewed = state_.HeartbeatExecution(name_);
      lock.lock();
      if (renewed.ok() && !*renewed && !stopping_) {
        lost_ = true;
        return;
      }
    }
  }

  StateStore& state_;
  const std::string name_;
  const int64_t interval_ms_;
  std::atomic<bool> lost_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace runlake
