#include "runlake/execution_stop.h"
#include "runlake/reaping_reads.h"

#include <thread>

namespace runlake {

Status RequestExecutionStop(StateStore& state, const std::string& name, const std::string& by) {
  RUNLAKE_ASSIGN_OR_RAISE(auto rec, ReapAndGetExecution(state, name));
  if (!rec) return Status::NotFound("no execution named '" + name + "'");
  if (rec->status != ExecutionStatus::kRunning) {
    return Status::FailedPrecondition("execution '" + name + "' already ended " +
                                      ToString(rec->status));
  }
  return state.AppendEvent(name, kStopRequestedEvent, nlohmann::json{{"by", by}});
}

Result<bool> StopRequested(StateStore& state, const std::string& name) {
  RUNLAKE_ASSIGN_OR_RAISE(auto rec, ReapAndGetExecution(state, name));
  if (!rec) return false;
  if (rec->status == ExecutionStatus::kAborted) return true;
  RUNLAKE_ASSIGN_OR_RAISE(auto events, state.History(name));
  for (const auto& e : events) {
    if (e.type == kStopRequestedEvent) return true;
  }
  return false;
}

Result<ExecutionRecord> StopExecution(StateStore& state, const std::string& name,
                                      std::chrono::milliseconds wait) {
  RUNLAKE_RETURN_NOT_OK(RequestExecutionStop(state, name, "runlake executions stop"));
  auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    RUNLAKE_ASSIGN_OR_RAISE(auto rec, ReapAndGetExecution(state, name));
    if (!rec) return Status::NotFound("execution '" + name + "' disappeared");
    if (rec->status != ExecutionStatus::kRunning || std::chrono::steady_clock::now() >= deadline) {
      return *rec;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace runlake
