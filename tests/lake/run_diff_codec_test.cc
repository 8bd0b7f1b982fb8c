// The typed run comparison records and their one JSON codec: what `runs diff --json` and
// the dashboard's /api/compare print, pinned field by field.

#include <gtest/gtest.h>

#include "runlake/gold.h"
#include "runlake/run_diff.h"

namespace runlake {
namespace {

TEST(RunDiffCodec, SidesAppearOnlyWhereTheRunHasThem) {
  RunDiff d;
  d.run_a = "A";
  d.run_b = "B";
  SourceSide a;
  a.has_figures = true;
  a.key = "bronze/k.csv";
  a.input_rows = 10;
  a.valid_rows = 7;
  a.quarantined_rows = 2;
  a.condemned_rows = 1;
  a.quarantine_by_reason = {{"CURRENCY_ERROR", 2}};
  SourceSide rejects_only;  // known from B's quarantine files alone
  rejects_only.quarantine_by_reason = {{"TIMESTAMP_ERROR", 3}};
  d.sources["2024-01-15"] = {a, rejects_only};
  d.partitions["year=2024/month=01"] = {std::nullopt, PartitionSide{5, "12.50"}};
  d.added = 1;
  d.unchanged = 6;
  d.added_ids = {"TX1"};

  nlohmann::json j = RunDiffToJson(d);
  EXPECT_EQ(j["run_a"], "A");
  const auto& src = j["sources"]["2024-01-15"];
  EXPECT_EQ(src["a"]["input_rows"], 10);
  EXPECT_EQ(src["a"]["key"], "bronze/k.csv");
  EXPECT_EQ(src["a"]["quarantine_by_reason"]["CURRENCY_ERROR"], 2);
  EXPECT_FALSE(src["b"].contains("input_rows")) << src.dump();
  EXPECT_EQ(src["b"]["quarantine_by_reason"]["TIMESTAMP_ERROR"], 3);
  const auto& part = j["partitions"]["year=2024/month=01"];
  EXPECT_FALSE(part.contains("a"));
  EXPECT_EQ(part["b"]["valid_rows"], 5);
  EXPECT_EQ(part["b"]["amount_sum"], "12.50");
  EXPECT_EQ(j["rows"]["added"], 1);
  EXPECT_EQ(j["rows"]["removed"], 0);
  EXPECT_EQ(j["rows"]["unchanged"], 6);
  EXPECT_EQ(j["added_ids"], nlohmann::json({"TX1"}));
  EXPECT_TRUE(j["changed_ids"].empty());
}

TEST(RunDiffCodec, TransitionsCountEveryOutcome) {
  std::map<std::string, RejectTransition> t = {{"CURRENCY_ERROR", {4, 1, 0, 2}}};
  nlohmann::json j = TransitionsToJson(t);
  EXPECT_EQ(j, nlohmann::json::parse(
                   R"({"CURRENCY_ERROR": {"valid": 4, "still_failing": 1, "other_reason": 0, "not_in_b": 2}})"));
  EXPECT_EQ(TransitionsToJson({}), nlohmann::json::object());
}

TEST(GoldStatusCodec, NeverBuiltIsANullRunId) {
  GoldStatus st;
  st.table = "account_balances";
  st.silver_head_version = 3;
  st.stale = true;
  nlohmann::json j = GoldStatusToJson(st);
  EXPECT_TRUE(j["run_id"].is_null());
  EXPECT_EQ(j["silver_version"], 3);
  EXPECT_EQ(j["stale"], true);
  st.run_id = "gold-1";
  st.built_from_version = 3;
  st.built_from_dataset = "mortgages/transactions";
  st.stale = false;
  j = GoldStatusToJson(st);
  EXPECT_EQ(j["run_id"], "gold-1");
  EXPECT_EQ(j["built_from_dataset"], "mortgages/transactions");
}

}  // namespace
}  // namespace runlake
