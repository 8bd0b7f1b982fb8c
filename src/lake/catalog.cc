#include "lake/catalog.h"

#include <algorithm>

#include "engine/views.h"
#include "lake/local_files.h"
#include "runlake/gold.h"
#include "runlake/pointer.h"

namespace runlake {
namespace {

std::string Str(const std::string& s) { return Engine::Quote(s); }

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

// pointer_history: every silver pointer version, oldest first.
Status CreatePointerHistoryView(Engine& engine, const std::vector<PointerVersion>& versions) {
  std::vector<std::string> docs;
  for (const auto& v : versions) docs.push_back(PointerToJson(v).dump());
  return CreateJsonView(engine, "pointer_history", docs,
                        {{"version", "BIGINT", ""}, {"action", "VARCHAR", ""}, {"run_id", "VARCHAR", ""},
                         {"previous_version", "BIGINT", ""}, {"rolled_back_to", "BIGINT", ""},
                         {"reason", "VARCHAR", ""}, {"created_by", "VARCHAR", ""},
                         {"execution", "VARCHAR", ""}, {"updated_at", "TIMESTAMP", ""},
                         {"sources", "JSON", ""}});
}

// silver_current: the rows of each source's canonical run, nothing else. Built over the
// referenced runs' files only, then filtered to the (ingest_date, run_id) pairs.
Status CreateSilverCurrentView(Engine& engine, ObjectStore& store, const std::vector<RunManifest>& runs,
                               const std::optional<PointerVersion>& version, const CatalogOptions& o) {
  std::vector<RunManifest> referenced;
  std::string pairs;
  if (version) {
    auto refs = version->ReferencedRuns();
    for (const auto& m : runs) {
      if (std::find(refs.begin(), refs.end(), m.run_id) != refs.end()) referenced.push_back(m);
    }
    for (const auto& [source, run] : version->sources) {
      pairs += std::string(pairs.empty() ? "" : ", ") + "(DATE " + Str(source) + ", " + Str(run) + ")";
    }
  }
  RUNLAKE_ASSIGN_OR_RAISE(auto files, LocalPathsFor(store, CommittedFileKeys(referenced, o.dataset, "silver"),
                                                    o.scratch_dir));
  RUNLAKE_RETURN_NOT_OK(CreateSilverView(engine, "silver_canonical_runs", files));
  std::string filter = pairs.empty() ? "false"
                                     : "(ingest_date, run_id) IN (SELECT * FROM (VALUES " + pairs + "))";
  return engine.Execute("CREATE OR REPLACE VIEW silver_current AS SELECT * FROM silver_canonical_runs WHERE " +
                        filter);
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

RejectFileKeys CommittedRejectFileKeys(const std::vector<RunManifest>& runs,
                                       const DatasetId& dataset, const std::string& layer) {
  RejectFileKeys keys;
  for (const auto& m : runs) {
    if (!(m.dataset == dataset)) continue;
    for (const auto& f : m.files) {
      if (f.layer != layer) continue;
      (f.format >= kRejectFileFormat ? keys.current : keys.legacy).push_back(f.key);
    }
  }
  return keys;
}

Status CreateRejectViewOf(Engine& engine, ObjectStore& store, const std::vector<RunManifest>& runs,
                          const DatasetId& dataset, const std::string& layer,
                          const std::string& view_name, const std::string& scratch_dir) {
  RejectFileKeys keys = CommittedRejectFileKeys(runs, dataset, layer);
  RUNLAKE_ASSIGN_OR_RAISE(auto current, LocalPathsFor(store, keys.current, scratch_dir));
  RUNLAKE_ASSIGN_OR_RAISE(auto legacy, LocalPathsFor(store, keys.legacy, scratch_dir));
  return CreateRejectView(engine, view_name, current, legacy);
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
  for (const char* layer : {"quarantine", "condemned"}) {
    RUNLAKE_RETURN_NOT_OK(CreateRejectViewOf(*engine, store, runs, options.dataset, layer, layer,
                                             options.scratch_dir));
  }
  RUNLAKE_RETURN_NOT_OK(CreateRunsView(*engine, runs));

  PointerLog log(store, "silver", options.dataset);
  RUNLAKE_ASSIGN_OR_RAISE(auto history, log.History());
  RUNLAKE_RETURN_NOT_OK(CreatePointerHistoryView(*engine, history));
  std::optional<PointerVersion> version;
  if (options.at_version > 0) {
    RUNLAKE_ASSIGN_OR_RAISE(version, log.Get(options.at_version));
  } else if (!history.empty()) {
    version = history.back();
  }
  RUNLAKE_RETURN_NOT_OK(CreateSilverCurrentView(*engine, store, runs, version, options));
  RUNLAKE_RETURN_NOT_OK(CreateGoldViews(*engine, store, runs, options.dataset.domain, options.scratch_dir));
  return engine;
}

}  // namespace runlake
