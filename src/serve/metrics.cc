#include "serve/metrics.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>
#include <sstream>

#include "runlake/clock.h"
#include "runlake/backfill.h"
#include "runlake/pointer.h"
#include "runlake/run_index.h"
#include "runlake/task_queue.h"

namespace runlake::serve {
namespace {

using Labels = std::map<std::string, std::string>;

// One metric family: HELP, TYPE, then its samples.
class Family {
 public:
  Family(std::string name, std::string type, std::string help)
      : name_(std::move(name)), type_(std::move(type)), help_(std::move(help)) {}
  void Add(const Labels& labels, double value) { samples_.emplace_back(labels, value); }
  void WriteTo(std::ostringstream& out) const {
    out << "# HELP " << name_ << " " << help_ << "\n# TYPE " << name_ << " " << type_ << "\n";
    for (const auto& [labels, value] : samples_) {
      out << name_;
      if (!labels.empty()) {
        out << "{";
        bool first = true;
        for (const auto& [k, v] : labels) {
          out << (first ? "" : ",") << k << "=\"" << EscapeLabelValue(v) << "\"";
          first = false;
        }
        out << "}";
      }
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.17g", value);
      out << " " << buf << "\n";
    }
  }

 private:
  std::string name_, type_, help_;
  std::vector<std::pair<Labels, double>> samples_;
};

// Seconds since the epoch of "YYYY-MM-DD" (00:00 UTC) or "YYYY-MM-DDTHH:MM:SS…"; 0 if not.
double EpochSeconds(const std::string& iso) {
  std::tm tm{};
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  int n = std::sscanf(iso.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s);
  if (n < 3) return 0;
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return static_cast<double>(timegm(&tm));
}

double NowSeconds() {
  return std::chrono::duration<double>(SystemNow().time_since_epoch()).count();
}

Status AddLakeMetrics(ObjectStore& store, std::vector<Family>* out) {
  RUNLAKE_ASSIGN_OR_RAISE(RunListing listing, ListRuns(store));
  Family runs("runlake_committed_runs", "gauge", "Committed runs (silver and gold) in the lake.");
  Family corrupt("runlake_corrupt_runs", "gauge",
                 "Committed runs whose manifest is unreadable (invisible to readers).");
  // Gauges, not counters: deleting a run lowers them, and a counter that goes down reads
  // as a restart to rate() and increase(). Hence no _total suffix (promtool's lint).
  Family rows("runlake_rows", "gauge",
              "Rows of committed silver runs by outcome (a deleted run lowers it).");
  Family reasons("runlake_rejected_rows", "gauge",
                 "Quarantined rows of committed silver runs by the first failing check.");
  std::map<std::string, int64_t> run_count;
  std::map<std::string, std::map<std::string, int64_t>> by_outcome, by_reason;
  std::set<std::string> silver_datasets{DatasetId{}.path()};
  for (const auto& m : listing.runs) {
    const std::string ds = m.dataset.path();
    ++run_count[ds];
    if (m.kind != "silver") continue;
    silver_datasets.insert(ds);
    by_outcome[ds]["valid"] += m.metrics.valid_rows;
    by_outcome[ds]["quarantined"] += m.metrics.quarantined_rows;
    by_outcome[ds]["condemned"] += m.metrics.condemned_rows;
    for (const auto& [reason, n] : m.metrics.quarantine_by_reason) by_reason[ds][reason] += n;
  }
  for (const auto& [ds, n] : run_count) runs.Add({{"dataset", ds}}, n);
  corrupt.Add({}, static_cast<double>(listing.broken.size()));
  for (const auto& ds : silver_datasets) {
    for (const char* outcome : {"valid", "quarantined", "condemned"}) {
      rows.Add({{"dataset", ds}, {"outcome", outcome}}, by_outcome[ds][outcome]);
    }
    for (const auto& [reason, n] : by_reason[ds]) reasons.Add({{"dataset", ds}, {"reason", reason}}, n);
  }

  Family version("runlake_pointer_version", "gauge", "The newest pointer version of each dataset.");
  Family updated("runlake_pointer_updated_timestamp_seconds", "gauge",
                 "When the newest pointer version was committed (Unix seconds).");
  Family age("runlake_canonical_data_age_seconds", "gauge",
             "Seconds since the end of the newest ingest_date that has a canonical run.");
  const double now = NowSeconds();
  for (const auto& ds : silver_datasets) {
    RUNLAKE_ASSIGN_OR_RAISE(DatasetId id, ParseDatasetId(ds));
    RUNLAKE_ASSIGN_OR_RAISE(auto head, PointerLog(store, "silver", id).Head());
    if (!head) continue;
    version.Add({{"layer", "silver"}, {"dataset", ds}}, static_cast<double>(head->version));
    updated.Add({{"layer", "silver"}, {"dataset", ds}}, EpochSeconds(head->updated_at));
    if (!head->sources.empty()) {
      double newest_end = EpochSeconds(head->sources.rbegin()->first) + 86400;
      age.Add({{"dataset", ds}}, now > newest_end ? now - newest_end : 0);
    }
  }
  for (Family* f : {&runs, &corrupt, &rows, &reasons, &version, &updated, &age}) {
    out->push_back(std::move(*f));
  }
  return Status::OK();
}

Status AddStateMetrics(StateStore& state, std::vector<Family>* out) {
  Family executions("runlake_executions", "gauge", "Executions by status.");
  RUNLAKE_ASSIGN_OR_RAISE(auto records, state.ListExecutions(ExecutionFilter{}));
  std::map<std::string, int64_t> by_status;
  for (ExecutionStatus s : {ExecutionStatus::kRunning, ExecutionStatus::kSucceeded, ExecutionStatus::kFailed,
                            ExecutionStatus::kTimedOut, ExecutionStatus::kAborted}) {
    by_status[ToString(s)] = 0;
  }
  for (const auto& r : records) ++by_status[ToString(r.status)];
  for (const auto& [s, n] : by_status) executions.Add({{"status", s}}, n);

  Family active("runlake_active_backfills", "gauge",
                "Backfills whose dates may still change (RUNNING, PAUSED, ABORTING, INTERRUPTED).");
  Family dates("runlake_backfill_dates", "gauge",
               "Dates of each active backfill: total, started (an attempt recorded), succeeded.");
  BackfillFilter active_only;
  active_only.active_only = true;
  RUNLAKE_ASSIGN_OR_RAISE(auto backfills, state.ListBackfills(active_only));
  int64_t n_active = 0;
  for (const auto& b : backfills) {
    if (!IsActive(b.status)) continue;
    ++n_active;
    int64_t started = 0, succeeded = 0;
    for (const auto& d : b.dates) {
      if (d.attempts == 0) continue;
      ++started;
      RUNLAKE_ASSIGN_OR_RAISE(auto rec, state.GetExecution(d.execution));
      succeeded += rec && rec->status == ExecutionStatus::kSucceeded;
    }
    dates.Add({{"backfill", b.id}, {"state", "total"}}, static_cast<double>(b.dates.size()));
    dates.Add({{"backfill", b.id}, {"state", "started"}}, started);
    dates.Add({{"backfill", b.id}, {"state", "succeeded"}}, succeeded);
  }
  active.Add({}, n_active);

  Family queue("runlake_queue_tasks", "gauge", "Task queue depth by status.");
  RUNLAKE_ASSIGN_OR_RAISE(auto tasks, state.ListTasks(TaskFilter{}));
  std::map<std::string, int64_t> by_task;
  for (TaskStatus s : {TaskStatus::kQueued, TaskStatus::kRunning, TaskStatus::kSucceeded,
                       TaskStatus::kFailed, TaskStatus::kCancelled}) {
    by_task[ToString(s)] = 0;
  }
  for (const auto& t : tasks) ++by_task[ToString(t.status)];
  for (const auto& [s, n] : by_task) queue.Add({{"status", s}}, n);

  Family workers("runlake_live_workers", "gauge", "Workers with a heartbeat in the last 120 seconds.");
  RUNLAKE_ASSIGN_OR_RAISE(auto live, state.ListWorkers(120));
  workers.Add({}, static_cast<double>(live.size()));
  for (Family* f : {&executions, &active, &dates, &queue, &workers}) out->push_back(std::move(*f));
  return Status::OK();
}

}  // namespace

std::string EscapeLabelValue(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

Result<std::string> PrometheusMetrics(ObjectStore& store, StateStore& state) {
  std::vector<Family> families;
  RUNLAKE_RETURN_NOT_OK(AddLakeMetrics(store, &families));
  RUNLAKE_RETURN_NOT_OK(AddStateMetrics(state, &families));
  std::ostringstream out;
  for (const auto& f : families) f.WriteTo(out);
  return out.str();
}

}  // namespace runlake::serve
