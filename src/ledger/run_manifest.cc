#include "runlake/run_manifest.h"

#include "runlake/run_index.h"

namespace runlake {

using nlohmann::json;

nlohmann::json MetricsToJson(const RunMetrics& m) {
  return json{{"input_rows", m.input_rows},
              {"valid_rows", m.valid_rows},
              {"quarantined_rows", m.quarantined_rows},
              {"condemned_rows", m.condemned_rows},
              {"quarantine_by_reason", m.quarantine_by_reason},
              {"bytes_read", m.bytes_read},
              {"bytes_written", m.bytes_written},
              {"duration_seconds", m.duration_seconds}};
}

nlohmann::json ManifestToJson(const RunManifest& m) {
  json files = json::array();
  for (const auto& f : m.files) {
    files.push_back({{"key", f.key}, {"layer", f.layer}, {"partition", f.partition},
                     {"rows", f.rows}, {"bytes", f.bytes}});
    if (f.format != 1) files.back()["format"] = f.format;
  }
  json sources = json::array();
  for (const auto& s : m.sources) {
    sources.push_back({{"ingest_date", s.ingest_date}, {"key", s.key}, {"size", s.size},
                       {"input_rows", s.input_rows}, {"valid_rows", s.valid_rows},
                       {"quarantined_rows", s.quarantined_rows},
                       {"condemned_rows", s.condemned_rows}});
    if (s.extra_columns > 0) {
      sources.back()["extra_columns"] = s.extra_columns;
      sources.back()["extra_column_names"] = s.extra_column_names;
    }
  }
  json out{{"run_id", m.run_id},
              {"kind", m.kind},
              {"built_from_version", m.built_from_version},
              {"dataset", m.dataset.path()},
              {"execution_name", m.execution_name},
              {"execution_arn", m.execution_arn},
              {"schema_version", m.schema_version},
              {"rules_hash", m.rules_hash},
              {"trigger_source", m.trigger_source},
              {"trigger_event_id", m.trigger_event_id},
              {"s3_bucket", m.s3_bucket},
              {"sources", sources},
              {"files", files},
              {"metrics", MetricsToJson(m.metrics)},
              {"quality_gate", {{"passed", m.gate.passed},
                                {"quarantine_rate", m.gate.quarantine_rate},
                                {"reasons", m.gate.reasons}}},
              {"started_at", m.started_at},
              {"completed_at", m.completed_at},
              {"timings", m.timings},
              {"code_version", m.code_version}};
  if (!m.built_from_dataset.empty()) out["built_from_dataset"] = m.built_from_dataset;
  if (!m.contract_sha256.empty()) {
    out["contract_revision"] = m.contract_revision;
    out["contract_sha256"] = m.contract_sha256;
  }
  return out;
}

Result<RunManifest> ManifestFromJson(const nlohmann::json& j, const std::string& origin) {
  try {
    RunManifest m;
    m.run_id = j.at("run_id").get<std::string>();
    m.kind = j.value("kind", "silver");
    m.built_from_version = j.value("built_from_version", int64_t{0});
    m.built_from_dataset = j.value("built_from_dataset", "");
    RUNLAKE_ASSIGN_OR_RAISE(m.dataset, ParseDatasetId(j.at("dataset").get<std::string>()));
    m.execution_name = j.value("execution_name", "");
    m.execution_arn = j.value("execution_arn", "");
    m.schema_version = j.at("schema_version").get<std::string>();
    m.rules_hash = j.value("rules_hash", "");
    m.contract_revision = j.value("contract_revision", int64_t{0});
    m.contract_sha256 = j.value("contract_sha256", "");
    m.trigger_source = j.value("trigger_source", "");
    m.trigger_event_id = j.value("trigger_event_id", "");
    m.s3_bucket = j.value("s3_bucket", "");
    for (const auto& s : j.at("sources")) {
      m.sources.push_back(RunSource{s.at("ingest_date").get<std::string>(),
                                    s.at("key").get<std::string>(), s.value("size", uint64_t{0}),
                                    s.value("input_rows", int64_t{0}),
                                    s.value("valid_rows", int64_t{0}),
                                    s.value("quarantined_rows", int64_t{0}),
                                    s.value("condemned_rows", int64_t{0}),
                                    s.value("extra_columns", int64_t{0}),
                                    s.value("extra_column_names", std::vector<std::string>{})});
    }
    for (const auto& f : j.at("files")) {
      m.files.push_back(RunFile{f.at("key").get<std::string>(), f.at("layer").get<std::string>(),
                                f.value("partition", ""), f.at("rows").get<int64_t>(),
                                f.value("bytes", uint64_t{0}), f.value("format", 1)});
    }
    const auto& mj = j.at("metrics");
    m.metrics.input_rows = mj.at("input_rows").get<int64_t>();
    m.metrics.valid_rows = mj.at("valid_rows").get<int64_t>();
    m.metrics.quarantined_rows = mj.at("quarantined_rows").get<int64_t>();
    m.metrics.condemned_rows = mj.at("condemned_rows").get<int64_t>();
    m.metrics.quarantine_by_reason =
        mj.value("quarantine_by_reason", std::map<std::string, int64_t>{});
    m.metrics.bytes_read = mj.value("bytes_read", uint64_t{0});
    m.metrics.bytes_written = mj.value("bytes_written", uint64_t{0});
    m.metrics.duration_seconds = mj.value("duration_seconds", 0.0);
    if (j.contains("quality_gate")) {
      const auto& g = j["quality_gate"];
      m.gate.passed = g.value("passed", true);
      m.gate.quarantine_rate = g.value("quarantine_rate", 0.0);
      m.gate.reasons = g.value("reasons", std::vector<std::string>{});
    }
    m.started_at = j.value("started_at", "");
    m.completed_at = j.value("completed_at", "");
    m.timings = j.value("timings", std::map<std::string, double>{});
    m.code_version = j.value("code_version", "");
    return m;
  } catch (const json::exception& e) {
    return Status::Corruption(origin + ": not a valid run manifest: " + e.what());
  }
}

Result<std::optional<RunManifest>> LoadRunManifest(ObjectStore& store, const std::string& run_id) {
  RUNLAKE_RETURN_NOT_OK(ValidateRunId(run_id));
  std::string key = layout::RunManifestKey(run_id);
  auto text = store.Get(key);
  if (!text.ok()) {
    if (text.status().IsNotFound()) return std::optional<RunManifest>();
    return text.status();
  }
  json j = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::Corruption(key + ": not valid JSON");
  RUNLAKE_ASSIGN_OR_RAISE(RunManifest m, ManifestFromJson(j, key));
  return std::optional<RunManifest>(std::move(m));
}

Result<std::vector<RunManifest>> ListRunManifests(ObjectStore& store) {
  RUNLAKE_ASSIGN_OR_RAISE(RunListing listing, ListRuns(store));
  return std::move(listing.runs);
}

}  // namespace runlake
