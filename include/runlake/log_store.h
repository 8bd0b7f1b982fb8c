#pragma once
// The lines of executions' structured logs, kept with them.
// One of the four interfaces of the state store (state_store.h), which every backend
// implements; each reader asks for the one it needs.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runlake/status.h"

namespace runlake {

// ---- Execution logs kept with the execution (see StateStore::AppendLogLines).
struct StoredLogLine {
  std::string execution;
  std::string run_id;
  std::string timestamp;  // the line's own ISO-8601 UTC timestamp: lines sort by it
  std::string text;       // the whole JSON line, without its newline
};

// A literal, case-sensitive search: every term occurs in a line's text (no wildcards:
// '%' and '_' are themselves).
struct StoredLogQuery {
  std::string execution;                   // "": every execution
  std::string run_id;                      // "": any run_id
  std::vector<std::string> terms;          // all must occur; empty terms are ignored
  std::vector<std::string> skip_executions;  // leave these executions' lines out
  bool newest_first = false;               // order: timestamp (then insertion) ascending, or not
  size_t limit = 0;                        // at most this many; 0: all
};

struct StoredLogTotals {
  int64_t lines = 0;       // stored, the truncation marker included
  int64_t bytes = 0;       // of the stored lines' text
  bool truncated = false;  // lines were dropped at the cap
};

// What the store keeps of one execution's log: beyond it lines are dropped (the local
// JSON-lines file keeps them all) and one WARN line says so.
inline constexpr int64_t kMaxStoredLogBytesPerExecution = int64_t{1} << 20;

class LogStore {
 public:
  virtual ~LogStore() = default;

  // ---- Execution logs: the lines of the structured log (orchestrate/exec_log.h) are kept
  // here as well as in the local file, so `runlake logs` works from any machine.

  // Appends `lines` (of one execution each, in order) in one transaction, up to
  // kMaxStoredLogBytesPerExecution of text per execution: the first line that does not fit
  // is replaced by one WARN line saying the log was truncated (TruncatedLogLine), and that
  // line and every later one are dropped. Returns false when some execution of `lines` is
  // truncated now (the caller may stop sending its lines), true otherwise. The execution
  // need not exist (its lines may arrive before or after its record).
  virtual Result<bool> AppendLogLines(const std::vector<StoredLogLine>& lines) = 0;

  // The stored lines matching `query`, ordered by timestamp, ties in insertion order.
  virtual Result<std::vector<StoredLogLine>> SearchLogLines(const StoredLogQuery& query) = 0;

  // The totals of each of `executions` that has stored lines (others are absent).
  virtual Result<std::map<std::string, StoredLogTotals>> LogTotals(
      const std::vector<std::string>& executions) = 0;
};

}  // namespace runlake
