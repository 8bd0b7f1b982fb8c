#include "cli/print_run.h"

#include <iostream>

namespace runlake::cli {

void PrintExecutionSummary(const ExecutionRecord& rec) {
  std::cout << "execution  " << rec.name << "\n"
            << "status     " << ToString(rec.status) << "\n"
            << "run_id     " << rec.run_id << "\n"
            << "arn        " << rec.arn << "\n"
            << "started    " << rec.start_time << "\n";
  if (!rec.stop_time.empty()) std::cout << "stopped    " << rec.stop_time << "\n";
  if (!rec.cause.empty()) std::cout << "cause      " << rec.cause << "\n";
  if (!rec.error.empty()) std::cout << "error      " << rec.error << "\n";
  if (rec.summary.is_object() && rec.summary.contains("metrics")) {
    const auto& m = rec.summary["metrics"];
    std::cout << "rows       input " << m.value("input_rows", 0) << ", valid " << m.value("valid_rows", 0)
              << ", quarantined " << m.value("quarantined_rows", 0) << ", condemned "
              << m.value("condemned_rows", 0) << "\n";
    if (m.contains("quarantine_by_reason")) {
      for (const auto& [reason, n] : m["quarantine_by_reason"].items()) {
        std::cout << "             " << reason << ": " << n.get<int64_t>() << "\n";
      }
    }
    std::cout << "duration   " << m.value("duration_seconds", 0.0) << " s\n";
  }
}

void PrintRunManifest(const RunManifest& m) {
  std::cout << "run_id          " << m.run_id << "\n"
            << "dataset         " << m.dataset.path() << "\n"
            << "execution       " << m.execution_name << "\n"
            << "schema_version  " << m.schema_version << "\n"
            << "rules_hash      " << m.rules_hash << "\n"
            << "started         " << m.started_at << "\n"
            << "completed       " << m.completed_at << "\n";
  for (const auto& s : m.sources) std::cout << "source          " << s.ingest_date << "  " << s.key << "\n";
  std::cout << "rows            input " << m.metrics.input_rows << ", valid " << m.metrics.valid_rows
            << ", quarantined " << m.metrics.quarantined_rows << ", condemned "
            << m.metrics.condemned_rows << "\n";
  for (const auto& [reason, n] : m.metrics.quarantine_by_reason) {
    std::cout << "                " << reason << ": " << n << "\n";
  }
  std::cout << "quality gate    " << (m.gate.passed ? "passed" : "FAILED") << " (quarantine rate "
            << m.gate.quarantine_rate << ")\n";
  for (const auto& r : m.gate.reasons) std::cout << "                " << r << "\n";
  std::cout << "files\n";
  for (const auto& f : m.files) {
    std::cout << "  " << f.key << "  rows " << f.rows << "  bytes " << f.bytes << "\n";
  }
}

}  // namespace runlake::cli
