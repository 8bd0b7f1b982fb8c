#pragma once
// Executions of the pipeline (the Step Functions part): `runlake run --input FILE.json`.
// Takes the runbook's input JSON verbatim, keeps the execution in the state store with
// its event history and a structured log, retries transient failures with exponential
// backoff, and ends SUCCEEDED, or FAILED with a cause.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "runlake/state_store.h"
#include "runlake/object_store.h"
#include "runlake/rules.h"
#include "runlake/run.h"
#include "runlake/run_manifest.h"

namespace runlake {

// The runbook's input (Step 3): run_key, s3_bucket, s3_key, schema_version,
// trigger_source, trigger_event_id, trigger_event_time. runlake also takes `s3_keys`, an
// array of bronze keys of distinct ingest dates, in place of s3_key: one run reading them
// all (a multi-source run; `backfill run --one-run` writes it).
struct ExecutionInput {
  std::string run_key, s3_bucket, s3_key, schema_version, trigger_source, trigger_event_id,
      trigger_event_time;
  std::vector<std::string> s3_keys;  // every key the run reads; s3_key is the first
};
// InvalidArgument naming `origin` and the line for bad JSON or missing/mistyped fields.
// The biggest input JSON accepted (1 MiB).
inline constexpr size_t kMaxInputJsonBytes = 1 << 20;
Result<ExecutionInput> ParseExecutionInput(const std::string& json_text, const std::string& origin);

// An execution name a user gives (--name): 1 to 256 bytes, no control characters (it is
// printed in every list and log line). InvalidArgument otherwise.
Status ValidateExecutionName(const std::string& name);

struct ExecutionContext {
  ObjectStore* store = nullptr;
  StateStore* state = nullptr;
  std::string log_dir;
  std::string lake_bucket;  // the bucket of an s3:// lake; "" for other lakes
};

struct StartRequest {
  std::string input_json;
  std::string input_origin = "input";  // file name for messages
  std::string name;                    // "" -> the run_id
  std::optional<Rules> rules;          // nullopt -> defaults
  RunContractChoice contract;          // RunRequest::contract (default: the newest revision)
  int max_attempts = 3;                // transient failures retry up to this many tries
  // Polled between row batches: true stops the run and the execution ends ABORTED (a
  // backfill's `stop`). A stop request in the store (`executions stop`, from any process;
  // execution_stop.h) stops it the same way, checked at most once a second and once more,
  // always, just before the commit. A request that comes after that last check finds the
  // run committed: the execution ends SUCCEEDED and records StopIgnored. So ABORTED always
  // means that nothing was committed.
  std::function<bool()> cancelled;
  // Tests: runs between the last stop check and the commit (to land a stop there).
  std::function<void()> after_last_stop_check;
  // The run_id to use instead of the input's run_key (a queue worker's attempt k >= 2
  // runs under run_key-rk). "" -> run_key, or a generated one.
  std::string run_id;
  // Passed to RunRequest::before_commit (runlake/run.h), after the last stop check.
  std::function<Status()> before_commit;
  // Passed to RunRequest::progress: after every row batch of every attempt.
  std::function<void(const RunProgress&)> progress;
  // Whether a committed run that passes its gate becomes canonical at once (a daily run)
  // or waits for `promote` (a backfill). Set by whoever starts it, never guessed later;
  // recorded with the execution so a recovery finishes it the same way.
  bool publish = false;
};

struct ExecutionOutcome {
  ExecutionRecord record;
  bool created = false;     // false: an execution of this name and input already existed
  Status error;             // why the run failed (OK when it succeeded or was not run here)
  std::optional<RunManifest> manifest;
};

// What StartRequest::publish is for a runbook input run as it stands (`runlake run`, a
// queued daily task): false for the runbook's backfill inputs (trigger_source
// manual_backfill or backfill, run_id backfill-...), which an operator promotes after
// comparing; true otherwise.
bool PublishesItself(const ExecutionInput& input, const std::string& run_id);

// Starts (or finds) the named execution and, when new, runs it to the end. Returns an
// error only when no execution could be started (bad input JSON, a name taken by another
// input, state store trouble); a run that fails is an outcome with status FAILED (ABORTED
// when it was stopped).
Result<ExecutionOutcome> RunExecution(const ExecutionContext& ctx, const StartRequest& request);

}  // namespace runlake
