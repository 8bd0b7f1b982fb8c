// `runlake run` with `s3_keys` (several bronze objects, one run): a daily multi-source run
// publishes itself for every source; malformed s3_keys are bad input (exit 2).

#include <gtest/gtest.h>

#include "cli_runner.h"

namespace runlake::it {
namespace {

const std::string kHeader = "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n";

class MultiSourceInput : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(lake_.Rl({"init"}).exit_code, 0);
    k1_ = lake_.IngestText("d1.csv", kHeader + "T1,A,1.00,EUR,2024-01-05T10:00:00Z\n", "2024-01-05");
    k2_ = lake_.IngestText("d2.csv", kHeader + "T1,A,2.00,EUR,2024-01-06T10:00:00Z\n"
                                               "T2,B,3.00,EUR,2024-01-06T11:00:00Z\n", "2024-01-06");
  }
  CmdResult Run(const json& input) {
    std::string path = lake_.Work("in-" + std::to_string(n_++) + ".json");
    WriteFile(path, input.dump());
    return lake_.Rl({"run", "--input", path});
  }
  TestLake lake_;
  std::string k1_, k2_;
  int n_ = 0;
};

TEST_F(MultiSourceInput, ADailyRunOfTwoSourcesPublishesBoth) {
  CmdResult r = Run({{"run_key", "both"}, {"s3_keys", {k1_, k2_}}, {"trigger_source", "daily"}});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  json m = lake_.Manifest("both");
  ASSERT_EQ(m["sources"].size(), 2u);
  EXPECT_EQ(m["sources"][1]["valid_rows"], 2);  // T1 of another source is no duplicate
  json head = lake_.RlJson({"pointer"});
  EXPECT_EQ(head["sources"]["2024-01-05"], "both");
  EXPECT_EQ(head["sources"]["2024-01-06"], "both");
  EXPECT_EQ(lake_.Scalar("SELECT count(*) FROM silver_current"), "3");
}

TEST_F(MultiSourceInput, MalformedKeyListsAreBadInput) {
  CmdResult notarray = Run({{"run_key", "x1"}, {"s3_keys", k1_}});
  EXPECT_EQ(notarray.exit_code, 2) << notarray.Describe();
  EXPECT_NE(notarray.err.find("s3_keys"), std::string::npos) << notarray.err;
  EXPECT_EQ(Run({{"run_key", "x2"}, {"s3_keys", json::array()}}).exit_code, 2);
  CmdResult mismatch = Run({{"run_key", "x3"}, {"s3_key", k2_}, {"s3_keys", {k1_, k2_}}});
  EXPECT_EQ(mismatch.exit_code, 2) << mismatch.Describe();
  EXPECT_NE(mismatch.err.find("s3_key"), std::string::npos) << mismatch.err;
  CmdResult same_date = Run({{"run_key", "x4"}, {"s3_keys", {k1_, k1_}}});
  EXPECT_EQ(same_date.exit_code, 2) << same_date.Describe();
  EXPECT_NE(same_date.err.find("2024-01-05"), std::string::npos) << same_date.err;
  for (const char* rid : {"x1", "x2", "x3", "x4"}) EXPECT_FALSE(lake_.HasManifest(rid)) << rid;
}

}  // namespace
}  // namespace runlake::it
