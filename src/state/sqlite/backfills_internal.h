#pragma once
// The backfill half of the SQLite StateStore (tables of schema migration 3). Kept apart
// from sqlite_state_store.cc so each file reads in one sitting; SqliteStateStore owns
// the connection and the mutex and calls these with the mutex held.

#include <optional>
#include <string>
#include <vector>

#include "state/sqlite/db_internal.h"
#include "runlake/state_store.h"

namespace runlake::sqlite {

class BackfillTables {
 public:
  BackfillTables(Db* db, std::string host) : db_(db), host_(std::move(host)) {}

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
  Result<std::optional<BackfillRecord>> Lookup(const std::string& id);
  Status LoadDates(BackfillRecord* record);

  Db* db_;
  std::string host_;
};

}  // namespace runlake::sqlite
