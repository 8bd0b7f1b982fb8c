#pragma once
// The run manifest `_runs/<RID>.json`: a run's commit record. A run is visible to
// readers, promote and loop prevention only once its manifest exists.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runlake/layout.h"
#include "runlake/object_store.h"

namespace runlake {

struct RunMetrics {
  int64_t input_rows = 0, valid_rows = 0, quarantined_rows = 0, condemned_rows = 0;
  std::map<std::string, int64_t> quarantine_by_reason;
  uint64_t bytes_read = 0, bytes_written = 0;
  double duration_seconds = 0;
};

struct RunFile {
  std::string key;
  std::string layer;      // silver, quarantine, condemned
  std::string partition;  // "year=2024/month=01" (silver) or "ingest_date=2024-01-15"
  int64_t rows = 0;
  uint64_t bytes = 0;
  // The file's column set, so readers need not open it to know: quarantine/condemned files
  // of format 2 have raw_bytes (JSON "format": 2); 1, the default, is every file before it.
  int format = 1;
};

inline constexpr int kRejectFileFormat = 2;  // what this code writes

struct RunSource {
  std::string ingest_date;
  std::string key;  // bronze object key
  uint64_t size = 0;
  int64_t input_rows = 0, valid_rows = 0, quarantined_rows = 0, condemned_rows = 0;
  // Header columns the schema does not use, ignored: their count and the first names.
  int64_t extra_columns = 0;
  std::vector<std::string> extra_column_names;
};

struct QualityGateResult {
  bool passed = true;
  double quarantine_rate = 0;
  std::vector<std::string> reasons;  // why it failed; empty when passed
};

struct RunManifest {
  std::string run_id;
  std::string kind = "silver";       // silver: a pipeline run; gold: a gold table build
  int64_t built_from_version = 0;    // gold: the silver pointer version it was built from
  std::string built_from_dataset;    // gold: the silver dataset it was built from ("": older builds)
  DatasetId dataset;
  std::string execution_name, execution_arn;
  std::string schema_version, rules_hash;
  // The dataset contract the run used (dataset_revisions.h): its stored revision (0 for a
  // --contract FILE that matches no stored revision) and the SHA-256 of its text. Both
  // absent from the JSON ("" here) for runs without a contract: gold builds, runs of a
  // dataset that has none, and every run from before revisions existed.
  int64_t contract_revision = 0;
  std::string contract_sha256;
  std::string trigger_source, trigger_event_id, s3_bucket;
  std::vector<RunSource> sources;
  std::vector<RunFile> files;
  RunMetrics metrics;
  QualityGateResult gate;
  std::string started_at, completed_at;  // ISO-8601 UTC
  std::map<std::string, double> timings;  // seconds per phase
  std::string code_version;
};

nlohmann::json MetricsToJson(const RunMetrics& m);
nlohmann::json ManifestToJson(const RunManifest& m);
// Corruption names `origin` when the JSON lacks a field or has the wrong type.
Result<RunManifest> ManifestFromJson(const nlohmann::json& j, const std::string& origin);

// The manifest of `run_id`; nullopt when the run is not committed.
Result<std::optional<RunManifest>> LoadRunManifest(ObjectStore& store, const std::string& run_id);
// Every committed run whose manifest is readable, sorted by run_id (run_index.h: the
// ones that do not parse are in ListRuns's `broken`, and `runlake check` reports them).
Result<std::vector<RunManifest>> ListRunManifests(ObjectStore& store);

}  // namespace runlake
