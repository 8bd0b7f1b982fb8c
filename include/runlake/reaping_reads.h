#pragma once
// Reads that first reap: for the commands that report executions and backfills to a
// person or act on them (`executions list/describe`, `run` waiting on another process's
// execution, a backfill's status or resume), where a dead worker's execution must show as
// FAILED (WorkerLost) and a dead controller's backfill as INTERRUPTED. The store's own
// reads never write (state_store.h), so the dashboard and /metrics, which only look,
// leave the store as they found it.

#include <optional>
#include <string>
#include <vector>

#include "runlake/backfill_store.h"
#include "runlake/execution_store.h"

namespace runlake {

inline Result<std::optional<ExecutionRecord>> ReapAndGetExecution(ExecutionStore& state, const std::string& name) {
  RUNLAKE_RETURN_NOT_OK(state.ReapDeadExecution(name).status());
  return state.GetExecution(name);
}

inline Result<std::vector<ExecutionRecord>> ReapAndListExecutions(ExecutionStore& state,
                                                                  const ExecutionFilter& filter) {
  RUNLAKE_RETURN_NOT_OK(state.ReapDeadExecutions().status());
  return state.ListExecutions(filter);
}

inline Result<std::optional<BackfillRecord>> ReapAndGetBackfill(BackfillStore& state, const std::string& id) {
  RUNLAKE_RETURN_NOT_OK(state.ReapDeadBackfills(id));
  return state.GetBackfill(id);
}

inline Result<std::vector<BackfillRecord>> ReapAndListBackfills(BackfillStore& state, const BackfillFilter& filter) {
  RUNLAKE_RETURN_NOT_OK(state.ReapDeadBackfills(""));
  return state.ListBackfills(filter);
}

}  // namespace runlake
