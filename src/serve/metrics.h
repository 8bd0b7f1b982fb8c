#pragma once
// `GET /metrics` of `runlake serve`: the lake and its executions in the Prometheus text
// exposition format (version 0.0.4), for the alerts an operator would otherwise build on
// CloudWatch. Every value is read fresh per scrape, through the same library calls as the
// pages (the run index, the pointer logs, the state store), so a scrape of a lake of
// 10,000 runs costs what `runs list` costs.
//
//   runlake_executions{status}                        executions by status
//   runlake_committed_runs{dataset}                   committed runs (gauge: delete lowers it)
//   runlake_corrupt_runs                              committed runs whose manifest is unreadable
//   runlake_rows{dataset,outcome}                     rows of committed runs: valid, quarantined, condemned
//   runlake_rejected_rows{dataset,reason}             quarantined rows by reason code
//
// Every family is a gauge: the lake's totals go down when a run is deleted, which a counter
// must never do (rate() would read it as a reset).
//   runlake_pointer_version{layer,dataset}            the newest pointer version
//   runlake_pointer_updated_timestamp_seconds{layer,dataset}
//   runlake_canonical_data_age_seconds{dataset}       now - the end of the newest canonical ingest_date
//   runlake_active_backfills                          RUNNING, PAUSED, ABORTING or INTERRUPTED
//   runlake_backfill_dates{backfill,state}            an active backfill's dates: total, started, succeeded
//   runlake_queue_tasks{status}                       queue depth by status
//   runlake_live_workers                              workers with a heartbeat in the last 120 s

#include <string>

#include "runlake/object_store.h"
#include "runlake/status.h"
#include "runlake/state_store.h"

namespace runlake::serve {

inline constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

// The exposition text. Errors: the lake or the state store could not be read.
Result<std::string> PrometheusMetrics(ObjectStore& store, StateStore& state);

// A label value escaped as the format requires (backslash, double quote, newline).
std::string EscapeLabelValue(const std::string& value);

}  // namespace runlake::serve
