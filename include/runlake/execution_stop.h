#pragma once
// Stopping a running execution (`runlake executions stop NAME`). The stopper asks, the
// worker decides: a StopRequested event goes into the execution's history, and the worker
// (which polls for it) ends the execution ABORTED if, and only if, it has not committed its
// run yet. A stop that arrives after the commit is too late: the execution ends SUCCEEDED
// and its history shows the request and a StopIgnored event. So ABORTED always means
// "nothing committed", whichever process wrote it and whenever the stop landed.

#include <chrono>
#include <string>

#include "runlake/state_store.h"

namespace runlake {

inline constexpr const char* kStopRequestedEvent = "StopRequested";
inline constexpr const char* kStopIgnoredEvent = "StopIgnored";

// Appends a StopRequested event to a RUNNING execution. NotFound for an unknown name;
// FailedPrecondition when it already ended (the message names its status).
Status RequestExecutionStop(StateStore& state, const std::string& name, const std::string& by);

// Whether a stop was requested for `name`: a StopRequested event, or the status ABORTED
// (written directly by runlake builds before this protocol).
Result<bool> StopRequested(StateStore& state, const std::string& name);

// RequestExecutionStop, then waits up to `wait` for the worker to end the execution.
// Returns the execution as it is then: ABORTED (stopped), SUCCEEDED (the stop came after
// the commit), FAILED, or still RUNNING (the worker did not get to its next check in time;
// it stops when it does, or the reaper fails it if it died).
Result<ExecutionRecord> StopExecution(StateStore& state, const std::string& name,
                                      std::chrono::milliseconds wait);

}  // namespace runlake
