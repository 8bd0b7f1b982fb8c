#include "engine/batch_pipe_internal.h"

#include <algorithm>
#include <exception>

#include "engine/reject_spill_internal.h"

namespace runlake {
namespace {

constexpr int64_t kMaxCents = 9999999999999999;  // DECIMAL(16,2): 16 digits, unscaled

Status CheckValid(const ValidRows& v, bool has_type) {
  size_t n = v.size();
  bool same = v.transaction_id.size() == n && v.account_id.size() == n &&
              v.currency.size() == n && v.tx_micros.size() == n && v.source_line.size() == n &&
              v.row_hash.size() == n && (!has_type || v.transaction_type.size() == n);
  if (!same) return Status::InvalidArgument("ValidRows batch: columns have different lengths");
  for (int64_t cents : v.amount_cents) {
    if (cents > kMaxCents || cents < -kMaxCents)
      return Status::InvalidArgument("ValidRows batch: amount out of DECIMAL(16,2) range");
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

BatchPipe::BatchPipe(const BatchPuller* pull, RejectSink* rejects, bool has_transaction_type,
                     size_t depth)
    : pull_(pull),
      rejects_(rejects),
      has_transaction_type_(has_transaction_type),
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
  RUNLAKE_RETURN_NOT_OK(CheckValid(*valid, has_transaction_type_));
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
