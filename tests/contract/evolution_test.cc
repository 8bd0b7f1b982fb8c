// The evolution rules (DESIGN.md, "Revisions"): what a later revision may change, and that
// each refusal is FailedPrecondition (exit 1) naming the version, column and rule.

#include <gtest/gtest.h>

#include "contract/contract_test_util.h"
#include "runlake/builtin_contracts.h"
#include "runlake/contract_evolution.h"

namespace runlake {
namespace {

const std::string kV1 = R"y(dataset: treasury/fx_rates
partition_by: rate_date
key: [rate_date, base]
schemas:
  v1:
    columns:
      - {name: rate_date, from: RateDate, type: date, required: true}
      - {name: base, from: Base, type: string, required: true, enum: iso4217}
      - {name: units, from: Units, type: int64}
      - {name: rate, from: Rate, type: "decimal(18,8)", min: "0.00000001"}
    derived: [{name: inverse, type: "decimal(18,8)", expr: "1 / rate"}]
)y";

// kV1 with each `from` replaced by `to`, in order.
std::string Edit(std::string text,
                 std::initializer_list<std::pair<std::string, std::string>> edits) {
  for (const auto& [from, to] : edits) {
    size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
  }
  return text;
}

Status Evolve(const std::string& older, const std::string& newer) {
  return CheckEvolution(testing::MustParse(older), testing::MustParse(newer));
}

// The refusal message, after checking it is one.
std::string Refusal(const std::string& older, const std::string& newer) {
  Status st = Evolve(older, newer);
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
  return st.message();
}

TEST(ContractEvolution, ChecksReasonsLimitsAndExpressionsMayChange) {
  EXPECT_TRUE(Evolve(kV1, kV1).ok());
  std::string newer = Edit(kV1, {{"key: [rate_date, base]",
                                  "key: [rate_date]\nkey_reason: DUP\n"
                                  "max_attempts: 5\ngate: {max_"
                                  "quarantine_rate: 0.5}\nsource: "
                                  "{max_record_bytes: 2048}\n"
                                  "description: now described"},
                                 {"required: true, enum: iso4217",
                                  "enum: [EUR, USD], pattern: \"[A-Z]{3}\", reason: CCY"},
                                 {"type: int64}", "type: int64, min: \"0\", max: \"100\"}"},
                                 {"min: \"0.00000001\"", "min: \"0\""},
                                 {"expr: \"1 / rate\"}]",
                                  "expr: \"TRY(1 / rate)\"}]\n"
                                  "    check_order: [rate, base]"}});
  EXPECT_TRUE(Evolve(kV1, newer).ok()) << Evolve(kV1, newer).ToString();
}

TEST(ContractEvolution, NewVersionMayAddColumnsAndWidenTypes) {
  std::string newer = kV1 + R"y(  v2:
    columns:
      - {name: rate_date, from: RateDate, type: date, required: true}
      - {name: base, from: Base, type: string}
      - {name: units, from: Units, type: "decimal(19,0)"}
      - {name: side, from: Side, type: string}
      - {name: rate, from: Rate, type: "decimal(20,8)"}
    derived:
      - {name: inverse, type: "decimal(30,8)", expr: "1 / rate"}
      - {name: doubled, type: "decimal(21,8)", expr: "rate * 2"}
  v3:
    extends: v2
    columns: [{name: venue, type: string}]
)y";
  EXPECT_TRUE(Evolve(kV1, newer).ok()) << Evolve(kV1, newer).ToString();
}

TEST(ContractEvolution, ExistingVersionColumnsMayNotChange) {
  EXPECT_EQ(Refusal(kV1, Edit(kV1, {{"\"decimal(18,8)\", min", "\"decimal(20,8)\", min"}})),
            "schemas.v1.columns.rate: type decimal(18,8) -> decimal(20,8): an existing "
            "version's columns (names, from, types, order) may not change; add a new schema "
            "version instead");
  EXPECT_EQ(Refusal(kV1, Edit(kV1, {{"from: Units", "from: Quantity"}})),
            "schemas.v1.columns.units: from Units -> Quantity: an existing version's columns "
            "(names, from, types, order) may not change; add a new schema version instead");
  std::string renamed = Refusal(kV1, Edit(kV1, {{"name: units", "name: quantity"}}));
  EXPECT_NE(renamed.find("schemas.v1.columns.units: removed: an existing version's columns"),
            std::string::npos)
      << renamed;
  EXPECT_NE(renamed.find("schemas.v1.columns.quantity: added: "), std::string::npos) << renamed;
  std::string moved =
      Refusal(kV1, Edit(kV1, {{"      - {name: units, from: Units, type: int64}\n", ""},
                              {"    derived",
                               "      - {name: units, from: Units, type: int64}\n"
                               "    derived"}}));
  EXPECT_EQ(moved,
            "schemas.v1.columns: order rate_date, base, units, rate -> rate_date, base, "
            "rate, units: an existing version's columns (names, from, types, order) may "
            "not change; add a new schema version instead");
}

TEST(ContractEvolution, ExistingVersionDerivedKeepNamesAndTypes) {
  EXPECT_EQ(Refusal(kV1, Edit(kV1, {{"name: inverse, type: \"decimal(18,8)\"",
                                     "name: inverse, type: \"decimal(19,8)\""}})),
            "schemas.v1.derived.inverse: type decimal(18,8) -> decimal(19,8): an existing "
            "version's derived columns keep their names and types (their expr may change)");
  std::string added = Refusal(kV1, Edit(kV1, {{"expr: \"1 / rate\"}",
                                               "expr: \"1 / rate\"}, {name: x, type: int64, "
                                               "expr: \"1\"}"}}));
  EXPECT_EQ(added.rfind("schemas.v1.derived.x: added: ", 0), 0u) << added;
}

TEST(ContractEvolution, NewVersionMayOnlyWiden) {
  auto v2_with = [](const std::string& units, const std::string& rate) {
    return kV1 + "  v2:\n    columns:\n" +
           "      - {name: rate_date, from: RateDate, type: date, required: true}\n" +
           "      - {name: base, from: Base, type: string}\n" +
           "      - {name: units, from: Units, type: " + units + "}\n" +
           "      - {name: rate, from: Rate, type: " + rate + "}\n" +
           "    derived: [{name: inverse, type: \"decimal(18,8)\", expr: \"1 / rate\"}]\n";
  };
  EXPECT_TRUE(Evolve(kV1, v2_with("int64", "\"decimal(18,8)\"")).ok());
  const std::string rule =
      ": a new version keeps every column of the version before it (same from, the same type "
      "or a widening: int64 -> decimal(P,0) with P >= 19, decimal(P,S) -> decimal(P',S) with "
      "P' > P) and may only add columns";
  EXPECT_EQ(Refusal(kV1, v2_with("\"decimal(18,0)\"", "\"decimal(18,8)\"")),
            "schemas.v2.columns.units: type int64 -> decimal(18,0)" + rule);
  EXPECT_EQ(Refusal(kV1, v2_with("\"decimal(20,1)\"", "\"decimal(18,8)\"")),
            "schemas.v2.columns.units: type int64 -> decimal(20,1)" + rule);
  EXPECT_EQ(Refusal(kV1, v2_with("int64", "\"decimal(20,9)\"")),
            "schemas.v2.columns.rate: type decimal(18,8) -> decimal(20,9)" + rule);
  EXPECT_EQ(Refusal(kV1, v2_with("int64", "\"decimal(17,8)\"")),
            "schemas.v2.columns.rate: type decimal(18,8) -> decimal(17,8)" + rule);
  EXPECT_EQ(Refusal(kV1, v2_with("string", "\"decimal(18,8)\"")),
            "schemas.v2.columns.units: type int64 -> string" + rule);
  std::string dropped = kV1 + "  v2:\n    columns:\n" +
                        "      - {name: rate_date, from: RateDate, type: date, required: true}\n" +
                        "      - {name: base, from: Ccy, type: string}\n" +
                        "      - {name: rate, from: Rate, type: \"decimal(18,8)\"}\n";
  EXPECT_EQ(Refusal(kV1, dropped), "schemas.v2.columns.base: from Base -> Ccy" + rule +
                                       "; schemas.v2.columns.units: missing (it is in v1)" + rule +
                                       "; schemas.v2.derived.inverse: missing (it is in v1)" +
                                       rule);
}

TEST(ContractEvolution, VersionsAreNotRemovedAndNewOnesComeLast) {
  std::string two = kV1 + "  v2: {extends: v1, columns: [{name: side, type: string}]}\n";
  EXPECT_TRUE(Evolve(kV1, two).ok());
  EXPECT_EQ(Refusal(two, kV1),
            "schemas.v2: removed: runs written with a version must stay readable");
  std::string only_v2 = Edit(kV1, {{"  v1:", "  v2:"}});
  std::string v1_added =
      only_v2 +
      "  v1: {columns: [{name: rate_date, type: date, required: true}, {name: base, "
      "type: string}]}\n";
  EXPECT_EQ(Refusal(only_v2, v1_added),
            "schemas.v1: added: a new version is numbered after every existing one");
}

TEST(ContractEvolution, DatasetPartitioningAndSourceFormatAreFixed) {
  std::string e =
      Refusal(kV1, Edit(kV1, {{"treasury/fx_rates", "treasury/rates"},
                              {"partition_by: rate_date", "source: {delimiter: \";\"}"}}));
  EXPECT_EQ(e,
            "dataset: treasury/fx_rates -> treasury/rates: a revision belongs to its dataset; "
            "partition_by: rate_date -> ingest_date: the silver layout of runs already written "
            "may not change; source.delimiter: , -> ;: bronze already ingested must stay "
            "readable");
}

TEST(ContractEvolution, BuiltinTransactionsGainsAV3) {
  std::string v3 = std::string(TransactionsContractYaml()) +
                   "  v3:\n    extends: v2\n    columns:\n"
                   "      - {name: channel, from: Channel, type: string, enum: [WEB, BRANCH]}\n";
  EXPECT_TRUE(Evolve(std::string(TransactionsContractYaml()), v3).ok());
  std::string retyped =
      Edit(std::string(TransactionsContractYaml()), {{"\"decimal(16,2)\"", "\"decimal(18,2)\""}});
  EXPECT_NE(Refusal(std::string(TransactionsContractYaml()), retyped)
                .find("schemas.v1.columns.amount: type decimal(16,2) -> decimal(18,2)"),
            std::string::npos);
}

}  // namespace
}  // namespace runlake
