#include "lake/catalog.h"

#include "engine/views.h"
#include "lake/local_files.h"

namespace runlake {
namespace {

// runs: one row per committed run, the manifest's headline fields plus the whole
// manifest as `json`.
Status CreateRunsView(Engine& engine, const std::vector<RunManifest>& runs) {
  std::vector<std::string> docs;
  for (const auto& m : runs) docs.push_back(ManifestToJson(m).dump());
  return CreateJsonView(
      engine, "runs", docs,
      {{"run_id", "VARCHAR", ""}, {"dataset", "VARCHAR", ""}, {"execution_name", "VARCHAR", ""},
       {"execution_arn", "VARCHAR", ""}, {"schema_version", "VARCHAR", ""},
       {"rules_hash", "VARCHAR", ""}, {"trigger_source", "VARCHAR", ""},
       {"ingest_date", "DATE", "$.sources[0].ingest_date"},
       {"source_key", "VARCHAR", "$.sources[0].key"},
       {"input_rows", "BIGINT", "$.metrics.input_rows"},
       {"valid_rows", "BIGINT", "$.metrics.valid_rows"},
       {"quarantined_rows", "BIGINT", "$.metrics.quarantined_rows"},
       {"condemned_rows", "BIGINT", "$.metrics.condemned_rows"},
       {"bytes_read", "BIGINT", "$.metrics.bytes_read"},
       {"bytes_written", "BIGINT", "$.metrics.bytes_written"},
       {"duration_seconds", "DOUBLE", "$.metrics.duration_seconds"},
       {"gate_passed", "BOOLEAN", "$.quality_gate.passed"},
       {"started_at", "TIMESTAMP", ""}, {"completed_at", "TIMESTAMP", ""},
       {"code_version", "VARCHAR", ""}});
}

}  // namespace

std::vector<std::string> CommittedFileKeys(const std::vector<RunManifest>& runs,
                                           const DatasetId& dataset, const std::string& layer) {
  std::vector<std::string> keys;
  for (const auto& m : runs) {
    if (!(m.dataset == dataset)) continue;
    for (const auto& f : m.files) {
      if (f.layer == layer) keys.push_back(f.key);
    }
  }
  return keys;
}

Result<std::unique_ptr<Engine>> OpenCatalog(ObjectStore& store, const CatalogOptions& options) {
  RUNLAKE_ASSIGN_OR_RAISE(auto runs, ListRunManifests(store));
  EngineOptions eopts;
  eopts.temp_directory = options.scratch_dir + "/duckdb_tmp";
  RUNLAKE_ASSIGN_OR_RAISE(auto engine, Engine::Open(eopts));
  auto paths = [&](const std::string& layer) {
    return LocalPathsFor(store, CommittedFileKeys(runs, options.dataset, layer), options.scratch_dir);
  };
  RUNLAKE_ASSIGN_OR_RAISE(auto silver, paths("silver"));
  RUNLAKE_RETURN_NOT_OK(CreateSilverView(*engine, "silver_transactions", silver));
  RUNLAKE_ASSIGN_OR_RAISE(auto quarantine, paths("quarantine"));
  RUNLAKE_RETURN_NOT_OK(CreateRejectView(*engine, "quarantine", quarantine));
  RUNLAKE_ASSIGN_OR_RAISE(auto condemned, paths("condemned"));
  RUNLAKE_RETURN_NOT_OK(CreateRejectView(*engine, "condemned", condemned));
  RUNLAKE_RETURN_NOT_OK(CreateRunsView(*engine, runs));
  return engine;
}

}  // namespace runlake
