// Contracts that load: defaults filled in, extends resolved, check_order completed, derived
// columns kept for binding, JSON read as YAML, and the hash of the text.

#include <gtest/gtest.h>
#include <re2/re2.h>

#include "contract/contract_test_util.h"

namespace runlake {
namespace {

using testing::MustParse;

// DESIGN.md's example contract, verbatim.
const char* kFxRates =
    R"y(dataset: treasury/fx_rates            # <domain>/<dataset>, each [a-z][a-z0-9_]{0,62}
description: Daily reference rates    # free text
source:
  format: csv                         # RFC 4180, header row, CRLF or LF, optional UTF-8 BOM
  delimiter: ","                      # one byte (default ",")
  max_record_bytes: 8388608           # as today's rule
partition_by: rate_date               # a date or timestamp column -> silver year=/month=;
                                      # or ingest_date (the default)
key: [rate_date, base, quote]         # optional; unique within a source, first occurrence kept
key_reason: DUPLICATE_RATE            # default DUPLICATE_KEY
max_attempts: 3                       # loop prevention, as today (default 3)
gate: {max_quarantine_rate: 0.05, max_condemned_rows: 100}
schemas:
  v1:
    columns:                          # silver column order is this order
      - name: rate_date               # silver column, [a-z_][a-z0-9_]{0,62}
        from: RateDate                # bronze header name (default: name); by name, any order
        type: date                    # string | int64 | decimal(P,S) | boolean | date | timestamp
        formats: ["%Y-%m-%d"]         # date/timestamp: strptime-style, tried in order
        required: true                # empty after trimming spaces -> NULL_VALUE_ERROR
        window: {not_before: "2000-01-01", max_days_after_ingest: 0}
      - {name: base,  from: Base,  type: string, required: true, enum: iso4217, reason: CURRENCY_ERROR}
      - {name: quote, from: Quote, type: string, required: true, enum: iso4217, reason: CURRENCY_ERROR}
      - {name: rate,  from: Rate,  type: "decimal(18,8)", required: true, min: "0.00000001", reason: RATE_ERROR}
      - {name: provider, from: Provider, type: string, pattern: "^[A-Z]{2,8}$"}
  v2:
    extends: v1                       # v1's columns, then these
    columns:
      - {name: rate_type, from: RateType, type: string, required: true, enum: [MID, BID, ASK]}
    derived:                          # DuckDB SQL over this version's columns and ingest_date,
      - {name: inverse_rate, type: "decimal(18,8)", expr: "round(1 / rate, 8)"}   # after the columns
)y";

std::vector<std::string> Names(const SchemaVersion& v) {
  std::vector<std::string> out;
  for (const Column& c : v.columns) out.push_back(c.name);
  return out;
}

TEST(ContractParse, DesignExampleLoadsWithExtendsResolved) {
  Contract c = MustParse(kFxRates);
  EXPECT_EQ(c.dataset, "treasury/fx_rates");
  EXPECT_EQ(c.description, "Daily reference rates");
  EXPECT_EQ(c.source.delimiter, ',');
  EXPECT_EQ(c.partition_by, "rate_date");
  EXPECT_EQ(c.key, (std::vector<std::string>{"rate_date", "base", "quote"}));
  EXPECT_EQ(c.key_reason, "DUPLICATE_RATE");
  ASSERT_EQ(c.schemas.size(), 2u);
  const SchemaVersion& v1 = c.schemas[0];
  const SchemaVersion& v2 = c.schemas[1];
  EXPECT_EQ(Names(v1),
            (std::vector<std::string>{"rate_date", "base", "quote", "rate", "provider"}));
  EXPECT_EQ(Names(v2), (std::vector<std::string>{"rate_date", "base", "quote", "rate", "provider",
                                                 "rate_type"}));
  EXPECT_EQ(v2.extends, "v1");
  EXPECT_EQ(v2.check_order, Names(v2));  // none listed: column order
  const Column& rate = *v2.FindColumn("rate");
  EXPECT_EQ(rate.from, "Rate");
  EXPECT_EQ(rate.type, (ColumnType{ColumnKind::kDecimal, 18, 8}));
  EXPECT_EQ(rate.min, "0.00000001");
  EXPECT_EQ(ReasonFor(rate, CheckKind::kRange), "RATE_ERROR");
  const Column& date = *v1.FindColumn("rate_date");
  EXPECT_EQ(date.window, (DateWindow{"2000-01-01", 0}));
  EXPECT_EQ(ReasonFor(date, CheckKind::kParse), "TIMESTAMP_ERROR");
  const Column& provider = *v1.FindColumn("provider");
  EXPECT_FALSE(provider.required);
  ASSERT_NE(provider.pattern_re, nullptr);
  EXPECT_TRUE(RE2::FullMatch("ECB", *provider.pattern_re));
  EXPECT_FALSE(RE2::FullMatch("ecb", *provider.pattern_re));
  EXPECT_EQ(ReasonFor(provider, CheckKind::kPattern), "DOMAIN_ERROR");
  EXPECT_EQ(v2.FindColumn("rate_type")->enum_values,
            (std::vector<std::string>{"MID", "BID", "ASK"}));
  EXPECT_TRUE(v2.FindColumn("base")->enum_iso4217);
  EXPECT_TRUE(v1.derived.empty());
  ASSERT_EQ(v2.derived.size(), 1u);
  EXPECT_EQ(v2.derived[0].expr, "round(1 / rate, 8)");
  EXPECT_EQ(v2.derived[0].expr_at,
            testing::Where(kFxRates, 31, "\"round") + ": schemas.v2.derived[0].expr");
  EXPECT_EQ(c.sha256, ContractSha256(kFxRates));
}

TEST(ContractParse, DefaultsAreFilledIn) {
  Contract c = MustParse(R"y(dataset: a/b
schemas:
  v1:
    columns:
      - {name: d, type: date}
      - {name: t, type: timestamp}
      - {name: b, type: boolean}
      - {name: n, type: int64, max: "-1"}
)y");
  EXPECT_EQ(c.source.format, "csv");
  EXPECT_EQ(c.source.delimiter, ',');
  EXPECT_EQ(c.source.max_record_bytes, 8 << 20);
  EXPECT_EQ(c.partition_by, "ingest_date");
  EXPECT_TRUE(c.key.empty());
  EXPECT_EQ(c.key_reason, "DUPLICATE_KEY");
  EXPECT_EQ(c.max_attempts, 3);
  EXPECT_DOUBLE_EQ(c.gate.max_quarantine_rate, 0.05);
  EXPECT_EQ(c.gate.max_condemned_rows, 100);
  const SchemaVersion& v = c.schemas[0];
  EXPECT_EQ(v.FindColumn("d")->formats, (std::vector<std::string>{"%Y-%m-%d"}));
  EXPECT_EQ(v.FindColumn("t")->formats.size(), 5u);
  EXPECT_EQ(v.FindColumn("b")->true_values, (std::vector<std::string>{"true", "1"}));
  EXPECT_EQ(v.FindColumn("b")->false_values, (std::vector<std::string>{"false", "0"}));
  EXPECT_TRUE(v.FindColumn("n")->formats.empty());
  EXPECT_EQ(v.FindColumn("n")->from, "n");
  EXPECT_TRUE(v.FindColumn("n")->trim);
  EXPECT_FALSE(v.FindColumn("n")->required);
  EXPECT_EQ(ReasonFor(*v.FindColumn("n"), CheckKind::kParse), "TYPE_ERROR");
  EXPECT_EQ(ReasonFor(*v.FindColumn("n"), CheckKind::kRange), "RANGE_ERROR");
}

TEST(ContractParse, ExtendsChainsAndInheritsCheckOrder) {
  const char* y = R"y(dataset: a/b
schemas:
  v3:
    extends: v2
    columns: [{name: e, type: string}]
    derived: [{name: f, type: string, expr: "upper(e)"}]
  v1:
    columns: [{name: a, type: string}, {name: b, type: int64}]
    check_order: [b]
    derived: [{name: c, type: int64, expr: "b * 2"}]
  v2:
    extends: v1
    columns: [{name: d, type: date}]
  v10:
    extends: v1
    check_order: [a, b]
)y";
  Contract c = MustParse(y);
  ASSERT_EQ(c.schemas.size(), 4u);
  EXPECT_EQ(c.schemas[0].name, "v1");  // by number, not as written
  EXPECT_EQ(c.schemas[3].name, "v10");
  EXPECT_EQ(c.schemas[0].check_order, (std::vector<std::string>{"b", "a"}));
  const SchemaVersion& v3 = *c.FindSchema("v3");
  EXPECT_EQ(Names(v3), (std::vector<std::string>{"a", "b", "d", "e"}));
  EXPECT_EQ(v3.check_order, (std::vector<std::string>{"b", "a", "d", "e"}));  // v1's, completed
  ASSERT_EQ(v3.derived.size(), 2u);
  EXPECT_EQ(v3.derived[0].name, "c");
  EXPECT_EQ(v3.derived[1].name, "f");
  EXPECT_EQ(Names(*c.FindSchema("v10")), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c.FindSchema("v10")->check_order, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c.FindSchema("v4"), nullptr);

  std::vector<DerivedToBind> to_bind = DerivedColumnsToBind(c);
  ASSERT_EQ(to_bind.size(), 5u);  // c in v1, v2, v3 and v10; f in v3
  EXPECT_EQ(to_bind[0].version, "v1");
  EXPECT_EQ(to_bind[0].derived->expr, "b * 2");
  EXPECT_EQ(to_bind[0].scope->size(), 2u);
  EXPECT_EQ(to_bind[3].version, "v3");
  EXPECT_EQ(to_bind[3].derived->expr_at,
            testing::Where(y, 6, "\"upper") + ": schemas.v3.derived[0].expr");
}

TEST(ContractParse, JsonIsYaml) {
  Contract c = MustParse(R"y({"dataset": "a/b", "max_attempts": 5,
 "schemas": {"v1": {"columns": [{"name": "x", "type": "decimal(10, 2)", "required": true}]}}})y");
  EXPECT_EQ(c.max_attempts, 5);
  EXPECT_EQ(c.schemas[0].columns[0].type.ToString(), "decimal(10,2)");
  EXPECT_TRUE(c.schemas[0].columns[0].required);
  // A JSON string is a string, also where a number is expected.
  const char* quoted = R"y({"dataset": "a/b", "max_attempts": "5",
 "schemas": {"v1": {"columns": [{"name": "x", "type": "string"}]}}})y";
  EXPECT_EQ(testing::ErrorOf(quoted), testing::Where(quoted, 1, "\"5\"") +
                                          ": max_attempts: expected an integer from 1 to "
                                          "1000000, got the string \"5\"");
}

TEST(ContractParse, HashIsOfTheTextAsStored) {
  const std::string a = "dataset: a/b\nschemas: {v1: {columns: [{name: x, type: string}]}}\n";
  const std::string b = "# a comment\n" + a;
  EXPECT_EQ(MustParse(a).sha256, ContractSha256(a));
  EXPECT_NE(MustParse(a).sha256, MustParse(b).sha256);
  EXPECT_EQ(ContractSha256("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ContractParse, TypeNamesRoundTrip) {
  for (const char* t :
       {"string", "int64", "decimal(1,0)", "decimal(38,38)", "boolean", "date", "timestamp"}) {
    Result<ColumnType> type = ParseColumnType(t);
    ASSERT_TRUE(type.ok()) << t;
    EXPECT_EQ(type->ToString(), t);
  }
}

}  // namespace
}  // namespace runlake
