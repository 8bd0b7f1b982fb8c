#pragma once
// Executions: one named, idempotent attempt to run the pipeline on one input (the Step
// Functions part of DESIGN.md). The records live in a StateStore (src/state/).

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "runlake/status.h"

namespace runlake {

// RUNNING is the only non-terminal state; an execution leaves it exactly once.
enum class ExecutionStatus { kRunning, kSucceeded, kFailed, kTimedOut, kAborted };

// "RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED".
const char* ToString(ExecutionStatus status);
// Inverse of ToString (exact, upper case). InvalidArgument for anything else.
Result<ExecutionStatus> ParseExecutionStatus(std::string_view text);
inline bool IsTerminal(ExecutionStatus status) { return status != ExecutionStatus::kRunning; }

struct ExecutionRecord {
  std::string name;          // unique; may contain '/' (backfills: "<backfill id>/<date>")
  std::string arn;           // filled with ExecutionArn(name) by the store when empty
  std::string input_json;    // the runbook input, verbatim
  std::string input_sha256;  // identity of the input; filled by the store when empty
  std::string run_id;
  ExecutionStatus status = ExecutionStatus::kRunning;
  std::string cause, error;  // set when the execution did not succeed
  std::string start_time;    // ISO-8601 UTC with ms, "2026-01-29T15:00:00.123Z"
  std::string stop_time;     // same format; "" while RUNNING
  int64_t pid = 0;           // worker process; the store fills getpid() when 0
  std::string host;          // worker host (gethostname); filled by the store when empty
  nlohmann::json summary;    // run metrics once done; null before
};

// One entry of an execution's history. ids count 1, 2, 3... within one execution, in
// the order the events were appended.
struct ExecutionEvent {
  int64_t id = 0;
  std::string timestamp;  // ISO-8601 UTC with ms
  std::string type;       // ExecutionStarted, TaskStateEntered, TaskSucceeded, TaskFailed,
                          // ExecutionSucceeded, ExecutionFailed, ExecutionTimedOut,
                          // ExecutionAborted, ...
  nlohmann::json details;
};

// "arn:runlake:states:local:execution:runlake:<name>", shaped like a Step Functions
// execution ARN so operators' scripts and _SUCCESS metadata keep their field.
std::string ExecutionArn(std::string_view name);

// Lower-case hex SHA-256 of the input bytes: "same input" means byte-identical input.
std::string ExecutionInputSha256(std::string_view input_json);

// Stable JSON for --json output: snake_case keys named like the struct fields.
nlohmann::json ToJson(const ExecutionRecord& record);
nlohmann::json ToJson(const ExecutionEvent& event);

}  // namespace runlake
