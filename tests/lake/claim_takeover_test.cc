// A run's next try in the same process takes over the claim its earlier try could not
// remove (S3 unreachable when that try failed): it removes that try's files and writes
// anew, or, when that try committed after all, returns its manifest. Another's claim is
// still a refusal. (Through the binary on S3: tests/s3/s3_wire_faults_test.cc.)

#include <gtest/gtest.h>

#include "lake_test_util.h"
#include "ledger/run_claim.h"
#include "runlake/layout.h"

namespace runlake {
namespace {

using lake_test::Csv;
using lake_test::TestLake;

const char* kEarlierFile =
    "silver/mortgages/transactions/year=2024/month=01/schema_v=v1/run_id=r1/part-00099.parquet";

std::string Day(TestLake& lake) {
  return lake.Ingest(Csv({"T1,A1,100.00,EUR,2024-01-15T10:00:00Z", "T2,A2,50.00,USD,2024-01-15T11:00:00Z"}),
                     "2024-01-15", "b1");
}

TEST(ClaimTakeover, ThisProcesssOwnClaimIsTakenOverAndTheEarlierTrysFilesRemoved) {
  TestLake lake("claim-takeover");
  std::string key = Day(lake);
  // What the earlier try left: its claim (this process, this execution) and a file.
  ASSERT_TRUE(ClaimRunId(lake.store(), "r1", "r1", key).ok());
  ASSERT_TRUE(lake.store().Put(kEarlierFile, "half-written").ok());
  auto m = lake.Run(key, "r1");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_TRUE(lake.store().Head(layout::RunManifestKey("r1"))->has_value());
  EXPECT_FALSE(lake.store().Head(kEarlierFile)->has_value());
  for (const auto& f : m->files) EXPECT_NE(f.key, kEarlierFile);
}

TEST(ClaimTakeover, AnEarlierTryThatCommittedIsTheOutcome) {
  TestLake lake("claim-committed");
  std::string key = Day(lake);
  auto first = lake.Run(key, "r1");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto again = lake.Run(key, "r1");  // the same execution, in the same process
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->run_id, "r1");
  EXPECT_EQ(again->completed_at, first->completed_at);
}

TEST(ClaimTakeover, AnotherExecutionsClaimIsStillARefusal) {
  TestLake lake("claim-other");
  std::string key = Day(lake);
  ASSERT_TRUE(ClaimRunId(lake.store(), "r1", "someone-else", key).ok());
  auto m = lake.Run(key, "r1");
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(m.status().IsAlreadyExists()) << m.status().ToString();
  EXPECT_FALSE(lake.store().Head(layout::RunManifestKey("r1"))->has_value());
  auto yes = ClaimedByThisProcess(lake.store(), "r1", "r1");
  ASSERT_TRUE(yes.ok());
  EXPECT_FALSE(*yes);
}

}  // namespace
}  // namespace runlake
