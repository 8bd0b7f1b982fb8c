// DiffContracts: every changed setting, column, check and limit, as lines and as JSON;
// nothing for a revision that only spells out defaults.

#include <gtest/gtest.h>

#include "contract/contract_test_util.h"
#include "runlake/contract_diff.h"

namespace runlake {
namespace {

const std::string kA = R"y(dataset: treasury/fx_rates
schemas:
  v1:
    columns:
      - {name: day, type: date, required: true}
      - {name: base, type: string, enum: iso4217}
      - {name: rate, type: "decimal(18,8)"}
    derived: [{name: inverse, type: "decimal(18,8)", expr: "1 / rate"}]
)y";

std::vector<std::string> Lines(const std::string& a, const std::string& b) {
  std::vector<std::string> out;
  for (const ContractChange& c : DiffContracts(testing::MustParse(a), testing::MustParse(b))) {
    out.push_back(c.ToString());
  }
  return out;
}

TEST(ContractDiff, SpelledOutDefaultsAreNoChange) {
  std::string b = "# the same, said at length\n" + kA +
                  "max_attempts: 3\nkey_reason: DUPLICATE_KEY\npartition_by: ingest_date\n"
                  "source: {format: csv, delimiter: \",\", max_record_bytes: 8388608}\n"
                  "gate: {max_quarantine_rate: 0.05, max_condemned_rows: 100}\n";
  EXPECT_TRUE(Lines(kA, kA).empty());
  EXPECT_TRUE(Lines(kA, b).empty()) << Lines(kA, b).front();
}

TEST(ContractDiff, EveryChangedSettingColumnAndCheck) {
  const std::string b = R"y(dataset: treasury/fx_rates
gate: {max_quarantine_rate: 0.1}
key: [day, base]
schemas:
  v1:
    columns:
      - {name: base, type: string, enum: [EUR, USD], reason: CCY_ERROR}
      - {name: day, type: date, required: true, window: {not_before: "2000-01-01"}}
      - {name: provider, type: string, pattern: "[A-Z]+"}
    check_order: [base]
    derived: [{name: inverse, type: "decimal(18,8)", expr: "TRY(1 / rate)"}]
  v2:
    extends: v1
    columns: [{name: side, type: string}]
)y";
  std::vector<std::string> lines = Lines(kA, b);
  std::vector<std::string> expected = {
      "changed key: [] -> [\"day\",\"base\"]",
      "changed gate.max_quarantine_rate: 0.05 -> 0.1",
      "changed schemas.v1.columns.base.position: 2 -> 1",
      "changed schemas.v1.columns.base.enum: iso4217 -> [\"EUR\",\"USD\"]",
      "changed schemas.v1.columns.base.reason: (none) -> CCY_ERROR",
      "changed schemas.v1.columns.day.position: 1 -> 2",
      "changed schemas.v1.columns.day.window: (none) -> "
      "{\"max_days_after_ingest\":null,\"not_before\":\"2000-01-01\"}",
      "added schemas.v1.columns.provider: {\"enum\":null,\"false_values\":[],\"formats\":[],"
      "\"from\":\"provider\",\"max\":null,\"max_length\":null,\"min\":null,\"min_length\":null,"
      "\"name\":\"provider\",\"pattern\":\"[A-Z]+\",\"reason\":null,\"required\":false,"
      "\"trim\":true,\"true_values\":[],\"type\":\"string\",\"window\":null}",
      "removed schemas.v1.columns.rate: {\"enum\":null,\"false_values\":[],\"formats\":[],"
      "\"from\":\"rate\",\"max\":null,\"max_length\":null,\"min\":null,\"min_length\":null,"
      "\"name\":\"rate\",\"pattern\":null,\"reason\":null,\"required\":false,\"trim\":true,"
      "\"true_values\":[],\"type\":\"decimal(18,8)\",\"window\":null}",
      "changed schemas.v1.check_order: [\"day\",\"base\",\"rate\"] -> "
      "[\"base\",\"day\",\"provider\"]",
      "changed schemas.v1.derived.inverse.expr: 1 / rate -> TRY(1 / rate)",
  };
  ASSERT_GE(lines.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(lines[i], expected[i]) << i;
  ASSERT_EQ(lines.size(), expected.size() + 1);
  EXPECT_EQ(lines.back().rfind("added schemas.v2: {\"check_order\":[\"base\",\"day\",", 0), 0u)
      << lines.back();
}

TEST(ContractDiff, JsonFormNamesTheChangeAndBothValues) {
  std::string b = kA;
  b.replace(b.find("required: true"), 14, "required: false");
  std::vector<ContractChange> changes =
      DiffContracts(testing::MustParse(kA), testing::MustParse(b));
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(
      changes[0].ToJson().dump(),
      R"y({"after":false,"before":true,"change":"changed","path":"schemas.v1.columns.day.required"})y");
  changes = DiffContracts(testing::MustParse(b), testing::MustParse(b + "  v2: {extends: v1}\n"));
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].kind, ContractChange::Kind::kAdded);
  EXPECT_EQ(changes[0].ToJson()["change"], "added");
  EXPECT_TRUE(changes[0].ToJson()["before"].is_null());
  EXPECT_EQ(changes[0].after["extends"], "v1");
  EXPECT_EQ(changes[0].after["columns"].size(), 3u);
  changes = DiffContracts(testing::MustParse(b + "  v2: {extends: v1}\n"), testing::MustParse(b));
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].ToString().rfind("removed schemas.v2: {", 0), 0u);
}

}  // namespace
}  // namespace runlake
