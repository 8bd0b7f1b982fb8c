// External engines (DESIGN.md "External engines"): canonical_sources is written for every
// pointer version, a reader that knows nothing of runlake computes silver_current from the
// files alone, the exported DDL parses in each dialect's grammar, and a crash between a
// version and its table leaves the external view consistent, one version behind.

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "integration/cli_runner.h"
#include "integration/parquet_reader.h"

namespace runlake::it {
namespace {

namespace fs = std::filesystem;

std::string Csv(int n, int seed) {
  std::string csv = "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n";
  for (int i = 0; i < n; ++i) {
    csv += "T" + std::to_string(seed) + "-" + std::to_string(i) + ",ACC" + std::to_string(i % 7) +
           "," + std::to_string(10 + i) + ".25,EUR,2024-01-" + std::to_string(10 + seed) +
           "T10:00:00Z\n";
  }
  return csv;
}

// The canonical join computed by a fresh DuckDB over the raw files, exactly as the
// exported Spark/Trino view does: silver joined on (ingest_date, run_id) to the newest
// canonical_sources version. "count|sorted ids".
std::string CanonicalFromFiles(const TestLake& lake, int64_t* version = nullptr) {
  ParquetReader r;
  const std::string canonical =
      Engine::Quote(lake.Lake("catalog/mortgages/transactions/canonical/*/*.parquet"));
  const std::string silver = Engine::Quote(lake.Lake("silver/mortgages/transactions/*/*/*/*/*.parquet"));
  if (version) {
    *version = std::stoll(r.Scalar("SELECT max(version) FROM read_parquet(" + canonical +
                                   ", hive_partitioning = true)"));
  }
  return r.Scalar(
      "WITH c AS (SELECT * FROM read_parquet(" + canonical + ", hive_partitioning = true)), "
      "s AS (SELECT * FROM read_parquet(" + silver + ", hive_partitioning = true)) "
      "SELECT count(*) || '|' || coalesce(string_agg(s.transaction_id || '@' || s.run_id, ',' "
      "ORDER BY s.transaction_id || '@' || s.run_id), '') FROM s JOIN c "
      "ON s.ingest_date = c.ingest_date AND s.run_id = c.run_id "
      "WHERE c.version = (SELECT max(version) FROM c)");
}

std::string CanonicalFromRunlake(const TestLake& lake) {
  // CSV quotes the value (it holds commas).
  std::string v = lake.Scalar(
      "SELECT count(*) || '|' || coalesce(string_agg(transaction_id || '@' || run_id, ',' "
      "ORDER BY transaction_id || '@' || run_id), '') FROM silver_current");
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  return v;
}

int64_t PointerHead(const TestLake& lake) {
  return lake.RlJson({"pointer"}).at("version").get<int64_t>();
}

class ExternalEngines : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int d : {15, 16}) {
      keys_.push_back(lake_.IngestText("d" + std::to_string(d) + ".csv", Csv(20, d - 10),
                                       "2024-01-" + std::to_string(d)));
      ASSERT_EQ(lake_.RunKey("daily-" + std::to_string(d), keys_.back()).exit_code, 0);
    }
  }
  TestLake lake_;
  std::vector<std::string> keys_;
};

TEST_F(ExternalEngines, EveryPointerVersionHasItsCanonicalTableAndTheJoinMatchesSilverCurrent) {
  // A backfill of one date, promoted, then rolled back: versions 3 and 4.
  ASSERT_EQ(lake_.RunKey("backfill-2024-01-15-20260101T000000Z", keys_[0]).exit_code, 0);
  ASSERT_EQ(lake_.Rl({"promote", "backfill-2024-01-15-20260101T000000Z", "--reason", "t"}).exit_code, 0);
  EXPECT_EQ(CanonicalFromFiles(lake_), CanonicalFromRunlake(lake_));
  ASSERT_EQ(lake_.Rl({"rollback"}).exit_code, 0);
  EXPECT_EQ(CanonicalFromFiles(lake_), CanonicalFromRunlake(lake_));

  // One table per version, each equal to its pointer version's mapping.
  const int64_t head = PointerHead(lake_);
  ASSERT_EQ(head, 4);
  ParquetReader r;
  for (int64_t v = 1; v <= head; ++v) {
    char dir[32];
    std::snprintf(dir, sizeof dir, "version=%010lld", static_cast<long long>(v));
    std::string file = lake_.Lake(std::string("catalog/mortgages/transactions/canonical/") + dir +
                                  "/part-00000.parquet");
    ASSERT_TRUE(fs::exists(file)) << file;
    json pv = json::parse(ReadFile(lake_.Lake(
        "silver/mortgages/transactions/_pointer_log/" + std::string(dir).substr(8) + ".json")));
    std::string want;
    for (auto& [source, run] : pv.at("sources").items()) {
      want += (want.empty() ? "" : ",") + source + "=" + run.get<std::string>();
    }
    EXPECT_EQ(r.Scalar("SELECT string_agg(CAST(ingest_date AS VARCHAR) || '=' || run_id, ',' "
                       "ORDER BY ingest_date) FROM read_parquet(" + Engine::Quote(file) + ")"),
              want) << "version " << v;
    EXPECT_EQ(r.Scalar("SELECT string_agg(DISTINCT action, ',') FROM read_parquet(" +
                       Engine::Quote(file) + ")"),
              pv.at("action").get<std::string>());
  }
  // The contract's column types.
  std::string types = r.Scalar(
      "SELECT string_agg(column_name || ' ' || column_type, ', ') FROM (DESCRIBE SELECT * FROM "
      "read_parquet(" + Engine::Quote(lake_.Lake("catalog/mortgages/transactions/canonical/*/*.parquet")) +
      ", hive_partitioning = false))");
  EXPECT_EQ(types, "ingest_date DATE, run_id VARCHAR, updated_at TIMESTAMP, action VARCHAR");
}

TEST_F(ExternalEngines, ACrashBetweenAVersionAndItsTableLeavesTheViewOneVersionBehind) {
  ASSERT_EQ(lake_.RunKey("backfill-2024-01-15-20260101T000000Z", keys_[0]).exit_code, 0);
  std::string before = CanonicalFromFiles(lake_);
  CmdResult crashed = lake_.Rl({"promote", "backfill-2024-01-15-20260101T000000Z"},
                               {"RUNLAKE_TEST_CRASH_BEFORE_CANONICAL_TABLE=1"});
  ASSERT_NE(crashed.exit_code, 0) << crashed.Describe();
  ASSERT_EQ(PointerHead(lake_), 3) << "the version itself is committed";
  int64_t seen = 0;
  EXPECT_EQ(CanonicalFromFiles(lake_, &seen), before) << "external readers stay on version 2";
  EXPECT_EQ(seen, 2);
  EXPECT_NE(CanonicalFromRunlake(lake_), before) << "runlake reads the log itself";

  // `check` finds the missing table; `check --repair` writes it.
  CmdResult check = lake_.Rl({"--json", "check"});
  EXPECT_EQ(check.exit_code, 1) << check.Describe();
  EXPECT_NE(check.out.find("canonical_table_missing"), std::string::npos) << check.out;
  CmdResult repaired = lake_.Rl({"--json", "check", "--repair"});
  EXPECT_EQ(repaired.exit_code, 0) << repaired.Describe();
  EXPECT_EQ(CanonicalFromFiles(lake_, &seen), CanonicalFromRunlake(lake_));
  EXPECT_EQ(seen, 3);
  EXPECT_EQ(lake_.Rl({"check"}).exit_code, 0);

  // Again, and this time the next pointer change writes the missing table, then its own.
  fs::remove_all(lake_.Lake("catalog/mortgages/transactions/canonical/version=0000000003"));
  ASSERT_EQ(lake_.Rl({"rollback"}).exit_code, 0);
  EXPECT_EQ(CanonicalFromFiles(lake_, &seen), CanonicalFromRunlake(lake_));
  EXPECT_EQ(seen, 4);
  EXPECT_TRUE(fs::exists(lake_.Lake(
      "catalog/mortgages/transactions/canonical/version=0000000003/part-00000.parquet")));
}

TEST_F(ExternalEngines, ExportWritesTablesForVersionsThatLackThem) {
  fs::remove_all(lake_.Lake("catalog"));
  CmdResult r = lake_.Rl({"catalog", "export", "--engine", "spark"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.err.find("2 pointer version(s)"), std::string::npos) << r.err;
  EXPECT_EQ(CanonicalFromFiles(lake_), CanonicalFromRunlake(lake_));
}

// dt-sql-parser's grammar for each dialect accepts every exported statement.
void ExpectParses(const TestLake& lake, const std::string& engine, const std::string& dialect,
                  std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"catalog", "export", "--engine", engine};
  args.insert(args.end(), extra.begin(), extra.end());
  CmdResult r = lake.Rl(args);
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  std::string file = lake.Work(engine + ".sql");
  WriteFile(file, r.out);
  const std::string dir = std::string(RUNLAKE_SOURCE_DIR) + "/tests/interop";
  const char* home = std::getenv("HOME");
  ASSERT_TRUE(fs::exists(std::string(home ? home : "") +
                         "/.cache/runlake/npm-tools/node_modules/dt-sql-parser"))
      << "dt-sql-parser is missing: run scripts/npm-tools.sh (scripts/test.sh does)";
  std::string cmd = "cd '" + dir + "' && node --import ./register_dir_loader.mjs ddl_syntax.mjs " +
                    dialect + " '" + file + "' 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find(" 0 rejected"), std::string::npos) << out;
}

TEST_F(ExternalEngines, ExportedDdlParsesInEachDialect) {
  ExpectParses(lake_, "spark", "spark");
  ExpectParses(lake_, "trino", "trino", {"--location", "s3://bucket/lake"});
  ExpectParses(lake_, "athena", "athena", {"--location", "s3://bucket/lake", "--database", "lake_db"});
}

TEST_F(ExternalEngines, ExportSaysWhatEachEngineNeeds) {
  CmdResult athena = lake_.Rl({"catalog", "export", "--engine", "athena", "--location", "s3://b/p/"});
  ASSERT_EQ(athena.exit_code, 0) << athena.Describe();
  for (const char* want : {"'projection.month.digits'='2'", "LOCATION 's3://b/p/silver/mortgages/transactions/'",
                           "\"runlake\".\"silver_current\"", "'/run_id=([^/]+)/'",
                           "decimal(16,2)", "decimal(38,2)", "canonical_sources"}) {
    EXPECT_NE(athena.out.find(want), std::string::npos) << want << "\n" << athena.out;
  }
  CmdResult trino = lake_.Rl({"catalog", "export", "--engine", "trino", "--location", "s3://b/p"});
  EXPECT_NE(trino.out.find("partitioned_by = ARRAY['year', 'month', 'schema_v', 'run_id']"), std::string::npos);
  EXPECT_NE(trino.out.find("system.sync_partition_metadata('runlake', 'canonical_sources', 'FULL')"),
            std::string::npos);
  CmdResult spark = lake_.Rl({"catalog", "export", "--engine", "spark"});
  EXPECT_NE(spark.out.find("MSCK REPAIR TABLE `runlake`.`silver_transactions`"), std::string::npos);
  EXPECT_NE(spark.out.find("LOCATION 'file://" + lake_.lake() + "/silver/mortgages/transactions/'"),
            std::string::npos) << spark.out;

  CmdResult glue = lake_.Rl({"catalog", "export", "--engine", "glue", "--location", "s3://b/p"});
  ASSERT_EQ(glue.exit_code, 0) << glue.Describe();
  json g = json::parse(glue.out);
  std::set<std::string> names;
  for (const auto& t : g.at("TableInputs")) names.insert(t.at("Name").get<std::string>());
  EXPECT_EQ(names, (std::set<std::string>{"silver_files", "quarantine", "condemned",
                                          "gold_account_balances_files", "canonical_files"}));
  EXPECT_EQ(g.at("AthenaViews").size(), 5u);

  // Bad input: exit 2, nothing on stdout.
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"catalog", "export", "--engine", "hive"},
           {"catalog", "export", "--engine", "athena"},  // a local lake is not S3
           {"catalog", "export", "--engine", "spark", "--database", "my-db"},
           {"catalog", "export", "--engine", "spark", "--location", "s3://b/it's"}}) {
    CmdResult bad = lake_.Rl(args);
    EXPECT_EQ(bad.exit_code, 2) << bad.Describe();
    EXPECT_TRUE(bad.out.empty()) << bad.out;
  }
}


// `node SCRIPT ARGS` from tests/interop; stdout (stderr appended on failure).
std::string Node(const std::string& script, const std::string& args) {
  const char* home = std::getenv("HOME");
  const std::string tools = std::string(home ? home : "") + "/.cache/runlake/npm-tools/node_modules";
  if (!fs::exists(tools + "/nodejs-polars") || !fs::exists(tools + "/hyparquet")) {
    ADD_FAILURE() << "nodejs-polars/hyparquet missing: run scripts/npm-tools.sh (scripts/test.sh does)";
    return "";
  }
  std::string cmd = "cd '" + std::string(RUNLAKE_SOURCE_DIR) + "/tests/interop' && node " + script +
                    " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return "";
  std::string out;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = pclose(p);
  EXPECT_EQ(status, 0) << cmd << "\n" << out.substr(0, 4000);
  return out;
}

// Polars (a Rust Parquet reader) reads every layer with Hive partitions and gets runlake's
// rows, types and values; the canonical join it computes from the files equals
// silver_current. hyparquet checks the footers: codec, DECIMAL(16,2), UTC timestamps.
TEST_F(ExternalEngines, PolarsAndHyparquetReadWhatRunlakeWrote) {
  // A date with rejects (it fails the gate: committed, unpublished, still in quarantine).
  std::string bad = lake_.IngestText(
      "bad.csv",
      "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n"
      "B1,ACC1,1.00,XXX,2024-01-17T00:00:00Z\nB2,ACC1,abc,EUR,2024-01-17T00:00:00Z\n"
      "B3,ACC2,2.50,EUR,2024-01-17T00:00:00Z\n",
      "2024-01-17");
  CmdResult gated = lake_.RunKey("daily-17", bad);
  ASSERT_TRUE(lake_.HasManifest("daily-17")) << gated.Describe();
  ASSERT_EQ(lake_.RunKey("backfill-2024-01-15-20260101T000000Z", keys_[0]).exit_code, 0);
  ASSERT_EQ(lake_.Rl({"promote", "backfill-2024-01-15-20260101T000000Z"}).exit_code, 0);
  ASSERT_EQ(lake_.Rl({"gold", "build"}).exit_code, 0);

  json got = json::parse(Node("polars_read.mjs", "'" + lake_.lake() + "'"));
  EXPECT_EQ(got["silver"]["rows"].get<int64_t>(),
            std::stoll(lake_.Scalar("SELECT count(*) FROM silver_transactions")));
  EXPECT_EQ(got["silver"]["amount_cents"].get<int64_t>(),
            ToCents(lake_.Scalar("SELECT sum(amount) FROM silver_transactions")));
  EXPECT_EQ(got["quarantine"]["rows"].get<int64_t>(),
            std::stoll(lake_.Scalar("SELECT count(*) FROM quarantine")));
  EXPECT_EQ(got["condemned"]["rows"].get<int64_t>(),
            std::stoll(lake_.Scalar("SELECT count(*) FROM condemned")));
  EXPECT_EQ(got["gold"]["rows"].get<int64_t>(),
            std::stoll(lake_.Scalar("SELECT count(*) FROM gold_account_balances")));
  EXPECT_EQ(got["canonical"]["version"].get<int64_t>(), PointerHead(lake_));
  EXPECT_EQ(std::to_string(got["silver_current"]["rows"].get<int64_t>()) + "|" +
                got["silver_current"]["ids"].get<std::string>(),
            CanonicalFromRunlake(lake_));
  const json& st = got["silver"]["types"];
  EXPECT_EQ(st["amount"].get<std::string>(), "DataType(Decimal(16,2))");
  EXPECT_EQ(st["tx_date"].get<std::string>(), "DataType(Datetime(us,))");
  EXPECT_EQ(st["ingest_date"].get<std::string>(), "DataType(Date)");
  EXPECT_EQ(st["run_id"].get<std::string>(), "DataType(String)");
  EXPECT_EQ(got["gold"]["types"]["balance"].get<std::string>(), "DataType(Decimal(38,2))");
  EXPECT_EQ(got["canonical"]["types"]["ingest_date"].get<std::string>(), "DataType(Date)");

  std::string silver_file;
  for (const auto& e : fs::recursive_directory_iterator(lake_.Lake("silver"))) {
    if (e.path().extension() == ".parquet") silver_file = e.path().string();
  }
  json footer = json::parse(Node("parquet_footer.mjs", "'" + silver_file + "'"));
  EXPECT_EQ(footer["codecs"], json::array({"ZSTD"}));
  EXPECT_EQ(footer["columns"]["amount"]["logical"],
            json({{"type", "DECIMAL"}, {"scale", 2}, {"precision", 16}}));
  EXPECT_EQ(footer["columns"]["tx_date"]["logical"]["isAdjustedToUTC"], false);
  EXPECT_EQ(footer["columns"]["ingest_date"]["converted"], "DATE");
}

}  // namespace
}  // namespace runlake::it
