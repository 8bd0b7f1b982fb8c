// WriteRun: file layout, exact contents and types, empty layers, failures.

#include "engine/run_writer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <vector>

#include "engine_test_util.h"

namespace runlake {
namespace {

namespace fs = std::filesystem;
using ::runlake::testing::MakePuller;
using ::runlake::testing::OpenEngine;
using ::runlake::testing::ScratchDir;
using ::runlake::testing::SyntheticInput;

RunWriteSpec Spec(const ScratchDir& dir, bool v2 = false) {
  RunWriteSpec spec;
  spec.staging_dir = dir / "staging";
  spec.run_id = "run-1";
  spec.schema_v = v2 ? "v2" : "v1";
  spec.ingest_date = "2024-03-31";
  spec.source_key = "bronze/mortgages/transactions/ingest_date=2024-03-31/run_id=b1/x.csv.gz";
  spec.ingestion_micros = 1711929600123456;  // 2024-04-01 00:00:00.123456
  spec.fields = testing::TransactionsFields(v2);
  spec.silver_columns = testing::TransactionsSilverColumns(v2);
  return spec;
}

std::string One(Engine& engine, const std::string& sql) {
  auto r = engine.Query(sql);
  EXPECT_TRUE(r.ok()) << r.status().ToString() << "\n" << sql;
  if (!r.ok() || r->rows.empty() || !r->rows[0][0]) return "<null>";
  return *r->rows[0][0];
}

// Cents as DuckDB prints a DECIMAL(..,2): -92081 -> "-920.81".
std::string DecimalText(int64_t cents) {
  std::string sign = cents < 0 ? "-" : "";
  int64_t abs = cents < 0 ? -cents : cents;
  std::string frac = std::to_string(abs % 100);
  return sign + std::to_string(abs / 100) + "." + (frac.size() == 1 ? "0" : "") + frac;
}

std::string Describe(Engine& engine, const std::string& file) {
  // hive_partitioning off: DuckDB would otherwise add year/month from the path.
  auto r = engine.Query("DESCRIBE SELECT * FROM read_parquet(" + Engine::Quote(file) +
                        ", hive_partitioning = false)");
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  std::string out;
  for (const auto& row : r->rows) out += *row[0] + " " + *row[1] + "\n";
  return out;
}

TEST(EngineRunWriterTest, WritesPartitionedSilverAndRejectLayers) {
  ScratchDir dir;
  auto engine = OpenEngine(dir / "tmp");
  SyntheticInput in{.rows = 3000, .batch_size = 250, .reject_every = 10, .months = 3};
  auto files = WriteRun(*engine, Spec(dir), MakePuller(in));
  ASSERT_TRUE(files.ok()) << files.status().ToString();

  int64_t valid[4] = {0, 0, 0, 0}, quarantined = 0, condemned = 0, cents = 0;
  for (int64_t i = 0; i < in.rows; i++) {
    if (in.Condemned(i)) condemned++;
    else if (in.Rejected(i)) quarantined++;
    else valid[in.Month(i)]++, cents += SyntheticInput::Cents(i);
  }
  ASSERT_EQ(files->size(), 5u);
  for (int m = 1; m <= 3; m++) {
    const WrittenFile& f = (*files)[m - 1];
    std::string partition = "year=2024/month=0" + std::to_string(m);
    EXPECT_EQ(f.layer, "silver");
    EXPECT_EQ(f.partition, partition);
    EXPECT_EQ(f.local_path, dir / ("staging/silver/" + partition + "/part-00000.parquet"));
    EXPECT_EQ(f.rows, valid[m]);
    EXPECT_EQ(f.bytes, fs::file_size(f.local_path));
    EXPECT_EQ(One(*engine, "SELECT count(*) FROM read_parquet(" + Engine::Quote(f.local_path) +
                               ") WHERE month(tx_date) = " + std::to_string(m)),
              std::to_string(valid[m]));
  }
  const WrittenFile& q = (*files)[3];
  const WrittenFile& c = (*files)[4];
  EXPECT_EQ(q.layer, "quarantine");
  EXPECT_EQ(q.partition, "");
  EXPECT_EQ(q.local_path, dir / "staging/quarantine/part-00000.parquet");
  EXPECT_EQ(q.rows, quarantined);
  EXPECT_EQ(c.layer, "condemned");
  EXPECT_EQ(c.local_path, dir / "staging/condemned/part-00000.parquet");
  EXPECT_EQ(c.rows, condemned);
  EXPECT_EQ(c.bytes, fs::file_size(c.local_path));

  // Exact types and column order; year/month live only in the directory names.
  EXPECT_EQ(Describe(*engine, (*files)[0].local_path),
            "transaction_id VARCHAR\naccount_id VARCHAR\namount DECIMAL(16,2)\n"
            "currency VARCHAR\ntx_date TIMESTAMP\ntransaction_type VARCHAR\n"
            "ingest_date DATE\nsource_key VARCHAR\nsource_line BIGINT\nrow_hash VARCHAR\n"
            "ingestion_timestamp TIMESTAMP\n");
  EXPECT_EQ(Describe(*engine, q.local_path),
            "raw_record VARCHAR\nraw_bytes BLOB\nsource_line BIGINT\nvalidation_error VARCHAR\n"
            "validation_errors VARCHAR[]\nsource_key VARCHAR\ningest_date DATE\n"
            "row_hash VARCHAR\nattempt_count INTEGER\ningestion_timestamp TIMESTAMP\n"
            "run_id VARCHAR\n");

  std::string silver_glob = Engine::Quote(dir / "staging/silver/*/*/*.parquet");
  std::string all = "read_parquet(" + silver_glob + ", hive_partitioning = false)";
  EXPECT_EQ(One(*engine, "SELECT sum(amount) FROM " + all), DecimalText(cents));
  EXPECT_EQ(One(*engine, "SELECT amount FROM " + all + " WHERE transaction_id = 'T1'"),
            DecimalText(SyntheticInput::Cents(1)));
  EXPECT_EQ(DecimalText(SyntheticInput::Cents(1)), "-920.81");
  EXPECT_EQ(One(*engine, "SELECT count(*) FROM " + all +
                             " WHERE transaction_type IS NOT NULL OR ingest_date <> DATE "
                             "'2024-03-31' OR source_key NOT LIKE 'bronze/%' OR "
                             "ingestion_timestamp <> TIMESTAMP '2024-04-01 00:00:00.123456'"),
            "0");
  EXPECT_EQ(One(*engine, "SELECT tx_date FROM " + all + " WHERE transaction_id = 'T4'"),
            "2024-02-01 00:00:04");
  // DuckDB writes with several threads, each taking whole batches: rows keep their order
  // within a batch, not across the file. Every row is there exactly once.
  EXPECT_EQ(One(*engine, "SELECT count(*) - count(DISTINCT source_line) FROM " + all), "0");
  EXPECT_EQ(One(*engine, "SELECT count(*) FROM " + all),
            std::to_string(valid[1] + valid[2] + valid[3]));
  std::string qf = "read_parquet(" + Engine::Quote(c.local_path) + ")";
  EXPECT_EQ(One(*engine, "SELECT validation_errors FROM " + qf + " LIMIT 1"),
            "[MAX_ATTEMPTS, TYPE_ERROR]");
  EXPECT_EQ(One(*engine, "SELECT count(*) FROM " + qf + " WHERE attempt_count <> 3 OR "
                         "run_id <> 'run-1' OR validation_error <> 'MAX_ATTEMPTS'"),
            "0");
}

// Every valid row of `in` is in the silver file of its month, once: one file per month.
void ExpectOneFilePerMonth(Engine& engine, const SyntheticInput& in,
                           const std::vector<WrittenFile>& files) {
  std::map<int, int64_t> valid;
  for (int64_t i = 0; i < in.rows; i++) {
    if (!in.Rejected(i)) valid[in.Month(i)]++;
  }
  std::map<std::string, const WrittenFile*> silver;
  for (const auto& f : files) {
    if (f.layer == "silver") EXPECT_TRUE(silver.emplace(f.partition, &f).second) << f.partition;
  }
  ASSERT_EQ(silver.size(), valid.size());
  for (const auto& [month, rows] : valid) {
    std::string partition = "year=2024/month=" + std::string(month < 10 ? "0" : "") +
                            std::to_string(month);
    ASSERT_EQ(silver.count(partition), 1u) << partition;
    const WrittenFile& f = *silver[partition];
    EXPECT_EQ(f.rows, rows) << partition;
    EXPECT_EQ(fs::path(f.local_path).filename(), "part-00000.parquet");
    std::string file = "read_parquet(" + Engine::Quote(f.local_path) + ")";
    EXPECT_EQ(One(engine, "SELECT count(*) FROM " + file + " WHERE month(tx_date) = " +
                              std::to_string(month)),
              std::to_string(rows))
        << partition;
    EXPECT_EQ(One(engine, "SELECT count(*) - count(DISTINCT source_line) FROM " + file), "0");
  }
}

// A month writer each for the first months seen, one partitioned COPY for the rest: twelve
// months, rows of every month in every batch.
TEST(EngineRunWriterTest, MonthsPastTheWritersLimitGoToOnePartitionedWriter) {
  ScratchDir dir;
  auto engine = OpenEngine(dir / "tmp");
  SyntheticInput in{.rows = 24000, .batch_size = 1000, .reject_every = 9, .months = 12};
  auto files = WriteRun(*engine, Spec(dir), MakePuller(in));
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ExpectOneFilePerMonth(*engine, in, *files);
  EXPECT_FALSE(fs::exists(dir / "staging/silver/overflow"));
  for (const auto& e : fs::directory_iterator(dir / "staging/silver"))
    EXPECT_EQ(e.path().filename().string().rfind("year=", 0), 0u) << e.path();
}

// A batch all of one month (a daily source) goes to its writer whole; months still end in
// their own files whatever order the batches come in.
TEST(EngineRunWriterTest, BatchesOfOneMonthPassWhole) {
  ScratchDir dir;
  auto engine = OpenEngine(dir / "tmp");
  SyntheticInput in{.rows = 30000, .batch_size = 500, .reject_every = 11, .months = 6,
                    .month_run = 500};
  auto files = WriteRun(*engine, Spec(dir), MakePuller(in));
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ExpectOneFilePerMonth(*engine, in, *files);
}

// A puller failing while several month writers and the overflow writer run: its own error
// comes back, every writer stops, nothing is left.
TEST(EngineRunWriterTest, PullerErrorStopsEveryMonthWriter) {
  ScratchDir dir;
  auto engine = OpenEngine(dir / "tmp");
  SyntheticInput in{.rows = 100000, .batch_size = 1000, .reject_every = 7, .months = 8};
  auto files = WriteRun(*engine, Spec(dir), MakePuller(in, /*fail_after_batches=*/40));
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.status().message(), "synthetic read failure");
  EXPECT_TRUE(fs::is_empty(dir / "staging"));
}

// More rejects than DuckDB's appender buffers (204800 rows), so it flushes into the temp
// table from inside the running COPY; with one DuckDB thread that must not deadlock.
TEST(EngineRunWriterTest, SingleThreadWithManyRejectsSpilledMidScan) {
  ScratchDir dir;
  auto engine = Engine::Open({.threads = 1, .memory_limit = "256MB",
                              .temp_directory = dir / "tmp"});
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  SyntheticInput in{.rows = 450000, .batch_size = 4096, .reject_every = 2, .months = 2};
  auto files = WriteRun(**engine, Spec(dir), MakePuller(in));
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  int64_t by_layer[3] = {0, 0, 0};
  for (const auto& f : *files) {
    by_layer[f.layer == "silver" ? 0 : f.layer == "quarantine" ? 1 : 2] += f.rows;
  }
  EXPECT_EQ(by_layer[0], 225000);
  EXPECT_EQ(by_layer[1] + by_layer[2], 225000);
  EXPECT_EQ(One(**engine, "SELECT count(*) FROM read_parquet(" +
                              Engine::Quote(dir / "staging/quarantine/part-00000.parquet") + ")"),
            std::to_string(by_layer[1]));
  // Rejects come back from their spill file in the order they arrived.
  EXPECT_EQ(One(**engine, "SELECT bool_and(source_line > prev) FROM (SELECT source_line, "
                          "lag(source_line, 1, -1) OVER () AS prev FROM read_parquet(" +
                              Engine::Quote(dir / "staging/condemned/part-00000.parquet") + "))"),
            "true");
}

// Records far bigger than the spill's 1 MiB buffers, and every byte value a raw record may
// hold apart from the line end, survive the trip through the temp file unchanged.
TEST(EngineRunWriterTest, LongRejectedRecordsRoundTrip) {
  ScratchDir dir;
  auto engine = OpenEngine(dir / "tmp");
  std::vector<std::string> raws;
  for (int i = 0; i < 6; i++) {
    std::string raw(i % 2 == 0 ? (3 << 20) + i : 10 + i, 'a' + i);
    raw[raw.size() / 2] = '"';
    raw[1] = ',';
    raws.push_back(raw);
  }
  auto puller = [&raws, done = false](ValidRows*, RejectedRows* r) mutable -> Result<bool> {
    if (done) return false;
    for (size_t i = 0; i < raws.size(); i++) {
      r->raw_record.Append(raws[i]);
      // raw_bytes: exact bytes (here with an invalid one) for some rows, NULL for the others.
      r->raw_bytes.Append(i % 3 == 0 ? raws[i] + "\xff" : std::string());
      r->source_line.push_back(static_cast<int64_t>(i) + 2);
      r->validation_error.Append("SCHEMA_ERROR");
      r->validation_errors.Append("SCHEMA_ERROR,TYPE_ERROR");
      r->row_hash.Append(std::string(64, 'f'));
      r->attempt_count.push_back(1);
      r->condemned.push_back(0);
    }
    done = true;
    return true;
  };
  auto files = WriteRun(*engine, Spec(dir), puller);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  const std::string q = Engine::Quote(dir / "staging/quarantine/part-00000.parquet");
  for (size_t i = 0; i < raws.size(); i++) {
    EXPECT_EQ(One(*engine, "SELECT length(raw_record) || ' ' || md5(raw_record) || ' ' || "
                           "validation_errors::VARCHAR FROM read_parquet(" + q +
                               ") WHERE source_line = " + std::to_string(i + 2)),
              std::to_string(raws[i].size()) + " " +
                  One(*engine, "SELECT md5(" + Engine::Quote(raws[i]) + ")") +
                  " [SCHEMA_ERROR, TYPE_ERROR]");
    EXPECT_EQ(One(*engine, "SELECT coalesce(octet_length(raw_bytes)::VARCHAR || ' ' || "
                           "right(hex(raw_bytes), 2), "
                           "'NULL') FROM read_parquet(" + q + ") WHERE source_line = " +
                               std::to_string(i + 2)),
              i % 3 == 0 ? std::to_string(raws[i].size() + 1) + " FF" : "NULL");
  }
}

TEST(EngineRunWriterTest, V2KeepsTransactionType) {
  ScratchDir dir;
  auto engine = OpenEngine();
  SyntheticInput in{.rows = 50, .batch_size = 7, .months = 1, .with_type = true};
  auto files = WriteRun(*engine, Spec(dir, true), MakePuller(in));
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ(One(*engine, "SELECT string_agg(DISTINCT transaction_type, ',' ORDER BY "
                         "transaction_type) FROM read_parquet(" +
                             Engine::Quote((*files)[0].local_path) + ")"),
            "CREDIT,DEBIT");
}

TEST(EngineRunWriterTest, EmptyLayersWriteNoFiles) {
  ScratchDir dir;
  auto engine = OpenEngine();
  auto spec = Spec(dir);

  auto valid_only = WriteRun(*engine, spec, MakePuller({.rows = 10, .months = 1}));
  ASSERT_TRUE(valid_only.ok()) << valid_only.status().ToString();
  EXPECT_EQ(valid_only->size(), 1u);
  EXPECT_FALSE(fs::exists(dir / "staging/quarantine"));
  EXPECT_FALSE(fs::exists(dir / "staging/condemned"));

  spec.staging_dir = dir / "rejects-only";
  auto rejects_only = WriteRun(*engine, spec, MakePuller({.rows = 10, .reject_every = 1}));
  ASSERT_TRUE(rejects_only.ok()) << rejects_only.status().ToString();
  ASSERT_EQ(rejects_only->size(), 2u);
  EXPECT_EQ((*rejects_only)[0].layer, "quarantine");
  EXPECT_EQ((*rejects_only)[0].rows + (*rejects_only)[1].rows, 10);
  EXPECT_FALSE(fs::exists(dir / "rejects-only/silver"));

  spec.staging_dir = dir / "nothing";
  auto nothing = WriteRun(*engine, spec, MakePuller({.rows = 0}));
  ASSERT_TRUE(nothing.ok()) << nothing.status().ToString();
  EXPECT_TRUE(nothing->empty());
  EXPECT_TRUE(fs::is_empty(dir / "nothing"));
}

TEST(EngineRunWriterTest, PullerErrorIsReturnedAndPartialOutputRemoved) {
  ScratchDir dir;
  auto engine = OpenEngine();
  SyntheticInput in{.rows = 100000, .batch_size = 1000, .reject_every = 7};
  auto files = WriteRun(*engine, Spec(dir), MakePuller(in, /*fail_after_batches=*/50));
  ASSERT_FALSE(files.ok());
  EXPECT_TRUE(files.status().IsIOError()) << files.status().ToString();
  EXPECT_EQ(files.status().message(), "synthetic read failure");
  EXPECT_TRUE(fs::is_empty(dir / "staging"));
  // The engine is still usable, and the same staging dir can be written again.
  auto again = WriteRun(*engine, Spec(dir), MakePuller({.rows = 10}));
  EXPECT_TRUE(again.ok()) << again.status().ToString();
}

TEST(EngineRunWriterTest, RefusesToWriteOverExistingOutput) {
  ScratchDir dir;
  auto engine = OpenEngine();
  ASSERT_TRUE(WriteRun(*engine, Spec(dir), MakePuller({.rows = 10})).ok());
  auto second = WriteRun(*engine, Spec(dir), MakePuller({.rows = 10}));
  EXPECT_TRUE(second.status().IsAlreadyExists()) << second.status().ToString();
  EXPECT_TRUE(fs::exists(dir / "staging/silver/year=2024/month=01/part-00000.parquet"));
}

TEST(EngineRunWriterTest, RejectsBadSpecsAndInconsistentBatches) {
  ScratchDir dir;
  auto engine = OpenEngine();
  auto spec = Spec(dir);
  spec.ingest_date = "2024-3-31";
  EXPECT_TRUE(WriteRun(*engine, spec, MakePuller({})).status().IsInvalidArgument());
  spec.ingest_date = "2024-02-30";  // right shape, not a date: DuckDB's cast says so
  EXPECT_TRUE(WriteRun(*engine, spec, MakePuller({})).status().IsInvalidArgument());

  bool done = false;
  BatchPuller broken = [&done](ValidRows* v, RejectedRows* r) -> Result<bool> {
    v->Clear();
    r->Clear();
    if (done) return false;
    done = true;
    const std::string type = "DEBIT";
    testing::AppendTransaction(v, "T1", "A", 1, "EUR", 0, &type, 2, "h");
    v->columns[1].strings.Append("A2");  // one column longer than the others
    return true;
  };
  auto files = WriteRun(*engine, Spec(dir), broken);
  EXPECT_TRUE(files.status().IsInvalidArgument()) << files.status().ToString();
}

}  // namespace
}  // namespace runlake
