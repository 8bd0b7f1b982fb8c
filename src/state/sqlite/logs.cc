// Execution log lines in the SQLite state store: execution_log_lines holds the lines,
// execution_logs each execution's totals, which the cap is checked against.

#include "state/sqlite/logs_internal.h"

#include "state/log_lines_internal.h"

namespace runlake::sqlite {

Result<bool> LogTables::Append(const std::vector<StoredLogLine>& lines) {
  if (lines.empty()) return true;
  // BEGIN IMMEDIATE: the totals read here cannot change under us before the write.
  RUNLAKE_ASSIGN_OR_RAISE(auto txn, Transaction::Begin(db_));
  RUNLAKE_ASSIGN_OR_RAISE(auto totals, Totals(state_internal::ExecutionsOf(lines)));
  state_internal::CappedLogBatch batch = state_internal::ApplyLogCap(lines, &totals);
  RUNLAKE_ASSIGN_OR_RAISE(
      Stmt insert, db_->Prepare("INSERT INTO execution_log_lines (execution, run_id, timestamp, "
                                "line) VALUES (?, ?, ?, ?)"));
  for (const StoredLogLine& l : batch.insert) {
    insert.Reset();
    insert.Bind(1, l.execution).Bind(2, l.run_id).Bind(3, l.timestamp).Bind(4, l.text);
    RUNLAKE_RETURN_NOT_OK(insert.Run());
  }
  RUNLAKE_ASSIGN_OR_RAISE(
      Stmt upsert,
      db_->Prepare("INSERT INTO execution_logs (execution, lines, bytes, truncated) "
                   "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (execution) DO UPDATE SET "
                   "lines = ?2, bytes = ?3, truncated = ?4"));
  for (const auto& [execution, t] : totals) {
    upsert.Reset();
    upsert.Bind(1, execution).Bind(2, t.lines).Bind(3, t.bytes).Bind(4, int64_t{t.truncated});
    RUNLAKE_RETURN_NOT_OK(upsert.Run());
  }
  RUNLAKE_RETURN_NOT_OK(txn->Commit());
  return !batch.truncated;
}

Result<std::vector<StoredLogLine>> LogTables::Search(const StoredLogQuery& q) {
  // instr(): literal and case-sensitive, where LIKE has wildcards and folds ASCII case.
  std::string sql =
      "SELECT execution, run_id, timestamp, line FROM execution_log_lines "
      "WHERE (?1 = '' OR execution = ?1) AND (?2 = '' OR run_id = ?2)";
  std::vector<std::string> params;
  for (const std::string& term : q.terms) {
    if (term.empty()) continue;
    params.push_back(term);
    sql += " AND instr(line, ?" + std::to_string(params.size() + 2) + ") > 0";
  }
  for (const std::string& skip : q.skip_executions) {
    params.push_back(skip);
    sql += " AND execution != ?" + std::to_string(params.size() + 2);
  }
  sql += q.newest_first ? " ORDER BY timestamp DESC, id DESC" : " ORDER BY timestamp, id";
  sql += " LIMIT ?" + std::to_string(params.size() + 3);
  RUNLAKE_ASSIGN_OR_RAISE(Stmt s, db_->Prepare(sql));
  s.Bind(1, q.execution).Bind(2, q.run_id);
  for (size_t i = 0; i < params.size(); ++i) s.Bind(static_cast<int>(i) + 3, params[i]);
  s.Bind(static_cast<int>(params.size()) + 3, q.limit == 0 ? int64_t{-1} : static_cast<int64_t>(q.limit));
  std::vector<StoredLogLine> out;
  while (true) {
    RUNLAKE_ASSIGN_OR_RAISE(bool row, s.Step());
    if (!row) break;
    out.push_back({s.Text(0), s.Text(1), s.Text(2), s.Text(3)});
  }
  return out;
}

Result<std::map<std::string, StoredLogTotals>> LogTables::Totals(
    const std::vector<std::string>& executions) {
  std::map<std::string, StoredLogTotals> out;
  RUNLAKE_ASSIGN_OR_RAISE(
      Stmt s, db_->Prepare("SELECT lines, bytes, truncated FROM execution_logs WHERE execution = ?"));
  for (const std::string& name : executions) {
    s.Reset();
    s.Bind(1, name);
    RUNLAKE_ASSIGN_OR_RAISE(bool row, s.Step());
    if (row) out[name] = StoredLogTotals{s.Int(0), s.Int(1), s.Int(2) != 0};
  }
  return out;
}

}  // namespace runlake::sqlite
