// Contract errors about names and what refers to what: partition_by, key, check_order,
// extends, name forms, reason codes, version names, bounds and type-dependent keys. Each
// message names the file, the line and column, and the key path.

#include <gtest/gtest.h>

#include "contract/contract_test_util.h"

namespace runlake {
namespace {

using testing::ErrorOf;
using testing::MustParse;
using testing::Where;

TEST(ContractErrors, PartitionByNeedsARequiredDateOrTimestampOfEveryVersion) {
  const char* string_column = R"y(dataset: treasury/fx_rates
partition_by: base
schemas: {v1: {columns: [{name: base, type: string, required: true}]}}
)y";
  EXPECT_EQ(ErrorOf(string_column),
            Where(string_column, 2, "base") +
                ": partition_by: 'base' is a string column in v1; partition_by needs a date or "
                "timestamp column, or ingest_date");
  const char* missing_in_v2 = R"y(dataset: treasury/fx_rates
partition_by: d
schemas:
  v1: {columns: [{name: d, type: date, required: true}]}
  v2: {columns: [{name: e, type: date, required: true}]}
)y";
  EXPECT_EQ(ErrorOf(missing_in_v2),
            Where(missing_in_v2, 2, "d") + ": partition_by: 'd' is not a column of v2");
  const char* optional = R"y(dataset: treasury/fx_rates
partition_by: d
schemas: {v1: {columns: [{name: d, type: timestamp}]}}
)y";
  EXPECT_EQ(ErrorOf(optional), Where(optional, 2, "d") +
                                   ": partition_by: 'd' is not required in v1; a partition "
                                   "column must be required");
  EXPECT_EQ(MustParse("dataset: a/b\npartition_by: ingest_date\n"
                      "schemas: {v1: {columns: [{name: d, type: string}]}}\n")
                .partition_by,
            "ingest_date");
}

TEST(ContractErrors, KeyColumnsMustExistInEveryVersionOnce) {
  const char* y = R"y(dataset: treasury/fx_rates
key: [a, b]
schemas:
  v1: {columns: [{name: a, type: string}, {name: b, type: string}]}
  v2: {columns: [{name: a, type: string}]}
)y";
  EXPECT_EQ(ErrorOf(y), Where(y, 2, "b") + ": key[1]: 'b' is not a column of v2");
  const char* twice = R"y(dataset: treasury/fx_rates
key: [a, a]
schemas: {v1: {columns: [{name: a, type: string}]}}
)y";
  EXPECT_EQ(ErrorOf(twice), "c.yaml:2:10: key[1]: 'a' is listed twice");
}

TEST(ContractErrors, CheckOrderNamesEachColumnOfTheVersionAtMostOnce) {
  const char* unknown = R"y(dataset: treasury/fx_rates
schemas:
  v1:
    columns: [{name: a, type: string}, {name: b, type: string}]
    check_order: [b, c]
)y";
  EXPECT_EQ(ErrorOf(unknown),
            Where(unknown, 5, "c]") + ": schemas.v1.check_order[1]: 'c' is not a column of v1");
  const char* twice = R"y(dataset: treasury/fx_rates
schemas:
  v1:
    columns: [{name: a, type: string}, {name: b, type: string}]
    check_order: [b, a, b]
)y";
  EXPECT_EQ(ErrorOf(twice), "c.yaml:5:25: schemas.v1.check_order[2]: 'b' is listed twice");
}

TEST(ContractErrors, ExtendsCycleOrUnknownParent) {
  const char* cycle = R"y(dataset: treasury/fx_rates
schemas:
  v1: {extends: v2, columns: [{name: a, type: string}]}
  v2: {extends: v1, columns: [{name: b, type: string}]}
)y";
  // Resolving v1 (the lowest version first) walks v1 -> v2 and finds v2's parent already seen.
  EXPECT_EQ(ErrorOf(cycle),
            Where(cycle, 4, "v1,") + ": schemas.v2.extends: extends cycle: v1 -> v2 -> v1");
  const char* self = R"y(dataset: treasury/fx_rates
schemas:
  v1: {extends: v1, columns: [{name: a, type: string}]}
)y";
  EXPECT_EQ(ErrorOf(self), Where(self, 3, "v1,") + ": schemas.v1.extends: extends cycle: v1 -> v1");
  const char* unknown = R"y(dataset: treasury/fx_rates
schemas:
  v1: {columns: [{name: a, type: string}]}
  v2: {extends: v9}
)y";
  EXPECT_EQ(ErrorOf(unknown), Where(unknown, 4, "v9") +
                                  ": schemas.v2.extends: unknown schema version 'v9' (versions: "
                                  "v1, v2)");
}

TEST(ContractErrors, NamesFollowTheirForms) {
  const char* dataset = R"y(dataset: Treasury/fx-rates
schemas: {v1: {columns: [{name: a, type: string}]}}
)y";
  EXPECT_EQ(ErrorOf(dataset), Where(dataset, 1, "Treasury") +
                                  ": dataset: 'Treasury/fx-rates' is not <domain>/<dataset>, "
                                  "each [a-z][a-z0-9_]{0,62}");
  const char* column = R"y(dataset: treasury/fx_rates
schemas: {v1: {columns: [{name: RateDate, type: date}]}}
)y";
  EXPECT_EQ(ErrorOf(column), Where(column, 2, "RateDate") +
                                 ": schemas.v1.columns[0].name: 'RateDate' is not a column name "
                                 "([a-z_][a-z0-9_]{0,62})");
  const char* lineage = R"y(dataset: treasury/fx_rates
schemas: {v1: {columns: [{name: row_hash, type: string}]}}
)y";
  EXPECT_EQ(ErrorOf(lineage), Where(lineage, 2, "row_hash") +
                                  ": schemas.v1.columns[0].name: 'row_hash' is a lineage column "
                                  "every silver row has");
  const char* version = R"y(dataset: treasury/fx_rates
schemas:
  v1: {columns: [{name: a, type: string}]}
  version2: {extends: v1}
)y";
  EXPECT_EQ(ErrorOf(version), Where(version, 4, "version2") +
                                  ": schemas.version2: 'version2' is not a schema version name "
                                  "(v1, v2, …)");
  EXPECT_NE(ErrorOf("dataset: a/b\nschemas: {v01: {columns: [{name: a, type: string}]}}\n")
                .find("'v01' is not a schema version name"),
            std::string::npos);
}

TEST(ContractErrors, ReasonCodesFollowTheirForm) {
  const char* lower = R"y(dataset: treasury/fx_rates
schemas: {v1: {columns: [{name: a, type: string, reason: rate_error}]}}
)y";
  EXPECT_EQ(ErrorOf(lower), Where(lower, 2, "rate_error") +
                                ": schemas.v1.columns[0].reason: 'rate_error' is not a reason "
                                "code ([A-Z][A-Z0-9_]{0,62})");
  const char* key_reason = R"y(dataset: treasury/fx_rates
key_reason: NULL_VALUE_ERROR
schemas: {v1: {columns: [{name: a, type: string}]}}
)y";
  EXPECT_EQ(ErrorOf(key_reason), Where(key_reason, 2, "NULL_VALUE_ERROR") +
                                     ": key_reason: 'NULL_VALUE_ERROR' is a reason runlake "
                                     "itself assigns");
  std::string long_code(64, 'A');
  EXPECT_NE(ErrorOf("dataset: a/b\nkey_reason: " + long_code +
                    "\nschemas: {v1: {columns: [{name: a, type: string}]}}\n")
                .find("is not a reason code"),
            std::string::npos);
}

TEST(ContractErrors, BoundsParseAsTheColumnsTypeAndAreOrdered) {
  const char* scale = R"y(dataset: treasury/fx_rates
schemas: {v1: {columns: [{name: r, type: "decimal(18,8)", min: "0.000000001"}]}}
)y";
  EXPECT_EQ(ErrorOf(scale), Where(scale, 2, "\"0.0") +
                                ": schemas.v1.columns[0].min: '0.000000001' is not a "
                                "decimal(18,8) value");
  const char* order = R"y(dataset: treasury/fx_rates
schemas: {v1: {columns: [{name: d, type: date, max: "2020-01-01", min: "2021-01-01"}]}}
)y";
  EXPECT_EQ(ErrorOf(order),
            Where(order, 2, "\"2020") + ": schemas.v1.columns[0].max: max is below min 2021-01-01");
  const char* on_string = R"y(dataset: treasury/fx_rates
schemas: {v1: {columns: [{name: s, type: string, min: "a"}]}}
)y";
  EXPECT_EQ(ErrorOf(on_string), Where(on_string, 2, "min") +
                                    ": schemas.v1.columns[0].min: only int64, decimal, date and "
                                    "timestamp columns have this key (this column is string)");
  const char* lengths = R"y(dataset: treasury/fx_rates
schemas: {v1: {columns: [{name: s, type: string, min_length: 5, max_length: 3}]}}
)y";
  EXPECT_EQ(ErrorOf(lengths), Where(lengths, 2, "3}") +
                                  ": schemas.v1.columns[0].max_length: max_length is below "
                                  "min_length 5");
}

TEST(ContractErrors, TypeDependentKeysOnlyOnTheirTypes) {
  const char* window = R"y(dataset: treasury/fx_rates
schemas: {v1: {columns: [{name: s, type: int64, window: {not_before: "2000-01-01"}}]}}
)y";
  EXPECT_EQ(ErrorOf(window), Where(window, 2, "window") +
                                 ": schemas.v1.columns[0].window: only date and timestamp "
                                 "columns have this key (this column is int64)");
  const char* bad_date = R"y(dataset: treasury/fx_rates
schemas: {v1: {columns: [{name: d, type: date, window: {not_before: "2000-02-30"}}]}}
)y";
  EXPECT_EQ(ErrorOf(bad_date), Where(bad_date, 2, "\"2000") +
                                   ": schemas.v1.columns[0].window.not_before: '2000-02-30' is "
                                   "not a date YYYY-MM-DD");
  const char* directive = R"y(dataset: treasury/fx_rates
schemas: {v1: {columns: [{name: t, type: timestamp, formats: ["%Y-%m-%d", "%d %b %Y"]}]}}
)y";
  EXPECT_EQ(ErrorOf(directive), Where(directive, 2, "\"%d %b") +
                                    ": schemas.v1.columns[0].formats[1]: unsupported directive "
                                    "%b in format '%d %b %Y' (supported: %Y %m %d %H %M %S %f %z "
                                    "%%)");
  const char* date_time = R"y(dataset: treasury/fx_rates
schemas: {v1: {columns: [{name: d, type: date, formats: ["%Y-%m-%dT%H"]}]}}
)y";
  EXPECT_NE(ErrorOf(date_time).find("unsupported directive %H in format '%Y-%m-%dT%H' "
                                    "(supported for a date: %Y %m %d %%)"),
            std::string::npos);
  const char* both = R"y(dataset: treasury/fx_rates
schemas: {v1: {columns: [{name: b, type: boolean, true_values: [Y, "0"]}]}}
)y";
  // The default false values are false and 0; "0" cannot be both.
  EXPECT_EQ(ErrorOf(both), Where(both, 2, "[Y") +
                               ": schemas.v1.columns[0].true_values: '0' is both a true and a "
                               "false value");
  const char* not_boolean = R"y(dataset: treasury/fx_rates
schemas: {v1: {columns: [{name: b, type: string, false_values: [N]}]}}
)y";
  EXPECT_NE(ErrorOf(not_boolean).find("only boolean columns have this key"), std::string::npos);
}

}  // namespace
}  // namespace runlake
