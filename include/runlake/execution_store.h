#pragma once
// Executions: their records, events and heartbeats (the Step Functions part).
// One of the four interfaces of the state store (state_store.h), which every backend
// implements; each reader asks for the one it needs.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runlake/execution.h"
#include "runlake/status.h"

namespace runlake {

struct StartOutcome {
  ExecutionRecord record;  // as stored
  bool created = false;    // false: an execution with this name and input already existed
};

struct ExecutionFilter {
  std::optional<ExecutionStatus> status;  // only this status
  std::string name_prefix;                // only names starting with this (case-sensitive)
  int limit = 0;                          // at most this many; <= 0: all
};

// The causes of a FAILED execution that may hide a committed run, so that the next
// command touching it finishes it (RecoverExecution): its process died (WorkerLost), its
// run committed but the publish kept failing (PublishFailed), or a backfill attempt ended
// in an error from outside its run, such as the state store failing to record its end
// (StartFailed: the state fault sweep found such a date run twice).
inline bool IsRecoverableCause(const std::string& cause) {
  return cause == "WorkerLost" || cause == "PublishFailed" || cause == "StartFailed";
}

class ExecutionStore {
 public:
  virtual ~ExecutionStore() = default;


  // Atomically creates `proposed.name` as a RUNNING execution. Fields left empty are
  // filled: arn (ExecutionArn), input_sha256 (of input_json), start_time (now), pid
  // (getpid()), host (gethostname()); status/cause/error/stop_time/summary are ignored.
  // On creation appends ExecutionStarted and returns created=true.
  // If the name exists with the same input_sha256, returns that execution unchanged
  // (whatever its status) with created=false. With a different input: AlreadyExists
  // "execution 'NAME' already exists with a different input".
  // InvalidArgument for an empty name or one containing control characters.
  virtual Result<StartOutcome> StartExecution(const ExecutionRecord& proposed) = 0;

  // Moves a RUNNING execution to terminal `status`, sets stop_time, cause, error and
  // summary, and appends ExecutionSucceeded / ExecutionFailed / ExecutionTimedOut /
  // ExecutionAborted (details: cause, error, summary). Finishing again with the same
  // status is a no-op (OK); with another status: FailedPrecondition (e.g. the reaper
  // already failed it). NotFound for an unknown name; InvalidArgument for kRunning.
  virtual Status FinishExecution(const std::string& name, ExecutionStatus status,
                                 const std::string& cause, const std::string& error,
                                 const nlohmann::json& summary) = 0;

  // Re-finishes an execution that ended FAILED with a recoverable cause (WorkerLost, or
  // PublishFailed: IsRecoverableCause) although its run had committed: sets `status`, cause, error and summary,
  // appends ExecutionRecovered (details: `note`, the lost cause) and then the usual finish
  // event. OK without change when it already has `status` and a cause that is not
  // recoverable (another process recovered it first); FailedPrecondition for any other
  // state (RUNNING, or an execution that failed for another cause). NotFound for an unknown name.
  virtual Status RecoverExecution(const std::string& name, ExecutionStatus status,
                                  const std::string& cause, const std::string& error,
                                  const nlohmann::json& summary, const std::string& note) = 0;

  // Appends one event (TaskStateEntered, TaskSucceeded, ...) to the history of `name`,
  // timestamped now. NotFound for an unknown name.
  virtual Status AppendEvent(const std::string& name, const std::string& type,
                             const nlohmann::json& details) = 0;

  // The execution, or nullopt, as stored: a read never writes, so an execution whose
  // worker died stays RUNNING until someone reaps it (ReapDeadExecutions; the commands
  // that report executions do, state/reaping_reads.h; the dashboard does not).
  virtual Result<std::optional<ExecutionRecord>> GetExecution(const std::string& name) = 0;

  // Matching executions, newest start first, as stored (never reaps).
  virtual Result<std::vector<ExecutionRecord>> ListExecutions(const ExecutionFilter& filter) = 0;

  // The events of `name` in the order they were appended (ids 1, 2, ...). NotFound for an
  // unknown name.
  virtual Result<std::vector<ExecutionEvent>> History(const std::string& name) = 0;

  // Marks FAILED (cause "WorkerLost", with an ExecutionFailed event) every RUNNING
  // execution whose worker ran on this host and is certainly gone: its pid no longer
  // exists, is a zombie, or now belongs to a process started at another time; and every
  // one of another host whose heartbeat (HeartbeatExecution) is stale. Returns how many.
  virtual Result<int> ReapDeadExecutions() = 0;
  // The same for one execution (0 or 1).
  virtual Result<int> ReapDeadExecution(const std::string& name) = 0;

  // The heartbeat of a RUNNING execution, renewed by the process running it (the store's
  // clock): one of another host whose heartbeat is older than ControllerStaleMillis() is
  // reaped like a dead process, since a machine that died takes no process table with it.
  // true when renewed; false when the execution is not RUNNING (reaped, ended) or unknown.
  virtual Result<bool> HeartbeatExecution(const std::string& name) = 0;
};

}  // namespace runlake
