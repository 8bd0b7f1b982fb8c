// Execution log lines in the PostgreSQL state store: execution_log_lines holds the lines,
// execution_logs each execution's totals, which the cap is checked against.

#include "state/postgres/logs_internal.h"

#include "state/log_lines_internal.h"

namespace runlake::pg {
namespace {

// Rows per INSERT: one round trip for a whole flush of the log writer, under libpq's
// 65,535-parameter limit.
constexpr size_t kRowsPerInsert = 200;

// "$1, $2, ..." style placeholders for `params` appended so far.
std::string Placeholder(std::vector<std::string>* params, std::string value) {
  params->push_back(std::move(value));
  return "$" + std::to_string(params->size());
}

Result<std::map<std::string, StoredLogTotals>> ReadTotals(Conn& c,
                                                          const std::vector<std::string>& names,
                                                          bool lock) {
  std::map<std::string, StoredLogTotals> out;
  if (names.empty()) return out;
  std::vector<std::string> params;
  std::string in;
  for (const std::string& n : names) in += (in.empty() ? "" : ", ") + Placeholder(&params, n);
  RUNLAKE_ASSIGN_OR_RAISE(
      Rows rows, c.Exec("SELECT execution, lines, bytes, truncated FROM execution_logs "
                        "WHERE execution IN (" + in + ") ORDER BY execution" +
                            (lock ? " FOR UPDATE" : ""),
                        params));
  for (int i = 0; i < rows.size(); ++i) {
    out[rows.Text(i, 0)] = StoredLogTotals{rows.Int(i, 1), rows.Int(i, 2), rows.Text(i, 3) == "t"};
  }
  return out;
}

}  // namespace

Result<bool> LogTables::Append(const std::vector<StoredLogLine>& lines) {
  if (lines.empty()) return true;
  const std::vector<std::string> names = state_internal::ExecutionsOf(lines);
  return session_->InTransaction([&](Conn& c) -> Result<bool> {
    // A totals row for each execution first, so that FOR UPDATE has a row to lock.
    std::vector<std::string> params;
    std::string values;
    for (const std::string& n : names) {
      values += (values.empty() ? "(" : ", (") + Placeholder(&params, n) + ", 0, 0)";
    }
    RUNLAKE_RETURN_NOT_OK(c.Exec("INSERT INTO execution_logs (execution, lines, bytes) VALUES " +
                                     values + " ON CONFLICT (execution) DO NOTHING",
                                 params)
                              .status());
    RUNLAKE_ASSIGN_OR_RAISE(auto totals, ReadTotals(c, names, /*lock=*/true));
    state_internal::CappedLogBatch batch = state_internal::ApplyLogCap(lines, &totals);
    for (size_t start = 0; start < batch.insert.size(); start += kRowsPerInsert) {
      params.clear();
      values.clear();
      for (size_t i = start; i < batch.insert.size() && i < start + kRowsPerInsert; ++i) {
        const StoredLogLine& l = batch.insert[i];
        values += (values.empty() ? "(" : ", (") + Placeholder(&params, l.execution) + ", " +
                  Placeholder(&params, l.run_id) + ", " + Placeholder(&params, l.timestamp) +
                  ", " + Placeholder(&params, l.text) + ")";
      }
      RUNLAKE_RETURN_NOT_OK(c.Exec("INSERT INTO execution_log_lines (execution, run_id, "
                                   "timestamp, line) VALUES " + values,
                                   params)
                                .status());
    }
    for (const auto& [execution, t] : totals) {
      RUNLAKE_RETURN_NOT_OK(
          c.Exec("UPDATE execution_logs SET lines = $2::bigint, bytes = $3::bigint, "
                 "truncated = $4::boolean WHERE execution = $1",
                 {execution, std::to_string(t.lines), std::to_string(t.bytes),
                  t.truncated ? "true" : "false"})
              .status());
    }
    return !batch.truncated;
  });
}

Result<std::vector<StoredLogLine>> LogTables::Search(const StoredLogQuery& q) {
  std::vector<std::string> params = {q.execution, q.run_id};
  // strpos(): literal and case-sensitive, where LIKE has wildcards.
  std::string sql =
      "SELECT execution, run_id, timestamp, line FROM execution_log_lines "
      "WHERE ($1 = '' OR execution = $1) AND ($2 = '' OR run_id = $2)";
  for (const std::string& term : q.terms) {
    if (!term.empty()) sql += " AND strpos(line, " + Placeholder(&params, term) + ") > 0";
  }
  for (const std::string& skip : q.skip_executions) {
    sql += " AND execution != " + Placeholder(&params, skip);
  }
  sql += q.newest_first ? " ORDER BY timestamp DESC, id DESC" : " ORDER BY timestamp, id";
  if (q.limit > 0) sql += " LIMIT " + std::to_string(q.limit);
  return session_->Autocommit([&](Conn& c) -> Result<std::vector<StoredLogLine>> {
    RUNLAKE_ASSIGN_OR_RAISE(Rows rows, c.Exec(sql, params));
    std::vector<StoredLogLine> out;
    out.reserve(rows.size());
    for (int i = 0; i < rows.size(); ++i) {
      out.push_back({rows.Text(i, 0), rows.Text(i, 1), rows.Text(i, 2), rows.Text(i, 3)});
    }
    return out;
  });
}

Result<std::map<std::string, StoredLogTotals>> LogTables::Totals(
    const std::vector<std::string>& executions) {
  return session_->Autocommit([&](Conn& c) { return ReadTotals(c, executions, /*lock=*/false); });
}

}  // namespace runlake::pg
