// `runlake bronze list`: every bronze object per date with run_id, size, sha256 and ingest
// time (from the ingest records), the object a run reads by default (the same one
// `backfill plan` picks), what is wrong with odd objects, and bad dates as bad input.

#include <gtest/gtest.h>

#include "cli_runner.h"
#include "common/sha256.h"

namespace runlake::it {
namespace {

const std::string kCsv =
    "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n"
    "B1,A,1.00,EUR,2024-01-15T10:00:00Z\n";
const std::string kBronze = "bronze/mortgages/transactions/";

const json* Date(const json& j, const std::string& date) {
  for (const auto& d : j["dates"]) {
    if (d["ingest_date"] == date) return &d;
  }
  return nullptr;
}

TEST(BronzeList, ObjectsWithRecordsAndTheDefault) {
  TestLake lake;
  WriteFile(lake.Work("day.csv"), kCsv);
  json a = lake.RlJson(
      {"ingest", lake.Work("day.csv"), "--date", "2024-01-15", "--run-id", "20240115T120000Z"});
  WriteFile(lake.Work("fix.csv"), kCsv + "B2,A,2.00,EUR,2024-01-15T11:00:00Z\n");
  json b = lake.RlJson(
      {"ingest", lake.Work("fix.csv"), "--date", "2024-01-15", "--run-id", "20240116T090000Z"});
  json c = lake.RlJson({"ingest", lake.Work("day.csv"), "--date", "2024-01-17"});

  CmdResult r = lake.Rl({"bronze", "list", "--date", "2024-01-15", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  json j = r.Json();
  EXPECT_EQ(j["dataset"], "mortgages/transactions");
  ASSERT_EQ(j["dates"].size(), 1u);
  const json& d = j["dates"][0];
  EXPECT_EQ(d["ingest_date"], "2024-01-15");
  EXPECT_EQ(d["default_key"], b["key"]);  // the newer bronze run: the upstream correction
  EXPECT_EQ(d["default_run_id"], "20240116T090000Z");
  EXPECT_TRUE(d["problem"].is_null());
  ASSERT_EQ(d["objects"].size(), 2u);
  for (const auto& [o, in] : {std::pair{d["objects"][0], a}, std::pair{d["objects"][1], b}}) {
    EXPECT_EQ(o["key"], in["key"]);
    EXPECT_EQ(o["run_id"], in["run_id"]);
    EXPECT_EQ(o["size"], in["size"]);
    EXPECT_EQ(o["sha256"], in["sha256"]);
    EXPECT_EQ(o["sha256"], Sha256::Of(ReadFile(lake.Lake(o["key"]))));
    EXPECT_EQ(o["size"].get<uint64_t>(), fs::file_size(lake.Lake(o["key"])));
    EXPECT_TRUE(o["problem"].is_null()) << o.dump();
    EXPECT_TRUE(o["exists"].get<bool>());
    std::string at = o["ingested_at"];
    EXPECT_EQ(at.size(), 24u) << at;  // 2026-01-29T15:00:00.123Z
    EXPECT_EQ(at.back(), 'Z');
  }
  EXPECT_FALSE(d["objects"][0]["default"].get<bool>());
  EXPECT_TRUE(d["objects"][1]["default"].get<bool>());

  // Without a date: every date that has bronze, in order.
  json all = lake.RlJson({"bronze", "list"});
  ASSERT_EQ(all["dates"].size(), 2u);
  EXPECT_EQ(all["dates"][0]["ingest_date"], "2024-01-15");
  EXPECT_EQ(all["dates"][1]["ingest_date"], "2024-01-17");
  EXPECT_EQ(all["dates"][1]["default_key"], c["key"]);

  // Text: one row per object, the default marked, the sha256 in full.
  CmdResult text = lake.Rl({"bronze", "list", "--date", "2024-01-15"});
  ASSERT_EQ(text.exit_code, 0) << text.Describe();
  EXPECT_NE(text.out.find(b["sha256"].get<std::string>()), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("20240115T120000Z"), std::string::npos) << text.out;
  size_t row = text.out.find("20240116T090000Z");
  ASSERT_NE(row, std::string::npos);
  EXPECT_NE(text.out.substr(row, text.out.find('\n', row) - row).find(" * "), std::string::npos)
      << text.out;
}

TEST(BronzeList, ARangeShowsDatesWithoutBronzeAndFailsLikeAnEmptyLs) {
  TestLake lake;
  WriteFile(lake.Work("day.csv"), kCsv);
  lake.Ingest(lake.Work("day.csv"), "2024-01-01");
  lake.Ingest(lake.Work("day.csv"), "2024-01-03");
  CmdResult r = lake.Rl({"--json", "bronze", "list", "--from", "2024-01-01", "--to", "2024-01-03"});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_NE(r.err.find("no bronze data for 2024-01-02"), std::string::npos) << r.err;
  json j = r.Json();
  ASSERT_EQ(j["dates"].size(), 3u);
  EXPECT_EQ(j["dates"][1]["ingest_date"], "2024-01-02");
  EXPECT_EQ(j["dates"][1]["problem"], "no bronze data");
  EXPECT_TRUE(j["dates"][1]["objects"].empty());
  EXPECT_TRUE(j["dates"][1]["default_key"].is_null());
  EXPECT_FALSE(j["dates"][0]["default_key"].is_null());
  CmdResult ok = lake.Rl({"bronze", "list", "--from", "2024-01-03", "--to", "2024-01-03"});
  EXPECT_EQ(ok.exit_code, 0) << ok.Describe();
}

TEST(BronzeList, LongRangesListOnceAndAgreeWithPerDateListing) {
  TestLake lake;
  WriteFile(lake.Work("day.csv"), kCsv);
  for (const char* d : {"2024-01-01", "2024-01-09", "2024-01-31", "2024-02-01"}) {
    lake.Ingest(lake.Work("day.csv"), d);
  }
  CmdResult month =
      lake.Rl({"--json", "bronze", "list", "--from", "2024-01-01", "--to", "2024-01-31"});
  ASSERT_EQ(month.exit_code, 1) << month.Describe();  // most days have no bronze
  json m = month.Json();
  ASSERT_EQ(m["dates"].size(), 31u);
  for (const char* d : {"2024-01-01", "2024-01-09", "2024-01-31", "2024-01-20"}) {
    json one = lake.Rl({"--json", "bronze", "list", "--date", d}).Json();
    ASSERT_NE(Date(m, d), nullptr) << d;
    EXPECT_EQ(*Date(m, d), one["dates"][0]) << d;
  }
  EXPECT_EQ(Date(m, "2024-02-01"), nullptr);  // outside the range, though listed once
}

TEST(BronzeList, DefaultIsWhatBackfillPlanReads) {
  TestLake lake;
  WriteFile(lake.Work("day.csv"), kCsv);
  for (const char* rid : {"20240115T120000Z", "20240301T000000Z", "20240201T000000Z"}) {
    lake.RlJson({"ingest", lake.Work("day.csv"), "--date", "2024-01-15", "--run-id", rid});
  }
  json plan = lake.RlJson({"backfill", "plan", "--from", "2024-01-15", "--to", "2024-01-15"});
  json list = lake.RlJson({"bronze", "list", "--date", "2024-01-15"});
  EXPECT_EQ(list["dates"][0]["default_key"], plan["dates"][0]["source_key"]);
  EXPECT_EQ(list["dates"][0]["default_run_id"], "20240301T000000Z");
}

TEST(BronzeList, OddObjectsAreNamedNotHidden) {
  TestLake lake;
  WriteFile(lake.Work("day.csv"), kCsv);
  json good =
      lake.RlJson({"ingest", lake.Work("day.csv"), "--date", "2024-01-15", "--run-id", "R1"});
  // Copied in by hand (the AWS way): no ingest record, so no sha256 to show.
  std::string hand = kBronze + "ingest_date=2024-01-15/run_id=R2/hand.csv.gz";
  WriteFile(lake.Lake(hand), "not really gzip");
  // An ingest that died after its record, before the object.
  WriteFile(lake.Lake(kBronze + "_ingests/2024-01-15/R3.json"),
            json{{"key", kBronze + "ingest_date=2024-01-15/run_id=R3/x.csv.gz"},
                 {"run_id", "R3"},
                 {"size", 10},
                 {"sha256", std::string(64, 'a')},
                 {"ingested_at", "2024-01-15T00:00:00.000Z"}}
                .dump());
  // A record that does not parse, and an object whose size no longer matches its record.
  lake.RlJson({"ingest", lake.Work("day.csv"), "--date", "2024-01-16", "--run-id", "R4"});
  WriteFile(lake.Lake(kBronze + "_ingests/2024-01-16/R4.json"), "{ broken");
  json r5 = lake.RlJson({"ingest", lake.Work("day.csv"), "--date", "2024-01-16", "--run-id", "R5"});
  WriteFile(lake.Lake(r5["key"]), "truncated");

  json j = lake.RlJson({"bronze", "list", "--from", "2024-01-15", "--to", "2024-01-16"});
  const json& d15 = *Date(j, "2024-01-15");
  ASSERT_EQ(d15["objects"].size(), 3u) << d15.dump(2);
  EXPECT_EQ(d15["objects"][0]["key"], good["key"]);
  EXPECT_TRUE(d15["objects"][0]["problem"].is_null());
  EXPECT_EQ(d15["objects"][1]["key"], hand);
  EXPECT_TRUE(d15["objects"][1]["sha256"].is_null());
  EXPECT_NE(d15["objects"][1]["problem"].get<std::string>().find("no ingest record"),
            std::string::npos);
  EXPECT_EQ(d15["objects"][2]["run_id"], "R3");
  EXPECT_FALSE(d15["objects"][2]["exists"].get<bool>());
  EXPECT_NE(d15["objects"][2]["problem"].get<std::string>().find("no bronze object"),
            std::string::npos);
  // R3 has no object, so the default is R2, the newest run that holds one.
  EXPECT_EQ(d15["default_key"], hand);

  const json& d16 = *Date(j, "2024-01-16");
  ASSERT_EQ(d16["objects"].size(), 2u);
  EXPECT_NE(d16["objects"][0]["problem"].get<std::string>().find("does not parse"),
            std::string::npos);
  EXPECT_NE(d16["objects"][1]["problem"].get<std::string>().find("differs from the ingest record"),
            std::string::npos)
      << d16.dump(2);
  EXPECT_EQ(d16["default_run_id"], "R5");

  // A second file in one bronze run: a run reads one, so there is no default.
  WriteFile(lake.Lake(kBronze + "ingest_date=2024-01-16/run_id=R5/extra.csv.gz"), "x");
  json two = lake.RlJson({"bronze", "list", "--date", "2024-01-16"});
  EXPECT_TRUE(two["dates"][0]["default_key"].is_null());
  EXPECT_NE(two["dates"][0]["problem"].get<std::string>().find("2 objects in bronze run R5"),
            std::string::npos);
}

TEST(BronzeList, OtherDatasetsAndEmptyLakes) {
  TestLake lake;
  WriteFile(lake.Work("day.csv"), kCsv);
  lake.RlJson(
      {"ingest", lake.Work("day.csv"), "--date", "2024-01-15", "--dataset", "cards/payments"});
  json none = lake.RlJson({"bronze", "list"});
  EXPECT_TRUE(none["dates"].empty());
  json cards = lake.RlJson({"bronze", "list", "--dataset", "cards/payments"});
  ASSERT_EQ(cards["dates"].size(), 1u);
  EXPECT_EQ(cards["dataset"], "cards/payments");
  EXPECT_EQ(
      cards["dates"][0]["objects"][0]["key"].get<std::string>().rfind("bronze/cards/payments/", 0),
      0u);
}

TEST(BronzeList, BadDatesAndOptionsAreBadInput) {
  TestLake lake;
  ASSERT_EQ(lake.Rl({"init"}).exit_code, 0);
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"--date", "2024-02-30"},
           {"--date", "2024-1-5"},
           {"--date", "yesterday"},
           {"--from", "2024-01-01"},
           {"--to", "2024-01-01"},
           {"--from", "2024-01-03", "--to", "2024-01-01"},
           {"--from", "2024-01-01", "--to", "2024-13-01"},
           {"--date", "2024-01-01", "--from", "2024-01-01", "--to", "2024-01-02"},
           {"--from", "2000-01-01", "--to", "2020-01-01"},
           {"--dataset", "nodataset"}}) {
    args.insert(args.begin(), {"bronze", "list"});
    CmdResult r = lake.Rl(args);
    EXPECT_EQ(r.exit_code, 2) << args[2] << " " << args[3] << "\n" << r.Describe();
    EXPECT_FALSE(r.err.empty());
  }
  EXPECT_EQ(lake.Rl({"bronze"}).exit_code, 2);
}

}  // namespace
}  // namespace runlake::it
