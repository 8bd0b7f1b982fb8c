#pragma once
// Execution log lines in the SQLite StateStore (tables of schema migration 7). Like
// TaskTables: SqliteStateStore owns the connection and the mutex and calls these with the
// mutex held.

#include <map>
#include <string>
#include <vector>

#include "state/sqlite/db_internal.h"
#include "runlake/state_store.h"

namespace runlake::sqlite {

class LogTables {
 public:
  explicit LogTables(Db* db) : db_(db) {}

  Result<bool> Append(const std::vector<StoredLogLine>& lines);
  Result<std::vector<StoredLogLine>> Search(const StoredLogQuery& query);
  Result<std::map<std::string, StoredLogTotals>> Totals(const std::vector<std::string>& executions);

 private:
  Db* db_;
};

}  // namespace runlake::sqlite
