#pragma once
// One pipeline run: bronze object -> silver + quarantine + condemned, committed by its
// manifest. Files are written first, then each silver partition's _SUCCESS, then
// _runs/<RID>.json with put-if-absent. A run that dies before the manifest is invisible.

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "runlake/object_store.h"
#include "runlake/rules.h"
#include "runlake/run_manifest.h"

namespace runlake {

struct RunRequest {
  std::string run_id;
  std::string source_key;      // bronze/<d>/<ds>/ingest_date=D/run_id=R/<file>
  std::string schema_version;  // v1 or v2
  Rules rules = Rules::Defaults();
  std::string execution_name, execution_arn;
  std::string trigger_source, trigger_event_id, s3_bucket;
  // Polled between row batches and once more before the commit; true stops the run with
  // Aborted (its files are removed like any failed run's). Empty: never cancelled.
  std::function<bool()> cancelled;
  // Called right before the manifest (the commit point) is written; an error stops the
  // run there like any failure (its files are removed). A queue worker checks its lease
  // here: a worker that lost its task must not commit. Empty: commit unconditionally.
  std::function<Status()> before_commit;
};

// level ("INFO", "WARN", "ERROR", "METRIC"), message, extra fields.
using RunLogger =
    std::function<void(const std::string&, const std::string&, const nlohmann::json&)>;

// Runs the request. Errors: InvalidArgument for bad input (run_id, schema version, header,
// bronze key shape), NotFound for a missing bronze object, AlreadyExists for a run_id in
// use, Corruption for unreadable gzip, IOError for storage trouble (transient), Aborted
// when `cancelled` said so. On an error the run's files and its claim are removed, so the
// run_id may be used again; if the process dies instead, they stay (invisible, without a
// manifest) until deleted.
Result<RunManifest> ExecuteRun(ObjectStore& store, const RunRequest& request,
                               const RunLogger& log);

// Deletes every object of `run_id` under silver/, quarantine/, condemned/, gold/ of `dataset`
// (the manifest and claim are left to the caller). Returns the number deleted.
Result<int> DeleteRunFiles(ObjectStore& store, const DatasetId& dataset, const std::string& run_id);

}  // namespace runlake
