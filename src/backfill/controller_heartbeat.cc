#include "backfill/controller_heartbeat.h"

#include <algorithm>

#include "state/process_liveness.h"

namespace runlake {

ControllerHeartbeat::ControllerHeartbeat(StateStore& state, std::string id, int64_t interval_ms)
    : renewal_([&state, id = std::move(id)] { return state.HeartbeatBackfill(id); },
               // Six renewals per staleness limit: a few lost to a busy store do not make it stale.
               interval_ms > 0 ? interval_ms
                               : std::clamp<int64_t>(ControllerStaleMillis() / 6, 50, 10'000),
               HeartbeatGiveUpMillis()) {}

}  // namespace runlake
