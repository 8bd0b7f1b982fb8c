#include "pipeline/run_commit.h"

#include "runlake/layout.h"

namespace runlake {
namespace {

using nlohmann::json;

json SuccessMarker(const RunManifest& m, const std::string& partition, int64_t rows) {
  json marker{{"run_id", m.run_id},
              {"execution_arn", m.execution_arn},
              {"execution_name", m.execution_name},
              {"schema_version", m.schema_version},
              {"rules_hash", m.rules_hash},
              {"partition", partition},
              {"partition_rows", rows},
              {"completed_at", m.completed_at},
              {"metrics", MetricsToJson(m.metrics)}};
  // As in the manifest: present when the run used a contract.
  if (!m.contract_sha256.empty()) {
    marker["contract_revision"] = m.contract_revision;
    marker["contract_sha256"] = m.contract_sha256;
  }
  return marker;
}

}  // namespace

std::vector<std::string> ReservePartKeys(const std::vector<WrittenFile>& written,
                                         const RunManifest& m, const std::string& ingest_date,
                                         PartNumbers* parts) {
  std::vector<std::string> keys;
  for (const auto& w : written) {
    std::string dir = w.layer == "silver"
                          ? layout::SilverPartitionDir(m.dataset, w.partition, m.schema_version, m.run_id)
                          : layout::RejectDir(w.layer, m.dataset, ingest_date, m.run_id);
    keys.push_back(dir + "/" + layout::PartFileName((*parts)[dir]++));
  }
  return keys;
}

Result<std::vector<RunFile>> PublishFiles(ObjectStore& store, const std::vector<WrittenFile>& written,
                                          const std::vector<std::string>& keys,
                                          const std::string& ingest_date) {
  if (keys.size() != written.size()) return Status::Internal("PublishFiles: one key per file");
  std::vector<RunFile> files;
  for (size_t i = 0; i < written.size(); ++i) {
    const WrittenFile& w = written[i];
    std::string partition = w.layer == "silver" ? w.partition : "ingest_date=" + ingest_date;
    RUNLAKE_RETURN_NOT_OK(store.PutFile(keys[i], w.local_path));
    files.push_back(RunFile{keys[i], w.layer, partition, w.rows, w.bytes,
                            w.layer == "silver" ? 1 : kRejectFileFormat});
  }
  return files;
}

void AddSourceFigures(const TransformStats& stats, RunMetrics* metrics) {
  metrics->input_rows += stats.input_rows;
  metrics->valid_rows += stats.valid_rows;
  metrics->quarantined_rows += stats.quarantined_rows;
  metrics->condemned_rows += stats.condemned_rows;
  for (const auto& [reason, n] : stats.quarantine_by_reason) metrics->quarantine_by_reason[reason] += n;
  metrics->bytes_read += stats.bytes_read;
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
  // A run with rows and none valid replaces a day's data with nothing (every row condemned
  // passes both checks above): it fails, unless the gate admits a quarantine rate above 1,
  // the one way a rules file says "a day without valid rows may publish".
  if (m.input_rows > 0 && m.valid_rows == 0 && !(gate.max_quarantine_rate > 1.0)) {
    r.reasons.push_back("no valid rows: all " + std::to_string(m.input_rows) +
                        " input rows were quarantined or condemned");
  }
  r.passed = r.reasons.empty();
  return r;
}

Status WriteSuccessMarkers(ObjectStore& store, const RunManifest& m) {
  std::map<std::string, int64_t> partition_rows;
  for (const auto& f : m.files) {
    if (f.layer == "silver") partition_rows[f.partition] += f.rows;
  }
  for (const auto& [partition, rows] : partition_rows) {
    std::string dir = layout::SilverPartitionDir(m.dataset, partition, m.schema_version, m.run_id);
    RUNLAKE_RETURN_NOT_OK(
        store.Put(layout::SuccessKey(dir), SuccessMarker(m, partition, rows).dump(2) + "\n"));
  }
  return Status::OK();
}

void LogRunMetrics(const RunManifest& m, const RunLogger& log) {
  for (auto [name, value] : {std::pair{"input_rows", m.metrics.input_rows},
                             std::pair{"valid_rows", m.metrics.valid_rows},
                             std::pair{"quarantined_rows", m.metrics.quarantined_rows},
                             std::pair{"condemned_rows", m.metrics.condemned_rows}}) {
    log("METRIC", name, json{{"metric_name", name}, {"metric_value", value}});
  }
  log("INFO", "run " + m.run_id + " committed", json{{"duration_seconds", m.metrics.duration_seconds}});
}

}  // namespace runlake
