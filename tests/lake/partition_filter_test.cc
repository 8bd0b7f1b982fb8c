// Partition pruning from a statement (catalog/partition_filter.h): constraints are taken only
// where they cannot change the answer; everything else fetches every file.

#include "catalog/partition_filter.h"

#include <gtest/gtest.h>

namespace runlake {
namespace {

const std::vector<std::string> kViews = {"silver_transactions", "silver_current", "quarantine", "condemned"};

PartitionFilter Of(const std::string& sql) { return PartitionFilterOf(sql, kViews); }

TEST(PartitionFilter, TakesTopLevelEqualitiesAndInLists) {
  PartitionFilter f = Of("SELECT count(*) FROM silver_current WHERE year = 2024 AND month = 3");
  EXPECT_EQ(f.view, "silver_current");
  EXPECT_EQ(*f.years, (std::set<int>{2024}));
  EXPECT_EQ(*f.months, (std::set<int>{3}));
  EXPECT_FALSE(f.run_ids.has_value());

  f = Of("select * from silver_transactions s where s.run_id in ('r1', 'r2') and amount > 5 "
         "and '2024-01-15' = ingest_date order by 1 limit 10");
  EXPECT_EQ(*f.run_ids, (std::set<std::string>{"r1", "r2"}));
  EXPECT_EQ(*f.ingest_dates, (std::set<std::string>{"2024-01-15"}));

  f = Of("select * from quarantine where ingest_date = DATE '2024-01-15' and run_id = 'it''s'");
  EXPECT_EQ(*f.ingest_dates, (std::set<std::string>{"2024-01-15"}));
  EXPECT_EQ(*f.run_ids, (std::set<std::string>{"it's"}));

  f = Of("select * from silver_transactions where month = '03' and month in (3, 4) and year = 2024::int");
  EXPECT_EQ(*f.months, (std::set<int>{3})) << "two constraints on one column intersect";
  EXPECT_EQ(*f.years, (std::set<int>{2024}));
}

TEST(PartitionFilter, RefusesWhatCouldChangeTheAnswer) {
  for (const char* sql : {
           "select * from silver_transactions",
           "select * from silver_transactions where year = 2024 or month = 3",
           "select * from silver_transactions where not year = 2024",
           "select * from silver_transactions where year between 2023 and 2024",
           "select * from silver_transactions where run_id in (select run_id from runs)",
           "with x as (select 1) select * from silver_transactions where year = 2024",
           "select * from silver_transactions where year = 2024 union all select * from silver_transactions",
           "select * from silver_transactions a join silver_current b using (run_id) where a.year = 2024",
           "select * from silver_transactions a, silver_transactions b where a.year = 2024",
           "select * from silver_transactions a, range(3) r where a.year = 2024",
           "select case when year = 2024 then 1 end from silver_transactions",
           "select count(*) filter (where year = 2024) from silver_transactions",
           "select * from silver_transactions where year = 2024 -- and more",
           "select * from silver_transactions where year = year + 0",
           "select * from silver_transactions where year = '20x4'",
           "select * from silver_transactions where ingest_date = 'yesterday'",
           "select * from runs where run_id = 'r1'",
       }) {
    EXPECT_TRUE(Of(sql).Empty()) << sql;
  }
  // A column that is no partition is left to DuckDB, the others still prune.
  PartitionFilter f = Of("select * from silver_transactions where currency = 'EUR' and year = 2024");
  EXPECT_FALSE(f.Empty());
  EXPECT_FALSE(f.run_ids.has_value());
}

TEST(PartitionFilter, AdmitsOnlyFilesThatCanMatch) {
  PartitionFilter f = Of("select * from silver_current where year = 2024 and month = 3 and ingest_date = '2024-03-15'");
  EXPECT_TRUE(f.Admits("silver_current", 2024, 3, "r1", {"2024-03-15"}));
  EXPECT_FALSE(f.Admits("silver_current", 2024, 4, "r1", {"2024-03-15"}));
  EXPECT_FALSE(f.Admits("silver_current", 2023, 3, "r1", {"2024-03-15"}));
  EXPECT_FALSE(f.Admits("silver_current", 2024, 3, "r1", {"2024-03-14"}));
  EXPECT_TRUE(f.Admits("silver_current", 2024, 3, "r1", {"2024-03-14", "2024-03-15"})) << "multi-source run";
  EXPECT_TRUE(f.Admits("silver_transactions", 1999, 1, "r1", {})) << "another view is not constrained";
  EXPECT_TRUE(f.Admits("silver_current", 0, 0, "r1", {})) << "unknown values never exclude";
}

TEST(PartitionFilter, YearAndMonthFromTheHivePath) {
  int y = -1, m = -1;
  PartitionYearMonth("year=2024/month=03", &y, &m);
  EXPECT_EQ(y, 2024);
  EXPECT_EQ(m, 3);
  PartitionYearMonth("ingest_date=2024-01-15", &y, &m);
  EXPECT_EQ(y, 0);
  EXPECT_EQ(m, 0);
}

}  // namespace
}  // namespace runlake
