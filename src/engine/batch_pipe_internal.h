#pragma once
// BatchPipe: runs a BatchPuller on its own thread, ahead of the Parquet writer.
//
// Why: the puller (inflate, parse, validate, hash) and DuckDB's writer (encode, compress)
// each take a core; called in turn on one thread they never overlap. The pipe pulls into
// a bounded queue of batches (memory stays a few batches, whatever the input size)
// and hands valid rows to whichever DuckDB thread asks next. Rejected rows are appended
// to the RejectSink on the producer thread, so the sink is only ever written by one
// thread, in file order.
//
// Contract kept from BatchPuller: the puller is called one call at a time, never
// concurrently (here: always on the producer thread).

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/run_writer.h"
#include "runlake/row_batch.h"
#include "runlake/status.h"

namespace runlake {

class RejectSink;

class BatchPipe {
 public:
  // At most `depth` filled batches wait in the queue; besides those, one is being filled
  // and each scan thread holds the few its current chunk points into.
  // `fields`: what the puller's batches hold (each batch is checked against them).
  BatchPipe(const BatchPuller* pull, RejectSink* rejects, std::vector<BatchField> fields,
            size_t depth);
  ~BatchPipe();  // Finish()
  BatchPipe(const BatchPipe&) = delete;
  BatchPipe& operator=(const BatchPipe&) = delete;

  void Start();
  // The next non-empty batch of valid rows, or null at the end (or after an error: see
  // error()). Blocks while the producer is behind.
  std::unique_ptr<ValidRows> Pop();
  // Gives a written batch back for reuse.
  void Recycle(std::unique_ptr<ValidRows> batch);
  // Stops the producer after its current pull (used when the writer fails) and joins it.
  // After this the puller is no longer called and the sink no longer appended to.
  void Finish();
  // The puller's or the sink's own Status, once Pop() returned null; OK at a clean end.
  Status error();

 private:
  void Produce();
  Status PullOne(ValidRows* valid, bool* more);

  const BatchPuller* pull_;
  RejectSink* rejects_;
  std::vector<BatchField> fields_;
  size_t depth_;
  RejectedRows rejected_;  // producer thread only

  std::mutex mu_;
  std::condition_variable filled_cv_, free_cv_;
  std::deque<std::unique_ptr<ValidRows>> filled_;
  std::vector<std::unique_ptr<ValidRows>> free_;
  bool done_ = false;  // producer finished (end of data, error or stop)
  bool stop_ = false;
  Status error_;
  std::thread thread_;
};

}  // namespace runlake
