// Engine: opening, executing, querying and error mapping.

#include "engine/engine.h"

#include <gtest/gtest.h>

#include "engine_test_util.h"

namespace runlake {
namespace {

using ::runlake::testing::OpenEngine;
using ::runlake::testing::ScratchDir;

TEST(EngineQueryTest, QueryRendersValuesAsDuckDBPrintsThem) {
  auto engine = OpenEngine();
  auto r = engine->Query(
      "SELECT 12.5::DECIMAL(16,2) AS amount, NULL::VARCHAR AS missing, 42 AS n, "
      "TIMESTAMP '2024-01-05 10:00:00' AS ts, DATE '2024-02-29' AS d, true AS b");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->column_names,
            (std::vector<std::string>{"amount", "missing", "n", "ts", "d", "b"}));
  EXPECT_EQ(r->column_types, (std::vector<std::string>{"DECIMAL(16,2)", "VARCHAR", "INTEGER",
                                                        "TIMESTAMP", "DATE", "BOOLEAN"}));
  ASSERT_EQ(r->rows.size(), 1u);
  const auto& row = r->rows[0];
  EXPECT_EQ(row[0], "12.50");
  EXPECT_EQ(row[1], std::nullopt);
  EXPECT_EQ(row[2], "42");
  EXPECT_EQ(row[3], "2024-01-05 10:00:00");
  EXPECT_EQ(row[4], "2024-02-29");
  EXPECT_EQ(row[5], "true");
}

TEST(EngineQueryTest, NestedValuesAreRenderedByDuckDB) {
  auto engine = OpenEngine();
  auto r = engine->Query(
      "SELECT string_split('A,B', ',') AS l, {'k': 1} AS s, NULL::INTEGER[] AS nl, 1 AS a "
      "FROM range(3) ORDER BY range DESC -- trailing comment");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->column_types,
            (std::vector<std::string>{"VARCHAR[]", "STRUCT(\"k\" INTEGER)", "INTEGER[]",
                                      "INTEGER"}));
  ASSERT_EQ(r->rows.size(), 3u);
  EXPECT_EQ(r->rows[0][0], "[A, B]");
  EXPECT_EQ(r->rows[0][1], "{'k': 1}");
  EXPECT_EQ(r->rows[0][2], std::nullopt);
  EXPECT_EQ(r->rows[0][3], "1");
}

TEST(EngineQueryTest, MultipleStatementsReturnTheLastResult) {
  auto engine = OpenEngine();
  auto r = engine->Query(
      "CREATE TABLE t(a INTEGER, b VARCHAR); INSERT INTO t VALUES (2, 'x'), (1, NULL);"
      "SELECT * FROM t ORDER BY a;");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->rows.size(), 2u);
  EXPECT_EQ(r->rows[0][0], "1");
  EXPECT_EQ(r->rows[0][1], std::nullopt);
  EXPECT_EQ(r->rows[1][1], "x");
  auto nested = engine->Query("SELECT 1; SELECT [1, 2] AS l");
  EXPECT_TRUE(nested.status().IsInvalidArgument());
  auto empty = engine->Query("  -- nothing\n");
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_TRUE(empty->column_names.empty());
}

TEST(EngineQueryTest, BadSqlIsInvalidArgumentWithDuckDBsMessage) {
  auto engine = OpenEngine();
  auto r = engine->Query("SELEC 1");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
  EXPECT_NE(r.status().message().find("syntax error"), std::string::npos)
      << r.status().message();
  Status st = engine->Execute("SELECT * FROM no_such_table");
  EXPECT_TRUE(st.IsInvalidArgument());
  EXPECT_NE(st.message().find("no_such_table"), std::string::npos) << st.message();
  auto conv = engine->Query("SELECT 'abc'::INTEGER");
  EXPECT_TRUE(conv.status().IsInvalidArgument());
  EXPECT_NE(conv.status().message().find("Conversion Error"), std::string::npos);
}

TEST(EngineQueryTest, MissingFileIsIOError) {
  auto engine = OpenEngine();
  auto r = engine->Query("SELECT * FROM read_parquet('/nonexistent/runlake/x.parquet')");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsIOError()) << r.status().ToString();
}

TEST(EngineQueryTest, QuoteMakesSafeLiteralsAndIdentifiers) {
  auto engine = OpenEngine();
  std::string tricky = "it's a \"test\"; DROP TABLE x; --";
  auto r = engine->Query("SELECT " + Engine::Quote(tricky) + " AS " +
                         Engine::QuoteIdentifier("we\"ird col"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->column_names[0], "we\"ird col");
  EXPECT_EQ(r->rows[0][0], tricky);
  EXPECT_EQ(Engine::Quote("a'b"), "'a''b'");
}

TEST(EngineQueryTest, OptionsAreApplied) {
  ScratchDir dir;
  auto engine = OpenEngine(dir / "spill");
  auto r = engine->Query(
      "SELECT current_setting('temp_directory'), current_setting('threads'), "
      "current_setting('autoinstall_known_extensions')");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows[0][0], dir / "spill");
  EXPECT_EQ(r->rows[0][1], "2");
  EXPECT_EQ(r->rows[0][2], "false");

  EngineOptions bad;
  bad.memory_limit = "lots";
  auto failed = Engine::Open(bad);
  EXPECT_TRUE(failed.status().IsInvalidArgument()) << failed.status().ToString();
}

TEST(EngineQueryTest, DefaultEngineDoesNotSpillIntoTheWorkingDirectory) {
  auto engine = Engine::Open();
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  auto r = (*engine)->Query("SELECT current_setting('temp_directory')");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rows[0][0], "");  // spilling disabled rather than ./.tmp
}

}  // namespace
}  // namespace runlake
