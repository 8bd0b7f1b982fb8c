#pragma once
// runlake_scan(id): a DuckDB table function that streams one run's valid rows out of a
// BatchPuller, so `COPY (SELECT ... FROM runlake_scan(id)) TO ...` writes Parquet with
// memory bounded by one batch plus DuckDB's writer buffers, whatever the input size.
// Rejected rows arriving in the same batches go to a RejectSink (reject_spill_internal.h)
// on the way through.

#include <duckdb.h>

#include <atomic>
#include <cstdint>

#include "engine/engine_internal.h"
#include "engine/run_writer.h"
#include "runlake/row_batch.h"

namespace runlake {

class BatchPipe;
class RejectSink;

// State of one runlake_scan call; owned by WriteRun, read by the callbacks. DuckDB may run
// the scan on several threads at once: each takes whole batches from the pipe, so rows
// keep their order within a batch (and within each Parquet row group a thread writes), not
// across threads.
struct RunScanSource {
  BatchPipe* pipe = nullptr;
  const RejectSink* rejects = nullptr;  // read back by runlake_rejects(id, condemned)
  bool has_transaction_type = false;
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
