#pragma once
// The structured execution log (what CloudWatch Logs is to the runbook): JSON lines, one
// file per execution under a log directory, searchable by run_id, execution and a
// literal filter phrase (`runlake logs`). With a state store the lines are kept
// there too (StateStore::AppendLogLines, capped per execution), so `runlake logs` finds
// them from any machine sharing the store; the local file keeps every line.
//
// Line format, one JSON object per line:
//   {"timestamp":"2026-01-29T15:00:00.123Z","level":"INFO","message":"...",
//    "run_id":"...","execution":"...", <extra fields>}
// Metric lines add "metric_name" and "metric_value".

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runlake/status.h"
#include "runlake/state_store.h"

namespace runlake {

class ExecutionLog {
 public:
  // Opens (creating the directory and file) the log of `execution_name` for appending.
  // Several processes may hold the same log open: each line is one O_APPEND write, so
  // lines never interleave. InvalidArgument for an empty name; IOError otherwise.
  // `state` (may be null) also receives the lines, in batches (see Flush).
  static Result<std::unique_ptr<ExecutionLog>> Open(const std::string& log_dir,
                                                    const std::string& execution_name,
                                                    const std::string& run_id,
                                                    StateStore* state = nullptr);
  // Flushes.
  ~ExecutionLog();
  ExecutionLog(const ExecutionLog&) = delete;
  ExecutionLog& operator=(const ExecutionLog&) = delete;

  // Logging never fails the execution it describes: a failed write is remembered in
  // status() and the line is dropped. `extra` (an object) adds fields to the line; keys
  // that clash with the standard fields are ignored, a non-object goes under "extra".
  void Info(const std::string& message, const nlohmann::json& extra = {});
  void Warn(const std::string& message, const nlohmann::json& extra = {});
  void Error(const std::string& message, const nlohmann::json& extra = {});
  // An INFO line "metric <name>=<value>" with metric_name / metric_value fields.
  void Metric(const std::string& name, double value);

  // Sends the lines not yet in the state store, in one transaction. Done on its own once
  // kFlushLines are waiting, when a line comes kFlushAge or more after the oldest waiting
  // one, and on destruction; the runner calls it before the execution ends, so whoever sees
  // it ended sees its lines (that it started, and why it failed, the execution's record and
  // events say at once). A failure is remembered in status() and the batch dropped (the
  // local file has it).
  void Flush();
  static constexpr size_t kFlushLines = 64;
  static constexpr std::chrono::seconds kFlushAge{1};

  const std::string& path() const { return path_; }
  // The first write error, or OK.
  Status status() const {
    std::lock_guard lock(mu_);
    return status_;
  }

 private:
  ExecutionLog(int fd, std::string path, std::string execution, std::string run_id,
               StateStore* state)
      : fd_(fd), path_(std::move(path)), execution_(std::move(execution)),
        run_id_(std::move(run_id)), state_(state) {}
  void Write(const char* level, const std::string& message, const nlohmann::json& extra);
  void FlushLocked();  // mu_ held

  int fd_;
  std::string path_, execution_, run_id_;
  StateStore* state_;
  mutable std::mutex mu_;  // the fields below: runs may log from several threads
  Status status_;
  std::vector<StoredLogLine> pending_;
  std::chrono::steady_clock::time_point oldest_pending_;
  bool store_full_ = false;  // the store's cap was reached: send no more
};

// The file (within the log directory) holding an execution's log: the name with every
// byte outside [A-Za-z0-9._-] written as %XX, plus ".jsonl", so '/' in backfill names
// ("<backfill id>/<date>") cannot escape the directory. Over-long names are cut and
// suffixed with a hash to stay within file name limits.
std::string LogFileName(const std::string& execution_name);

struct LogQuery {
  std::string run_id;          // only lines with this run_id ("": any)
  std::string execution;       // only this execution's lines ("": every execution)
  std::string filter_pattern;  // one literal phrase, see LogLineMatches ("": every line)
  size_t limit = 0;            // at most this many lines, the oldest first; 0: all
  size_t offset = 0;           // skip this many matching lines first (paging)
};

// The text a reader sees of one field's value: a string as it is, anything else as JSON.
std::string LogFieldText(const nlohmann::json& value);

// Whether `phrase` occurs, literally and case-sensitively, in what a user reads of the
// line: its message or one of its field values (LogFieldText), each on its own. JSON keys
// and punctuation never match: "quality gate" does not find a `quality_gate` key, nor
// does it find "quality" and "gate" apart. One pair of double quotes around the whole
// phrase is dropped (`"a b"` is the phrase a b, as CloudWatch writes one). "" matches
// every line.
bool LogLineMatches(const nlohmann::json& line, const std::string& phrase);

// One line as `runlake logs` prints it to a reader:
//   2024-01-15T12:00:00.123Z INFO  <execution> <run_id> <message> key=value ...
// the other fields in key order; a value with spaces, quotes or '=' (or an empty one) is
// JSON-quoted, and control characters in the message are escaped (a log line may quote a
// hostile input row: it must not drive the terminal).
std::string FormatLogLine(const nlohmann::json& line);

// Lines of the logs under `log_dir` matching `q`, ordered by timestamp (ties keep file
// order), the filter phrase as LogLineMatches says. Lines that are not JSON objects are
// skipped, never fatal. A missing log_dir gives no lines.
Result<std::vector<nlohmann::json>> SearchLogs(const std::string& log_dir, const LogQuery& q);

// The same over this machine's files and the state store's lines (StateStore::
// SearchLogLines) together: an execution whose file is here is read from its file (the
// whole log, the newest lines too), every other one from the store. So the executions of
// every machine sharing the store are found, each line once. Paged in the store: at most
// offset + limit lines are read from it.
Result<std::vector<nlohmann::json>> SearchLogs(StateStore* state, const std::string& log_dir,
                                               const LogQuery& q);

}  // namespace runlake
