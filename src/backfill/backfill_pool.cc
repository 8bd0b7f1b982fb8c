#include "backfill/backfill_pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace runlake {

int AdmittedWorkers(int concurrency, int daily_running) {
  return std::max(1, concurrency - std::max(0, daily_running));
}

BackfillPoolResult RunBackfillPool(const std::vector<std::string>& dates, int concurrency,
                                   const BackfillPoolHooks& hooks) {
  concurrency = std::max(1, concurrency);
  std::mutex mu;
  std::condition_variable cv;
  size_t next = 0;
  int running = 0, admitted = concurrency, finished_workers = 0;
  std::atomic<bool> stop{false};
  BackfillPoolResult result;
  std::function<bool()> cancelled = [&stop] { return stop.load(); };

  auto worker = [&] {
    while (true) {
      std::string date;
      {
        std::unique_lock lock(mu);
        // Admission waits here, not in run_date, so a shrinking share never interrupts
        // a date that already runs.
        cv.wait(lock, [&] { return stop || next >= dates.size() || running < admitted; });
        if (stop || next >= dates.size()) break;
        date = dates[next++];
        ++running;
        ++result.started;
        result.max_parallel = std::max(result.max_parallel, running);
      }
      hooks.run_date(date, cancelled);
      {
        std::lock_guard lock(mu);
        --running;
      }
      cv.notify_all();
    }
    std::lock_guard lock(mu);
    ++finished_workers;
    cv.notify_all();
  };

  int threads = std::min<int>(concurrency, static_cast<int>(dates.size()));
  // The first admission happens before any worker starts, so a daily run that is already
  // RUNNING is respected from the first date on.
  if (hooks.daily_running) admitted = AdmittedWorkers(concurrency, hooks.daily_running());
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i) pool.emplace_back(worker);

  auto last_poll = std::chrono::steady_clock::now();
  while (true) {
    int now_running;
    {
      std::unique_lock lock(mu);
      if (cv.wait_for(lock, std::chrono::milliseconds(200),
                      [&] { return finished_workers == threads; })) {
        break;
      }
      now_running = running;
    }
    if (hooks.tick) hooks.tick(now_running);
    if (std::chrono::steady_clock::now() - last_poll < std::chrono::seconds(1)) continue;
    last_poll = std::chrono::steady_clock::now();
    bool want_stop = hooks.stop_requested && hooks.stop_requested();
    int share = hooks.daily_running ? AdmittedWorkers(concurrency, hooks.daily_running())
                                    : concurrency;
    {
      std::lock_guard lock(mu);
      admitted = share;
      if (want_stop) stop = true;
    }
    cv.notify_all();
  }
  for (auto& t : pool) t.join();
  result.stopped = stop;
  return result;
}

}  // namespace runlake
