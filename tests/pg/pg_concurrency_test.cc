// Many connections racing on one PostgreSQL state store: claims never hand one task to
// two workers and never exceed a quota; two controllers resuming one backfill: one wins.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "runlake/state_store.h"
#include "pg/pg_test_db.h"

namespace runlake::testing {
namespace {

std::string TestUri() {
  return PgDatabaseFor(std::string("PgConcurrency.") +
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
}

std::unique_ptr<StateStore> Open(const std::string& uri) {
  auto store = OpenPostgresStateStore(uri);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

TEST(PgConcurrency, ClaimsAreExclusiveAndRespectTheQuota) {
  RUNLAKE_SKIP_WITHOUT_PG();
  std::string uri = TestUri();
  auto admin = Open(uri);
  ASSERT_NE(admin, nullptr);
  constexpr int kTasks = 60, kWorkers = 8, kQuota = 3;
  for (int i = 0; i < kTasks; ++i) {
    TaskSpec spec;
    spec.name = "bf/" + std::to_string(i);
    spec.kind = TaskKind::kBackfill;
    spec.backfill_id = "bf";
    ASSERT_TRUE(admin->EnqueueTask(spec).ok());
  }
  ASSERT_TRUE(admin->SetTaskQuota(kGlobalQuotaScope, kQuota).ok());

  std::atomic<int> in_flight{0}, max_in_flight{0};
  std::mutex mu;
  std::map<std::string, int> claims;  // task name -> times claimed
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (int w = 0; w < kWorkers; ++w) {
    threads.emplace_back([&, w] {
      auto store = Open(uri);
      if (!store) return;
      WorkerRecord me;
      me.id = "w" + std::to_string(w);
      me.kinds = {TaskKind::kBackfill};
      if (!store->RegisterWorker(me).ok()) return;
      ClaimRequest req;
      req.worker_id = me.id;
      req.kinds = {TaskKind::kBackfill};
      req.lease_seconds = 120;
      int idle = 0;
      while (idle < 50) {
        auto claimed = store->ClaimTask(req);
        if (!claimed.ok()) {
          std::lock_guard lock(mu);
          errors.push_back(claimed.status().ToString());
          return;
        }
        if (!claimed->has_value()) {  // quota full or queue empty: try again shortly
          ++idle;
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
          continue;
        }
        idle = 0;
        int now = ++in_flight;
        int seen = max_in_flight;
        while (now > seen && !max_in_flight.compare_exchange_weak(seen, now)) {
        }
        {
          std::lock_guard lock(mu);
          ++claims[(*claimed)->name];
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        --in_flight;
        Status done = store->CompleteTask((*claimed)->id, me.id, TaskStatus::kSucceeded, "", nullptr);
        if (!done.ok()) {
          std::lock_guard lock(mu);
          errors.push_back(done.ToString());
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(static_cast<int>(claims.size()), kTasks);
  for (const auto& [name, n] : claims) EXPECT_EQ(n, 1) << name << " was claimed " << n << " times";
  EXPECT_LE(max_in_flight.load(), kQuota);
  EXPECT_GE(max_in_flight.load(), 2) << "the workers never overlapped: the test proves nothing";
  TaskFilter succeeded;
  succeeded.statuses = {TaskStatus::kSucceeded};
  EXPECT_EQ(admin->ListTasks(succeeded)->size(), static_cast<size_t>(kTasks));
}

TEST(PgConcurrency, TwoControllersResumingOneBackfillOneWins) {
  RUNLAKE_SKIP_WITHOUT_PG();
  std::string uri = TestUri();
  auto admin = Open(uri);
  ASSERT_NE(admin, nullptr);
  BackfillRecord r;
  r.stamp = "20260129T150000Z";
  r.id = BackfillId("2024-01-01", "2024-01-02", r.stamp);
  r.dataset = DatasetId{"mortgages", "transactions"};
  r.from_date = "2024-01-01";
  r.to_date = "2024-01-02";
  r.dates = {BackfillDate{"2024-01-01", "bronze/a", 0, "", ""},
             BackfillDate{"2024-01-02", "bronze/b", 0, "", ""}};
  ASSERT_TRUE(admin->CreateBackfill(r).ok());
  ASSERT_TRUE(*admin->TransitionBackfill(r.id, {BackfillStatus::kRunning},
                                         BackfillStatus::kInterrupted, nullptr));
  constexpr int kControllers = 6;
  std::vector<std::unique_ptr<StateStore>> stores;
  for (int i = 0; i < kControllers; ++i) stores.push_back(Open(uri));
  std::atomic<int> ready{0}, won{0}, refused{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kControllers; ++i) {
    threads.emplace_back([&, i] {
      ++ready;
      while (ready < kControllers) std::this_thread::yield();
      auto claimed = stores[i]->ClaimBackfill(r.id);
      if (claimed.ok()) ++won;
      else if (claimed.status().code() == StatusCode::kFailedPrecondition) ++refused;
      else ++other;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(won, 1);
  EXPECT_EQ(refused, kControllers - 1);
  EXPECT_EQ(other, 0);
  EXPECT_EQ((*admin->GetBackfill(r.id))->status, BackfillStatus::kRunning);
}

}  // namespace
}  // namespace runlake::testing
