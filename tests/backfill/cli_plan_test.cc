// `runlake backfill plan` and the bad input every backfill command refuses.

#include "cli_util.h"

namespace runlake::bf_test {
namespace {

TEST(BackfillCliPlan, ListsBronzeCanonicalRunAndNewRunIdPerDate) {
  TestLake lake;
  LandDays(lake, Days("2024-01-01", 3), 200);
  // 2024-01-02 has a canonical daily run already.
  ASSERT_EQ(lake.RunKey("20240102T060000Z",
                        "bronze/mortgages/transactions/ingest_date=2024-01-02/run_id=b20240102/day-2024-01-02.csv.gz")
                .exit_code, 0);
  CmdResult r = lake.Rl({"backfill", "plan", "--from", "2024-01-01", "--to", "2024-01-03"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.out.find("backfill-2024-01-01-to-2024-01-03-"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ingest_date=2024-01-03/run_id=b20240103/"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("20240102T060000Z"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("3 dates, 0 without bronze"), std::string::npos) << r.out;

  json plan = lake.RlJson({"backfill", "plan", "--from", "2024-01-01", "--to", "2024-01-03"});
  ASSERT_EQ(plan["dates"].size(), 3u);
  EXPECT_EQ(plan["dates"][1]["canonical_run_id"], "20240102T060000Z");
  EXPECT_EQ(plan["dates"][1]["rows_to_read"], 200);
  EXPECT_TRUE(plan["dates"][0]["rows_to_read"].is_null());
  EXPECT_GT(plan["dates"][0]["bronze_bytes"].get<int>(), 0);
  std::string id = plan["id"];
  std::string stamp = plan["stamp"];
  EXPECT_EQ(plan["dates"][2]["run_id"], "backfill-2024-01-03-" + stamp);
  EXPECT_EQ(plan["dates"][2]["execution"], id + "/2024-01-03");
  // A plan changes nothing.
  EXPECT_TRUE(lake.RlJson({"backfill", "list"}).empty());
  EXPECT_TRUE(Manifests(lake, "backfill-").empty());
}

TEST(BackfillCliPlan, RefusesReversedAndMalformedDates) {
  TestLake lake;
  LandDays(lake, Days("2024-01-01", 1), 10);
  for (const char* sub : {"plan", "run"}) {
    CmdResult r = lake.Rl({"backfill", sub, "--from", "2024-01-31", "--to", "2024-01-01"});
    EXPECT_EQ(r.exit_code, 2) << r.Describe();
    EXPECT_NE(r.err.find("--from 2024-01-31 is after --to 2024-01-01"), std::string::npos) << r.err;
    for (const char* bad : {"2024-02-30", "2024-1-5", "20240105", "yesterday"}) {
      r = lake.Rl({"backfill", sub, "--from", bad, "--to", "2024-03-01"});
      EXPECT_EQ(r.exit_code, 2) << bad << " " << r.Describe();
      EXPECT_NE(r.err.find(bad), std::string::npos) << r.err;
    }
  }
  EXPECT_TRUE(lake.RlJson({"backfill", "list"}).empty());
}

TEST(BackfillCliPlan, ARangeWithoutBronzeIsReportedAndRunRefusesIt) {
  TestLake lake;
  LandDays(lake, {"2024-01-01", "2024-01-03"}, 10);
  CmdResult plan = lake.Rl({"backfill", "plan", "--from", "2024-01-01", "--to", "2024-01-03"});
  EXPECT_EQ(plan.exit_code, 2) << plan.Describe();
  EXPECT_NE(plan.out.find("MISSING: no bronze data"), std::string::npos) << plan.out;
  EXPECT_NE(plan.err.find("no bronze data for 2024-01-02"), std::string::npos) << plan.err;

  CmdResult run = lake.Rl({"backfill", "run", "--from", "2024-01-01", "--to", "2024-01-03"});
  EXPECT_EQ(run.exit_code, 2) << run.Describe();
  EXPECT_NE(run.err.find("2024-01-02"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("nothing was started"), std::string::npos) << run.err;

  run = lake.Rl({"backfill", "run", "--from", "2023-06-01", "--to", "2023-06-30"});
  EXPECT_EQ(run.exit_code, 2) << run.Describe();
  EXPECT_NE(run.err.find("no bronze data for 30 dates (2023-06-01 .. 2023-06-30)"), std::string::npos)
      << run.err;
  EXPECT_TRUE(lake.RlJson({"backfill", "list"}).empty());
  EXPECT_TRUE(Manifests(lake, "backfill-").empty());
}

TEST(BackfillCliPlan, ARulesFileThatDoesNotParseIsRefused) {
  TestLake lake;
  LandDays(lake, Days("2024-01-01", 2), 10);
  it::WriteFile(lake.Work("rules.json"), "{\"currencies\": [\"EUR\",]\n}");
  for (const char* sub : {"plan", "run"}) {
    CmdResult r = lake.Rl({"backfill", sub, "--from", "2024-01-01", "--to", "2024-01-02", "--rules",
                           lake.Work("rules.json")});
    EXPECT_EQ(r.exit_code, 2) << r.Describe();
    EXPECT_NE(r.err.find("rules.json"), std::string::npos) << r.err;
  }
  it::WriteFile(lake.Work("typo.json"), "{\"gates\": {}}");
  CmdResult r = lake.Rl({"backfill", "run", "--from", "2024-01-01", "--to", "2024-01-02", "--rules",
                         lake.Work("typo.json")});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_NE(r.err.find("unknown key 'gates'"), std::string::npos) << r.err;
  r = lake.Rl({"backfill", "run", "--from", "2024-01-01", "--to", "2024-01-02", "--rules",
               lake.Work("absent.json")});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_TRUE(lake.RlJson({"backfill", "list"}).empty());
}

}  // namespace
}  // namespace runlake::bf_test
