// engine_write_bench ROWS [BATCH] [REJECT_EVERY] [MEMORY_LIMIT] [pull-only]: times WriteRun
// over synthetic rows into a scratch directory; run under /usr/bin/time -v for peak RSS.
// "pull-only" times the synthetic puller alone, to subtract its share.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "engine/run_writer.h"
#include "synthetic_rows.h"

int main(int argc, char** argv) {
  using namespace runlake;
  testing::SyntheticInput in;
  in.rows = argc > 1 ? std::atoll(argv[1]) : 2000000;
  in.batch_size = argc > 2 ? std::atoll(argv[2]) : 8192;
  in.reject_every = argc > 3 ? std::atoll(argv[3]) : 50;
  in.months = 3;
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("runlake-write-bench-" + std::to_string(getpid()));
  EngineOptions options;
  options.memory_limit = argc > 4 ? argv[4] : "512MB";
  options.temp_directory = (dir / "tmp").string();
  auto engine = Engine::Open(options);
  if (!engine.ok()) return std::fprintf(stderr, "%s\n", engine.status().ToString().c_str()), 1;
  RunWriteSpec spec;
  spec.staging_dir = (dir / "staging").string();
  spec.run_id = "bench";
  spec.schema_v = "v1";
  spec.ingest_date = "2024-03-31";
  spec.source_key = "bronze/x.csv";
  spec.fields = testing::TransactionsFields(false);
  spec.silver_columns = testing::TransactionsSilverColumns(false);
  auto start = std::chrono::steady_clock::now();
  if (argc > 5 && std::string(argv[5]) == "pull-only") {
    ValidRows valid;
    RejectedRows rejected;
    auto pull = testing::MakePuller(in);
    while (*pull(&valid, &rejected)) {
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("pull-only rows=%lld seconds=%.2f\n", static_cast<long long>(in.rows), secs);
    return 0;
  }
  auto files = WriteRun(**engine, spec, testing::MakePuller(in));
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!files.ok()) return std::fprintf(stderr, "%s\n", files.status().ToString().c_str()), 1;
  uint64_t bytes = 0;
  for (const auto& f : *files) {
    bytes += f.bytes;
    auto groups = (*engine)->Query("SELECT num_row_groups FROM parquet_file_metadata(" +
                                   Engine::Quote(f.local_path) + ")");
    std::printf("%-10s %-20s rows=%lld bytes=%llu row_groups=%s\n", f.layer.c_str(),
                f.partition.c_str(), static_cast<long long>(f.rows),
                static_cast<unsigned long long>(f.bytes),
                groups.ok() ? groups->rows[0][0]->c_str() : "?");
  }
  std::printf("rows=%lld seconds=%.2f rows_per_s=%.0f output_MB=%.1f\n",
              static_cast<long long>(in.rows), secs, in.rows / secs, bytes / 1e6);
  fs::remove_all(dir);
  return 0;
}
