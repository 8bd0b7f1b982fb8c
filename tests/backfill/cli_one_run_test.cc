// `runlake backfill run --one-run` over a range: ONE run (one run_id, one execution, one
// manifest listing every source) reading each date's bronze, then promote and runs diff.

#include "cli_util.h"

namespace runlake::bf_test {
namespace {

std::string KeyOf(const std::string& date) {
  std::string rid = "b" + date.substr(0, 4) + date.substr(5, 2) + date.substr(8, 2);
  return "bronze/mortgages/transactions/ingest_date=" + date + "/run_id=" + rid + "/day-" + date + ".csv.gz";
}

TEST(BackfillCliOneRun, ThreeDatesInOneRunThenPromoteAndDiff) {
  TestLake lake;
  auto days = Days("2024-05-30", 3);  // two months: 2024-05 and 2024-06 partitions
  LandDays(lake, days, 1500);
  std::map<std::string, json> daily;  // date -> its daily run's manifest (canonical)
  for (const auto& d : days) {
    std::string rid = "daily-" + d;
    ASSERT_EQ(lake.RunKey(rid, KeyOf(d)).exit_code, 0) << d;
    daily[d] = lake.Manifest(rid);
  }
  int versions_before = PointerVersions(lake);

  CmdResult r = lake.Rl({"--json", "backfill", "run", "--from", days[0], "--to", days[2], "--one-run"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  json report = r.Json();
  EXPECT_EQ(report["status"], "SUCCEEDED");
  EXPECT_EQ(report["succeeded"], 3);
  std::string id = report["id"];
  std::string rid = id;  // attempt 1 of a --one-run range is named like its backfill
  EXPECT_EQ(rid, "backfill-" + days[0] + "-to-" + days[2] + "-" + id.substr(id.size() - 16));
  EXPECT_EQ(PointerVersions(lake), versions_before);  // not promoted: not asked

  // One manifest, one execution, three sources with their own figures.
  EXPECT_EQ(Manifests(lake, "backfill-"), std::vector<std::string>{rid});
  json m = lake.Manifest(rid);
  ASSERT_EQ(m["sources"].size(), 3u) << m.dump();
  std::string execution = id + "/" + days[0] + ".." + days[2];
  EXPECT_EQ(m["execution_name"], execution);
  int64_t valid_total = 0;
  for (size_t i = 0; i < 3; ++i) {
    const json& s = m["sources"][i];
    EXPECT_EQ(s["ingest_date"], days[i]);
    EXPECT_EQ(s["key"], KeyOf(days[i]));
    EXPECT_EQ(s["input_rows"], 1500);
    // Same bronze, same rules as the daily run: same figures, per source.
    EXPECT_EQ(s["valid_rows"], daily[days[i]]["metrics"]["valid_rows"]) << days[i];
    EXPECT_EQ(s["quarantined_rows"], daily[days[i]]["metrics"]["quarantined_rows"]) << days[i];
    valid_total += s["valid_rows"].get<int64_t>();
    const json& d = report["dates"][i];
    EXPECT_EQ(d["run_id"], rid);
    EXPECT_EQ(d["execution"], execution);
    EXPECT_EQ(d["after"]["valid_rows"], s["valid_rows"]);
    EXPECT_EQ(d["before"]["valid_rows"], s["valid_rows"]);
  }
  EXPECT_EQ(m["metrics"]["input_rows"], 4500);
  EXPECT_EQ(m["metrics"]["valid_rows"], valid_total);
  json execs = lake.RlJson({"executions", "list"});
  int backfill_execs = 0;
  for (const auto& e : execs) backfill_execs += e["name"].get<std::string>().rfind(id, 0) == 0;
  EXPECT_EQ(backfill_execs, 1);

  // Files: rejects under each source's date; one _SUCCESS per silver partition.
  std::set<std::string> partitions;
  for (const auto& f : m["files"]) {
    if (f["layer"] == "silver") partitions.insert(f["partition"].get<std::string>());
    if (f["layer"] == "quarantine") {
      std::string key = f["key"];
      EXPECT_NE(key.find("ingest_date=" + f["partition"].get<std::string>().substr(12)), std::string::npos);
    }
  }
  EXPECT_EQ(partitions, (std::set<std::string>{"year=2024/month=05", "year=2024/month=06"}));
  int markers = 0;
  for (const auto& f : it::ListFiles(lake.Lake("silver"))) {
    if (f.find("run_id=" + rid + "/_SUCCESS") != std::string::npos) ++markers;
  }
  EXPECT_EQ(markers, 2);
  json quarantine = lake.QueryJson("SELECT CAST(ingest_date AS VARCHAR) AS d, count(*) AS n FROM quarantine "
                                   "WHERE run_id = '" + rid + "' GROUP BY 1 ORDER BY 1");
  ASSERT_EQ(quarantine.size(), 3u) << quarantine.dump();
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(quarantine[i]["d"], days[i]);
    EXPECT_EQ(quarantine[i]["n"], m["sources"][i]["quarantined_rows"]);
  }

  // runs diff against each daily run: that date's rows unchanged, the others added.
  for (size_t i = 0; i < 3; ++i) {
    json diff = lake.RlJson({"runs", "diff", "daily-" + days[i], rid});
    int64_t mine = daily[days[i]]["metrics"]["valid_rows"];
    EXPECT_EQ(diff["rows"]["unchanged"], mine) << diff.dump();
    EXPECT_EQ(diff["rows"]["changed"], 0);
    EXPECT_EQ(diff["rows"]["removed"], 0);
    EXPECT_EQ(diff["rows"]["added"], valid_total - mine);
    EXPECT_EQ(diff["sources"][days[i]]["a"]["valid_rows"], diff["sources"][days[i]]["b"]["valid_rows"]);
  }

  // promote --dates picks one source; promote RID takes every source it read.
  CmdResult some = lake.Rl({"promote", rid, "--dates", days[1] + ".." + days[1]});
  ASSERT_EQ(some.exit_code, 0) << some.Describe();
  json head = NewestPointer(lake);
  EXPECT_EQ(head["sources"][days[0]], "daily-" + days[0]);
  EXPECT_EQ(head["sources"][days[1]], rid);
  EXPECT_EQ(head["sources"][days[2]], "daily-" + days[2]);
  CmdResult all = lake.Rl({"promote", rid});
  ASSERT_EQ(all.exit_code, 0) << all.Describe();
  EXPECT_EQ(PointerVersions(lake), versions_before + 2);
  head = NewestPointer(lake);
  for (const auto& d : days) EXPECT_EQ(head["sources"][d], rid) << d;
  json current = lake.QueryJson("SELECT CAST(ingest_date AS VARCHAR) AS d, count(*) AS n, "
                                "count(DISTINCT run_id) AS runs, any_value(run_id) AS r, "
                                "count(DISTINCT source_key) AS keys FROM silver_current GROUP BY 1 ORDER BY 1");
  ASSERT_EQ(current.size(), 3u) << current.dump();
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(current[i]["d"], days[i]);
    EXPECT_EQ(current[i]["n"], m["sources"][i]["valid_rows"]);
    EXPECT_EQ(current[i]["runs"], 1);
    EXPECT_EQ(current[i]["r"], rid);
    EXPECT_EQ(current[i]["keys"], 1);
  }
}

TEST(BackfillCliOneRun, PromoteFlagPublishesTheRunOnceAndCanaryIsRefused) {
  TestLake lake;
  auto days = Days("2024-02-01", 2);
  LandDays(lake, days, 200);
  CmdResult refused = lake.Rl({"backfill", "run", "--from", days[0], "--to", days[1], "--one-run", "--canary"});
  EXPECT_EQ(refused.exit_code, 2) << refused.Describe();
  EXPECT_NE(refused.err.find("--canary"), std::string::npos) << refused.err;
  EXPECT_TRUE(Manifests(lake, "backfill-").empty());

  CmdResult r = lake.Rl({"--json", "backfill", "run", "--from", days[0], "--to", days[1], "--one-run", "--promote"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  json report = r.Json();
  EXPECT_TRUE(report["promotion"]["promoted"].get<bool>()) << report.dump();
  json head = NewestPointer(lake);
  EXPECT_EQ(head["run_ids"], json::array({report["id"]}));
  EXPECT_EQ(head["sources"].size(), 2u);
  // Resume of a finished backfill runs nothing again.
  CmdResult again = lake.Rl({"backfill", "resume", report["id"]});
  EXPECT_EQ(again.exit_code, 0) << again.Describe();
  EXPECT_EQ(Manifests(lake, "backfill-").size(), 1u);
}

}  // namespace
}  // namespace runlake::bf_test
