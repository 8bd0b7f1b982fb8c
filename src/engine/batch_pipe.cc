#include "engine/batch_pipe_internal.h"

#include <algorithm>
#include <exception>

#include "engine/reject_spill_internal.h"

namespace runlake {
namespace {

// Every column as long as the batch, and every DECIMAL(P<=18) value within its precision
// (the writer hands the words to DuckDB as they are).
Status CheckValid(const ValidRows& v, const std::vector<BatchField>& fields) {
  const size_t n = v.size();
  if (n == 0 && v.columns.empty()) return Status::OK();  // no valid row: never shaped
  bool same = v.columns.size() == fields.size() && v.partition_micros.size() == n &&
              v.row_hash.size() == n;
  for (size_t c = 0; same && c < v.columns.size(); ++c) {
    const ValueColumn& col = v.columns[c];
    const size_t words = col.kind == ValueKind::kString ? 0
                         : col.kind == ValueKind::kInt128 ? 2 * n
                                                          : n;
    same = col.kind == fields[c].kind && col.nulls.size() == n && col.words.size() == words &&
           (col.kind != ValueKind::kString || col.strings.size() == n);
  }
  if (!same) return Status::InvalidArgument("ValidRows batch: columns have different lengths");
  for (size_t c = 0; c < fields.size(); ++c) {
    const BatchField& f = fields[c];
    if (!f.decimal || f.kind != ValueKind::kInt64) continue;
    int64_t limit = 1;
    for (int i = 0; i < f.precision; ++i) limit *= 10;
    for (int64_t w : v.columns[c].words) {
      if (w >= limit || w <= -limit) {
        return Status::InvalidArgument("ValidRows batch: " + f.name + " out of DECIMAL(" +
                                       std::to_string(f.precision) + "," +
                                       std::to_string(f.scale) + ") range");
      }
    }
  }
  return Status::OK();
}

Status CheckRejected(const RejectedRows& r) {
  size_t n = r.size();
  bool same = r.raw_record.size() == n && r.raw_bytes.size() == n &&
              r.validation_error.size() == n &&
              r.validation_errors.size() == n && r.row_hash.size() == n &&
              r.attempt_count.size() == n && r.condemned.size() == n;
  return same ? Status::OK()
              : Status::InvalidArgument("RejectedRows batch: columns have different lengths");
}

}  // namespace

BatchPipe::BatchPipe(const BatchPuller* pull, RejectSink* rejects,
                     std::vector<BatchField> fields, size_t depth)
    : pull_(pull),
      rejects_(rejects),
      fields_(std::move(fields)),
      depth_(std::max<size_t>(depth, 1)) {}

BatchPipe::~BatchPipe() { Finish(); }

void BatchPipe::Start() { thread_ = std::thread([this] { Produce(); }); }

void BatchPipe::Finish() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    free_cv_.notify_all();
    filled_cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

Status BatchPipe::PullOne(ValidRows* valid, bool* more) {
  valid->Clear();
  rejected_.Clear();
  Result<bool> got = false;
  try {
    got = (*pull_)(valid, &rejected_);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("batch puller threw: ") + e.what());
  }
  if (!got.ok()) return got.status();
  *more = *got;
  RUNLAKE_RETURN_NOT_OK(CheckValid(*valid, fields_));
  RUNLAKE_RETURN_NOT_OK(CheckRejected(rejected_));
  return rejects_->Append(rejected_);
}

void BatchPipe::Produce() {
  while (true) {
    std::unique_ptr<ValidRows> batch;
    {
      // Bound the queue, not the pool: a scan thread holds the batches its current chunk
      // points into (several when batches are smaller than a chunk), and waiting for those
      // to come back while that thread waits for a new batch would deadlock.
      std::unique_lock<std::mutex> lock(mu_);
      free_cv_.wait(lock, [&] { return stop_ || filled_.size() < depth_; });
      if (stop_) break;
      if (free_.empty()) {
        batch = std::make_unique<ValidRows>();
      } else {
        batch = std::move(free_.back());
        free_.pop_back();
      }
    }
    bool more = false;
    Status st = PullOne(batch.get(), &more);
    std::lock_guard<std::mutex> lock(mu_);
    if (!st.ok()) {
      error_ = st;
      break;
    }
    if (batch->size() > 0) {
      filled_.push_back(std::move(batch));
      filled_cv_.notify_one();
    } else {
      free_.push_back(std::move(batch));
    }
    if (!more) break;
  }
  std::lock_guard<std::mutex> lock(mu_);
  done_ = true;
  filled_cv_.notify_all();
}

std::unique_ptr<ValidRows> BatchPipe::Pop() {
  std::unique_lock<std::mutex> lock(mu_);
  filled_cv_.wait(lock, [&] { return stop_ || done_ || !filled_.empty(); });
  // After an error, batches still queued are not written: the run fails anyway.
  if (filled_.empty() || stop_ || !error_.ok()) return nullptr;
  std::unique_ptr<ValidRows> batch = std::move(filled_.front());
  filled_.pop_front();
  free_cv_.notify_one();  // the queue has room again
  return batch;
}

void BatchPipe::Recycle(std::unique_ptr<ValidRows> batch) {
  if (batch == nullptr) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (free_.size() < depth_) free_.push_back(std::move(batch));  // else: freed here
}

Status BatchPipe::error() {
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

}  // namespace runlake
