// Onboarding a feed unlike transactions through the binary (DESIGN.md "Datasets are declared
// in contracts"): FX rates with a composite key, a date partition column, a decimal with 8
// places, a pattern and a range, a ';' delimiter. The test computes what each row must become
// (valid with its values, or quarantined with its reason) and checks silver and quarantine
// row by row; then evolves the feed v1 -> v2 (a required column and a derived column) with a
// backfill, `runs diff` and promote; a refused evolution stores nothing; and the rules file
// still tunes the transactions contract as before.

#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "cli_runner.h"

namespace runlake::it {
namespace {

const std::string kFxV1 = R"yaml(dataset: treasury/fx_rates
description: Daily reference rates, one file per day
source: {format: csv, delimiter: ";"}
partition_by: rate_date
key: [rate_date, base, quote]
key_reason: DUPLICATE_RATE
gate: {max_quarantine_rate: 0.5, max_condemned_rows: 100}
schemas:
  v1:
    columns:
      - {name: rate_date, from: RateDate, type: date, formats: ["%Y-%m-%d"], required: true,
         window: {not_before: "2000-01-01", max_days_after_ingest: 0}}
      - {name: base, from: Base, type: string, required: true, enum: iso4217, reason: CURRENCY_ERROR}
      - {name: quote, from: Quote, type: string, required: true, enum: iso4217, reason: CURRENCY_ERROR}
      - {name: rate, from: Rate, type: "decimal(18,8)", required: true, min: "0.00000001",
         max: "100000", reason: RATE_ERROR}
      - {name: provider, from: Provider, type: string, pattern: "^[A-Z]{2,8}$"}
)yaml";

const std::string kFxV2 = kFxV1 + R"yaml(  v2:
    extends: v1
    columns:
      - {name: rate_type, from: RateType, type: string, required: true, enum: [MID, BID, ASK]}
    derived:
      - {name: inverse_rate, type: "decimal(18,8)", expr: "round(1 / rate, 8)"}
)yaml";

// One bronze line and what DESIGN.md says becomes of it.
struct Row {
  std::string line;    // the fields, ';'-separated
  std::string reason;  // "" when valid
  std::string rate_date, base, quote, rate, provider;  // a valid row's silver values
};

// 2024-02-01's file: rows of the last day of January and the first of February (two silver
// months), and one row failing each check.
std::vector<Row> FxDay() {
  std::vector<Row> rows;
  const char* quotes[] = {"USD", "GBP", "CHF", "JPY", "SEK", "NOK"};
  for (int i = 0; i < 12; ++i) {
    const std::string date = i % 2 ? "2024-02-01" : "2024-01-31";
    const std::string quote = quotes[i / 2];
    const std::string rate = std::to_string(1 + i) + "." + std::string(7, '0') + std::to_string(i % 10);
    const std::string provider = i % 3 == 0 ? "" : "ECB";
    rows.push_back({date + ";EUR;" + quote + ";" + rate + ";" + provider, "", date, "EUR", quote,
                    rate, provider.empty() ? "NULL" : provider});
  }
  auto bad = [&](const std::string& line, const std::string& reason) {
    rows.push_back({line, reason, "", "", "", "", ""});
  };
  bad("2024-02-01;EUR;USD;9.5;ECB", "DUPLICATE_RATE");               // the key again
  bad("2024-02-01;EUR;XXX;1.0;ECB", "CURRENCY_ERROR");               // not ISO 4217
  bad("2024-02-01;EUR;AUD;0;ECB", "RATE_ERROR");                     // below min
  bad("2024-02-01;EUR;CAD;100000.5;ECB", "RATE_ERROR");              // above max
  bad("2024-02-01;EUR;NZD;1.123456789;ECB", "RATE_ERROR");           // 9 places
  bad("2024-02-01;EUR;HKD;1.5;ecb", "DOMAIN_ERROR");                 // the pattern
  bad("2024-02-02;EUR;SGD;1.5;ECB", "TIMESTAMP_ERROR");              // after ingest_date
  bad("2024-02-01;EUR;;1.5;ECB", "NULL_VALUE_ERROR");                // required and empty
  bad("2024-02-01;EUR;PLN;1.5", "SCHEMA_ERROR");                     // a field short
  bad("01/02/2024;EUR;PLN;1.5;ECB", "TIMESTAMP_ERROR");              // not the format
  return rows;
}

std::string Csv(const std::string& header, const std::vector<Row>& rows, const std::string& extra = "") {
  std::string csv = header + "\n";
  for (const Row& r : rows) csv += r.line + extra + "\n";
  return csv;
}

class SecondFeed : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(lake_.Rl({"init"}).exit_code, 0); }
  std::string Write(const std::string& name, const std::string& text) {
    WriteFile(lake_.Work(name), text);
    return lake_.Work(name);
  }
  std::string Land(const std::string& name, const std::string& csv, const std::string& run_id) {
    json j = lake_.RlJson({"ingest", Write(name, csv), "--date", "2024-02-01", "--dataset",
                           "treasury/fx_rates", "--run-id", run_id});
    return j.at("key").get<std::string>();
  }
  std::vector<std::vector<std::string>> Rows(const std::string& sql) {
    CmdResult r = lake_.Rl({"--json", "query", sql});
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    std::vector<std::vector<std::string>> out;
    if (r.exit_code != 0) return out;
    // An array of objects, one per row, in the statement's column order.
    for (const auto& row : nlohmann::ordered_json::parse(r.out)) {
      std::vector<std::string> cells;
      for (const auto& v : row) cells.push_back(v.is_null() ? "NULL" : v.is_string() ? v.get<std::string>() : v.dump());
      out.push_back(cells);
    }
    return out;
  }
  TestLake lake_;
};

TEST_F(SecondFeed, OnboardRunEvolveBackfillPromote) {
  ASSERT_EQ(lake_.Rl({"dataset", "apply", Write("fx1.yaml", kFxV1), "--reason", "onboard fx"}).exit_code, 0);
  const std::vector<Row> day = FxDay();
  const std::string key = Land("fx.csv", Csv("RateDate;Base;Quote;Rate;Provider", day), "b1");
  CmdResult run = lake_.RunKey("fx-daily", key);
  ASSERT_EQ(run.exit_code, 0) << run.Describe();

  // Silver, row by row, in line order: values as written, partitioned by rate_date's month.
  auto silver = Rows("SELECT source_line, CAST(rate_date AS VARCHAR), base, quote, CAST(rate AS VARCHAR), "
                     "provider, year, month FROM silver_fx_rates ORDER BY source_line");
  std::vector<std::vector<std::string>> want_silver;
  std::map<int, std::string> want_rejects;
  for (size_t i = 0; i < day.size(); ++i) {
    const Row& r = day[i];
    const int line = static_cast<int>(i) + 2;
    if (!r.reason.empty()) {
      want_rejects[line] = r.reason;
      continue;
    }
    std::string rate = r.rate;
    while (rate.size() - rate.find('.') - 1 < 8) rate += '0';  // DECIMAL(18,8) prints 8 places
    want_silver.push_back({std::to_string(line), r.rate_date, r.base, r.quote, rate, r.provider,
                           r.rate_date.substr(0, 4), std::to_string(std::stoi(r.rate_date.substr(5, 2)))});
  }
  EXPECT_EQ(silver, want_silver);
  auto rejects = Rows("SELECT source_line, validation_error, dataset FROM quarantine ORDER BY source_line");
  ASSERT_EQ(rejects.size(), want_rejects.size());
  for (const auto& r : rejects) {
    EXPECT_EQ(r[1], want_rejects[std::stoi(r[0])]) << "line " << r[0];
    EXPECT_EQ(r[2], "treasury/fx_rates");
  }
  // The transactions dataset's views are untouched by another feed.
  EXPECT_EQ(Rows("SELECT count(*) FROM silver_transactions")[0][0], "0");
  EXPECT_EQ(Rows("SELECT count(*) FROM silver_fx_rates_current")[0][0], std::to_string(want_silver.size()));

  // Evolve: v2 adds a required rate_type and a derived inverse_rate. The provider resends the
  // day with the new column (a new bronze run_id), and a backfill reprocesses it as v2.
  ASSERT_EQ(lake_.Rl({"dataset", "apply", Write("fx2.yaml", kFxV2), "--reason", "rate types"}).exit_code, 0);
  Land("fx2.csv", Csv("RateDate;Base;Quote;Rate;Provider;RateType", day, ";MID"), "b2");
  CmdResult backfill = lake_.Rl({"--json", "backfill", "run", "--from", "2024-02-01", "--to", "2024-02-01",
                                 "--dataset", "treasury/fx_rates", "--schema", "v2", "--reason", "v2"});
  ASSERT_EQ(backfill.exit_code, 0) << backfill.Describe();
  auto backfill_run = Rows("SELECT run_id FROM runs WHERE dataset = 'treasury/fx_rates' AND schema_version = 'v2'");
  ASSERT_EQ(backfill_run.size(), 1u);
  const std::string v2_run = backfill_run[0][0];
  CmdResult diff = lake_.Rl({"--json", "runs", "diff", "fx-daily", v2_run});
  ASSERT_EQ(diff.exit_code, 0) << diff.Describe();
  // Matched by the composite key: the same rows, none added or removed (rate_type and
  // inverse_rate are v2's alone, so nothing they hold counts as a change).
  const json rows = json::parse(diff.out)["rows"];
  EXPECT_EQ(rows["unchanged"], want_silver.size()) << diff.out;
  EXPECT_EQ(rows["added"], 0) << diff.out;
  EXPECT_EQ(rows["removed"], 0) << diff.out;
  ASSERT_EQ(lake_.Rl({"promote", v2_run, "--reason", "v2 reviewed"}).exit_code, 0);
  auto current = Rows("SELECT DISTINCT schema_v, rate_type FROM silver_fx_rates_current");
  EXPECT_EQ(current, (std::vector<std::vector<std::string>>{{"v2", "MID"}}));
  // The derived column, against the value computed here: round(1 / rate, 8).
  for (const auto& r : Rows("SELECT CAST(rate AS DOUBLE), CAST(inverse_rate AS DOUBLE) FROM silver_fx_rates_current")) {
    EXPECT_NEAR(std::stod(r[1]), 1.0 / std::stod(r[0]), 1e-8) << r[0];
  }
  // Both versions in one view: the v1 rows read NULL for what v1 lacks.
  EXPECT_EQ(Rows("SELECT count(*) FROM silver_fx_rates WHERE schema_v = 'v1' AND rate_type IS NULL "
                 "AND inverse_rate IS NULL")[0][0], std::to_string(want_silver.size()));
}

TEST_F(SecondFeed, ARefusedEvolutionExitsOneAndStoresNothing) {
  ASSERT_EQ(lake_.Rl({"dataset", "apply", Write("fx1.yaml", kFxV1)}).exit_code, 0);
  std::string changed = kFxV1;
  changed.replace(changed.find("decimal(18,8)"), 13, "decimal(20,8)");  // an existing column's type
  CmdResult refused = lake_.Rl({"dataset", "apply", Write("fx-bad.yaml", changed)});
  EXPECT_EQ(refused.exit_code, 1) << refused.Describe();
  EXPECT_NE(refused.err.find("rate"), std::string::npos) << refused.Describe();
  EXPECT_EQ(ListFiles(lake_.Lake("_datasets/treasury/fx_rates")).size(), 1u);
}

TEST_F(SecondFeed, ADerivedExpressionThatDoesNotBindExitsTwoNamingWhereItIs) {
  std::string bad = kFxV2;
  bad.replace(bad.find("round(1 / rate, 8)"), 18, "round(1 / rats, 8)");
  CmdResult refused = lake_.Rl({"dataset", "apply", Write("fx-typo.yaml", bad)});
  EXPECT_EQ(refused.exit_code, 2) << refused.Describe();
  EXPECT_NE(refused.err.find("fx-typo.yaml:"), std::string::npos) << refused.Describe();
  EXPECT_NE(refused.err.find("schemas.v2.derived[0].expr"), std::string::npos) << refused.Describe();
  EXPECT_NE(refused.err.find("rats"), std::string::npos) << refused.Describe();
  EXPECT_FALSE(fs::exists(lake_.Lake("_datasets/treasury/fx_rates")));
}

TEST_F(SecondFeed, SampleDataForTheContractFailsEachCheckOnce) {
  ASSERT_EQ(lake_.Rl({"dataset", "apply", Write("fx1.yaml", kFxV1)}).exit_code, 0);
  json sample = lake_.RlJson({"sample", lake_.Work("fx-sample.csv"), "--dataset", "treasury/fx_rates", "--rows",
                              "400", "--date", "2024-02-01", "--days", "30", "--invalid-fraction", "0.25"});
  const int64_t invalid = sample["invalid_rows"].get<int64_t>();
  EXPECT_GT(invalid, 50);
  json ingested = lake_.RlJson({"ingest", lake_.Work("fx-sample.csv"), "--date", "2024-02-01", "--dataset",
                                "treasury/fx_rates", "--run-id", "s1"});
  CmdResult run = lake_.RunKey("fx-sample", ingested["key"].get<std::string>());
  ASSERT_TRUE(run.exit_code == 0 || run.exit_code == 1) << run.Describe();  // the gate may refuse 25%
  EXPECT_EQ(Rows("SELECT count(*) FROM quarantine WHERE len(validation_errors) = 1")[0][0],
            std::to_string(invalid));
  EXPECT_EQ(Rows("SELECT count(*) FROM silver_fx_rates")[0][0], std::to_string(400 - invalid));
}

TEST_F(SecondFeed, TheRulesFileStillTunesTransactions) {
  const std::string key = lake_.IngestText(
      "tx.csv",
      "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n"
      "T1,A1,10.00,EUR,2024-01-15T10:00:00Z\nT2,A2,20.00,USD,2024-01-15 11:00:00\n",
      "2024-01-15");
  const std::string rules = Write("rules.json", R"({"currencies": ["EUR"], "timestamp_formats": ["%Y-%m-%dT%H:%M:%SZ"],
                                                  "gate": {"max_quarantine_rate": 0.9}})");
  CmdResult run = lake_.RunKey("tx-rules", key, {"--rules", rules});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  EXPECT_EQ(Rows("SELECT validation_errors FROM quarantine"),
            (std::vector<std::vector<std::string>>{{"[CURRENCY_ERROR, TIMESTAMP_ERROR]"}}));
  // Without the rules the contract's defaults hold: both rows are valid.
  const std::string again = lake_.IngestText("tx2.csv",
      "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n"
      "T1,A1,10.00,EUR,2024-01-16T10:00:00Z\nT2,A2,20.00,USD,2024-01-16 11:00:00\n", "2024-01-16");
  ASSERT_EQ(lake_.RunKey("tx-plain", again).exit_code, 0);
  EXPECT_EQ(Rows("SELECT count(*) FROM silver_transactions WHERE run_id = 'tx-plain'")[0][0], "2");
}

}  // namespace
}  // namespace runlake::it
