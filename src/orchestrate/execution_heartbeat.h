#pragma once
// An execution's heartbeat (StateStore::HeartbeatExecution), renewed by a PeriodicRenewal
// while the run works, so that a `runlake run` whose machine died is reaped by the age of
// its heartbeat on the store's clock from any other host (issue 13: before, only queue tasks
// and backfill controllers had one, and such an execution stayed RUNNING forever). A run
// whose execution was reaped meanwhile (it stalled past the limit) learns so and must not
// commit: the runner checks lost() before the commit.

#include <algorithm>
#include <string>

#include "state/periodic_renewal.h"
#include "state/process_liveness.h"
#include "runlake/state_store.h"

namespace runlake {

class ExecutionHeartbeat {
 public:
  // Renews `name` every sixth of ControllerStaleMillis() (50 ms .. 10 s). `state` must
  // outlive this object.
  ExecutionHeartbeat(StateStore& state, const std::string& name)
      : renewal_([&state, name] { return state.HeartbeatExecution(name); },
                 std::clamp<int64_t>(ControllerStaleMillis() / 6, 50, 10'000), HeartbeatGiveUpMillis()) {}

  // true once the store said the execution is no longer RUNNING (reaped as stale), or no
  // renewal succeeded for HeartbeatGiveUpMillis() (it may be reaped any moment).
  bool lost() const { return renewal_.lost(); }

 private:
  PeriodicRenewal renewal_;
};

}  // namespace runlake
