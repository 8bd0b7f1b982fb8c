#include "engine/batch_queue_internal.h"

namespace runlake {

bool BatchQueue::Push(std::unique_ptr<ValidRows> batch) {
  std::unique_lock<std::mutex> lock(mu_);
  room_cv_.wait(lock, [&] { return detached_ || !error_.ok() || filled_.size() < depth_; });
  if (detached_ || !error_.ok()) return false;
  filled_.push_back(std::move(batch));
  filled_cv_.notify_one();
  return true;
}

std::unique_ptr<ValidRows> BatchQueue::TakeFree() {
  std::lock_guard<std::mutex> lock(mu_);
  if (free_.empty()) return std::make_unique<ValidRows>();
  std::unique_ptr<ValidRows> batch = std::move(free_.back());
  free_.pop_back();
  batch->Clear();
  return batch;
}

void BatchQueue::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  filled_cv_.notify_all();
}

void BatchQueue::Abort(Status why) {
  std::lock_guard<std::mutex> lock(mu_);
  if (error_.ok()) error_ = why.ok() ? Status::Aborted("the run stopped") : std::move(why);
  filled_.clear();
  filled_cv_.notify_all();
  room_cv_.notify_all();
}

void BatchQueue::Detach() {
  std::lock_guard<std::mutex> lock(mu_);
  detached_ = true;
  filled_.clear();
  room_cv_.notify_all();
}

std::unique_ptr<ValidRows> BatchQueue::Pop() {
  std::unique_lock<std::mutex> lock(mu_);
  filled_cv_.wait(lock, [&] { return closed_ || !error_.ok() || !filled_.empty(); });
  if (!error_.ok() || filled_.empty()) return nullptr;
  std::unique_ptr<ValidRows> batch = std::move(filled_.front());
  filled_.pop_front();
  room_cv_.notify_one();
  return batch;
}

void BatchQueue::Recycle(std::unique_ptr<ValidRows> batch) {
  if (batch == nullptr) return;
  std::lock_guard<std::mutex> lock(mu_);
  // Queued, being filled, held by scan threads: a few more than depth_ circulate.
  if (free_.size() < depth_ + 1) free_.push_back(std::move(batch));
}

Status BatchQueue::error() {
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

}  // namespace runlake
