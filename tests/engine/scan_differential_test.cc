// Differential test of runlake_scan's fast paths against DuckDB's own functions:
// partition keys computed in C++ (year/month from tx_date) against strftime, and strings
// handed to DuckDB by reference (inline up to 12 bytes, pointers beyond) against the
// values the puller produced, across batch and chunk boundaries.

#include <gtest/gtest.h>

#include <random>

#include "engine/run_writer.h"
#include "engine_test_util.h"
#include "synthetic_rows.h"

namespace runlake {
namespace {

using ::runlake::testing::OpenEngine;
using ::runlake::testing::ScratchDir;

RunWriteSpec Spec(const ScratchDir& dir) {
  RunWriteSpec spec;
  spec.staging_dir = dir / "staging";
  spec.run_id = "run-1";
  spec.schema_v = "v1";
  spec.ingest_date = "2024-03-31";
  spec.source_key = "bronze/x.csv.gz";
  spec.fields = testing::TransactionsFields(false);
  spec.silver_columns = testing::TransactionsSilverColumns(false);
  return spec;
}

std::string One(Engine& engine, const std::string& sql) {
  auto r = engine.Query(sql);
  EXPECT_TRUE(r.ok()) << r.status().ToString() << "\n" << sql;
  if (!r.ok() || r->rows.empty() || !r->rows[0][0]) return "<null>";
  return *r->rows[0][0];
}

// Row i: an ID of length i % 41 (0..40 bytes, so both string layouts and the 12/13-byte
// edge), and a timestamp drawn from a few hundred months between 1901 and 2099, including
// the first and last microsecond of months and days before 1970.
BatchPuller EdgePuller(int64_t rows, int64_t batch) {
  auto next = std::make_shared<int64_t>(0);
  return [=](ValidRows* v, RejectedRows* r) -> Result<bool> {
    v->Clear();
    r->Clear();
    if (*next >= rows) return false;
    std::mt19937_64 rng(static_cast<uint64_t>(*next));
    for (int64_t i = *next; i < std::min(rows, *next + batch); i++) {
      std::string id = std::to_string(i) + "_";
      id.resize(i % 41 < static_cast<int64_t>(id.size()) ? id.size() : i % 41, 'x');
      const std::string account(i % 13, 'a');
      int64_t month_start_days = -25000 + static_cast<int64_t>(rng() % 300) * 30;
      int64_t micros = month_start_days * 86400000000LL;
      switch (i % 4) {
        case 0: micros -= 1; break;  // a microsecond before
        case 1: break;
        case 2: micros += static_cast<int64_t>(rng() % 86400000000ULL); break;
        default: micros += 86400000000LL - 1; break;
      }
      testing::AppendTransaction(v, id, account, i, "EUR", micros, nullptr, i + 2,
                                 std::string(64, static_cast<char>('a' + i % 6)));
    }
    *next = std::min(rows, *next + batch);
    return true;
  };
}

TEST(ScanDifferentialTest, PartitionKeysAndStringsMatchDuckDB) {
  ScratchDir dir;
  auto engine = OpenEngine(dir / "tmp");
  const int64_t rows = 5000;
  auto files = WriteRun(*engine, Spec(dir), EdgePuller(rows, 777));
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  std::string all = "read_parquet(" + Engine::Quote(dir / "staging/silver/*/*/*.parquet") +
                    ", hive_partitioning = true, hive_types_autocast = false)";
  EXPECT_EQ(One(*engine, "SELECT count(*) FROM " + all), std::to_string(rows));
  EXPECT_EQ(One(*engine, "SELECT count(*) FROM " + all +
                             " WHERE year <> strftime(tx_date, '%Y') OR "
                             "month <> strftime(tx_date, '%m')"),
            "0");
  // Strings: the ID encodes its row, so any mix-up between rows or batches shows.
  EXPECT_EQ(One(*engine, "SELECT count(*) FROM " + all +
                             " WHERE NOT starts_with(transaction_id, CAST(source_line - 2 AS "
                             "VARCHAR) || '_') AND length(transaction_id) > 0 "
                             "OR length(account_id) <> (source_line - 2) % 13 "
                             "OR row_hash <> repeat(chr(97 + CAST((source_line - 2) % 6 AS "
                             "INTEGER)), 64)"),
            "0");
  EXPECT_EQ(One(*engine, "SELECT count(*) FROM " + all +
                             " WHERE length(transaction_id) <> greatest((source_line - 2) % 41, "
                             "length(CAST(source_line - 2 AS VARCHAR)) + 1)"),
            "0");
}

}  // namespace
}  // namespace runlake
