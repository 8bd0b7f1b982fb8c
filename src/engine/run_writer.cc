// WriteRun: silver as one COPY (SELECT ... FROM runlake_scan(id)) per month
// (month_writers_internal.h), then one COPY per reject layer.
//
// Why this shape: the table function lets DuckDB pull batches as its Parquet writer needs
// them, so memory is a few batches + the writers' open row groups, never the whole run.
// Rejected rows arrive interleaved with valid ones, but the silver COPYs run while they
// arrive, so they wait in a temp file (reject_spill_internal.h) and are COPYed per layer
// afterwards: memory that does not grow with the share of bad rows.

#include "engine/run_writer.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string_view>
#include <system_error>

#include "engine/batch_pipe_internal.h"
#include "engine/engine_internal.h"
#include "engine/lake_schema.h"
#include "engine/month_writers_internal.h"
#include "engine/reject_spill_internal.h"
#include "engine/run_scan_internal.h"
#include "engine/year_month_key_internal.h"

namespace runlake {
namespace {

namespace fs = std::filesystem;

constexpr const char* kLayers[] = {"silver", "quarantine", "condemned"};

// zstd level 1, not DuckDB's default 3: measured on W1 (5M rows) it halves the writer's
// compression time for files a few percent larger (see bench/README.md).
constexpr int kZstdLevel = 1;
// Silver is written as Parquet format 2 (PARQUET_VERSION V2: DELTA and BYTE_STREAM_SPLIT
// encodings): on W1, 7% smaller files and ~10% less CPU than format 1 (bench/README.md).
// Its readers need those encodings: Athena v3, Trino, Spark 3.3+, Polars, hyparquet
// (docs/external-engines.md).
// Rows per Parquet row group, and per flush of the partitioned writer's buffers. DuckDB
// holds about a row group per open file and thread (the constant source_key and the
// 64-byte row_hash are stored per row until encoded): 16384, an eighth of its default
// 122880, keeps a W1 run under 128 MB RSS (163 MB at 30720) for files 0.3% larger
// (bench/README.md).
constexpr int64_t kRowGroupRows = 16384;
// Filled batches that may wait between the transform thread and the router, and between
// the router and each month writer: enough to keep both sides busy (3 measured no faster
// on W1, and 3 MB more).
constexpr size_t kPipeDepth = 2;
// Months of one run that get a COPY of their own (month_writers_internal.h); the rest share
// one partitioned COPY. A daily source spans one or two months; each writer costs a thread,
// a connection and a few row groups of buffers.
constexpr size_t kMaxMonthWriters = 4;
// DuckDB threads per silver COPY. One: the transform thread is the other half of the work,
// so one writer thread keeps pace with it, and months write in parallel. On W1 (two months)
// two per COPY measured no faster and 13 MB more; on one month, 7% slower and 15 MB more.
constexpr idx_t kScanThreadsPerCopy = 1;
// Rows per batch the router hands a month writer: a quarter of the transform's batches, so
// the batches queued and filling per writer stay small (2048 measured no better).
constexpr size_t kMonthBatchRows = 4096;
// A month's files are cut every this many row groups (~4M rows, ~200 MB on W1): a file's
// footer metadata, ~12 KB per row group, is held in memory until the file closes.
constexpr int64_t kRowGroupsPerFile = 256;
// A string column whose dictionary page would pass this many bytes is written without a
// dictionary. Of silver's strings only currency, source_key and transaction_type repeat
// enough to use one; DuckDB's default (1 MB) kept W1's account_id dictionaries in memory
// before giving them up: 6 MB more peak RSS on W1, 8 MB on W1x4, the same files (bench/README.md).
constexpr int64_t kStringDictionaryBytes = 16384;

Status ValidateSpec(const RunWriteSpec& spec) {
  if (spec.staging_dir.empty()) return Status::InvalidArgument("WriteRun: empty staging_dir");
  if (spec.run_id.empty()) return Status::InvalidArgument("WriteRun: empty run_id");
  if (spec.schema_v.empty()) return Status::InvalidArgument("WriteRun: empty schema_v");
  if (spec.silver_columns.empty()) return Status::InvalidArgument("WriteRun: no silver columns");
  const std::string& d = spec.ingest_date;
  bool shape = d.size() == 10 && d[4] == '-' && d[7] == '-';
  for (size_t i = 0; shape && i < d.size(); i++) {
    if (i != 4 && i != 7 && !isdigit(static_cast<unsigned char>(d[i]))) shape = false;
  }
  if (!shape) return Status::InvalidArgument("WriteRun: ingest_date must be YYYY-MM-DD: " + d);
  return Status::OK();
}

// Creates the staging dir; refuses layer dirs that already hold something, since a run's
// files are never written twice (and removing them on failure must not touch others').
Status PrepareStaging(const fs::path& staging) {
  std::error_code ec;
  fs::create_directories(staging, ec);
  if (ec) return Status::IOError("creating " + staging.string() + ": " + ec.message());
  for (const char* layer : kLayers) {
    fs::path dir = staging / layer;
    if (fs::exists(dir, ec) && !fs::is_empty(dir, ec))
      return Status::AlreadyExists("WriteRun: " + dir.string() + " is not empty");
  }
  return Status::OK();
}

void RemoveLayers(const fs::path& staging) {
  std::error_code ec;
  for (const char* layer : kLayers) fs::remove_all(staging / layer, ec);
}

// Per-run constants, typed once in SQL instead of repeated in every batch.
std::map<std::string, std::string> ConstantExprs(const RunWriteSpec& spec) {
  return {
      {"ingest_date", Engine::Quote(spec.ingest_date)},
      {"source_key", Engine::Quote(spec.source_key)},
      {"ingestion_timestamp", "make_timestamp(" + std::to_string(spec.ingestion_micros) + ")"},
      {"run_id", Engine::Quote(spec.run_id)},
  };
}

// "CAST(expr AS type) AS name, ..." for `columns`, with expressions from `exprs` or the
// column of the same name.
template <typename Columns>
std::string SelectList(const Columns& columns, const std::map<std::string, std::string>& exprs) {
  std::string out;
  for (const ColumnSpec& c : columns) {
    auto it = exprs.find(c.name);
    std::string expr = it != exprs.end() ? it->second : c.name;
    out += (out.empty() ? "" : ", ") + std::string("CAST(") + expr + " AS " + c.type + ") AS " +
           c.name;
  }
  return out;
}

// Parquet options of every silver file.
std::string SilverFormat() {
  return "FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL " + std::to_string(kZstdLevel) +
         ", ROW_GROUP_SIZE " + std::to_string(kRowGroupRows) +
         ", PARQUET_VERSION V2, STRING_DICTIONARY_PAGE_SIZE_LIMIT " +
         std::to_string(kStringDictionaryBytes) + ", RETURN_STATS true";
}

// The silver file's columns: the data columns, then the lineage ones (kSilverLineageColumns),
// per-run constants typed once in SQL. With derived columns, their expressions see the
// batch's fields and ingest_date as columns of a subquery.
std::string SilverSelect(const RunWriteSpec& spec, int64_t scan_id, const char* extra) {
  const auto constants = ConstantExprs(spec);
  std::string list;
  bool derived = false;
  for (const SilverColumn& c : spec.silver_columns) {
    derived = derived || c.derived;
    list += (list.empty() ? "" : ", ") + std::string("CAST(") + c.expr + " AS " + c.sql_type +
            ") AS " + Engine::QuoteIdentifier(c.name);
  }
  list += ", " + SelectList(kSilverLineageColumns, constants);
  std::string from = "runlake_scan(" + std::to_string(scan_id) + ")";
  if (derived) {
    from = "(SELECT *, CAST(" + constants.at("ingest_date") + " AS DATE) AS ingest_date FROM " +
           from + ")";
  }
  return "SELECT " + list + extra + " FROM " + from;
}

// One month's rows into the directory `dir`, a new file every kRowGroupsPerFile row groups.
std::string MonthCopySql(const RunWriteSpec& spec, int64_t scan_id, const fs::path& dir) {
  return "COPY (" + SilverSelect(spec, scan_id, "") + ") TO " + Engine::Quote(dir.string()) +
         " (" + SilverFormat() + ", ROW_GROUPS_PER_FILE " + std::to_string(kRowGroupsPerFile) + ")";
}

// The rows of months past the writers' limit, partitioned by DuckDB on month (year * 100 +
// month, from runlake_scan): it leaves PARTITION_BY columns out of the files, and
// CollectSilver turns its month=202401 directories into the layout's year=2024/month=01.
std::string OverflowCopySql(const RunWriteSpec& spec, int64_t scan_id, const fs::path& dir) {
  return "COPY (" + SilverSelect(spec, scan_id, ", month") + ") TO " +
         Engine::Quote(dir.string()) + " (" + SilverFormat() + ", PARTITION_BY (month))";
}

std::string RejectCopySql(const RunWriteSpec& spec, int64_t scan_id, bool condemned,
                          const fs::path& file) {
  auto exprs = ConstantExprs(spec);
  exprs["validation_errors"] =
      "CASE WHEN validation_errors = '' THEN []::VARCHAR[] "
      "ELSE string_split(validation_errors, ',') END";
  return "COPY (SELECT " + SelectList(kRejectFileColumns, exprs) + " FROM runlake_rejects(" +
         std::to_string(scan_id) + ", " + (condemned ? "true" : "false") + ")) TO " +
         Engine::Quote(file.string()) + " (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL " +
         std::to_string(kZstdLevel) + ", ROW_GROUP_SIZE " + std::to_string(kRowGroupRows) + ")";
}

// data_<i>.parquet -> i, so a partition's files keep DuckDB's order when renamed.
long FileIndex(const fs::path& p) {
  std::string stem = p.stem().string();
  size_t us = stem.rfind('_');
  return us == std::string::npos ? 0 : std::strtol(stem.c_str() + us + 1, nullptr, 10);
}

Result<uint64_t> FileSize(const fs::path& p) {
  std::error_code ec;
  uint64_t bytes = fs::file_size(p, ec);
  if (ec) return Status::IOError("stat " + p.string() + ": " + ec.message());
  return bytes;
}

// Moves the writers' <dir>/[overflow/]month=<key>/data_<i>.parquet to the lake's
// <dir>/year=YYYY/month=MM/part-NNNNN.parquet, keeping DuckDB's order within a partition
// (one writer wrote each month).
Result<std::vector<WrittenFile>> CollectSilver(const FileCounts& counts, const fs::path& dir) {
  std::map<std::string, std::vector<std::pair<fs::path, int64_t>>> by_partition;
  for (const auto& [name, rows] : counts) {
    fs::path path(name);
    RUNLAKE_ASSIGN_OR_RAISE(int64_t month, SilverMonthOfFile(path));
    by_partition[YearMonthPartition(month)].emplace_back(path, rows);
  }
  std::vector<WrittenFile> files;
  std::error_code ec;
  for (auto& [partition, parts] : by_partition) {
    std::sort(parts.begin(), parts.end(),
              [](const auto& a, const auto& b) { return FileIndex(a.first) < FileIndex(b.first); });
    const fs::path target_dir = dir / partition;
    fs::create_directories(target_dir, ec);
    if (ec) return Status::IOError("creating " + target_dir.string() + ": " + ec.message());
    for (size_t i = 0; i < parts.size(); i++) {
      char name[48];
      std::snprintf(name, sizeof name, "part-%05zu.parquet", i);
      fs::path target = target_dir / name;
      fs::rename(parts[i].first, target, ec);
      if (ec) return Status::IOError("renaming " + parts[i].first.string() + ": " + ec.message());
      fs::remove(parts[i].first.parent_path(), ec);  // fails (and stays) until it is empty
      RUNLAKE_ASSIGN_OR_RAISE(uint64_t bytes, FileSize(target));
      files.push_back({"silver", partition, target.string(), parts[i].second, bytes});
    }
  }
  return files;
}

Result<std::vector<WrittenFile>> WriteAll(Engine& engine, const RunWriteSpec& spec,
                                          const BatchPuller& pull, const fs::path& staging) {
  Engine::Impl* impl = engine.impl();
  RejectSink rejects;
  RUNLAKE_RETURN_NOT_OK(rejects.Open(staging.string()));

  BatchPipe pipe(&pull, &rejects, spec.fields, kPipeDepth);
  RunScanSource reject_source;  // serves runlake_rejects once silver is written
  reject_source.rejects = &rejects;
  ScanRegistration registration(impl, &reject_source);
  fs::path silver = staging / "silver";
  std::error_code made;
  fs::create_directories(silver, made);
  if (made) return Status::IOError("creating " + silver.string() + ": " + made.message());

  MonthWritersOptions months;
  months.silver_dir = silver;
  months.month_copy = [&](int64_t id, const fs::path& dir) { return MonthCopySql(spec, id, dir); };
  months.overflow_copy = [&](int64_t id, const fs::path& dir) {
    return OverflowCopySql(spec, id, dir);
  };
  // DuckDB's partitioned writer buffers up to this many rows per thread (all partitions
  // together) before it hands them to the open files. Its default, 524288, measured 310 MB
  // peak RSS on 2M rows.
  months.overflow_setup = "SET partitioned_write_flush_threshold = " + std::to_string(kRowGroupRows);
  months.fields = spec.fields;
  months.scan_threads = kScanThreadsPerCopy;
  months.max_month_writers = kMaxMonthWriters;
  months.queue_depth = kPipeDepth;
  months.batch_rows = kMonthBatchRows;
  pipe.Start();
  Result<MonthsWritten> written = WriteMonths(impl, &pipe, months);
  if (!written.ok()) {
    Status st = written.status();
    // The puller's own words are not DuckDB's: only DuckDB's errors get the context.
    if (!pipe.error().ok()) return st;
    // A derived column's expression can fail on a row's values (an overflowing cast): name them.
    std::string derived;
    for (const SilverColumn& c : spec.silver_columns) {
      if (c.derived) derived += (derived.empty() ? "" : ", ") + c.name;
    }
    return st.WithContext(derived.empty() ? "writing silver"
                                          : "writing silver (derived columns: " + derived +
                                                "; TRY(...) gives NULL instead of failing)");
  }
  RUNLAKE_RETURN_NOT_OK(rejects.Close());
  if (spec.final_attempts) {
    RUNLAKE_ASSIGN_OR_RAISE(std::vector<uint16_t> attempts, spec.final_attempts());
    if (!attempts.empty()) rejects.SetFinalAttempts(std::move(attempts), spec.max_attempts);
  }

  RUNLAKE_ASSIGN_OR_RAISE(std::vector<WrittenFile> files, CollectSilver(written->files, silver));
  int64_t silver_rows = 0;
  for (const auto& f : files) silver_rows += f.rows;
  if (silver_rows != written->rows_emitted) {
    return Status::Internal("silver files hold " + std::to_string(silver_rows) +
                            " rows, scan emitted " + std::to_string(written->rows_emitted));
  }
  std::error_code ec;
  fs::remove(silver / "overflow", ec);  // empty once its files moved, if it was written
  if (files.empty()) fs::remove_all(silver, ec);

  for (bool condemned : {false, true}) {
    int64_t rows = condemned ? rejects.condemned() : rejects.quarantined();
    if (rows == 0) continue;
    const char* layer = condemned ? "condemned" : "quarantine";
    fs::create_directories(staging / layer, ec);
    if (ec) return Status::IOError("creating " + (staging / layer).string() + ": " + ec.message());
    fs::path file = staging / layer / "part-00000.parquet";
    RUNLAKE_RETURN_NOT_OK(RunSql(impl->conn, RejectCopySql(spec, registration.id(), condemned, file))
                              .WithContext(std::string("writing ") + layer));
    RUNLAKE_ASSIGN_OR_RAISE(uint64_t bytes, FileSize(file));
    files.push_back({layer, "", file.string(), rows, bytes});
  }
  return files;
}

}  // namespace

Result<std::vector<WrittenFile>> WriteRun(Engine& engine, const RunWriteSpec& spec,
                                          const BatchPuller& pull) {
  RUNLAKE_RETURN_NOT_OK(ValidateSpec(spec));
  std::error_code ec;
  fs::path staging = fs::absolute(spec.staging_dir, ec);
  if (ec) return Status::IOError("resolving " + spec.staging_dir + ": " + ec.message());
  RUNLAKE_RETURN_NOT_OK(PrepareStaging(staging));
  auto files = WriteAll(engine, spec, pull, staging);
  if (!files.ok()) RemoveLayers(staging);
  return files;
}

}  // namespace runlake
