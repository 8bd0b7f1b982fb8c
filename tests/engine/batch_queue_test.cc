// BatchQueue between the month router and a COPY's scan threads, with real threads (the
// TSan run includes these: its reports with DuckDB frames are suppressed, so the queue's own
// synchronisation is checked here, without DuckDB in the stack).

#include "engine/batch_queue_internal.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace runlake {
namespace {

std::unique_ptr<ValidRows> BatchOf(int64_t line) {
  auto b = std::make_unique<ValidRows>();
  b->partition_micros.push_back(line);
  b->source_line.push_back(line);
  return b;
}

TEST(BatchQueueConcurrency, EveryBatchReachesOneConsumerAndCloseEndsThemAll) {
  constexpr int kBatches = 2000;
  BatchQueue queue(2);
  std::vector<std::atomic<int>> seen(kBatches);
  std::vector<std::thread> consumers;
  for (int c = 0; c < 3; c++) {
    consumers.emplace_back([&] {
      int64_t last = -1;
      while (auto batch = queue.Pop()) {
        int64_t line = batch->source_line.at(0);
        EXPECT_GT(line, last);  // one consumer sees its batches in the router's order
        last = line;
        seen[line]++;
        queue.Recycle(std::move(batch));
      }
    });
  }
  for (int i = 0; i < kBatches; i++) {
    std::unique_ptr<ValidRows> batch = queue.TakeFree();
    EXPECT_EQ(batch->size(), 0u);  // recycled batches come back cleared
    batch->partition_micros.push_back(i);
    batch->source_line.push_back(i);
    ASSERT_TRUE(queue.Push(std::move(batch)));
  }
  queue.Close();
  for (auto& t : consumers) t.join();
  for (int i = 0; i < kBatches; i++) EXPECT_EQ(seen[i].load(), 1) << "batch " << i;
  EXPECT_TRUE(queue.error().ok());
}

TEST(BatchQueueConcurrency, AbortWakesAWaitingPushAndEndsPopWithItsReason) {
  BatchQueue queue(1);
  ASSERT_TRUE(queue.Push(BatchOf(1)));  // full: the next Push waits
  std::atomic<bool> pushed{true};
  std::thread router([&] { pushed = queue.Push(BatchOf(2)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  queue.Abort(Status::IOError("disk gone"));
  router.join();
  EXPECT_FALSE(pushed.load());
  EXPECT_EQ(queue.Pop(), nullptr);  // queued batches are dropped: the COPY must fail
  EXPECT_TRUE(queue.error().IsIOError());
  EXPECT_FALSE(queue.Push(BatchOf(3)));
}

TEST(BatchQueueConcurrency, ADetachedConsumerNeverLeavesTheRouterWaiting) {
  BatchQueue queue(1);
  ASSERT_TRUE(queue.Push(BatchOf(1)));
  std::atomic<bool> pushed{true};
  std::thread router([&] { pushed = queue.Push(BatchOf(2)); });
  std::thread copy([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    queue.Detach();  // its COPY returned (failed) without reading the rest
  });
  router.join();
  copy.join();
  EXPECT_FALSE(pushed.load());
  EXPECT_FALSE(queue.Push(BatchOf(3)));
  EXPECT_TRUE(queue.error().ok());  // a detach is not an error of its own: the COPY's is
}

TEST(BatchQueueConcurrency, AnEmptyClosedQueueEndsAtOnce) {
  BatchQueue queue(2);
  std::thread consumer([&] { EXPECT_EQ(queue.Pop(), nullptr); });
  queue.Close();
  consumer.join();
  EXPECT_TRUE(queue.error().ok());
}

}  // namespace
}  // namespace runlake
