#pragma once
// The worker pool of a backfill: N threads take dates in order and run them, while the
// calling thread watches for a stop and for daily executions.
//
// Daily runs keep a share of the workers: every daily execution RUNNING on the lake (any
// process sharing the state store) takes one slot from the backfill, never below one. A
// backfill at the default concurrency (the cores) thus shrinks by one worker as soon as a
// daily run starts, at its next date boundary, and grows back when it ends. A real
// cross-process scheduler arrives with the PostgreSQL task queue (issue 7).

#include <functional>
#include <string>
#include <vector>

namespace runlake {

struct BackfillPoolHooks {
  // Runs one date to its end; `cancelled` turns true once a stop was requested.
  std::function<void(const std::string& date, const std::function<bool()>& cancelled)> run_date;
  std::function<bool()> stop_requested;  // polled about once a second
  std::function<int()> daily_running;    // polled about once a second
  std::function<void(int running)> tick;  // about 5 times a second, on the calling thread
};

struct BackfillPoolResult {
  bool stopped = false;   // a stop was requested; dates not yet taken were left alone
  int started = 0;        // dates handed to run_date
  int max_parallel = 0;   // the most dates that ran at once
};

// Runs `dates` with at most `concurrency` (>= 1) at once; returns when every started date
// has ended. Dates not started because of a stop stay as they were.
BackfillPoolResult RunBackfillPool(const std::vector<std::string>& dates, int concurrency,
                                   const BackfillPoolHooks& hooks);

// The number of dates the pool admits at once: `concurrency` less one per running daily
// execution, at least 1.
int AdmittedWorkers(int concurrency, int daily_running);

}  // namespace runlake
