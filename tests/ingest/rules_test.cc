#include "runlake/rules.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "common/sha256.h"

namespace runlake {
namespace {

TEST(IngestRules, DefaultsHaveIsoCurrenciesAndIsoFormats) {
  Rules r = Rules::Defaults();
  for (const char* code : {"USD", "EUR", "GBP", "JPY", "CHF", "XAU", "ZWG", "SLE"}) {
    EXPECT_NE(std::find(r.currencies.begin(), r.currencies.end(), code), r.currencies.end())
        << code;
  }
  for (const char* gone : {"HRK", "XXX", "XTS", "DEM", "usd"}) {
    EXPECT_EQ(std::find(r.currencies.begin(), r.currencies.end(), gone), r.currencies.end())
        << gone;
  }
  EXPECT_GT(r.currencies.size(), 170u);
  EXPECT_EQ(r.timestamp_formats.size(), 5u);
  EXPECT_EQ(r.timestamp_formats[0], "%Y-%m-%dT%H:%M:%SZ");
  EXPECT_EQ(r.max_attempts, 3);
  EXPECT_DOUBLE_EQ(r.gate.max_quarantine_rate, 0.05);
  EXPECT_EQ(r.gate.max_condemned_rows, 100);
  EXPECT_EQ(r.hash, Sha256::Of(r.CanonicalJson()));
  EXPECT_EQ(r.hash.size(), 64u);
}

TEST(IngestRules, EmptyObjectGivesDefaultsWithTheFileHash) {
  auto r = ParseRules("{}", "rules.json");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->currencies, Rules::Defaults().currencies);
  EXPECT_EQ(r->hash, Sha256::Of("{}"));
  EXPECT_EQ(Sha256::Of("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(IngestRules, ANumberTooBigForADoubleIsBadInputNotACrash) {
  // Found by tests/fuzz/json_readers_fuzz: nlohmann throws out_of_range, not parse_error.
  auto r = ParseRules(R"({"max_attempts": 4E444})", "rules.json");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("rules.json"), std::string::npos) << r.status().ToString();
}

TEST(IngestRules, EveryKey) {
  auto r = ParseRules(R"({"currencies": ["USD", "EUR"], "timestamp_formats": ["%Y/%m/%d"],
                          "max_attempts": 5,
                          "gate": {"max_quarantine_rate": 0.1, "max_condemned_rows": 7}})",
                      "rules.json");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->currencies, (std::vector<std::string>{"USD", "EUR"}));
  EXPECT_EQ(r->timestamp_formats, (std::vector<std::string>{"%Y/%m/%d"}));
  EXPECT_EQ(r->max_attempts, 5);
  EXPECT_DOUBLE_EQ(r->gate.max_quarantine_rate, 0.1);
  EXPECT_EQ(r->gate.max_condemned_rows, 7);
}

TEST(IngestRules, PartialGateKeepsOtherDefault) {
  auto r = ParseRules(R"({"gate": {"max_condemned_rows": 0}})", "rules.json");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->gate.max_condemned_rows, 0);
  EXPECT_DOUBLE_EQ(r->gate.max_quarantine_rate, 0.05);
}

TEST(IngestRules, CanonicalJsonRoundTrips) {
  Rules d = Rules::Defaults();
  auto r = ParseRules(d.CanonicalJson(), "x");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->currencies, d.currencies);
  EXPECT_EQ(r->timestamp_formats, d.timestamp_formats);
  EXPECT_EQ(r->hash, d.hash);  // same bytes, same hash
}

void ExpectInvalid(const std::string& json, const std::string& message) {
  auto r = ParseRules(json, "rules.json");
  ASSERT_FALSE(r.ok()) << json;
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
  EXPECT_EQ(r.status().message(), message) << json;
}

void ExpectInvalidPrefix(const std::string& json, const std::string& prefix) {
  auto r = ParseRules(json, "rules.json");
  ASSERT_FALSE(r.ok()) << json;
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
  EXPECT_EQ(r.status().message().rfind(prefix, 0), 0u) << r.status().message();
}

TEST(IngestRules, SyntaxErrorsHaveLineAndColumn) {
  ExpectInvalidPrefix("{\n  \"max_attempts\": 3,\n  \"gate\": {,}\n}",
                      "rules.json: line 3 column 12: ");
  ExpectInvalidPrefix("{\"a\": tru}", "rules.json: line 1 column 10: ");
  ExpectInvalidPrefix("", "rules.json: line 1 column 1: ");
  ExpectInvalidPrefix("{\n\"currencies\": [\"USD\"\n", "rules.json: line 3 column 1: ");
  auto r = ParseRules("{\n  \"gate\": {,}\n}", "rules.json");
  EXPECT_NE(r.status().message().find("syntax error"), std::string::npos) << r.status().message();
  EXPECT_EQ(r.status().message().find("json.exception"), std::string::npos);
}

TEST(IngestRules, WrongTypesAndUnknownKeysNameTheKey) {
  ExpectInvalidPrefix(R"({"currency": ["USD"]})", "rules.json: unknown key 'currency'");
  ExpectInvalidPrefix(R"({"gate": {"max_rate": 1}})", "rules.json: unknown key 'gate.max_rate'");
  ExpectInvalid(R"({"currencies": "USD"})", "rules.json: 'currencies' must be an array of strings");
  ExpectInvalid(R"({"currencies": ["USD", 3]})",
                "rules.json: 'currencies'[1] must be a non-empty string");
  ExpectInvalid(R"({"currencies": []})", "rules.json: 'currencies' must not be empty");
  ExpectInvalid(R"({"timestamp_formats": [""]})",
                "rules.json: 'timestamp_formats'[0] must be a non-empty string");
  ExpectInvalid(R"({"max_attempts": "3"})", "rules.json: 'max_attempts' must be an integer >= 1");
  ExpectInvalid(R"({"max_attempts": 2.5})", "rules.json: 'max_attempts' must be an integer >= 1");
  ExpectInvalid(R"({"gate": 5})", "rules.json: 'gate' must be an object");
  ExpectInvalid(R"({"gate": {"max_condemned_rows": "x"}})",
                "rules.json: 'gate.max_condemned_rows' must be an integer >= 0");
  ExpectInvalid("[1, 2]", "rules.json: the rules must be a JSON object");
}

TEST(IngestRules, OutOfRangeValues) {
  ExpectInvalid(R"({"max_attempts": 0})", "rules.json: 'max_attempts' must be an integer >= 1");
  ExpectInvalid(R"({"max_attempts": -2})", "rules.json: 'max_attempts' must be an integer >= 1");
  ExpectInvalid(R"({"gate": {"max_quarantine_rate": -0.1}})",
                "rules.json: 'gate.max_quarantine_rate' must be a number >= 0");
  ExpectInvalid(R"({"gate": {"max_condemned_rows": -1}})",
                "rules.json: 'gate.max_condemned_rows' must be an integer >= 0");
  EXPECT_TRUE(ParseRules(R"({"max_attempts": 1})", "r").ok());
}

TEST(IngestRules, UnsupportedTimestampDirective) {
  auto r = ParseRules(R"({"timestamp_formats": ["%d %b %Y"]})", "rules.json");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
  EXPECT_NE(r.status().message().find("unsupported directive %b"), std::string::npos)
      << r.status().message();
}

TEST(IngestRules, LoadFileErrorsNameThePath) {
  auto missing = LoadRulesFile("/nonexistent/dir/rules.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.status().IsNotFound());
  EXPECT_NE(missing.status().message().find("/nonexistent/dir/rules.json"), std::string::npos);

  auto dir = LoadRulesFile("/tmp");
  ASSERT_FALSE(dir.ok());
  EXPECT_TRUE(dir.status().IsInvalidArgument());
  EXPECT_NE(dir.status().message().find("/tmp"), std::string::npos);
}

TEST(IngestRules, LoadFileHashesTheBytes) {
  auto path = std::filesystem::temp_directory_path() /
              ("runlake_rules_test_" + std::to_string(::getpid()) + ".json");
  const std::string text = "{\"max_attempts\": 4}\n";
  std::ofstream(path) << text;
  auto r = LoadRulesFile(path.string());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->max_attempts, 4);
  EXPECT_EQ(r->hash, Sha256::Of(text));

  std::ofstream(path) << "{\n  \"max_attempts\": 4,,\n}";
  auto bad = LoadRulesFile(path.string());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind(path.string() + ": line 2 column ", 0), 0u)
      << bad.status().message();
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace runlake
