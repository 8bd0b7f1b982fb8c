// `backfill stop` and `backfill status`: what an operator does to a backfill without
// running any of its dates (backfill_controller.h declares them beside run and resume).

#include "runlake/backfill_controller.h"
#include "runlake/reaping_reads.h"

namespace runlake {

using nlohmann::json;

Result<BackfillRecord> StopBackfill(StateStore& state, const std::string& id) {
  // Queued dates must not start on a worker after the stop; running ones are asked to stop.
  RUNLAKE_RETURN_NOT_OK(state.CancelTasks(id).status());
  for (int tries = 0; tries < 5; ++tries) {
    RUNLAKE_ASSIGN_OR_RAISE(auto rec, ReapAndGetBackfill(state, id));
    if (!rec) return Status::NotFound("no backfill '" + id + "'");
    switch (rec->status) {
      case BackfillStatus::kAborting: return *rec;
      case BackfillStatus::kSucceeded:
      case BackfillStatus::kAborted:
        return Status::FailedPrecondition("backfill '" + id + "' already ended " +
                                          ToString(rec->status));
      default: break;
    }
    // A live controller stops its own dates; without one there is nothing to wait for.
    BackfillStatus to = rec->status == BackfillStatus::kRunning ? BackfillStatus::kAborting
                                                                : BackfillStatus::kAborted;
    RUNLAKE_ASSIGN_OR_RAISE(bool moved, state.TransitionBackfill(id, {rec->status}, to, json()));
    if (moved) {
      RUNLAKE_ASSIGN_OR_RAISE(auto after, ReapAndGetBackfill(state, id));
      if (after) return *after;
    }
  }
  return Status::Conflict("backfill '" + id + "' kept changing status; try again");
}

Result<BackfillReport> DescribeBackfill(const ExecutionContext& ctx, const std::string& id, StateReads reads) {
  RUNLAKE_ASSIGN_OR_RAISE(auto rec, reads == StateReads::kReapFirst ? ReapAndGetBackfill(*ctx.state, id)
                                                                    : ctx.state->GetBackfill(id));
  if (!rec) return Status::NotFound("no backfill '" + id + "'");
  return BuildBackfillReport(*ctx.store, *ctx.state, *rec, reads);
}

}  // namespace runlake
