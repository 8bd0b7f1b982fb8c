// The rules file (`run --rules FILE`): currency allowlist, custom timestamp formats, its
// hash recorded in the run; a bad rules file is bad input (exit 2, names the file).

#include <gtest/gtest.h>

#include "cli_runner.h"
#include "common/sha256.h"
#include "parquet_reader.h"

namespace runlake::it {
namespace {

const std::string kHeader = "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n";

TEST(Rules, AllowlistAndCustomTimestampFormat) {
  TestLake lake;
  std::string csv = kHeader +
                    "R1,A,10.00,EUR,2024-01-05T10:00:00Z\n"
                    "R2,A,20.00,GBP,2024-01-05T10:00:00Z\n"   // GBP not allowed
                    "R3,A,30.00,USD,15/01/2024 08:30\n"       // custom format
                    "R4,A,40.00,usd,2024-01-05T10:00:00Z\n"   // exact match only
                    "R5,A,50.00,USD,2024/01/05 10:00\n";      // no format matches
  std::string key = lake.IngestText("rules.csv", csv, "2024-01-15");
  const std::string rules_text = R"({
  "currencies": ["EUR", "USD"],
  "timestamp_formats": ["%Y-%m-%dT%H:%M:%SZ", "%d/%m/%Y %H:%M"],
  "gate": {"max_quarantine_rate": 1.0}
})";
  WriteFile(lake.Work("rules.json"), rules_text);
  CmdResult r = lake.RunKey("rules1", key, {"--rules", lake.Work("rules.json")});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();

  json q = lake.QueryJson("SELECT source_line, validation_error FROM quarantine ORDER BY source_line");
  ASSERT_EQ(q.size(), 3u) << q.dump();
  EXPECT_EQ(q[0]["source_line"], 3);
  EXPECT_EQ(q[0]["validation_error"], "CURRENCY_ERROR");
  EXPECT_EQ(q[1]["source_line"], 5);
  EXPECT_EQ(q[1]["validation_error"], "CURRENCY_ERROR");
  EXPECT_EQ(q[2]["source_line"], 6);
  EXPECT_EQ(q[2]["validation_error"], "TIMESTAMP_ERROR");

  json s = lake.QueryJson(
      "SELECT transaction_id, CAST(tx_date AS VARCHAR) AS ts FROM silver_transactions ORDER BY transaction_id");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[1]["transaction_id"], "R3");
  EXPECT_EQ(s[1]["ts"], "2024-01-15 08:30:00");

  // The run records the SHA-256 of the rules file's bytes.
  EXPECT_EQ(lake.Manifest("rules1")["rules_hash"], Sha256::Of(rules_text));

  // Without --rules, GBP is valid again (the full ISO-4217 list) and the hash differs.
  CmdResult d = lake.RunKey("rules2", key);
  EXPECT_NE(lake.Manifest("rules2")["rules_hash"], Sha256::Of(rules_text));
  EXPECT_EQ(lake.Scalar("SELECT count(*) FROM silver_transactions WHERE run_id = 'rules2' AND currency = 'GBP'"),
            "1");
  (void)d;
}

struct BadRules {
  const char* label;
  std::string content;  // written to the file unless is_dir / missing
  bool is_dir = false, missing = false;
  const char* expect_in_message = "";
};

TEST(Rules, BadRulesFileIsBadInput) {
  std::vector<BadRules> cases = {
      {"missing", "", false, true, ""},
      {"directory", "", true, false, ""},
      {"syntax", "{\n  \"currencies\": [\"EUR\",\n  \"max_attempts\" 3\n}\n", false, false, "line 3"},
      {"unknown key", R"({"gates": {}})", false, false, "gates"},
      {"bad max_attempts", R"({"max_attempts": 0})", false, false, "max_attempts"},
      {"bad type", R"({"currencies": "EUR"})", false, false, "currencies"},
      {"bad format", R"({"timestamp_formats": ["%Q"]})", false, false, ""},
      {"empty file", "", false, false, ""},
  };
  TestLake lake;
  std::string key = lake.IngestText("ok.csv", kHeader + "B1,A,1.00,EUR,2024-01-05T10:00:00Z\n", "2024-01-05");
  int i = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.label);
    std::string path = lake.Work("bad-rules-" + std::to_string(i) + ".json");
    if (c.is_dir) fs::create_directories(path);
    else if (!c.missing) WriteFile(path, c.content);
    std::string rid = "badrules" + std::to_string(i++);
    CmdResult r = lake.RunKey(rid, key, {"--rules", path});
    // Any rules file that cannot be used (a directory included) is bad input: exit 2.
    EXPECT_EQ(r.exit_code, 2) << r.Describe();
    EXPECT_NE(r.err.find(path), std::string::npos) << "message must name the file: " << r.err;
    EXPECT_NE(r.err.find(c.expect_in_message), std::string::npos) << r.err;
    EXPECT_FALSE(lake.HasManifest(rid));
  }
  EXPECT_EQ(lake.Scalar("SELECT count(*) FROM silver_transactions"), "0");
}

TEST(Rules, RulesMaxAttemptsTwoCondemnsOnSecondRun) {
  TestLake lake;
  std::string csv = kHeader;
  for (int i = 0; i < 60; ++i) csv += "M" + std::to_string(i) + ",A,1.00,EUR,2024-01-05T10:00:00Z\n";
  csv += "BAD1,A,1.00,EUR,2024-02-30T00:00:00Z\n";
  std::string key = lake.IngestText("m.csv", csv, "2024-01-05");
  WriteFile(lake.Work("rules.json"), R"({"max_attempts": 2})");
  std::vector<std::string> rules{"--rules", lake.Work("rules.json")};
  ASSERT_EQ(lake.RunKey("ma1", key, rules).exit_code, 0);
  ASSERT_EQ(lake.RunKey("ma2", key, rules).exit_code, 0);
  EXPECT_EQ(lake.Scalar("SELECT attempt_count FROM quarantine WHERE run_id = 'ma1'"), "1");
  EXPECT_EQ(lake.Scalar("SELECT count(*) FROM quarantine WHERE run_id = 'ma2'"), "0");
  json c = lake.QueryJson("SELECT validation_error, attempt_count FROM condemned WHERE run_id = 'ma2'");
  ASSERT_EQ(c.size(), 1u) << c.dump();
  EXPECT_EQ(c[0]["validation_error"], "MAX_ATTEMPTS");
  EXPECT_EQ(c[0]["attempt_count"], 2);
  EXPECT_EQ(lake.Manifest("ma2")["metrics"]["condemned_rows"], 1);
}

}  // namespace
}  // namespace runlake::it
