#include "backfill/controller_heartbeat.h"

#include <algorithm>
#include <chrono>

#include "state/process_liveness.h"

namespace runlake {

ControllerHeartbeat::ControllerHeartbeat(StateStore& state, std::string id, int64_t interval_ms)
    : state_(state),
      id_(std::move(id)),
      // Six renewals per staleness limit: a few lost to a busy store do not make it stale.
      interval_ms_(interval_ms > 0 ? interval_ms
                                   : std::clamp<int64_t>(ControllerStaleMillis() / 6, 50, 10'000)),
      thread_([this] { Loop(); }) {}

ControllerHeartbeat::~ControllerHeartbeat() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void ControllerHeartbeat::Loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    auto held = state_.HeartbeatBackfill(id_);
    if (held.ok() && !*held) lost_ = true;
    if (held.status().IsNotFound()) lost_ = true;
    lock.lock();
    if (lost_) return;
    cv_.wait_for(lock, std::chrono::milliseconds(interval_ms_), [this] { return stopping_; });
  }
}

}  // namespace runlake
