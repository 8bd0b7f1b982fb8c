#pragma once
// The backfill half of the PostgreSQL StateStore (tables of schema migration 3), kept
// apart from pg_state_store.cc so each file reads in one sitting. The same contract as
// sqlite::BackfillTables; every method runs through the store's pg::Session (retries).

#include <optional>
#include <string>
#include <vector>

#include "state/postgres/session_internal.h"
#include "runlake/state_store.h"

namespace runlake::pg {

class BackfillTables {
 public:
  BackfillTables(Session* session, std::string host) : session_(session), host_(std::move(host)) {}

  Status Create(const BackfillRecord& record);
  Result<std::optional<BackfillRecord>> Get(const std::string& id);
  Result<std::vector<BackfillRecord>> List(const BackfillFilter& filter);
  Result<BackfillRecord> Claim(const std::string& id);
  Result<bool> Heartbeat(const std::string& id);
  Result<bool> Transition(const std::string& id, const std::vector<BackfillStatus>& from,
                          BackfillStatus to, const nlohmann::json& result);
  Status RecordAttempt(const std::string& id, const BackfillDate& date);

  // Turns RUNNING/ABORTING backfills whose controller on this host is gone into
  // INTERRUPTED/ABORTED, or whose heartbeat is stale (any host). `only_id` == nullptr: every backfill.
  // (StateStore::ReapDeadBackfills; ClaimBackfill does it first for its id).
  Status Reap(const std::string* only_id);

 private:

  Session* session_;
  std::string host_;
};

}  // namespace runlake::pg
