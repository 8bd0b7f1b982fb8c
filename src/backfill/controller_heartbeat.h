#pragma once
// The backfill controller's heartbeat (StateStore::HeartbeatBackfill): a small thread that
// renews it while the controller works, so that a controller whose machine died is found
// by the age of its heartbeat, and a controller that lost its backfill (it stalled past the
// staleness limit and was reaped or claimed by another) learns so and stops.

#include <string>

#include "state/periodic_renewal.h"
#include "runlake/state_store.h"

namespace runlake {

class ControllerHeartbeat {
 public:
  // Starts renewing the heartbeat of backfill `id` every `interval_ms` (<= 0: a sixth of
  // ControllerStaleMillis(), within 50 ms .. 10 s). `state` must outlive this object.
  ControllerHeartbeat(StateStore& state, std::string id, int64_t interval_ms = 0);

  // true once the store answered that this process is no longer the controller, or no
  // renewal succeeded for HeartbeatGiveUpMillis() (store unreachable that long: another
  // controller may claim it soon). A failed renewal alone is not a loss: the next one tries.
  bool lost() const { return renewal_.lost(); }

 private:
  PeriodicRenewal renewal_;
};

}  // namespace runlake
