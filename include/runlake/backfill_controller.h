#pragma once
// `runlake backfill run|resume|stop|status`: a named backfill with one execution per date,
// run by a worker pool (backfill_pool.h), kept in the state store so that `resume` after
// a crash of this process finishes only what is missing, then compared per date with the
// canonical run and, on request, promoted in ONE pointer version.
//
// Attempts: a date's attempt k runs as execution <id>/<date>[#k] with run_id
// backfill-<date>-<stamp>[-rk] (runlake/backfill.h). The attempt is recorded in the store
// before its execution starts, so a controller that dies between the two leaves an attempt
// whose execution does not exist: resume starts that same attempt (same name, same input:
// idempotent). A SUCCEEDED attempt is never run again; a FAILED, ABORTED or TIMED_OUT one
// (WorkerLost after a crash included) gets attempt k+1 on resume.

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runlake/backfill_plan.h"
#include "runlake/backfill_report.h"
#include "runlake/execution_runner.h"
#include "runlake/backfill.h"

namespace runlake {

struct BackfillRunRequest {
  BackfillPlanRequest plan;
  int concurrency = 0;            // <= 0: the machine's cores
  bool canary = false;            // run the first date only, then PAUSED until resume
  bool promote = false;           // publish every date in one pointer version at the end
  std::string reason;             // recorded on the backfill and the pointer version
  std::string rules_text;         // the rules file verbatim; "" the built-in defaults
  std::string rules_origin = "rules";
  // --contract FILE or --contract-revision N; neither: the dataset's newest revision at the
  // start, pinned in the backfill's options so every date and every resume uses it.
  RunContractChoice contract;
  int max_attempts = 3;           // per execution, for transient failures
  // Queue mode (backfill_queue.h): enqueue one task per date for `runlake worker`
  // processes and follow them, instead of running the dates in this process. Recorded
  // in the backfill's options, so resume keeps the mode.
  bool queue = false;
};

struct BackfillProgress {
  int total = 0, done = 0, failed = 0, running = 0;
  int64_t rows = 0;  // input rows of dates finished in this call
  double elapsed_seconds = 0;
  int live_workers = -1;  // queue mode: workers with a recent heartbeat; -1 otherwise
};
// `finished` is the date that just ended, or nullptr for a periodic update.
using BackfillProgressFn =
    std::function<void(const BackfillProgress&, const BackfillDateOutcome* finished)>;

// Plans, records and runs a new backfill. NotFound naming the dates when some date has no
// bronze (nothing is started); InvalidArgument for bad dates or rules. A date that fails
// is an outcome, not an error.
Result<BackfillReport> StartBackfill(const ExecutionContext& ctx, const BackfillRunRequest& request,
                                     const BackfillProgressFn& progress);

// Claims the backfill (FailedPrecondition while a live controller runs it) and runs the
// dates that never ran or did not succeed; promotes if the backfill asked for it. A
// --canary backfill whose canary has not succeeded yet runs the canary again and pauses.
// `concurrency` > 0 overrides the backfill's own. A SUCCEEDED backfill whose requested
// promotion is done has nothing to resume: its report comes back with a warning.
// `queue` (or a backfill started in queue mode) resumes in queue mode.
Result<BackfillReport> ResumeBackfill(const ExecutionContext& ctx, const std::string& id,
                                      const BackfillProgressFn& progress, int concurrency = 0,
                                      bool queue = false);

// Asks the controller to stop (ABORTING; its running dates end ABORTED) or, when none
// runs, marks the backfill ABORTED. Its queued tasks are cancelled either way. FailedPrecondition when it already ended SUCCEEDED or
// ABORTED; NotFound for an unknown id. Returns the record after the change.
Result<BackfillRecord> StopBackfill(StateStore& state, const std::string& id);

// The backfill as it stands, date by date, without running anything. `reads`: kAsStored
// for the dashboard, which never writes to the store.
Result<BackfillReport> DescribeBackfill(const ExecutionContext& ctx, const std::string& id,
                                        StateReads reads = StateReads::kReapFirst);

}  // namespace runlake
