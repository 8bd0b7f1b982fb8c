#pragma once
// How far a backfill is, date by date, from its record and its executions (one LIST of
// executions by name prefix, not one read per date): what the overview and the matrix
// show for a backfill in progress.

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "runlake/backfill.h"
#include "runlake/state_store.h"

namespace runlake::serve {

struct BackfillProgress {
  int total = 0, succeeded = 0, failed = 0, running = 0, queued = 0, aborted = 0;
  std::map<std::string, std::string> date_state;      // date -> states.h name
  std::map<std::string, ExecutionRecord> executions;  // by execution name
};

Result<BackfillProgress> ProgressOf(StateStore& state, const BackfillRecord& record);
nlohmann::json ProgressToJson(const BackfillProgress& p);

}  // namespace runlake::serve
