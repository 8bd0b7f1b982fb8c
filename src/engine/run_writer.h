#pragma once
// WriteRun: one run's validated rows -> zstd Parquet files in a local staging directory,
// streamed (memory does not grow with the input). The caller moves the files into the lake
// (silver/.../year=YYYY/month=MM/schema_v=vN/run_id=RID/, quarantine|condemned/
// .../ingest_date=D/run_id=RID/) and writes _SUCCESS and the manifest.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "runlake/row_batch.h"
#include "runlake/status.h"

namespace runlake {

// One data column of a silver file: its name, its SQL type, and the expression that gives
// it, over the batch's fields (by name), ingest_date and the other lineage columns: a
// field's name, a derived column's expression, or NULL for a column of another schema version.
struct SilverColumn {
  std::string name;
  std::string sql_type;  // "VARCHAR", "DECIMAL(16,2)", ...
  std::string expr;
  bool derived = false;  // expr is the contract's SQL (errors name the column)
};

struct RunWriteSpec {
  std::string staging_dir;  // local dir, created if missing; its silver/, quarantine/ and
                            // condemned/ subdirectories must be absent or empty
  std::string run_id;
  std::string schema_v;     // "v1", "v2"
  std::string ingest_date;  // YYYY-MM-DD
  std::string source_key;   // bronze object key the rows came from
  int64_t ingestion_micros = 0;  // ingestion_timestamp, UTC microseconds since the epoch
  std::vector<BatchField> fields;       // what the batches hold (RowTransformer::fields)
  // The silver file's columns before the lineage columns (DESIGN.md "Rows"), in file order.
  std::vector<SilverColumn> silver_columns;
  // Loop prevention's late half: called once, after the last batch was pulled, it returns
  // every rejected row's final attempt_count in the order the puller rejected them (empty:
  // the rows' own counts stand, as when unset); rows that reach max_attempts are written
  // to condemned instead of quarantine (RowTransformer::ResolveAttempts gives both).
  std::function<Result<std::vector<uint16_t>>()> final_attempts;
  int max_attempts = 3;
};

struct WrittenFile {
  std::string layer;       // "silver", "quarantine" or "condemned"
  std::string partition;   // "year=2024/month=01" for silver; "" for quarantine/condemned
  std::string local_path;  // <staging>/<layer>/[<partition>/]part-NNNNN.parquet
  int64_t rows = 0;
  uint64_t bytes = 0;
};

// Same contract as RowTransformer::Next: clears and fills both batches; returns false once
// the input is exhausted (the batches are then empty). Called on a thread WriteRun starts
// (so the transform overlaps DuckDB's Parquet writing), one call at a time, never
// concurrently; the last call has returned when WriteRun returns. Whatever the puller
// touches must therefore not be used by other threads while WriteRun runs.
using BatchPuller = std::function<Result<bool>(ValidRows*, RejectedRows*)>;

// Pulls every batch and writes:
//   <staging>/silver/year=YYYY/month=MM/part-NNNNN.parquet  (by each row's partition_micros)
//   <staging>/quarantine/part-00000.parquet, <staging>/condemned/part-00000.parquet
// Layers without rows get no file. Returns every file with its row count and size, silver
// first, in path order. Errors: the puller's own Status as it returned it;
// InvalidArgument for a bad spec or inconsistent batch; AlreadyExists when a layer
// directory already holds files; IOError for the filesystem. On error the layer
// directories this call wrote are removed.
Result<std::vector<WrittenFile>> WriteRun(Engine& engine, const RunWriteSpec& spec,
                                          const BatchPuller& pull);

}  // namespace runlake
