// Each class of contract error the loader refuses, and that its message names the file, the
// line and column of the offending key or value, and the key path.

#include <gtest/gtest.h>

#include "contract/contract_test_util.h"

namespace runlake {
namespace {

using testing::ErrorOf;
using testing::Where;

// Line 1 is the first line of each text: the raw strings start right after R"y(.

TEST(ContractErrors, SyntaxErrorNamesLineAndColumn) {
  const char* y = R"y(dataset: treasury/fx_rates
schemas:
  v1:
    columns: [{name: a, type: string}
)y";
  std::string e = ErrorOf(y);
  EXPECT_EQ(e.rfind("c.yaml:", 0), 0u) << e;
  EXPECT_NE(e.find(": <document>: YAML: "), std::string::npos) << e;
  EXPECT_EQ(ErrorOf("dataset: a/b\n  bad: indentation\n").substr(0, 9), "c.yaml:2:");
}

TEST(ContractErrors, UnknownKeyAtEveryLevel) {
  const char* top = R"y(dataset: treasury/fx_rates
partiton_by: rate_date
schemas: {v1: {columns: [{name: rate_date, type: date}]}}
)y";
  EXPECT_EQ(ErrorOf(top), Where(top, 2, "partiton_by") +
                              ": partiton_by: unknown key (known: dataset, description, source, "
                              "partition_by, key, key_reason, max_attempts, gate, schemas)");
  const char* column = R"y(dataset: treasury/fx_rates
schemas:
  v1:
    columns:
      - {name: rate_date, type: date}
      - {name: rate, from: Rate, type: "decimal(18,8)", minimum: "0"}
)y";
  std::string e = ErrorOf(column);
  EXPECT_EQ(
      e.rfind(Where(column, 6, "minimum") + ": schemas.v1.columns[1].minimum: unknown key", 0), 0u)
      << e;
  const char* nested = R"y(dataset: treasury/fx_rates
gate: {max_quarantine_rate: 0.1, max_condemned: 3}
source: {format: csv}
schemas: {v1: {columns: [{name: a, type: string}], checks: []}}
)y";
  e = ErrorOf(nested);
  EXPECT_EQ(e, Where(nested, 2, "max_condemned") +
                   ": gate.max_condemned: unknown key (known: "
                   "max_quarantine_rate, max_condemned_rows)");
  const char* version = R"y(dataset: treasury/fx_rates
schemas: {v1: {columns: [{name: a, type: string}], checks: []}}
)y";
  e = ErrorOf(version);
  EXPECT_EQ(e.rfind(Where(version, 2, "checks") + ": schemas.v1.checks: unknown key", 0), 0u) << e;
}

TEST(ContractErrors, DuplicateKey) {
  const char* y = R"y(dataset: treasury/fx_rates
max_attempts: 3
max_attempts: 4
schemas: {v1: {columns: [{name: a, type: string}]}}
)y";
  EXPECT_EQ(ErrorOf(y), Where(y, 3, "max_attempts") + ": max_attempts: duplicate key");
}

TEST(ContractErrors, WrongTypes) {
  // A quoted "true" is a string: JSON and YAML 1.2 agree, and so does the loader.
  const char* quoted_bool = R"y(dataset: treasury/fx_rates
schemas:
  v1:
    columns:
      - {name: a, type: string, required: "true"}
)y";
  EXPECT_EQ(ErrorOf(quoted_bool), Where(quoted_bool, 5, "\"true\"") +
                                      ": schemas.v1.columns[0].required: expected true or false, "
                                      "got the string \"true\"");
  const char* yes = R"y(dataset: treasury/fx_rates
schemas: {v1: {columns: [{name: a, type: string, trim: yes}]}}
)y";
  EXPECT_EQ(ErrorOf(yes), Where(yes, 2, "yes") +
                              ": schemas.v1.columns[0].trim: expected true or false, got 'yes'");
  const char* count = R"y(dataset: treasury/fx_rates
max_attempts: 0
schemas: {v1: {columns: [{name: a, type: string}]}}
)y";
  EXPECT_EQ(ErrorOf(count), Where(count, 2, "0") +
                                ": max_attempts: expected an integer from 1 to 1000000, got '0'");
  const char* list = R"y(dataset: treasury/fx_rates
key: transaction_id
schemas: {v1: {columns: [{name: a, type: string}]}}
)y";
  EXPECT_EQ(ErrorOf(list), Where(list, 2, "transaction_id") +
                               ": key: expected a list of strings, got 'transaction_id'");
  const char* mapping = R"y(dataset: treasury/fx_rates
gate: 0.05
schemas: {v1: {columns: [{name: a, type: string}]}}
)y";
  EXPECT_EQ(ErrorOf(mapping), Where(mapping, 2, "0.05") + ": gate: expected a mapping, got '0.05'");
  const char* rate = R"y(dataset: treasury/fx_rates
gate: {max_quarantine_rate: -0.5}
schemas: {v1: {columns: [{name: a, type: string}]}}
)y";
  EXPECT_EQ(ErrorOf(rate), Where(rate, 2, "-0.5") +
                               ": gate.max_quarantine_rate: expected a number >= 0, got '-0.5'");
  const char* delimiter = R"y(dataset: treasury/fx_rates
source: {delimiter: ";;"}
schemas: {v1: {columns: [{name: a, type: string}]}}
)y";
  EXPECT_EQ(ErrorOf(delimiter), Where(delimiter, 2, "\";;\"") +
                                    ": source.delimiter: a delimiter is one byte, not '\"' or a "
                                    "line end");
  const char* format = R"y(dataset: treasury/fx_rates
source: {format: parquet}
schemas: {v1: {columns: [{name: a, type: string}]}}
)y";
  EXPECT_EQ(ErrorOf(format),
            Where(format, 2, "parquet") + ": source.format: unsupported format (formats: csv)");
}

TEST(ContractErrors, MissingRequiredKeyPointsAtItsMapping) {
  const char* y = R"y(dataset: treasury/fx_rates
schemas:
  v1:
    columns:
      - {name: a}
)y";
  EXPECT_EQ(ErrorOf(y), Where(y, 5, "{") + ": schemas.v1.columns[0].type: required key missing");
  EXPECT_EQ(ErrorOf("dataset: a/b\n"), "c.yaml:1:1: schemas: required key missing");
  EXPECT_EQ(ErrorOf(""), "c.yaml:1:1: <document>: the contract is empty");
  EXPECT_EQ(ErrorOf("- a\n"), "c.yaml:1:1: <document>: expected a mapping, got a list");
  EXPECT_EQ(ErrorOf("dataset: a/b\n---\ndataset: c/d\n"),
            "c.yaml:2:1: <document>: a contract is one YAML document");
}

// yaml-cpp 0.7's LoadAll loops forever, allocating, on these (tests/fuzz/contract_fuzz found
// the first); the loader must answer.
TEST(ContractErrors, TextThatHangsYamlCppLoadAllIsRefused) {
  for (const char* text : {"{},", ",", "dataset: a/b\n,\n"}) {
    EXPECT_NE(ErrorOf(text), "") << text;
  }
}

TEST(ContractErrors, DuplicateColumnNameOrHeader) {
  const char* name = R"y(dataset: treasury/fx_rates
schemas:
  v1:
    columns:
      - {name: rate, from: Rate, type: string}
      - {name: rate, from: Rate2, type: string}
)y";
  EXPECT_EQ(ErrorOf(name), Where(name, 6, "rate") +
                               ": schemas.v1.columns[1].name: duplicate column name 'rate' (also "
                               "schemas.v1.columns[0].name)");
  const char* from = R"y(dataset: treasury/fx_rates
schemas:
  v1:
    columns:
      - {name: rate, from: Rate, type: string}
      - {name: rate2, from: Rate, type: string}
)y";
  EXPECT_EQ(ErrorOf(from), Where(from, 6, "Rate") +
                               ": schemas.v1.columns[1].from: duplicate header name 'Rate' (also "
                               "schemas.v1.columns[0].from)");
  // `from` defaults to the name: a header named like another column's name collides too.
  const char* implicit = R"y(dataset: treasury/fx_rates
schemas:
  v1:
    columns:
      - {name: rate, from: rate2, type: string}
      - {name: rate2, type: string}
)y";
  EXPECT_NE(ErrorOf(implicit).find("duplicate header name 'rate2'"), std::string::npos);
  const char* inherited = R"y(dataset: treasury/fx_rates
schemas:
  v1:
    columns: [{name: rate, type: string}]
  v2:
    extends: v1
    columns: [{name: rate, from: Rate2, type: string}]
)y";
  EXPECT_EQ(ErrorOf(inherited), Where(inherited, 7, "rate") +
                                    ": schemas.v2.columns[0].name: duplicate column name 'rate' "
                                    "(also schemas.v1.columns[0].name)");
  const char* derived = R"y(dataset: treasury/fx_rates
schemas:
  v1:
    columns: [{name: rate, type: "decimal(18,8)"}]
    derived: [{name: rate, type: "decimal(18,8)", expr: "1 / rate"}]
)y";
  EXPECT_EQ(ErrorOf(derived), Where(derived, 5, "rate") +
                                  ": schemas.v1.derived[0].name: derived column 'rate' has the "
                                  "name of schemas.v1.columns[0].name");
}

TEST(ContractErrors, EmptyOrRepeatedEnum) {
  const char* empty = R"y(dataset: treasury/fx_rates
schemas:
  v1:
    columns:
      - {name: side, type: string, enum: []}
)y";
  EXPECT_EQ(ErrorOf(empty),
            Where(empty, 5, "[]") + ": schemas.v1.columns[0].enum: must not be empty");
  const char* twice = R"y(dataset: treasury/fx_rates
schemas:
  v1:
    columns:
      - {name: side, type: string, enum: [BID, ASK, BID]}
)y";
  EXPECT_EQ(ErrorOf(twice), "c.yaml:5:53: schemas.v1.columns[0].enum[2]: duplicate enum value");
  const char* other = R"y(dataset: treasury/fx_rates
schemas: {v1: {columns: [{name: side, type: string, enum: iso4216}]}}
)y";
  EXPECT_EQ(ErrorOf(other), Where(other, 2, "iso4216") +
                                ": schemas.v1.columns[0].enum: expected a list of values or "
                                "iso4217");
}

TEST(ContractErrors, PatternThatDoesNotCompile) {
  const char* y = R"y(dataset: treasury/fx_rates
schemas:
  v1:
    columns:
      - {name: provider, type: string, pattern: "^[A-Z{2,8}$"}
)y";
  std::string e = ErrorOf(y);
  EXPECT_EQ(e.rfind(Where(y, 5, "\"^[A-Z") +
                        ": schemas.v1.columns[0].pattern: pattern does not compile (RE2): ",
                    0),
            0u)
      << e;
  // Backreferences would need backtracking: RE2 refuses them, so no pattern can hang a run.
  const char* backref = R"y(dataset: treasury/fx_rates
schemas: {v1: {columns: [{name: p, type: string, pattern: '(a+)\1'}]}}
)y";
  EXPECT_NE(ErrorOf(backref).find("pattern does not compile (RE2)"), std::string::npos);
}

TEST(ContractErrors, DecimalOutOfRange) {
  for (auto [type, problem] : std::initializer_list<std::pair<const char*, const char*>>{
           {"decimal(39,2)", "decimal precision 39 is out of range 1..38"},
           {"decimal(0,0)", "decimal precision 0 is out of range 1..38"},
           {"decimal(5,6)", "decimal scale 6 is out of range 0..5"},
           {"decimal(5)",
            "unknown type 'decimal(5)' (types: string, int64, decimal(P,S), "
            "boolean, date, timestamp)"},
           {"float",
            "unknown type 'float' (types: string, int64, decimal(P,S), boolean, date, "
            "timestamp)"}}) {
    std::string y = std::string("dataset: treasury/fx_rates\nschemas:\n  v1:\n    columns:\n") +
                    "      - {name: rate, type: \"" + type + "\"}\n";
    EXPECT_EQ(ErrorOf(y), Where(y, 5, "\"") + ": schemas.v1.columns[0].type: " + problem);
  }
}

}  // namespace
}  // namespace runlake
