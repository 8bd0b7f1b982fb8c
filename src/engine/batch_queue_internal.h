#pragma once
// BatchQueue: the bounded hand-off between the month router (month_writers_internal.h) and
// the scan threads of one COPY (runlake_scan).
//
// Either side may end it early: the router with Abort (the run failed elsewhere: the scan
// raises that error, so the COPY ends), the COPY's own thread with Detach once its COPY has
// returned (Push then answers false, so the router never waits on a consumer that is gone).

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "runlake/row_batch.h"
#include "runlake/status.h"

namespace runlake {

class BatchQueue {
 public:
  explicit BatchQueue(size_t depth) : depth_(depth < 1 ? 1 : depth) {}
  BatchQueue(const BatchQueue&) = delete;
  BatchQueue& operator=(const BatchQueue&) = delete;

  // Router: queues a non-empty batch, waiting while `depth` are queued. False when the
  // consumer detached or the queue was aborted (the batch is dropped).
  bool Push(std::unique_ptr<ValidRows> batch);
  // Router: a cleared batch to fill (a recycled one when there is one).
  std::unique_ptr<ValidRows> TakeFree();
  // Router: no more batches; Pop answers null once the queued ones are taken.
  void Close();
  // Either side: ends the queue now; Pop answers null and error() says why.
  void Abort(Status why);
  // The consumer's thread, after its COPY returned.
  void Detach();

  // Scan threads: the next batch, or null at the end (see error()).
  std::unique_ptr<ValidRows> Pop();
  // Scan threads: a written batch, for reuse.
  void Recycle(std::unique_ptr<ValidRows> batch);
  // Why the queue was aborted; OK at a clean end.
  Status error();

 private:
  const size_t depth_;
  std::mutex mu_;
  std::condition_variable filled_cv_, room_cv_;
  std::deque<std::unique_ptr<ValidRows>> filled_;
  std::vector<std::unique_ptr<ValidRows>> free_;
  bool closed_ = false;
  bool detached_ = false;
  Status error_;
};

}  // namespace runlake
