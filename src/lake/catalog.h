#pragma once
// The lake as SQL: an embedded DuckDB whose views see committed runs only (those with a
// manifest), built from the manifests' file lists, never from a directory glob, so a
// half-written run is invisible however its files look.
//
// Views: silver_transactions (every committed run, with year, month, schema_v, run_id
// from the Hive path), silver_current (only canonical rows: per ingest_date, the run the
// pointer names), quarantine, condemned, runs, pointer_history, gold_<table>.

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
};

// Opens an engine with the lake's views. Errors: a manifest or pointer version that does
// not parse (Corruption naming it), NotFound for an --at-version that does not exist,
// storage errors.
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

}  // namespace runlake
