#pragma once
// Backfills, their dates and their controllers.
// One of the four interfaces of the state store (state_store.h), which every backend
// implements; each reader asks for the one it needs.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runlake/backfill.h"
#include "runlake/status.h"

namespace runlake {

struct BackfillFilter {
  bool active_only = false;  // only RUNNING, PAUSED, ABORTING, INTERRUPTED
  int limit = 0;             // at most this many, newest first; <= 0: all
};

class BackfillStore {
 public:
  virtual ~BackfillStore() = default;

  // ---- Backfills (runlake/backfill.h). A backfill's controller is the process that runs
  // its dates; like an execution's worker it is recorded as pid + host (+ start time), and
  // it renews a heartbeat (HeartbeatBackfill, the store's clock). A controller is gone when
  // it ran on this host and is certainly gone (same rule as ReapDeadExecutions), or when
  // its heartbeat is older than ControllerStaleMillis() (process_liveness.h), whatever its
  // host: a machine that died takes no process table with it to ask. A gone controller
  // turns its RUNNING backfill INTERRUPTED and its ABORTING backfill ABORTED when it is
  // reaped: by ReapDeadBackfills, or by ClaimBackfill (a write); reads never reap.

  // Creates the backfill and its dates (attempts, run_id, execution as given), with
  // created_at/updated_at and the controller heartbeat now; status as given. The
  // controller is this process, unless record.controller_host is set: then pid and host
  // as given (start time unknown). AlreadyExists when the id or the stamp is taken (the
  // caller bumps the stamp and tries again).
  virtual Status CreateBackfill(const BackfillRecord& record) = 0;

  // Turns the backfills of gone controllers INTERRUPTED or ABORTED (all of them, or only
  // `id` when it is not empty).
  virtual Status ReapDeadBackfills(const std::string& id) = 0;

  // The backfill with its dates, or nullopt, as stored (never reaps).
  virtual Result<std::optional<BackfillRecord>> GetBackfill(const std::string& id) = 0;

  // Matching backfills, newest first, with their dates, as stored (never reaps).
  virtual Result<std::vector<BackfillRecord>> ListBackfills(const BackfillFilter& filter) = 0;

  // Makes this process the controller (heartbeat now) and the status RUNNING, atomically,
  // unless a live controller holds it (status RUNNING or ABORTING): FailedPrecondition
  // naming its pid and host. NotFound for an unknown id. Returns the record as claimed.
  virtual Result<BackfillRecord> ClaimBackfill(const std::string& id) = 0;

  // The controller's heartbeat: sets it to now while this process (pid and host) is the
  // controller and the status RUNNING or ABORTING, and answers true. false when it is not
  // (reaped as stale, claimed by another controller, or ended): nothing changes, and the
  // caller must stop working on the backfill. NotFound for an unknown id.
  virtual Result<bool> HeartbeatBackfill(const std::string& id) = 0;

  // Compare-and-set: moves the backfill to `to` only if its status is one of `from`;
  // sets result too unless it is null. true when it moved, false when the status was
  // something else. NotFound for an unknown id.
  virtual Result<bool> TransitionBackfill(const std::string& id,
                                          const std::vector<BackfillStatus>& from,
                                          BackfillStatus to, const nlohmann::json& result) = 0;

  // Records the newest attempt of one date (attempts, run_id, execution). NotFound when
  // the backfill has no such date.
  virtual Status RecordBackfillAttempt(const std::string& id, const BackfillDate& date) = 0;
};

}  // namespace runlake
