#pragma once
// What every StateStore backend does alike with records: JSON columns stored as text,
// execution-name rules, and the event that finishing with a status appends.

#include <string>

#include <nlohmann/json.hpp>

#include "runlake/execution.h"
#include "runlake/status.h"

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

}  // namespace runlake::state_internal
