#pragma once
// QueryWatch: ends a `runlake query` on time or on request. SIGINT/SIGTERM are blocked in
// every thread (DuckDB's workers inherit the mask) and taken by one watcher thread, which
// also keeps the --timeout; either interrupts the engine, so the query returns Aborted and
// the command unwinds normally: its scratch folder is removed, nothing is left behind.

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <mutex>
#include <chrono>
#include <string>
#include <thread>

#include "runlake/lake_query.h"

namespace runlake::cli {

class QueryWatch {
 public:
  // timeout_seconds <= 0: no deadline.
  explicit QueryWatch(double timeout_seconds) {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                        std::chrono::duration<double>(timeout_seconds > 0 ? timeout_seconds : 1e9));
    watcher_ = std::thread([this, deadline] {
      while (!done_) {
        timespec tick{0, 100'000'000};
        int sig = sigtimedwait(&signals_, nullptr, &tick);
        if (sig > 0) {
          reason_ = sig;
        } else if (std::chrono::steady_clock::now() >= deadline) {
          reason_ = kTimedOut;
        }
        if (reason_ != 0) {
          std::lock_guard<std::mutex> lock(mu_);
          if (engine_ != nullptr) engine_->Interrupt();
        }
      }
    });
  }
  ~QueryWatch() {
    done_ = true;
    watcher_.join();
  }
  QueryWatch(const QueryWatch&) = delete;
  QueryWatch& operator=(const QueryWatch&) = delete;

  // The engine to interrupt, set once it is open (a stop before that is kept: see
  // Stopped()); nullptr before the engine goes away.
  void Watch(LakeQuery* engine) {
    std::lock_guard<std::mutex> lock(mu_);
    engine_ = engine;
    if (engine_ != nullptr && reason_ != 0) engine_->Interrupt();
  }
  // 0 while running; SIGINT or SIGTERM when a signal stopped it; kTimedOut after the deadline.
  int Stopped() const { return reason_; }
  static constexpr int kTimedOut = -1;

 private:
  sigset_t signals_;
  std::atomic<bool> done_{false};
  std::atomic<int> reason_{0};
  std::mutex mu_;
  LakeQuery* engine_ = nullptr;  // guarded by mu_
  std::thread watcher_;
};

}  // namespace runlake::cli
