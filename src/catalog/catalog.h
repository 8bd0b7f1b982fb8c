#pragma once
// The lake as SQL: an embedded DuckDB whose views see committed runs only (those with a
// manifest), built from the manifests' file lists, never from a directory glob, so a
// half-written run is invisible however its files look.
//
// Views: silver_transactions (every committed run, with year, month, schema_v, run_id
// from the Hive path), silver_current (only canonical rows: per ingest_date, the run the
// pointer names), quarantine, condemned, runs, pointer_history, gold_<table>.
//
// Constant cost (DESIGN.md "Readers"): runs come from the run index (run_index.h); given
// the statement, only the views it names are created, and only their files fetched, in
// parallel, with no HEAD per cached file. Fault isolation: a run whose manifest does not
// parse, or one of whose files is missing or has the wrong size, is left out of every
// view, with one warning naming the run and the problem.

#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "runlake/layout.h"
#include "runlake/object_store.h"
#include "runlake/run_manifest.h"

namespace runlake {

struct CatalogOptions {
  DatasetId dataset;
  std::string scratch_dir;  // downloads of remote objects, DuckDB temp files
  int64_t at_version = 0;   // silver_current at this pointer version; 0: the newest
  std::string sql = {};     // "": every view; else only the views this statement names
  // Receives one line per problem readers should hear of (an invisible run, a hand-edited
  // _LATEST.json); nullptr: dropped.
  std::vector<std::string>* warnings = nullptr;
};

// Opens an engine with the lake's views. Errors: a pointer version that does not parse
// (Corruption naming it), NotFound for an --at-version that does not exist, storage
// errors. Bad runs are warnings, never errors.
Result<std::unique_ptr<Engine>> OpenCatalog(ObjectStore& store, const CatalogOptions& options);

// Keys of `layer` files of the committed runs, in run order.
std::vector<std::string> CommittedFileKeys(const std::vector<RunManifest>& runs,
                                           const DatasetId& dataset, const std::string& layer);

// Keys of the committed quarantine or condemned files, split by file format: `current`
// files have raw_bytes, `legacy` ones (written before it) do not.
struct RejectFileKeys {
  std::vector<std::string> current, legacy;
};
RejectFileKeys CommittedRejectFileKeys(const std::vector<RunManifest>& runs,
                                       const DatasetId& dataset, const std::string& layer);

// CreateRejectView over those files, fetched into `scratch_dir` where they are remote.
Status CreateRejectViewOf(Engine& engine, ObjectStore& store, const std::vector<RunManifest>& runs,
                          const DatasetId& dataset, const std::string& layer,
                          const std::string& view_name, const std::string& scratch_dir);

// The view names a statement mentions (identifiers, lower-cased): what OpenCatalog creates.
std::vector<std::string> ViewsNamedIn(const std::string& sql);

// The warning line for a hand-edited or missing _LATEST.json ("" when in sync).
std::string LatestWarning(ObjectStore& store, const std::string& layer, const DatasetId& dataset);

}  // namespace runlake
