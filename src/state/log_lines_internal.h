#pragma once
// What every StateStore backend does alike with execution log lines: the per-execution
// cap (kMaxStoredLogBytesPerExecution) and the line that marks a truncated log. A backend
// reads the totals of the executions in a batch (locked for its transaction), lets
// ApplyLogCap decide, inserts what it returns and writes the totals back.

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runlake/state_store.h"
#include "state/state_store_json_internal.h"

namespace runlake::state_internal {

// The line that stands for the lines of `dropped`'s execution dropped at the store's cap.
inline StoredLogLine TruncatedLogLine(const StoredLogLine& dropped, int64_t kept_bytes) {
  nlohmann::json line = {
      {"timestamp", dropped.timestamp},
      {"level", "WARN"},
      {"message", "log truncated in the state store after " + std::to_string(kept_bytes) +
                      " bytes; every line is in the local log file of the machine that ran it"},
      {"run_id", dropped.run_id},
      {"execution", dropped.execution},
      {"log_truncated", true}};
  return {dropped.execution, dropped.run_id, dropped.timestamp, DumpJson(line)};
}

struct CappedLogBatch {
  std::vector<StoredLogLine> insert;  // in order, markers included
  bool truncated = false;             // some execution of the batch is truncated now
};

// Decides which of `lines` are stored, given and updating each execution's `totals` (an
// execution absent from it has none yet).
inline CappedLogBatch ApplyLogCap(const std::vector<StoredLogLine>& lines,
                                  std::map<std::string, StoredLogTotals>* totals) {
  CappedLogBatch out;
  for (const StoredLogLine& line : lines) {
    StoredLogTotals& t = (*totals)[line.execution];
    if (t.truncated) {
      out.truncated = true;
      continue;
    }
    const auto size = static_cast<int64_t>(line.text.size());
    if (t.bytes + size > kMaxStoredLogBytesPerExecution) {
      StoredLogLine marker = TruncatedLogLine(line, t.bytes);
      t.bytes += static_cast<int64_t>(marker.text.size());
      ++t.lines;
      t.truncated = true;
      out.truncated = true;
      out.insert.push_back(std::move(marker));
      continue;
    }
    t.bytes += size;
    ++t.lines;
    out.insert.push_back(line);
  }
  return out;
}

// The executions named in `lines`, each once.
inline std::vector<std::string> ExecutionsOf(const std::vector<StoredLogLine>& lines) {
  std::vector<std::string> names;
  for (const StoredLogLine& l : lines) {
    if (names.empty() || names.back() != l.execution) names.push_back(l.execution);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace runlake::state_internal
