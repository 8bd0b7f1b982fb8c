#pragma once
// Queue mode of a backfill (issue 7): instead of running its dates in this process, the
// controller enqueues one task per date (backfill_task.h) and follows them while
// `runlake worker` processes, on this machine or others, run them. The backfill's
// --concurrency becomes its quota in the queue (SetTaskQuota(backfill id)).

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "backfill/backfill_pool.h"
#include "runlake/backfill_report.h"
#include "runlake/state_store.h"

namespace runlake {

struct BackfillQueueHooks {
  std::function<bool()> stop_requested;  // polled about 4 times a second
  // Polled as often: true once this controller lost the backfill (controller_heartbeat.h).
  // It returns at once, stopped, cancelling nothing: the tasks are the new controller's.
  std::function<bool()> abandoned;
  std::function<void(const BackfillDateOutcome&)> date_ended;
  // About 4 times a second: dates running now, and live workers (-1: not counted yet).
  std::function<void(int running, int live_workers)> tick;
};

// Enqueues `todo` (date, attempts already used) of `backfill` and returns once every one
// of their tasks ended. A stop cancels the queued tasks and asks workers to stop the
// running ones (their executions end ABORTED); it returns once they have.
Result<BackfillPoolResult> RunBackfillQueued(StateStore& state, const BackfillRecord& backfill,
                                             const std::vector<std::pair<std::string, int>>& todo,
                                             int concurrency, const BackfillQueueHooks& hooks);

}  // namespace runlake
