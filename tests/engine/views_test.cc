// Lake views over explicit file lists: columns, empty lists, partition pruning, JSON docs.

#include "engine/views.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engine_test_util.h"

namespace runlake {
namespace {

namespace fs = std::filesystem;
using ::runlake::testing::MakePuller;
using ::runlake::testing::OpenEngine;
using ::runlake::testing::ScratchDir;
using ::runlake::testing::SyntheticInput;

std::string One(Engine& engine, const std::string& sql) {
  auto r = engine.Query(sql);
  EXPECT_TRUE(r.ok()) << r.status().ToString() << "\n" << sql;
  if (!r.ok() || r->rows.empty() || !r->rows[0][0]) return "<null>";
  return *r->rows[0][0];
}

std::string Columns(Engine& engine, const std::string& view) {
  auto r = engine.Query("DESCRIBE " + view);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  std::string out;
  for (const auto& row : r->rows) out += *row[0] + " " + *row[1] + "\n";
  return out;
}

const char* kSilverColumns =
    "transaction_id VARCHAR\naccount_id VARCHAR\namount DECIMAL(16,2)\ncurrency VARCHAR\n"
    "tx_date TIMESTAMP\ntransaction_type VARCHAR\ningest_date DATE\nsource_key VARCHAR\n"
    "source_line BIGINT\nrow_hash VARCHAR\ningestion_timestamp TIMESTAMP\nyear INTEGER\n"
    "month INTEGER\nschema_v VARCHAR\nrun_id VARCHAR\n";
const char* kRejectColumns =
    "raw_record VARCHAR\nraw_bytes BLOB\nsource_line BIGINT\nvalidation_error VARCHAR\n"
    "validation_errors VARCHAR[]\nsource_key VARCHAR\ningest_date DATE\nrow_hash VARCHAR\n"
    "attempt_count INTEGER\ningestion_timestamp TIMESTAMP\nrun_id VARCHAR\n"
    "dataset VARCHAR\n";  // from source_key: every dataset's rejects share the view

// Two runs over the same two months, moved into the lake layout the way the pipeline does.
class EngineLakeViewsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = OpenEngine();
    fs::path lake = dir_.path() / "lake";
    for (std::string run : {"r1", "r2"}) {
      RunWriteSpec spec;
      spec.staging_dir = (dir_.path() / ("staging-" + run)).string();
      spec.run_id = run;
      spec.schema_v = "v1";
      spec.ingest_date = "2024-02-29";
      spec.source_key = "bronze/x.csv";
      spec.fields = testing::TransactionsFields(false);
      spec.silver_columns = testing::TransactionsSilverColumns(false);
      auto files = WriteRun(*engine_, spec,
                            MakePuller({.rows = 400, .batch_size = 64, .reject_every = 8,
                                        .months = 2}));
      ASSERT_TRUE(files.ok()) << files.status().ToString();
      for (const WrittenFile& f : *files) {
        fs::path target =
            f.layer == "silver"
                ? lake / "silver/mortgages/transactions" / f.partition / "schema_v=v1" /
                      ("run_id=" + run) / "part-00000.parquet"
                : lake / f.layer / "mortgages/transactions/ingest_date=2024-02-29" /
                      ("run_id=" + run) / "part-00000.parquet";
        fs::create_directories(target.parent_path());
        fs::rename(f.local_path, target);
        (f.layer == "silver" ? silver_ : f.layer == "quarantine" ? quarantine_ : condemned_)
            .push_back(target.string());
      }
    }
  }

  ScratchDir dir_;
  std::unique_ptr<Engine> engine_;
  std::vector<std::string> silver_, quarantine_, condemned_;
};

TEST_F(EngineLakeViewsTest, SilverViewExposesPathColumns) {
  ASSERT_EQ(silver_.size(), 4u);
  ASSERT_TRUE(CreateSilverView(*engine_, "silver_transactions", silver_).ok());
  EXPECT_EQ(Columns(*engine_, "silver_transactions"), kSilverColumns);
  auto r = engine_->Query(
      "SELECT run_id, year, month, schema_v, count(*) FROM silver_transactions "
      "GROUP BY ALL ORDER BY ALL");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->rows.size(), 4u);
  EXPECT_EQ(r->rows[0], (std::vector<std::optional<std::string>>{"r1", "2024", "1", "v1", "200"}));
  EXPECT_EQ(r->rows[3][0], "r2");
  EXPECT_EQ(r->rows[3][2], "2");
}

TEST_F(EngineLakeViewsTest, FiltersOnPathColumnsPruneFiles) {
  ASSERT_TRUE(CreateSilverView(*engine_, "silver_transactions", silver_).ok());
  auto plan = engine_->Query(
      "EXPLAIN ANALYZE SELECT sum(amount) FROM silver_transactions "
      "WHERE year = 2024 AND month = 1 AND run_id = 'r1'");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  std::string text;
  for (const auto& row : plan->rows) text += row[1].value_or("") + "\n";
  EXPECT_NE(text.find("Scanning Files: 1/4"), std::string::npos) << text;

  // Stronger: corrupt every file but the one the filter selects (and the first, whose schema
  // DuckDB reads when binding). The filtered query must not notice.
  for (size_t i = 1; i < silver_.size(); i++) {
    if (silver_[i].find("month=01/schema_v=v1/run_id=r1") != std::string::npos) continue;
    std::ofstream(silver_[i], std::ios::trunc) << "not parquet";
  }
  EXPECT_EQ(One(*engine_, "SELECT count(*) FROM silver_transactions "
                          "WHERE year = 2024 AND month = 1 AND run_id = 'r1'"),
            "200");
  EXPECT_FALSE(engine_->Query("SELECT count(*) FROM silver_transactions").ok());
}

TEST_F(EngineLakeViewsTest, RejectViewsReadPathAndFileColumns) {
  ASSERT_EQ(quarantine_.size(), 2u);
  ASSERT_TRUE(CreateRejectView(*engine_, "quarantine", quarantine_).ok());
  ASSERT_TRUE(CreateRejectView(*engine_, "condemned", condemned_).ok());
  EXPECT_EQ(Columns(*engine_, "quarantine"), kRejectColumns);
  EXPECT_EQ(One(*engine_, "SELECT count(*) FROM quarantine WHERE run_id = 'r2' AND "
                          "ingest_date = DATE '2024-02-29'"),
            "25");
  EXPECT_EQ(One(*engine_, "SELECT count(*) FROM condemned"), "50");
  EXPECT_EQ(One(*engine_, "SELECT validation_errors[1] FROM condemned LIMIT 1"), "MAX_ATTEMPTS");
}

TEST(EngineViewsTest, EmptyFileListsGiveEmptyViewsWithTheRightColumns) {
  auto engine = OpenEngine();
  ASSERT_TRUE(CreateSilverView(*engine, "silver_transactions", {}).ok());
  ASSERT_TRUE(CreateRejectView(*engine, "quarantine", {}).ok());
  EXPECT_EQ(Columns(*engine, "silver_transactions"), kSilverColumns);
  EXPECT_EQ(Columns(*engine, "quarantine"), kRejectColumns);
  EXPECT_EQ(One(*engine, "SELECT count(*) FROM silver_transactions WHERE year = 2024"), "0");
  EXPECT_EQ(One(*engine, "SELECT count(*) FROM quarantine"), "0");
}

TEST(EngineViewsTest, JsonViewExposesFieldsAndTheDocument) {
  auto engine = OpenEngine();
  std::vector<JsonField> fields = {{"run_id", "VARCHAR", ""},
                                   {"valid_rows", "BIGINT", "$.metrics.valid_rows"},
                                   {"completed_at", "TIMESTAMP", ""},
                                   {"metrics", "JSON", ""}};
  std::vector<std::string> docs = {
      R"({"run_id": "r1", "metrics": {"valid_rows": 10}, "completed_at": "2024-01-01T00:00:00Z"})",
      R"({"run_id": "it's", "metrics": {}})"};
  ASSERT_TRUE(CreateJsonView(*engine, "runs", docs, fields).ok());
  auto r = engine->Query("SELECT run_id, valid_rows, completed_at, metrics, json->>'run_id' "
                         "FROM runs");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->rows.size(), 2u);
  EXPECT_EQ(r->rows[0], (std::vector<std::optional<std::string>>{
                            "r1", "10", "2024-01-01 00:00:00", "{\"valid_rows\":10}", "r1"}));
  EXPECT_EQ(r->rows[1][0], "it's");
  EXPECT_EQ(r->rows[1][1], std::nullopt);
  EXPECT_EQ(r->column_types[1], "BIGINT");

  ASSERT_TRUE(CreateJsonView(*engine, "runs", {}, fields).ok());  // replaces, empty
  EXPECT_EQ(One(*engine, "SELECT count(*) FROM runs"), "0");
  EXPECT_EQ(Columns(*engine, "runs"),
            "run_id VARCHAR\nvalid_rows BIGINT\ncompleted_at TIMESTAMP\nmetrics JSON\n"
            "json JSON\n");

  Status bad = CreateJsonView(*engine, "runs", {R"({"a":1})", "[1,2]"}, fields);
  EXPECT_EQ(bad.code(), StatusCode::kCorruption) << bad.ToString();
  EXPECT_NE(bad.message().find("document 1"), std::string::npos);
  EXPECT_EQ(CreateJsonView(*engine, "runs", {"{not json"}, fields).code(),
            StatusCode::kCorruption);
}

}  // namespace
}  // namespace runlake
