// Promote, rollback, delete, silver_current and gold, through the library.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "catalog/catalog.h"
#include "lake_test_util.h"
#include "runlake/canonical_table.h"
#include "runlake/gold.h"
#include "runlake/promote.h"
#include "runlake/run_delete.h"

namespace runlake {
namespace {

using lake_test::Csv;
using lake_test::TestLake;

int64_t CountCurrent(TestLake& lake, int64_t at_version = 0) {
  auto engine = OpenCatalog(lake.store(), CatalogOptions{DatasetId{}, lake.dir() + "/scratch", at_version});
  EXPECT_TRUE(engine.ok()) << engine.status().ToString();
  auto r = (*engine)->Query("SELECT count(*) FROM silver_current");
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return std::stoll(*r->rows[0][0]);
}

std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Every file of a run, with its bytes, to prove it is never touched.
std::map<std::string, std::string> Snapshot(TestLake& lake, const std::string& run_id) {
  std::map<std::string, std::string> files;
  for (auto& e : std::filesystem::recursive_directory_iterator(lake.root())) {
    std::string p = e.path().string();
    if (e.is_regular_file() && p.find("run_id=" + run_id + "/") != std::string::npos) files[p] = ReadAll(p);
  }
  return files;
}

const std::string kDay1 = Csv({"T1,A1,100.00,EUR,2024-01-01T10:00:00Z", "T2,A2,50.00,USD,2024-01-01T11:00:00Z"});
const std::string kDay2 = Csv({"T3,A1,-30.50,EUR,2024-01-02T10:00:00Z", "T4,A3,7.00,GBP,2024-01-02T12:00:00Z"});
const std::string kDay2Fixed = Csv({"T3,A1,-30.50,EUR,2024-01-02T10:00:00Z", "T4,A3,7.00,GBP,2024-01-02T12:00:00Z",
                                    "T5,A3,1.00,GBP,2024-01-02T13:00:00Z"});

TEST(CanonicalTest, PromoteAndRollbackMoveSilverCurrent) {
  TestLake lake("promote");
  lake.IngestAndRun(kDay1, "2024-01-01", "d1");
  lake.IngestAndRun(kDay2, "2024-01-02", "d2");
  ASSERT_TRUE(Promote(lake.store(), PromoteRequest{{"d1", "d2"}, "", "", "daily", ""}).ok());
  EXPECT_EQ(CountCurrent(lake), 4);
  auto originals = Snapshot(lake, "d2");
  lake.IngestAndRun(kDay2Fixed, "2024-01-02", "backfill-2024-01-02-20260129T150000Z");
  EXPECT_EQ(CountCurrent(lake), 4);  // a backfill is invisible to silver_current until promoted

  auto promoted = Promote(lake.store(), PromoteRequest{{"backfill-2024-01-02-20260129T150000Z"}, "", "", "fix", ""});
  ASSERT_TRUE(promoted.ok()) << promoted.status().ToString();
  ASSERT_TRUE(promoted->version.has_value());
  EXPECT_EQ(promoted->version->version, 2);
  ASSERT_EQ(promoted->deltas.size(), 1u);
  EXPECT_EQ(promoted->deltas[0].change.old_run_id, "d2");
  EXPECT_EQ(promoted->deltas[0].old_valid_rows, 2);
  EXPECT_EQ(promoted->deltas[0].new_valid_rows, 3);
  EXPECT_EQ(CountCurrent(lake), 5);
  EXPECT_EQ(CountCurrent(lake, 1), 4);  // time travel

  // Promoting again changes nothing and commits nothing.
  auto again = Promote(lake.store(), PromoteRequest{{"backfill-2024-01-02-20260129T150000Z"}, "", "", "", ""});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->version.has_value());

  auto rolled = Rollback(lake.store(), DatasetId{}, std::nullopt, "bad backfill", PublishCanonicalTable);
  ASSERT_TRUE(rolled.ok()) << rolled.status().ToString();
  EXPECT_EQ(rolled->version->version, 3);
  EXPECT_EQ(rolled->version->rolled_back_to, 1);
  EXPECT_EQ(CountCurrent(lake), 4);
  EXPECT_EQ(Snapshot(lake, "d2"), originals);  // the original run's files, byte for byte

  auto to = Rollback(lake.store(), DatasetId{}, 2, "", PublishCanonicalTable);
  ASSERT_TRUE(to.ok());
  EXPECT_EQ(CountCurrent(lake), 5);
}

TEST(CanonicalTest, PromoteDatesSelectsSources) {
  TestLake lake("dates");
  lake.IngestAndRun(kDay1, "2024-01-01", "d1");
  auto none = Promote(lake.store(), PromoteRequest{{"d1"}, "2024-02-01", "2024-02-28", "", ""});
  EXPECT_TRUE(none.status().IsInvalidArgument()) << none.status().ToString();
  auto backwards = Promote(lake.store(), PromoteRequest{{"d1"}, "2024-02-01", "2024-01-01", "", ""});
  EXPECT_TRUE(backwards.status().IsInvalidArgument());
  auto ok = Promote(lake.store(), PromoteRequest{{"d1"}, "2024-01-01", "2024-01-31", "", ""});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->version->sources.at("2024-01-01"), "d1");
}

TEST(CanonicalTest, PromoteRefusesRunsThatAreNotCommitted) {
  TestLake lake("refuse");
  EXPECT_TRUE(Promote(lake.store(), PromoteRequest{{"nope"}, "", "", "", ""}).status().IsNotFound());
  // A claim without a manifest: a run that failed or died.
  ASSERT_TRUE(lake.store().Put("_runs/_claims/dead.json", "{}").ok());
  EXPECT_EQ(Promote(lake.store(), PromoteRequest{{"dead"}, "", "", "", ""}).status().code(),
            StatusCode::kFailedPrecondition);
  lake.IngestAndRun(kDay1, "2024-01-01", "d1");
  ASSERT_TRUE(DeleteRun(lake.store(), "d1", false, PublishCanonicalTable).ok());
  EXPECT_TRUE(Promote(lake.store(), PromoteRequest{{"d1"}, "", "", "", ""}).status().IsNotFound());
  EXPECT_TRUE(Promote(lake.store(), PromoteRequest{{"../x"}, "", "", "", ""}).status().IsInvalidArgument());
}

TEST(CanonicalTest, RollbackPastTheFirstVersionIsRefused) {
  TestLake lake("rbfirst");
  EXPECT_EQ(Rollback(lake.store(), DatasetId{}, std::nullopt, "", PublishCanonicalTable).status().code(), StatusCode::kFailedPrecondition);
  lake.IngestAndRun(kDay1, "2024-01-01", "d1");
  ASSERT_TRUE(Promote(lake.store(), PromoteRequest{{"d1"}, "", "", "", ""}).ok());
  EXPECT_EQ(Rollback(lake.store(), DatasetId{}, std::nullopt, "", PublishCanonicalTable).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Rollback(lake.store(), DatasetId{}, 1, "", PublishCanonicalTable).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(Rollback(lake.store(), DatasetId{}, 7, "", PublishCanonicalTable).ok());
}

TEST(CanonicalTest, DeleteRefusesACanonicalRunAndNeverTouchesOthers) {
  TestLake lake("delete");
  lake.IngestAndRun(kDay1, "2024-01-01", "d1");
  lake.IngestAndRun(kDay2, "2024-01-02", "d2");
  lake.IngestAndRun(kDay2Fixed, "2024-01-02", "d2b");
  ASSERT_TRUE(Promote(lake.store(), PromoteRequest{{"d1", "d2"}, "", "", "", ""}).ok());
  auto d1 = Snapshot(lake, "d1"), d2 = Snapshot(lake, "d2");
  EXPECT_EQ(DeleteRun(lake.store(), "d2", false, PublishCanonicalTable).status().code(), StatusCode::kFailedPrecondition);
  auto deleted = DeleteRun(lake.store(), "d2b", false, PublishCanonicalTable);
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_GT(deleted->files_deleted, 0);
  EXPECT_TRUE(Snapshot(lake, "d2b").empty());
  EXPECT_FALSE(lake.store().Head("_runs/d2b.json")->has_value());
  EXPECT_EQ(Snapshot(lake, "d1"), d1);
  EXPECT_EQ(Snapshot(lake, "d2"), d2);
  EXPECT_TRUE(DeleteRun(lake.store(), "d2b", false, PublishCanonicalTable).status().IsNotFound());
  // --force deletes a canonical run; rolling back to a version that needs it is refused later.
  ASSERT_TRUE(DeleteRun(lake.store(), "d2", true, PublishCanonicalTable).ok());
  EXPECT_TRUE(Snapshot(lake, "d2").empty());
}

TEST(CanonicalTest, DeleteCleansUpAnUncommittedRun) {
  TestLake lake("leftover");
  ASSERT_TRUE(lake.store().Put("_runs/_claims/crashed.json", "{}").ok());
  ASSERT_TRUE(lake.store().Put("silver/mortgages/transactions/year=2024/month=01/schema_v=v1/run_id=crashed/part-00000.parquet", "x").ok());
  auto o = DeleteRun(lake.store(), "crashed", false, PublishCanonicalTable);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_FALSE(o->was_committed);
  EXPECT_EQ(o->files_deleted, 1);
  EXPECT_FALSE(lake.store().Head("_runs/_claims/crashed.json")->has_value());
}

TEST(CanonicalTest, GoldBalancesMatchAnIndependentComputation) {
  TestLake lake("gold");
  // Three months; A1 has no transactions in February (carried forward), A3 starts in March.
  lake.IngestAndRun(Csv({"T1,A1,100.00,EUR,2024-01-05T10:00:00Z", "T2,A1,-20.25,EUR,2024-01-20T10:00:00Z",
                         "T3,A2,5.00,USD,2024-01-31T23:59:59Z", "T4,A1,3.00,USD,2024-01-02T00:00:00Z"}),
                    "2024-01-31", "jan");
  lake.IngestAndRun(Csv({"T5,A2,1.10,USD,2024-02-10T10:00:00Z"}), "2024-02-29", "feb");
  lake.IngestAndRun(Csv({"T6,A1,0.25,EUR,2024-03-01T00:00:00Z", "T7,A3,9.99,GBP,2024-03-15T10:00:00Z"}),
                    "2024-03-31", "mar");
  ASSERT_TRUE(Promote(lake.store(), PromoteRequest{{"jan", "feb", "mar"}, "", "", "", ""}).ok());
  auto built = BuildGold(lake.store(), GoldBuildRequest{DatasetId{}, "account_balances", 0, "", ""});
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  EXPECT_EQ(built->manifest.built_from_version, 1);

  std::map<std::string, std::string> expected = {
      {"A1|EUR|2024-01", "79.75"}, {"A1|EUR|2024-02", "79.75"}, {"A1|EUR|2024-03", "80.00"},
      {"A1|USD|2024-01", "3.00"},  {"A1|USD|2024-02", "3.00"},  {"A1|USD|2024-03", "3.00"},
      {"A2|USD|2024-01", "5.00"},  {"A2|USD|2024-02", "6.10"},  {"A2|USD|2024-03", "6.10"},
      {"A3|GBP|2024-03", "9.99"}};
  auto engine = OpenCatalog(lake.store(), CatalogOptions{DatasetId{}, lake.dir() + "/scratch", 0});
  ASSERT_TRUE(engine.ok());
  auto r = (*engine)->Query("SELECT account_id || '|' || currency || '|' || month, balance FROM gold_account_balances");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::map<std::string, std::string> got;
  for (const auto& row : r->rows) got[*row[0]] = *row[1];
  EXPECT_EQ(got, expected);

  auto st = GetGoldStatus(lake.store(), DatasetId{}, "account_balances");
  ASSERT_TRUE(st.ok());
  EXPECT_FALSE(st->stale);
  ASSERT_TRUE(Rollback(lake.store(), DatasetId{}, std::nullopt, "", PublishCanonicalTable).status().code() == StatusCode::kFailedPrecondition);
  lake.IngestAndRun(Csv({"T8,A4,1.00,EUR,2024-03-02T00:00:00Z"}), "2024-04-01", "apr");
  ASSERT_TRUE(Promote(lake.store(), PromoteRequest{{"apr"}, "", "", "", ""}).ok());
  st = GetGoldStatus(lake.store(), DatasetId{}, "account_balances");
  EXPECT_TRUE(st->stale);
  EXPECT_EQ(st->silver_head_version, 2);
  EXPECT_TRUE(BuildGold(lake.store(), GoldBuildRequest{DatasetId{}, "nope", 0, "", ""}).status().IsInvalidArgument());
}

TEST(CanonicalTest, GoldNeedsCanonicalSilver) {
  TestLake lake("goldempty");
  auto built = BuildGold(lake.store(), GoldBuildRequest{DatasetId{}, "account_balances", 0, "", ""});
  EXPECT_EQ(built.status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace runlake
