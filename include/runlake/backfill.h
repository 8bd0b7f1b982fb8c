#pragma once
// Backfills (`runlake backfill`): reprocessing a range of ingest dates from bronze, one
// execution per date, under one backfill id, with plan, canary, resume, stop, comparison
// and gated promotion (the runbook's backfill playbook as one command).
//
// Naming (DESIGN.md run_id rules and the runbook's format):
//   backfill id      backfill-<from>[-to-<to>]-<UTC YYYYMMDDTHHMMSSZ>   (the "stamp")
//   run_id of a date backfill-<date>-<stamp>, and backfill-<date>-<stamp>-r<k> for the
//                    k-th attempt (k >= 2): a failed or lost attempt may have claimed its
//                    run_id, and nothing is ever written twice to one run path.
//   execution        <backfill id>/<date>, and <backfill id>/<date>#<k> for attempt k >= 2:
//                    names are fixed per attempt, so resubmitting an attempt is idempotent
//                    (a SUCCEEDED date is never run again).
// With --one-run over a range, every date shares one run and one execution, named after
// the range: run_id backfill-<from>-to-<to>-<stamp>[-r<k>] (the backfill id for attempt 1),
// execution <backfill id>/<from>..<to>[#<k>].
// Two backfills never share a stamp (the state store refuses it), so their run_ids never
// collide even when they start in the same second over overlapping dates.

#include <cstdint>
#include <optional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runlake/layout.h"
#include "runlake/status.h"

namespace runlake {

// RUNNING: a controller works on it. PAUSED: the canary date ran; waits for `resume`.
// ABORTING: `stop` asked the controller to stop. INTERRUPTED: its controller died (found
// by the state store, like WorkerLost); `resume` finishes it. ABORTED, SUCCEEDED (every
// date SUCCEEDED), FAILED (some date did not): the controller ended.
enum class BackfillStatus { kRunning, kPaused, kAborting, kInterrupted, kAborted, kSucceeded, kFailed };

const char* ToString(BackfillStatus status);
Result<BackfillStatus> ParseBackfillStatus(const std::string& text);
// A backfill whose dates may still change: RUNNING, PAUSED, ABORTING, INTERRUPTED.
bool IsActive(BackfillStatus status);

// One date of a backfill. attempts == 0: never started.
struct BackfillDate {
  std::string date;        // ingest_date
  std::string source_key;  // the bronze object it reads
  int attempts = 0;
  std::string run_id, execution;  // of the newest attempt ("" before the first)
};

// How a backfill was started: what `resume` and every controller read back. One JSON codec
// (BackfillOptionsToJson/FromJson); the record is ours, so an unknown key or a missing one
// is a corruption, never a silent default.
struct BackfillOptions {
  int concurrency = 1;
  bool canary = false;
  bool promote = false;        // promote when every date succeeded
  std::string reason;          // the promotion's reason
  std::string schema_version = "v1";
  std::string bronze_run;      // --bronze-run: read the bronze files of this run
  int max_attempts = 3;
  std::string rules_hash;      // of the rules in effect
  std::map<std::string, std::string> canonical;  // date -> the run canonical at the start
  bool one_run = false;        // every date in one run
  bool queue = false;          // dates run as queued tasks
  // The rules file verbatim, so resume validates the same way; "" for the defaults.
  std::string rules_text, rules_origin;
  // The contract every date uses (RunContractChoice): the revision pinned when the backfill
  // started (the newest then, or --contract-revision N), or --contract FILE's text (then
  // revision 0). Written only when set, so records from before contracts load unchanged.
  int64_t contract_revision = 0;
  std::string contract_text, contract_origin;
};

nlohmann::json BackfillOptionsToJson(const BackfillOptions& o);
Result<BackfillOptions> BackfillOptionsFromJson(const nlohmann::json& j, const std::string& origin);

struct BackfillRecord {
  std::string id, stamp;
  DatasetId dataset;
  std::string from_date, to_date;
  BackfillStatus status = BackfillStatus::kRunning;
  BackfillOptions options;
  nlohmann::json result;  // promotion outcome and final figures; null until the end
  std::string created_at, updated_at;
  int64_t controller_pid = 0;
  std::string controller_host;
  std::string controller_heartbeat_at;  // the store's clock, ISO-8601 UTC
  std::vector<BackfillDate> dates;  // sorted by date
};

nlohmann::json ToJson(const BackfillRecord& record);

// Every YYYY-MM-DD in [from, to]. InvalidArgument for a malformed date, from after to, or
// a range over 3,660 days.
Result<std::vector<std::string>> DateRange(const std::string& from, const std::string& to);

std::string BackfillId(const std::string& from, const std::string& to, const std::string& stamp);
std::string BackfillRunId(const std::string& date, const std::string& stamp, int attempt);
std::string BackfillExecutionName(const std::string& backfill_id, const std::string& date,
                                  int attempt);
std::string BackfillRangeRunId(const std::string& from, const std::string& to,
                               const std::string& stamp, int attempt);
std::string BackfillRangeExecutionName(const std::string& backfill_id, const std::string& from,
                                       const std::string& to, int attempt);
// The stamp one second later (a taken stamp is bumped rather than waited for).
std::string NextStamp(const std::string& stamp);

}  // namespace runlake
