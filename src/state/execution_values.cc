#include "runlake/execution.h"

#include <array>

#include "common/sha256.h"

namespace runlake {

namespace {
constexpr std::array<std::pair<ExecutionStatus, const char*>, 5> kStatusNames = {{
    {ExecutionStatus::kRunning, "RUNNING"},
    {ExecutionStatus::kSucceeded, "SUCCEEDED"},
    {ExecutionStatus::kFailed, "FAILED"},
    {ExecutionStatus::kTimedOut, "TIMED_OUT"},
    {ExecutionStatus::kAborted, "ABORTED"},
}};
}  // namespace

const char* ToString(ExecutionStatus status) {
  for (const auto& [value, name] : kStatusNames) {
    if (value == status) return name;
  }
  return "UNKNOWN";
}

Result<ExecutionStatus> ParseExecutionStatus(std::string_view text) {
  for (const auto& [value, name] : kStatusNames) {
    if (text == name) return value;
  }
  return Status::InvalidArgument("unknown execution status '" + std::string(text) +
                                 "' (expected RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED)");
}

std::string ExecutionArn(std::string_view name) {
  return "arn:runlake:states:local:execution:runlake:" + std::string(name);
}

std::string ExecutionInputSha256(std::string_view input_json) {
  Sha256 hash;
  hash.Update(input_json);
  return hash.HexDigest();
}

nlohmann::json ToJson(const ExecutionRecord& r) {
  return {{"name", r.name},           {"arn", r.arn},
          {"status", ToString(r.status)}, {"run_id", r.run_id},
          {"input_json", r.input_json}, {"input_sha256", r.input_sha256},
          {"cause", r.cause},         {"error", r.error},
          {"start_time", r.start_time}, {"stop_time", r.stop_time},
          {"pid", r.pid},             {"host", r.host},
          {"summary", r.summary}};
}

nlohmann::json ToJson(const ExecutionEvent& e) {
  return {{"id", e.id}, {"timestamp", e.timestamp}, {"type", e.type}, {"details", e.details}};
}

}  // namespace runlake
