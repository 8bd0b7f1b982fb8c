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

struct RunWriteSpec {
  std::string staging_dir;  // local dir, created if missing; its silver/, quarantine/ and
                            // condemned/ subdirectories must be absent or empty
  std::string run_id;
  std::string schema_v;     // "v1", "v2"
  std::string ingest_date;  // YYYY-MM-DD
  std::string source_key;   // bronze object key the rows came from
  int64_t ingestion_micros = 0;  // ingestion_timestamp, UTC microseconds since the epoch
  bool has_transaction_type = false;  // v2: ValidRows::transaction_type is filled
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
//   <staging>/silver/year=YYYY/month=MM/part-NNNNN.parquet  (partitioned by tx_date, UTC)
//   <staging>/quarantine/part-00000.parquet, <staging>/condemned/part-00000.parquet
// Layers without rows get no file. Returns every file with its row count and size, silver
// first, in path order. Errors: the puller's own Status as it returned it;
// InvalidArgument for a bad spec or inconsistent batch; AlreadyExists when a layer
// directory already holds files; IOError for the filesystem. On error the layer
// directories this call wrote are removed.
Result<std::vector<WrittenFile>> WriteRun(Engine& engine, const RunWriteSpec& spec,
                                          const BatchPuller& pull);

}  // namespace runlake
