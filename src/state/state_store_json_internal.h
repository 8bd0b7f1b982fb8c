#pragma once
// What every StateStore backend does alike with records: JSON columns stored as text,
// execution-name rules, and the event that finishing with a status appends.

#include <string>

#include <nlohmann/json.hpp>

#include "runlake/execution.h"
#include "runlake/status.h"
#include "runlake/state_store.h"

namespace runlake::state_internal {

// Invalid UTF-8 in details must not throw halfway through a transaction.
inline std::string DumpJson(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

inline Result<nlohmann::json> ParseStoredJson(const std::string& text, const std::string& what) {
  auto parsed = nlohmann::json::parse(text, nullptr, false);
  if (parsed.is_discarded()) return Status::Corruption(what + " is not valid JSON");
  return parsed;
}

inline Status ValidateExecutionName(const std::string& name) {
  if (name.empty()) return Status::InvalidArgument("execution name is empty");
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) {
      return Status::InvalidArgument("execution name contains a control character");
    }
  }
  return Status::OK();
}

inline const char* FinishEventType(ExecutionStatus status) {
  switch (status) {
    case ExecutionStatus::kSucceeded: return "ExecutionSucceeded";
    case ExecutionStatus::kTimedOut: return "ExecutionTimedOut";
    case ExecutionStatus::kAborted: return "ExecutionAborted";
    default: return "ExecutionFailed";
  }
}

// The reaper's error for an execution whose worker ended (`stale`: whose heartbeat stopped).
inline std::string LostWorkerError(int64_t pid, const std::string& host, bool stale) {
  return stale ? "no heartbeat from worker process " + std::to_string(pid) + " on host " + host +
                     " for longer than the staleness limit (RUNLAKE_CONTROLLER_STALE_SECONDS): "
                     "its machine or process is gone"
               : "worker process " + std::to_string(pid) + " on host " + host +
                     " ended without finishing the execution";
}

// The cause the reaper gives an execution whose process is gone.
inline constexpr const char* kWorkerLostCause = "WorkerLost";

inline nlohmann::json FinishDetails(const std::string& cause, const std::string& error,
                                    const nlohmann::json& summary) {
  nlohmann::json details = nlohmann::json::object();
  if (!cause.empty()) details["cause"] = cause;
  if (!error.empty()) details["error"] = error;
  if (!summary.is_null()) details["summary"] = summary;
  return details;
}

// RecoverExecution's precondition: the execution ended FAILED WorkerLost, or was already
// recovered to `to` (then the caller returns OK without a change).
inline Status CheckRecoverable(const std::string& name, const std::string& status,
                               const std::string& cause, ExecutionStatus to) {
  if (status == "FAILED" && IsRecoverableCause(cause)) return Status::OK();
  if (status == ToString(to) && !IsRecoverableCause(cause) && status != "RUNNING") return Status::OK();
  return Status::FailedPrecondition("execution '" + name + "' is " + status +
                                    (cause.empty() ? "" : " (" + cause + ")") +
                                    ", not FAILED WorkerLost or PublishFailed: nothing to recover");
}

}  // namespace runlake::state_internal
