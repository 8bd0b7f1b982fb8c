// `runlake backfill run|resume|status` end to end on the real binary: a 31-day backfill
// promoted in one pointer version, canary + resume, and two overlapping backfills at once.

#include "cli_util.h"

namespace runlake::bf_test {
namespace {

TEST(BackfillCliRun, ThirtyOneDaysEndToEndPromotedInOnePointerVersion) {
  TestLake lake;
  auto days = Days("2024-01-01", 31);
  LandDays(lake, days, 2000);
  // A canonical daily run for one date, so the comparison has a "before".
  ASSERT_EQ(lake.RunKey("20240115T060000Z",
                        "bronze/mortgages/transactions/ingest_date=2024-01-15/run_id=b20240115/day-2024-01-15.csv.gz")
                .exit_code, 0);
  int versions_before = PointerVersions(lake);
  ASSERT_EQ(versions_before, 1);

  CmdResult r = lake.Rl({"--json", "backfill", "run", "--from", "2024-01-01", "--to", "2024-01-31",
                         "--concurrency", "2", "--promote", "--reason", "January reprocess"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  json report = r.Json();
  EXPECT_EQ(report["status"], "SUCCEEDED");
  EXPECT_EQ(report["succeeded"], 31);
  EXPECT_EQ(report["failed"], 0);
  EXPECT_TRUE(report["promotion"]["promoted"].get<bool>());
  // Progress went to stderr as plain lines (not a terminal): one per date.
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 31) << r.err;

  // Exactly ONE new pointer version, covering all 31 dates with the backfill's runs.
  EXPECT_EQ(PointerVersions(lake), versions_before + 1);
  json head = NewestPointer(lake);
  EXPECT_EQ(head["version"], report["promotion"]["pointer_version"]);
  EXPECT_EQ(head["reason"], "January reprocess");
  EXPECT_EQ(head["sources"].size(), 31u);
  ASSERT_EQ(head["run_ids"].size(), 31u);

  // Per-date row counts: every bronze row read, valid rows as committed, canonical now.
  ASSERT_EQ(report["dates"].size(), 31u);
  for (const auto& d : report["dates"]) {
    std::string date = d["date"];
    EXPECT_EQ(d["status"], "SUCCEEDED") << date;
    EXPECT_EQ(d["attempts"], 1) << date;
    EXPECT_EQ(head["sources"][date], d["run_id"]) << date;
    EXPECT_EQ(d["after"]["input_rows"], 2000) << date;
    json m = lake.Manifest(d["run_id"]);
    EXPECT_EQ(m["metrics"]["input_rows"], 2000) << date;
    EXPECT_EQ(m["trigger_source"], "manual_backfill");
    EXPECT_EQ(d["after"]["valid_rows"], m["metrics"]["valid_rows"]) << date;
  }
  json counts = lake.QueryJson(
      "SELECT CAST(ingest_date AS VARCHAR) AS d, count(*) AS n, any_value(run_id) AS r "
      "FROM silver_current GROUP BY 1 ORDER BY 1");
  ASSERT_EQ(counts.size(), 31u) << counts.dump();
  for (size_t i = 0; i < counts.size(); ++i) {
    EXPECT_EQ(counts[i]["d"], days[i]);
    EXPECT_EQ(counts[i]["r"], report["dates"][i]["run_id"]);
    EXPECT_EQ(std::to_string(counts[i]["n"].get<int64_t>()),
              report["dates"][i]["after"]["valid_rows"].dump()) << days[i];
  }
  // The comparison with the canonical daily run: same bronze, same figures.
  const json& jan15 = report["dates"][14];
  EXPECT_EQ(jan15["canonical_run_id"], "20240115T060000Z");
  EXPECT_EQ(jan15["before"]["valid_rows"], jan15["after"]["valid_rows"]);

  // status agrees, in text too.
  CmdResult st = lake.Rl({"backfill", "status", report["id"]});
  EXPECT_EQ(st.exit_code, 0) << st.Describe();
  EXPECT_NE(st.out.find("SUCCEEDED (31 succeeded, 0 failed"), std::string::npos) << st.out;
}

TEST(BackfillCliRun, CanaryComparesOneDateThenResumeRunsTheRestAndPromotes) {
  TestLake lake;
  LandDays(lake, Days("2024-03-01", 4), 300);
  ASSERT_EQ(lake.RunKey("20240301T060000Z",
                        "bronze/mortgages/transactions/ingest_date=2024-03-01/run_id=b20240301/day-2024-03-01.csv.gz")
                .exit_code, 0);
  CmdResult r = lake.Rl({"backfill", "run", "--from", "2024-03-01", "--to", "2024-03-04", "--canary",
                         "--promote"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.out.find("canary against 20240301T060000Z"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("paused after the canary date"), std::string::npos) << r.out;
  std::string id = OnlyBackfillId(lake);
  json st = lake.RlJson({"backfill", "status", id});
  EXPECT_EQ(st["status"], "PAUSED");
  EXPECT_EQ(st["succeeded"], 1);
  EXPECT_EQ(st["pending"], 3);
  EXPECT_EQ(Manifests(lake, "backfill-").size(), 1u);
  EXPECT_EQ(PointerVersions(lake), 1);  // the daily run's publish only

  CmdResult resumed = lake.Rl({"--json", "backfill", "resume", id});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.Describe();
  json rep = resumed.Json();
  EXPECT_EQ(rep["status"], "SUCCEEDED");
  EXPECT_FALSE(rep["dates"][0]["ran_now"].get<bool>());  // the canary is not run again
  for (const auto& d : rep["dates"]) EXPECT_EQ(d["attempts"], 1);
  EXPECT_EQ(Manifests(lake, "backfill-").size(), 4u);
  EXPECT_EQ(PointerVersions(lake), 2);
  EXPECT_EQ(NewestPointer(lake)["run_ids"].size(), 4u);
}

TEST(BackfillCliRun, TwoOverlappingBackfillsAtOnceAreWarnedAndBothComplete) {
  TestLake lake;
  LandDays(lake, Days("2024-05-01", 9), 3000);
  std::string out1 = lake.Work("a.out"), err1 = lake.Work("a.err");
  pid_t first = it::Spawn({it::Binary(), "--lake", lake.lake(), "--json", "backfill", "run", "--from",
                           "2024-05-01", "--to", "2024-05-06", "--concurrency", "1", "--promote"},
                          out1, err1, {"RUNLAKE_LAKE=", "RUNLAKE_STATE="});
  // Start the second once the first is in the state store, so the overlap is visible.
  for (int i = 0; i < 200; ++i) {
    CmdResult l = lake.Rl({"--json", "backfill", "list"});
    if (l.exit_code == 0 && !json::parse(l.out).empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CmdResult second = lake.Rl({"--json", "backfill", "run", "--from", "2024-05-04", "--to", "2024-05-09",
                              "--concurrency", "1", "--promote"});
  int first_exit = it::WaitExit(first);
  ASSERT_EQ(first_exit, 0) << it::ReadFile(out1) << it::ReadFile(err1);
  ASSERT_EQ(second.exit_code, 0) << second.Describe();
  json a = json::parse(it::ReadFile(out1)), b = second.Json();
  EXPECT_NE(second.err.find("overlaps backfill " + a["id"].get<std::string>()), std::string::npos)
      << second.err;
  EXPECT_EQ(a["status"], "SUCCEEDED");
  EXPECT_EQ(b["status"], "SUCCEEDED");
  // Distinct runs for the shared dates; each backfill published once.
  EXPECT_NE(a["dates"][3]["run_id"], b["dates"][0]["run_id"]);
  EXPECT_EQ(Manifests(lake, "backfill-").size(), 12u);
  EXPECT_EQ(PointerVersions(lake), 2);
  json head = NewestPointer(lake);
  EXPECT_EQ(head["sources"].size(), 9u);
  // Every date points at a run of one of the two backfills, never at a missing run.
  for (const auto& [date, run] : head["sources"].items()) {
    EXPECT_TRUE(lake.HasManifest(run.get<std::string>())) << date;
  }
}

}  // namespace
}  // namespace runlake::bf_test
