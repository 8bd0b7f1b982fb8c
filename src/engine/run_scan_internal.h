#pragma once
// runlake_scan(id): a DuckDB table function that streams valid rows out of a BatchQueue
// (one silver month's, or the overflow's: month_writers_internal.h), so
// `COPY (SELECT ... FROM runlake_scan(id)) TO ...` writes Parquet with memory bounded by a
// few batches plus DuckDB's writer buffers, whatever the input size.

#include <duckdb.h>

#include <atomic>
#include <cstdint>
#include <vector>

#include "engine/engine_internal.h"
#include "engine/run_writer.h"
#include "runlake/row_batch.h"

namespace runlake {

class BatchQueue;
class RejectSink;

// State of one runlake_scan call; owned by WriteRun, read by the callbacks. DuckDB may run
// the scan on several threads at once: each takes whole batches from the queue, so rows
// keep their order within a batch (and within each Parquet row group a thread writes), not
// across threads.
struct RunScanSource {
  BatchQueue* queue = nullptr;  // null for a source that only serves runlake_rejects
  const RejectSink* rejects = nullptr;  // read back by runlake_rejects(id, condemned)
  std::vector<BatchField> fields;  // what each batch's columns are (RowTransformer::fields)
  idx_t max_threads = 1;
  std::atomic<int64_t> rows_emitted{0};
};

// Registers runlake_scan(BIGINT) in the engine's database; done once by Engine::Open.
Status RegisterRunScan(Engine::Impl* impl);

// Makes `source` reachable as runlake_scan(id()) and runlake_rejects(id(), ...) for this
// object's lifetime.
class ScanRegistration {
 public:
  ScanRegistration(Engine::Impl* impl, RunScanSource* source);
  ~ScanRegistration();
  int64_t id() const { return id_; }

 private:
  Engine::Impl* impl_;
  int64_t id_;
};

}  // namespace runlake
