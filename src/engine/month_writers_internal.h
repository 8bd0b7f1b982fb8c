#pragma once
// WriteMonths: silver as one plain Parquet COPY per month, fed from C++.
//
// Why not one COPY with DuckDB's PARTITION_BY: its partitioned writer copies every row into
// per-partition buffers, builds a key Value per row and flushes small row groups. On W1
// (5M rows over two months) one plain COPY per month took ~20% less CPU and ~30 MB less
// memory (bench/README.md), and a plain COPY can rotate files (ROW_GROUPS_PER_FILE), so a
// file's footer, ~12 KB per row group, does not grow with the run.
//
// The caller's thread routes: it takes the pipe's batches, splits their rows by
// YearMonthKey (a batch all of one month, the daily case, passes whole) and hands them to
// that month's writer: a thread running a COPY ... FROM runlake_scan(id) on its own
// connection, fed by a BatchQueue. Up to max_month_writers months get a writer each; rows
// of any further month go to one overflow writer, a partitioned COPY as before, so a
// source spanning years costs a bounded number of threads, buffers and open files. Each
// month's files come from one writer only, so their order is that writer's.

#include <duckdb.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "engine/engine_internal.h"
#include "runlake/row_batch.h"
#include "runlake/status.h"

namespace runlake {

class BatchPipe;

// (file path, rows) as DuckDB's COPY ... RETURN_STATS reported them.
using FileCounts = std::vector<std::pair<std::string, int64_t>>;

struct MonthWritersOptions {
  // Every writer writes under this directory: a month writer to month=<key>/, the
  // overflow writer to overflow/month=<key>/ (see SilverMonthOfFile).
  std::filesystem::path silver_dir;
  // The COPY of one month's rows from runlake_scan(scan_id) into the directory `dir`.
  std::function<std::string(int64_t scan_id, const std::filesystem::path& dir)> month_copy;
  // The COPY of the overflow's rows, PARTITION_BY (month) into `dir`, and SQL to run on its
  // connection first.
  std::function<std::string(int64_t scan_id, const std::filesystem::path& dir)> overflow_copy;
  std::string overflow_setup;
  std::string month_setup;  // SQL for each month writer's connection, before its COPY
  std::vector<BatchField> fields;  // the batches' columns (RunScanSource::fields)
  idx_t scan_threads = 1;        // DuckDB threads per COPY's scan
  size_t max_month_writers = 4;  // months with a writer of their own
  size_t queue_depth = 2;        // filled batches waiting per writer
  size_t batch_rows = 16384;     // rows per batch handed to a writer
};

struct MonthsWritten {
  FileCounts files;
  int64_t rows_emitted = 0;  // rows the scans handed to DuckDB
};

// Writes every valid row of `pipe` (already started); the pipe is finished on return. On
// failure returns the pipe's error if it failed (the puller's own words), else the first
// failing COPY's, and the files written so far stay for the caller to remove.
Result<MonthsWritten> WriteMonths(Engine::Impl* impl, BatchPipe* pipe,
                                  const MonthWritersOptions& options);

// The month key of a file WriteMonths wrote (its directory is month=<key>).
Result<int64_t> SilverMonthOfFile(const std::filesystem::path& file);

}  // namespace runlake
