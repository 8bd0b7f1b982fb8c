// RunRequest::before_commit: the last word before the manifest. A queue worker that lost
// its lease answers with an error there; the run must then leave nothing behind.

#include <gtest/gtest.h>

#include "lake_test_util.h"
#include "runlake/layout.h"

namespace runlake {
namespace {

using lake_test::Csv;
using lake_test::TestLake;

TEST(BeforeCommit, AnErrorStopsTheRunBeforeItsManifestAndRemovesItsFiles) {
  TestLake lake("before-commit");
  std::string key = lake.Ingest(
      Csv({"T1,A1,100.00,EUR,2024-01-15T10:00:00Z", "T2,A2,50.00,USD,2024-01-15T11:00:00Z"}),
      "2024-01-15", "b1");
  RunRequest req;
  req.run_id = "r-lost";
  req.source_keys = {key};
  req.schema_version = "v1";
  req.execution_name = "r-lost";
  int calls = 0;
  req.before_commit = [&] {
    ++calls;
    return Status::Aborted("lease lost");
  };
  auto none = [](const std::string&, const std::string&, const nlohmann::json&) {};
  auto m = ExecuteRun(lake.store(), req, none);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kAborted);
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(lake.store().Head(layout::RunManifestKey("r-lost"))->has_value());
  auto silver = lake.store().List("silver/");
  ASSERT_TRUE(silver.ok());
  EXPECT_TRUE(silver->empty());

  // Held: the same run commits.
  req.before_commit = [&] {
    ++calls;
    return Status::OK();
  };
  auto ok = ExecuteRun(lake.store(), req, none);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(calls, 2);
  EXPECT_TRUE(lake.store().Head(layout::RunManifestKey("r-lost"))->has_value());
}

}  // namespace
}  // namespace runlake
