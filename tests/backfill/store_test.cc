// The state store's backfill records (SQLite). Written against the StateStore interface
// only, so the PostgreSQL store can run the same checks.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "orchestrate/state_store.h"

namespace runlake {
namespace {

class BackfillStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("runlake-bf-store-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    store_ = Open();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::unique_ptr<StateStore> Open() {
    auto s = OpenSqliteStateStore((dir_ / "state.sqlite").string());
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return std::move(s).value();
  }
  static BackfillRecord Record(const std::string& stamp, const std::string& from = "2024-01-01",
                               const std::string& to = "2024-01-03") {
    BackfillRecord r;
    r.stamp = stamp;
    r.id = BackfillId(from, to, stamp);
    r.from_date = from;
    r.to_date = to;
    r.options = {{"promote", true}};
    for (const char* d : {"2024-01-01", "2024-01-02", "2024-01-03"}) {
      r.dates.push_back(BackfillDate{d, std::string("bronze/x/") + d, 0, "", ""});
    }
    return r;
  }
  Result<BackfillRecord> OpenAnotherAndClaim(const std::string& id) {
    return Open()->ClaimBackfill(id);
  }
  std::filesystem::path dir_;
  std::unique_ptr<StateStore> store_;
};

TEST_F(BackfillStoreTest, CreateGetAndList) {
  auto rec = Record("20260129T150000Z");
  ASSERT_TRUE(store_->CreateBackfill(rec).ok());
  auto got = store_->GetBackfill(rec.id);
  ASSERT_TRUE(got.ok() && *got);
  EXPECT_EQ((*got)->status, BackfillStatus::kRunning);
  EXPECT_EQ((*got)->dates.size(), 3u);
  EXPECT_EQ((*got)->dates[1].source_key, "bronze/x/2024-01-02");
  EXPECT_EQ((*got)->options["promote"], true);
  EXPECT_EQ((*got)->controller_pid, getpid());
  EXPECT_FALSE((*got)->created_at.empty());
  auto missing = store_->GetBackfill("nope");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(*missing);
  auto active = store_->ListBackfills(BackfillFilter{true, 0});
  ASSERT_TRUE(active.ok());
  EXPECT_EQ(active->size(), 1u);
}

TEST_F(BackfillStoreTest, IdAndStampAreUnique) {
  ASSERT_TRUE(store_->CreateBackfill(Record("20260129T150000Z")).ok());
  // Another range in the same second: its run_ids would collide, so the stamp is refused.
  auto other = Record("20260129T150000Z", "2024-01-02", "2024-01-05");
  Status st = store_->CreateBackfill(other);
  EXPECT_TRUE(st.IsAlreadyExists()) << st.ToString();
  EXPECT_TRUE(store_->CreateBackfill(Record("20260129T150001Z", "2024-01-02", "2024-01-05")).ok());
}

TEST_F(BackfillStoreTest, AttemptsTransitionsAndClaim) {
  auto rec = Record("20260129T150000Z");
  ASSERT_TRUE(store_->CreateBackfill(rec).ok());
  BackfillDate d{"2024-01-02", "bronze/x/2024-01-02", 2, "backfill-2024-01-02-20260129T150000Z-r2",
                 rec.id + "/2024-01-02#2"};
  ASSERT_TRUE(store_->RecordBackfillAttempt(rec.id, d).ok());
  d.date = "2024-02-02";
  EXPECT_EQ(store_->RecordBackfillAttempt(rec.id, d).code(), StatusCode::kNotFound);
  auto got = store_->GetBackfill(rec.id);
  EXPECT_EQ((*got)->dates[1].attempts, 2);
  EXPECT_EQ((*got)->dates[1].execution, rec.id + "/2024-01-02#2");

  // A live controller (this process) holds it: a second claim is refused.
  auto claim = store_->ClaimBackfill(rec.id);
  EXPECT_EQ(claim.status().code(), StatusCode::kFailedPrecondition);
  auto moved = store_->TransitionBackfill(rec.id, {BackfillStatus::kPaused}, BackfillStatus::kFailed,
                                          nullptr);
  ASSERT_TRUE(moved.ok());
  EXPECT_FALSE(*moved);
  moved = store_->TransitionBackfill(rec.id, {BackfillStatus::kRunning}, BackfillStatus::kPaused,
                                     nlohmann::json{{"note", "canary"}});
  ASSERT_TRUE(moved.ok());
  EXPECT_TRUE(*moved);
  claim = OpenAnotherAndClaim(rec.id);
  ASSERT_TRUE(claim.ok()) << claim.status().ToString();
  EXPECT_EQ(claim->status, BackfillStatus::kRunning);
  EXPECT_EQ((*store_->GetBackfill(rec.id))->result["note"], "canary");
  EXPECT_EQ(store_->ClaimBackfill("nope").status().code(), StatusCode::kNotFound);
}

TEST_F(BackfillStoreTest, DeadControllerIsInterruptedAndItsStopFinishes) {
  // A child process creates two backfills and dies without finishing them.
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto s = Open();
    auto a = Record("20260129T150000Z");
    auto b = Record("20260129T160000Z");
    bool ok = s->CreateBackfill(a).ok() && s->CreateBackfill(b).ok() &&
              *s->TransitionBackfill(b.id, {BackfillStatus::kRunning}, BackfillStatus::kAborting, nullptr);
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_EQ(WEXITSTATUS(status), 0);
  auto a = store_->GetBackfill(Record("20260129T150000Z").id);
  ASSERT_TRUE(a.ok() && *a);
  EXPECT_EQ((*a)->status, BackfillStatus::kInterrupted);
  auto list = store_->ListBackfills(BackfillFilter{});
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].status, BackfillStatus::kAborted);  // newest first: it was stopping
  // The interrupted one can be claimed by a new controller (resume).
  auto claim = store_->ClaimBackfill((*a)->id);
  ASSERT_TRUE(claim.ok()) << claim.status().ToString();
  EXPECT_EQ(claim->controller_pid, getpid());
}

}  // namespace
}  // namespace runlake
