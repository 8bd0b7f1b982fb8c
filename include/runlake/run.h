#pragma once
// One pipeline run: bronze object(s) -> silver + quarantine + condemned, committed by its
// manifest. Files are written first, then each silver partition's _SUCCESS, then
// _runs/<RID>.json with put-if-absent. A run that dies before the manifest is invisible.

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runlake/dataset_revisions.h"
#include "runlake/object_store.h"
#include "runlake/rules.h"
#include "runlake/run_manifest.h"

namespace runlake {

// How far a run has got: what a progress bar shows (`runlake run` on a terminal).
struct RunProgress {
  size_t source_index = 0, source_count = 1;  // the source being read, of how many
  uint64_t bytes_read = 0, source_bytes = 0;  // of that bronze object (compressed for gzip)
  int64_t input_rows = 0, valid_rows = 0, quarantined_rows = 0, condemned_rows = 0;  // of it
};

struct RunRequest {
  std::string run_id;
  // The bronze objects it reads (bronze/<d>/<ds>/ingest_date=D/run_id=R/<file>): one, or
  // several of one dataset and distinct ingest dates (a multi-source run, e.g. `backfill
  // run --one-run`). Each source is validated, deduplicated and loop-prevented on its own,
  // its rejects go under its own ingest_date, and the manifest lists it with its figures.
  std::vector<std::string> source_keys;
  std::string schema_version;  // one of the contract's versions: v1, v2, ...
  // The dataset contract the run uses and records (dataset_revisions.h, ResolveRunContract):
  // --contract FILE's text, or --contract-revision N; neither: the dataset's newest revision.
  // Its schema_version's columns and checks are what the run applies (a dataset without a
  // stored contract: the built-in transactions contract, recorded as no contract).
  RunContractChoice contract;
  Rules rules = Rules::Defaults();
  std::string execution_name, execution_arn;
  std::string trigger_source, trigger_event_id, s3_bucket;
  // Polled between row batches and once more before the commit; true stops the run with
  // Aborted (its files are removed like any failed run's). Empty: never cancelled.
  std::function<bool()> cancelled;
  // Called once after every file and _SUCCESS is written and the last `cancelled` check
  // passed, right before the manifest (the commit point): the caller's last word. The
  // execution runner looks for a stop request here, and a queue worker checks its lease (a
  // worker that lost its task must not commit). A non-OK status fails the run like any
  // error (its files are removed). Empty: commit unconditionally.
  std::function<Status()> before_commit;
  // Called after every row batch (from the thread running the request). Empty: nothing.
  std::function<void(const RunProgress&)> progress;
};

// level ("INFO", "WARN", "ERROR", "METRIC"), message, extra fields.
using RunLogger =
    std::function<void(const std::string&, const std::string&, const nlohmann::json&)>;

// Runs the request. Errors: InvalidArgument for bad input (run_id, schema version, header,
// bronze key shape, no source, sources of two datasets or two of one ingest_date),
// NotFound for a missing bronze object, AlreadyExists for a run_id in use, Corruption for unreadable gzip, IOError for storage trouble (transient), Aborted
// when `cancelled` said so. On an error the run's files and its claim are removed, so the
// run_id may be used again; if the process dies instead, they stay (invisible, without a
// manifest) until deleted.
Result<RunManifest> ExecuteRun(ObjectStore& store, const RunRequest& request,
                               const RunLogger& log);


}  // namespace runlake
