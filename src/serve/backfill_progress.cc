#include "serve/backfill_progress.h"

#include "serve/states.h"

namespace runlake::serve {

Result<BackfillProgress> ProgressOf(StateStore& state, const BackfillRecord& record) {
  BackfillProgress p;
  ExecutionFilter filter;
  filter.name_prefix = record.id + "/";
  RUNLAKE_ASSIGN_OR_RAISE(auto execs, state.ListExecutions(filter));
  for (auto& e : execs) p.executions.emplace(e.name, std::move(e));
  for (const BackfillDate& d : record.dates) {
    ++p.total;
    std::string s = "queued";
    auto it = p.executions.find(d.execution);
    if (d.attempts > 0 && it != p.executions.end())
      s = StateOfExecution(ToString(it->second.status));
    // A stopped backfill's dates that never ran will not run: not "queued" any more.
    if (s == "queued" && !IsActive(record.status)) s = "aborted";
    p.date_state[d.date] = s;
    if (s == "succeeded")
      ++p.succeeded;
    else if (s == "failed" || s == "timed_out")
      ++p.failed;
    else if (s == "running")
      ++p.running;
    else if (s == "aborted")
      ++p.aborted;
    else
      ++p.queued;
  }
  return p;
}

nlohmann::json ProgressToJson(const BackfillProgress& p) {
  return {{"total", p.total},     {"succeeded", p.succeeded}, {"failed", p.failed},
          {"running", p.running}, {"queued", p.queued},       {"aborted", p.aborted},
          {"dates", p.date_state}};
}

}  // namespace runlake::serve
