#pragma once
// Execution log lines in the PostgreSQL StateStore (tables of schema migration 7), the
// same contract as sqlite::LogTables. An append locks the totals rows of its executions
// (FOR UPDATE), so concurrent writers of one execution's log check the cap in turn.

#include <map>
#include <string>
#include <vector>

#include "state/postgres/session_internal.h"
#include "runlake/state_store.h"

namespace runlake::pg {

class LogTables {
 public:
  explicit LogTables(Session* session) : session_(session) {}

  Result<bool> Append(const std::vector<StoredLogLine>& lines);
  Result<std::vector<StoredLogLine>> Search(const StoredLogQuery& query);
  Result<std::map<std::string, StoredLogTotals>> Totals(const std::vector<std::string>& executions);

 private:
  Session* session_;
};

}  // namespace runlake::pg
