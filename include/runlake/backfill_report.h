#pragma once
// What a backfill did, date by date: each date's execution, and the runs diff figures of
// its run against the canonical run it replaces; the promotion decision; JSON for --json.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runlake/execution_runner.h"
#include "runlake/state_store.h"
#include "runlake/backfill.h"
#include "runlake/object_store.h"

namespace runlake {

// One date as it stands, with the runs diff figures (input_rows, valid_rows,
// quarantined_rows, condemned_rows) of the canonical run when the backfill was planned
// ("before") and of the backfill's run ("after"); null when unknown.
struct BackfillDateOutcome {
  std::string date, run_id, execution, canonical_run_id;
  std::string status = "PENDING";  // the execution's status; PENDING when never started
  std::string cause, error;
  int attempts = 0;
  bool ran_now = false;  // ran in this call
  bool gate_passed = false;
  nlohmann::json before, after;
};

struct BackfillReport {
  BackfillRecord record;
  std::vector<BackfillDateOutcome> dates;
  int succeeded = 0, failed = 0, aborted = 0, pending = 0, running = 0;
  int64_t rows_read = 0;  // input rows of the dates run in this call
  double seconds = 0;     // wall time of this call
  int max_parallel = 0;   // the most dates that ran at once in this call
  // {"requested", "promoted", "pointer_version", "reason"} once decided; null otherwise.
  nlohmann::json promotion;
  nlohmann::json canary_diff;  // `runs diff` of the canary date against its canonical run
  std::vector<std::string> warnings;
  // Every date SUCCEEDED and a requested promotion happened.
  bool ok() const;
};

// True when `execution` ended FAILED with a recoverable cause (WorkerLost, StartFailed:
// IsRecoverableCause) although its run committed and passed the quality gate (the process
// died, or the store failed, between the manifest and the execution's finish). A
// backfill counts such a date as SUCCEEDED: for a backfill nothing follows the commit.
Result<bool> CommittedAfterWorkerLost(ObjectStore& store, const ExecutionRecord& execution);

// One date of an attempt as it ended (one date, or one of a --one-run range; a start
// that failed is FAILED with cause StartFailed); `rows` gets the date's input rows.
BackfillDateOutcome DateOutcomeOf(const BackfillDate& date, const Result<ExecutionOutcome>& outcome,
                                  int64_t* rows);

// How a report reads the state store: a command that acts reaps dead executions first
// (state/reaping_reads.h); the dashboard only reads.
enum class StateReads { kReapFirst, kAsStored };

// Reads every date's execution and both runs' manifests. The baseline ("before") is the
// canonical run recorded when the backfill was planned (options.canonical), so the
// comparison still means something after the backfill was promoted.
Result<BackfillReport> BuildBackfillReport(ObjectStore& store, StateStore& state,
                                           const BackfillRecord& record,
                                           StateReads reads = StateReads::kReapFirst);

// Promotes every date's run in ONE pointer version when every date SUCCEEDED and passed
// the quality gate; otherwise publishes nothing. Returns the promotion JSON: requested,
// promoted, pointer_version, dates, reason (why not, or Promote's error).
nlohmann::json PromoteBackfill(ObjectStore& store, const BackfillReport& report,
                               const std::string& reason);

// `runs diff` of one date's run against its canonical run; null without a canonical run.
Result<nlohmann::json> CanaryDiff(ObjectStore& store, const BackfillDateOutcome& date);

nlohmann::json BackfillReportToJson(const BackfillReport& report);

}  // namespace runlake
