// Table, CSV and JSON renderings, over results built by hand and by DuckDB.

#include "runlake/result_format.h"

#include <gtest/gtest.h>

#include "engine_test_util.h"

namespace runlake {
namespace {

QueryResult Sample() {
  QueryResult r;
  r.column_names = {"account_id", "balance", "note"};
  r.column_types = {"VARCHAR", "DECIMAL(16,2)", "VARCHAR"};
  r.rows = {{"A1", "12.50", "plain"},
            {"B22", "-1000.00", std::nullopt},
            {"C", std::nullopt, "has, comma and \"quotes\"\nand newline"},
            {"D", "0.07", ""}};
  return r;
}

TEST(EngineResultFormatTest, TableAlignsColumnsAndShowsNull) {
  EXPECT_EQ(FormatTable(Sample()),
            "account_id | balance  | note\n"
            "-----------+----------+-------------------------------------\n"
            "A1         |    12.50 | plain\n"
            "B22        | -1000.00 | NULL\n"
            "C          |     NULL | has, comma and \"quotes\"\\nand newline\n"
            "D          |     0.07 |\n"
            "(4 rows)\n");
  QueryResult one{{"x"}, {"INTEGER"}, {{"1"}}};
  EXPECT_EQ(FormatTable(one), "x\n-\n1\n(1 row)\n");
}

TEST(EngineResultFormatTest, CsvQuotesPerRfc4180AndLeavesNullEmpty) {
  EXPECT_EQ(FormatCsv(Sample()),
            "account_id,balance,note\n"
            "A1,12.50,plain\n"
            "B22,-1000.00,\n"
            "C,,\"has, comma and \"\"quotes\"\"\nand newline\"\n"
            "D,0.07,\"\"\n");
}

TEST(EngineResultFormatTest, JsonKeepsDecimalsExactAndQuotesStrings) {
  EXPECT_EQ(FormatJson(Sample()),
            "[\n"
            "  {\"account_id\": \"A1\", \"balance\": 12.50, \"note\": \"plain\"},\n"
            "  {\"account_id\": \"B22\", \"balance\": -1000.00, \"note\": null},\n"
            "  {\"account_id\": \"C\", \"balance\": null, "
            "\"note\": \"has, comma and \\\"quotes\\\"\\nand newline\"},\n"
            "  {\"account_id\": \"D\", \"balance\": 0.07, \"note\": \"\"}\n"
            "]\n");
  EXPECT_EQ(FormatJson(QueryResult{{"a"}, {"INTEGER"}, {}}), "[]\n");
}

TEST(EngineResultFormatTest, JsonFromDuckDBTypes) {
  auto engine = testing::OpenEngine();
  auto r = engine->Query(
      "SELECT 1::BIGINT AS i, 2.5::DOUBLE AS d, 'inf'::DOUBLE AS inf, true AS b, "
      "DATE '2024-01-01' AS day, 'tab\there' AS s, [1, 2] AS l");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(FormatJson(*r),
            "[\n  {\"i\": 1, \"d\": 2.5, \"inf\": \"inf\", \"b\": true, "
            "\"day\": \"2024-01-01\", \"s\": \"tab\\there\", \"l\": \"[1, 2]\"}\n]\n");
}

TEST(EngineResultFormatTest, ParseOutputFormat) {
  EXPECT_EQ(*ParseOutputFormat("csv"), OutputFormat::kCsv);
  EXPECT_EQ(*ParseOutputFormat("json"), OutputFormat::kJson);
  EXPECT_EQ(*ParseOutputFormat("table"), OutputFormat::kTable);
  EXPECT_TRUE(ParseOutputFormat("xml").status().IsInvalidArgument());
  EXPECT_EQ(FormatResult(Sample(), OutputFormat::kCsv), FormatCsv(Sample()));
}

}  // namespace
}  // namespace runlake
