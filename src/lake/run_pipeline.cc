// ExecuteRun: validate everything that can be checked cheaply, claim the run_id, stream
// bronze through the validator into staged Parquet, move the files into the lake, write
// each partition's _SUCCESS, and commit with the manifest.

#include <unistd.h>

#include <chrono>
#include <map>

#include "common/clock.h"
#include "engine/engine.h"
#include "engine/run_writer.h"
#include "ingest/transform.h"
#include "lake/local_files.h"
#include "lake/previous_attempts.h"
#include "lake/run_claim.h"
#include "lake/staging.h"
#include "runlake/run.h"

namespace runlake {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

Status CheckSchemaVersion(const std::string& v) {
  if (v == "v1" || v == "v2") return Status::OK();
  return Status::InvalidArgument("unknown schema_version '" + v + "' (known: v1, v2)");
}

QualityGateResult EvaluateGate(const RunMetrics& m, const QualityGate& gate) {
  QualityGateResult r;
  r.quarantine_rate = m.input_rows == 0 ? 0.0 : double(m.quarantined_rows) / double(m.input_rows);
  if (!(r.quarantine_rate < gate.max_quarantine_rate)) {
    r.reasons.push_back("quarantine rate " + std::to_string(r.quarantine_rate) +
                        " is not below max_quarantine_rate " +
                        std::to_string(gate.max_quarantine_rate));
  }
  if (!(m.condemned_rows < gate.max_condemned_rows)) {
    r.reasons.push_back(std::to_string(m.condemned_rows) +
                        " condemned rows is not below max_condemned_rows " +
                        std::to_string(gate.max_condemned_rows));
  }
  r.passed = r.reasons.empty();
  return r;
}

json SuccessMarker(const RunManifest& m, const std::string& partition, int64_t rows) {
  return json{{"run_id", m.run_id},
              {"execution_arn", m.execution_arn},
              {"execution_name", m.execution_name},
              {"schema_version", m.schema_version},
              {"rules_hash", m.rules_hash},
              {"partition", partition},
              {"partition_rows", rows},
              {"completed_at", m.completed_at},
              {"metrics", MetricsToJson(m.metrics)}};
}

// Moves staged files into their lake keys, numbering parts per partition.
Result<std::vector<RunFile>> PublishFiles(ObjectStore& store, const std::vector<WrittenFile>& written,
                                          const RunManifest& m, const std::string& ingest_date) {
  std::vector<RunFile> files;
  std::map<std::string, int> next_part;
  for (const auto& w : written) {
    std::string dir, partition;
    if (w.layer == "silver") {
      dir = layout::SilverPartitionDir(m.dataset, w.partition, m.schema_version, m.run_id);
      partition = w.partition;
    } else {
      dir = layout::RejectDir(w.layer, m.dataset, ingest_date, m.run_id);
      partition = "ingest_date=" + ingest_date;
    }
    std::string key = dir + "/" + layout::PartFileName(next_part[dir]++);
    RUNLAKE_RETURN_NOT_OK(store.PutFile(key, w.local_path));
    files.push_back(RunFile{key, w.layer, partition, w.rows, w.bytes});
  }
  return files;
}

Status WriteAndCommit(ObjectStore& store, const RunRequest& req, const BronzeKeyParts& source,
                      Engine& engine, RowTransformer& transformer, const Staging& staging,
                      Clock::time_point started, RunManifest* out, const RunLogger& log);

}  // namespace

Result<RunManifest> ExecuteRun(ObjectStore& store, const RunRequest& req, const RunLogger& log) {
  auto started = Clock::now();
  RunManifest m;
  m.started_at = NowIso8601Utc();
  RUNLAKE_RETURN_NOT_OK(ValidateRunId(req.run_id));
  RUNLAKE_RETURN_NOT_OK(CheckSchemaVersion(req.schema_version));
  RUNLAKE_ASSIGN_OR_RAISE(BronzeKeyParts source, ParseBronzeKey(req.source_key));
  RUNLAKE_ASSIGN_OR_RAISE(auto bronze, store.Head(req.source_key));
  if (!bronze) {
    return Status::NotFound("bronze object '" + req.source_key + "' not found in " + store.uri() +
                            " (check s3_key in the input JSON)");
  }
  m.run_id = req.run_id;
  m.dataset = source.dataset;
  m.execution_name = req.execution_name;
  m.execution_arn = req.execution_arn;
  m.schema_version = req.schema_version;
  m.rules_hash = req.rules.hash;
  m.trigger_source = req.trigger_source;
  m.trigger_event_id = req.trigger_event_id;
  m.s3_bucket = req.s3_bucket;
  m.code_version = CodeVersion();

  RUNLAKE_ASSIGN_OR_RAISE(Staging staging, Staging::Create(store, "run-" + req.run_id));
  RUNLAKE_ASSIGN_OR_RAISE(auto engine, Engine::Open(EngineOptions{
                                           0, "1GB", staging.dir() + "/duckdb_tmp"}));

  // Loop prevention reads the rejects of earlier committed runs of this source.
  auto phase = Clock::now();
  TransformOptions topts;
  topts.rules = req.rules;
  topts.schema_version = req.schema_version;
  topts.source_name = req.source_key;
  RUNLAKE_ASSIGN_OR_RAISE(topts.previous_attempts,
                          LoadPreviousAttempts(store, *engine, source, staging.dir()));
  m.timings["previous_attempts_seconds"] = SecondsSince(phase);

  // Open reads the header, so a bad file fails here, before the run_id is claimed.
  RUNLAKE_ASSIGN_OR_RAISE(auto reader, store.OpenRead(req.source_key));
  RUNLAKE_ASSIGN_OR_RAISE(auto transformer, RowTransformer::Open(std::move(reader), topts));
  for (const auto& extra : transformer->stats().extra_columns) {
    log("WARN", "extra column '" + extra + "' in " + req.source_key + " is ignored", json{});
  }
  RUNLAKE_RETURN_NOT_OK(ClaimRunId(store, req.run_id, req.execution_name, req.source_key));
  log("INFO", "run " + m.run_id + " started from " + req.source_key, json{});
  Status st = WriteAndCommit(store, req, source, *engine, *transformer, staging, started, &m, log);
  if (!st.ok()) {
    // Nothing of a failed run may stay behind: its files first, then the claim.
    auto removed = DeleteRunFiles(store, m.dataset, m.run_id);
    if (removed.ok()) (void)store.Delete(layout::RunClaimKey(m.run_id));
    return st;
  }
  return m;
}

namespace {

Status WriteAndCommit(ObjectStore& store, const RunRequest& req, const BronzeKeyParts& source,
                      Engine& engine, RowTransformer& transformer, const Staging& staging,
                      Clock::time_point started, RunManifest* out, const RunLogger& log) {
  RunManifest& m = *out;
  auto phase = Clock::now();

  phase = Clock::now();
  RunWriteSpec spec;
  spec.staging_dir = staging.dir() + "/out";
  spec.run_id = m.run_id;
  spec.schema_v = m.schema_version;
  spec.ingest_date = source.ingest_date;
  spec.source_key = req.source_key;
  spec.ingestion_micros = UnixMicrosNow();
  spec.has_transaction_type = m.schema_version == "v2";
  RUNLAKE_ASSIGN_OR_RAISE(
      auto written, WriteRun(engine, spec, [&](ValidRows* valid, RejectedRows* rejected) -> Result<bool> {
        if (req.cancelled && req.cancelled()) return Status::Aborted("run " + m.run_id + " was stopped");
        return transformer.Next(valid, rejected);
      }));
  m.timings["transform_seconds"] = SecondsSince(phase);

  const TransformStats& stats = transformer.stats();
  m.metrics.input_rows = stats.input_rows;
  m.metrics.valid_rows = stats.valid_rows;
  m.metrics.quarantined_rows = stats.quarantined_rows;
  m.metrics.condemned_rows = stats.condemned_rows;
  m.metrics.quarantine_by_reason = stats.quarantine_by_reason;
  m.metrics.bytes_read = stats.bytes_read;
  for (const auto& w : written) m.metrics.bytes_written += w.bytes;
  RUNLAKE_ASSIGN_OR_RAISE(auto bronze, store.Head(req.source_key));
  m.sources.push_back(RunSource{source.ingest_date, req.source_key, bronze ? bronze->size : 0,
                                stats.input_rows, stats.valid_rows, stats.quarantined_rows,
                                stats.condemned_rows});

  phase = Clock::now();
  RUNLAKE_ASSIGN_OR_RAISE(m.files, PublishFiles(store, written, m, source.ingest_date));
  m.gate = EvaluateGate(m.metrics, req.rules.gate);
  m.metrics.duration_seconds = SecondsSince(started);
  m.completed_at = NowIso8601Utc();
  std::map<std::string, int64_t> partition_rows;
  for (const auto& f : m.files) {
    if (f.layer == "silver") partition_rows[f.partition] += f.rows;
  }
  for (const auto& [partition, rows] : partition_rows) {
    std::string dir = layout::SilverPartitionDir(m.dataset, partition, m.schema_version, m.run_id);
    RUNLAKE_RETURN_NOT_OK(
        store.Put(dir + "/_SUCCESS", SuccessMarker(m, partition, rows).dump(2) + "\n"));
  }
  m.timings["publish_seconds"] = SecondsSince(phase);
  m.metrics.duration_seconds = SecondsSince(started);

  // The commit point.
  if (req.cancelled && req.cancelled()) return Status::Aborted("run " + m.run_id + " was stopped");
  if (req.before_commit) RUNLAKE_RETURN_NOT_OK(req.before_commit());
  Status committed = store.PutIfAbsent(layout::RunManifestKey(m.run_id), ManifestToJson(m).dump(2) + "\n");
  if (committed.IsAlreadyExists()) {
    return Status::AlreadyExists("run_id '" + m.run_id + "' was committed by another writer");
  }
  RUNLAKE_RETURN_NOT_OK(committed);
  log("METRIC", "input_rows", json{{"metric_name", "input_rows"}, {"metric_value", m.metrics.input_rows}});
  log("METRIC", "valid_rows", json{{"metric_name", "valid_rows"}, {"metric_value", m.metrics.valid_rows}});
  log("METRIC", "quarantined_rows",
      json{{"metric_name", "quarantined_rows"}, {"metric_value", m.metrics.quarantined_rows}});
  log("METRIC", "condemned_rows",
      json{{"metric_name", "condemned_rows"}, {"metric_value", m.metrics.condemned_rows}});
  log("INFO", "run " + m.run_id + " committed", json{{"duration_seconds", m.metrics.duration_seconds}});
  return Status::OK();
}

}  // namespace

Result<int> DeleteRunFiles(ObjectStore& store, const DatasetId& dataset, const std::string& run_id) {
  RUNLAKE_RETURN_NOT_OK(ValidateRunId(run_id));
  std::string marker = "/run_id=" + run_id + "/";
  int deleted = 0;
  for (const char* layer : {"silver", "quarantine", "condemned", "gold"}) {
    RUNLAKE_ASSIGN_OR_RAISE(auto objects, store.List(std::string(layer) + "/" + dataset.path() + "/"));
    for (const auto& o : objects) {
      if (o.key.find(marker) == std::string::npos) continue;
      RUNLAKE_RETURN_NOT_OK(store.Delete(o.key));
      ++deleted;
    }
  }
  return deleted;
}

}  // namespace runlake
