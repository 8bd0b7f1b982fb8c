// End to end: sample -> ingest -> run -> Parquet read back through DuckDB directly.
// Counts, exact sums, the layout of DESIGN.md, _SUCCESS and manifest fields, and the
// query formats.

#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "cli_runner.h"
#include "parquet_reader.h"

namespace runlake::it {
namespace {

const std::string kDs = "mortgages/transactions";

struct SampleRun {
  std::string run_id, schema, date;
  int seed;
  int rows;
};

// Checks one committed run against its files, its manifest and its _SUCCESS markers.
void CheckRun(const TestLake& lake, ParquetReader& pq, const SampleRun& s) {
  SCOPED_TRACE("run " + s.run_id);
  ASSERT_TRUE(lake.HasManifest(s.run_id));
  json m = lake.Manifest(s.run_id);
  for (const char* k : {"run_id", "files", "sources", "metrics", "timings", "code_version", "rules_hash",
                        "schema_version", "execution_arn"}) {
    EXPECT_TRUE(m.contains(k)) << "manifest lacks " << k;
  }
  const json& mm = m["metrics"];
  int64_t input = mm["input_rows"], valid = mm["valid_rows"], quar = mm["quarantined_rows"],
          cond = mm["condemned_rows"];
  EXPECT_EQ(input, s.rows);
  EXPECT_EQ(valid + quar + cond, input);

  auto silver = ParquetReader::RunFiles(lake, "silver", s.run_id);
  auto quarantine = ParquetReader::RunFiles(lake, "quarantine", s.run_id);
  auto condemned = ParquetReader::RunFiles(lake, "condemned", s.run_id);
  ASSERT_FALSE(silver.empty());
  int64_t pv = pq.Count(silver), pqr = pq.Count(quarantine), pc = pq.Count(condemned);
  EXPECT_EQ(pv, valid);
  EXPECT_EQ(pqr, quar);
  EXPECT_EQ(pc, cond);
  EXPECT_EQ(pv + pqr + pc, s.rows) << "valid + quarantined + condemned must equal the input rows";

  // Exact sum: Parquet read directly == runlake query.
  int64_t cents = pq.SumCents(silver);
  std::string q = lake.Scalar("SELECT sum(amount) FROM silver_transactions WHERE run_id = '" + s.run_id + "'");
  EXPECT_EQ(cents, ToCents(q));
  EXPECT_EQ(std::to_string(valid),
            lake.Scalar("SELECT count(*) FROM silver_transactions WHERE run_id = '" + s.run_id + "'"));
  EXPECT_EQ(std::to_string(quar), lake.Scalar("SELECT count(*) FROM quarantine WHERE run_id = '" + s.run_id + "'"));

  // Layout, exactly as DESIGN.md.
  std::regex silver_re("silver/mortgages/transactions/year=(\\d{4})/month=(\\d{2})/schema_v=" + s.schema +
                       "/run_id=" + s.run_id + "/(part-\\d{5}\\.parquet|_SUCCESS)");
  std::regex side_re("(quarantine|condemned)/mortgages/transactions/ingest_date=" + s.date + "/run_id=" +
                     s.run_id + "/part-\\d{5}\\.parquet");
  std::map<std::string, int64_t> dir_rows;  // silver partition dir -> parquet rows
  std::set<std::string> success_dirs;
  for (const auto& rel : ListFiles(lake.lake())) {
    if (rel.find("/run_id=" + s.run_id + "/") == std::string::npos) continue;
    if (rel.rfind("silver/", 0) == 0) {
      std::smatch mt;
      ASSERT_TRUE(std::regex_match(rel, mt, silver_re)) << "unexpected silver path " << rel;
      std::string dir = rel.substr(0, rel.rfind('/'));
      if (mt[3] == "_SUCCESS") {
        success_dirs.insert(dir);
      } else {
        std::string file = lake.Lake(rel);
        dir_rows[dir] += pq.Count({file});
        // Every row sits in the partition of its tx_date.
        EXPECT_EQ("0", pq.Scalar("SELECT count(*) FROM read_parquet(" + Engine::Quote(file) +
                                 ") WHERE strftime(tx_date, '%Y-%m') <> '" + std::string(mt[1]) + "-" +
                                 std::string(mt[2]) + "'"))
            << rel;
      }
    } else if (rel.rfind("quarantine/", 0) == 0 || rel.rfind("condemned/", 0) == 0) {
      EXPECT_TRUE(std::regex_match(rel, side_re)) << "unexpected path " << rel;
    } else if (rel.rfind("bronze/", 0) != 0) {
      EXPECT_TRUE(rel == "_runs/" + s.run_id + ".json" || rel.rfind("_runs/_claims/", 0) == 0 ||
                  rel.rfind("_state/", 0) == 0)
          << "unexpected file for the run: " << rel;
    }
  }
  EXPECT_EQ(success_dirs.size(), dir_rows.size());

  // _SUCCESS of each partition: the fields of DESIGN.md.
  for (const auto& [dir, rows] : dir_rows) {
    SCOPED_TRACE(dir);
    ASSERT_TRUE(success_dirs.count(dir)) << "no _SUCCESS in " << dir;
    json ok = json::parse(ReadFile(lake.Lake(dir + "/_SUCCESS")));
    for (const char* k : {"run_id", "execution_arn", "schema_version", "rules_hash", "partition",
                          "partition_rows", "completed_at", "metrics"}) {
      EXPECT_TRUE(ok.contains(k)) << "_SUCCESS lacks " << k;
    }
    EXPECT_EQ(ok["run_id"], s.run_id);
    EXPECT_EQ(ok["schema_version"], s.schema);
    EXPECT_EQ(ok["rules_hash"], m["rules_hash"]);
    EXPECT_EQ(ok["partition_rows"].get<int64_t>(), rows);
    EXPECT_NE(dir.find(ok["partition"].get<std::string>()), std::string::npos);
    for (const char* k : {"input_rows", "valid_rows", "quarantined_rows", "condemned_rows",
                          "quarantine_by_reason", "bytes_read", "bytes_written", "duration_seconds"}) {
      EXPECT_TRUE(ok["metrics"].contains(k)) << "_SUCCESS metrics lack " << k;
    }
    for (const char* k : {"input_rows", "valid_rows", "quarantined_rows", "condemned_rows"}) {
      EXPECT_EQ(ok["metrics"][k], mm[k]) << k;
    }
    int64_t by_reason = 0;
    for (const auto& [reason, n] : ok["metrics"]["quarantine_by_reason"].items()) by_reason += n.get<int64_t>();
    EXPECT_EQ(by_reason, quar);
  }

  // The manifest lists every data file with its true size and row count.
  size_t listed_parquet = 0;
  for (const auto& f : m["files"]) {
    std::string key = f["key"];
    SCOPED_TRACE(key);
    ASSERT_TRUE(fs::exists(lake.Lake(key)));
    EXPECT_EQ(f["bytes"].get<int64_t>(), static_cast<int64_t>(fs::file_size(lake.Lake(key))));
    if (key.size() > 8 && key.substr(key.size() - 8) == ".parquet") {
      ++listed_parquet;
      EXPECT_EQ(f["rows"].get<int64_t>(), pq.Count({lake.Lake(key)}));
    }
  }
  EXPECT_EQ(listed_parquet, silver.size() + quarantine.size() + condemned.size());
}

TEST(EndToEnd, SampleIngestRunReadBack) {
  TestLake lake;
  ASSERT_EQ(lake.Rl({"init"}).exit_code, 0);
  std::vector<SampleRun> runs = {{"e2e-v1", "v1", "2024-01-15", 11, 100000},
                                 {"e2e-v2", "v2", "2024-02-20", 12, 100000}};
  ParquetReader pq;
  int64_t total_valid = 0;
  for (const auto& s : runs) {
    std::string csv = lake.Work(s.run_id + ".csv");
    CmdResult sample = lake.Rl({"--json", "sample", csv, "--rows", std::to_string(s.rows), "--seed",
                                std::to_string(s.seed), "--date", s.date, "--days", "45", "--schema", s.schema,
                                "--invalid-fraction", "0.03"});
    ASSERT_EQ(sample.exit_code, 0) << sample.Describe();
    EXPECT_EQ(sample.Json()["rows"], s.rows);
    std::string key = lake.Ingest(csv, s.date);
    EXPECT_EQ(key.rfind("bronze/mortgages/transactions/ingest_date=" + s.date + "/run_id=", 0), 0u) << key;
    CmdResult r = lake.RunKey(s.run_id, key, {}, s.schema);
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
    EXPECT_NE(r.out.find("SUCCEEDED"), std::string::npos);
    CheckRun(lake, pq, s);
    total_valid += lake.Manifest(s.run_id)["metrics"]["valid_rows"].get<int64_t>();
  }
  EXPECT_EQ(std::to_string(total_valid), lake.Scalar("SELECT count(*) FROM silver_transactions"));
  // v1 rows carry no transaction_type; v2 rows do.
  EXPECT_EQ("0", lake.Scalar("SELECT count(*) FROM silver_transactions WHERE run_id = 'e2e-v1' AND "
                             "transaction_type IS NOT NULL"));
  EXPECT_EQ("0", lake.Scalar("SELECT count(*) FROM silver_transactions WHERE run_id = 'e2e-v2' AND "
                             "transaction_type IS NULL"));
  // The hive columns come from the path.
  EXPECT_EQ("0", lake.Scalar("SELECT count(*) FROM silver_transactions WHERE schema_v <> 'v2' AND "
                             "run_id = 'e2e-v2'"));

  // Silver column types of DESIGN.md, read from the Parquet itself.
  auto files = ParquetReader::RunFiles(lake, "silver", "e2e-v1");
  QueryResult d = pq.Query("DESCRIBE SELECT * FROM read_parquet(" + Engine::Quote(files[0]) + ")");
  std::map<std::string, std::string> types;
  for (const auto& row : d.rows) types[*row[0]] = *row[1];
  EXPECT_EQ(types["transaction_id"], "VARCHAR");
  EXPECT_EQ(types["account_id"], "VARCHAR");
  EXPECT_EQ(types["amount"], "DECIMAL(16,2)");
  EXPECT_EQ(types["currency"], "VARCHAR");
  EXPECT_EQ(types["tx_date"], "TIMESTAMP");
  EXPECT_EQ(types["ingest_date"], "DATE");
  for (const char* c : {"transaction_type", "source_key", "source_line", "row_hash", "ingestion_timestamp"}) {
    EXPECT_TRUE(types.count(c)) << "silver lacks column " << c;
  }

  // runs list --json parses and lists both runs.
  json list = lake.RlJson({"runs", "list"});
  ASSERT_TRUE(list.is_array());
  EXPECT_EQ(list.size(), 2u);
  json show = lake.RlJson({"runs", "show", "e2e-v1"});
  EXPECT_EQ(show["run_id"], "e2e-v1");
}

TEST(EndToEnd, QueryFormats) {
  TestLake lake;
  std::string key = lake.IngestText("t.csv",
                                    "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n"
                                    "T1,A1,10.25,EUR,2024-01-02T03:04:05Z\n"
                                    "T2,A2,-0.07,USD,2024-01-03T00:00:00Z\n",
                                    "2024-01-03");
  ASSERT_EQ(lake.RunKey("fmt1", key).exit_code, 0);
  const std::string sql = "SELECT transaction_id, amount FROM silver_transactions ORDER BY transaction_id";

  CmdResult csv = lake.Rl({"query", sql, "--format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.Describe();
  EXPECT_EQ(csv.out, "transaction_id,amount\nT1,10.25\nT2,-0.07\n");

  CmdResult js = lake.Rl({"query", sql, "--format", "json"});
  ASSERT_EQ(js.exit_code, 0) << js.Describe();
  json arr = json::parse(js.out);
  ASSERT_EQ(arr.size(), 2u);
  EXPECT_EQ(arr[0]["transaction_id"], "T1");
  EXPECT_EQ(ToCents(arr[1]["amount"].is_string() ? arr[1]["amount"].get<std::string>() : arr[1]["amount"].dump()),
            -7);

  // --json (global) means JSON too, before or after the subcommand.
  CmdResult gj = lake.Rl({"--json", "query", sql});
  ASSERT_EQ(gj.exit_code, 0);
  EXPECT_EQ(json::parse(gj.out), arr);

  CmdResult table = lake.Rl({"query", sql});
  ASSERT_EQ(table.exit_code, 0);
  EXPECT_EQ(table.out.rfind("transaction_id", 0), 0u) << table.out;  // header first
  EXPECT_NE(table.out.find("10.25"), std::string::npos);
  EXPECT_NE(table.out.find("T2"), std::string::npos);

  CmdResult bad = lake.Rl({"query", sql, "--format", "xml"});
  EXPECT_EQ(bad.exit_code, 2);
  CmdResult bad_sql = lake.Rl({"query", "SELEC nonsense"});
  EXPECT_NE(bad_sql.exit_code, 0);
  EXPECT_FALSE(bad_sql.err.empty());
}

// A hand-made file whose valid rows the test knows, checked by an independent validator:
// the silver sum must equal the validator's sum to the cent.
struct Expected {
  int64_t valid = 0, invalid = 0, cents = 0;
};

Expected ValidateSimpleCsv(const std::string& text) {
  static const std::set<std::string> kCur = {"EUR", "USD", "GBP", "JPY"};
  static const std::regex kAmount("-?\\d{1,14}(\\.\\d{1,2})?");
  static const std::regex kTs("(\\d{4})-(\\d{2})-(\\d{2})T(\\d{2}):(\\d{2}):(\\d{2})Z");
  Expected e;
  std::set<std::string> ids;
  std::stringstream in(text);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::string cur;
    for (char c : line) {
      if (c == ',') { f.push_back(cur); cur.clear(); } else cur += c;
    }
    f.push_back(cur);
    bool ok = f.size() == 5;
    for (const auto& x : f) ok = ok && !x.empty();
    std::smatch ts;
    ok = ok && kCur.count(f[3]) && std::regex_match(f[2], kAmount) && std::regex_match(f[4], ts, kTs) &&
         std::stoi(ts[2]) >= 1 && std::stoi(ts[2]) <= 12 && std::stoi(ts[3]) >= 1 && std::stoi(ts[3]) <= 28;
    bool dup = ok && ids.count(f[0]);
    if (ok) ids.insert(f[0]);
    if (ok && !dup) { ++e.valid; e.cents += ToCents(f[2]); } else { ++e.invalid; }
  }
  return e;
}

TEST(EndToEnd, HandMadeCsvExactSum) {
  TestLake lake;
  std::string csv = "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n";
  const char* cur[] = {"EUR", "USD", "GBP", "JPY"};
  int64_t built_valid = 0;
  for (int i = 0; i < 3000; ++i) {
    int64_t c = (static_cast<int64_t>(i) * 7919 % 2000000) - 500000;
    std::string amount = std::to_string(std::llabs(c) / 100);
    if (i % 3 == 1) amount += "." + std::to_string(std::llabs(c) % 100 / 10);  // one digit
    if (i % 3 == 2) { char b[8]; snprintf(b, sizeof b, ".%02lld", static_cast<long long>(std::llabs(c) % 100)); amount += b; }
    if (c < 0) amount = "-" + amount;
    std::string id = "H" + std::to_string(i), currency = cur[i % 4];
    char ts[32];
    snprintf(ts, sizeof ts, "2024-%02d-%02dT%02d:%02d:00Z", 1 + i % 3, 1 + i % 28, i % 24, i % 60);
    std::string tss = ts;
    if (i % 50 == 7) {
      switch ((i / 50) % 5) {
        case 0: amount = "1,000.00"; break;
        case 1: currency = "EURO"; break;
        case 2: tss = "2024-13-01T00:00:00Z"; break;
        case 3: amount = ""; break;
        case 4: id = "H" + std::to_string(i - 1); break;
      }
    } else {
      ++built_valid;
    }
    csv += id + ",ACC" + std::to_string(i % 37) + "," + amount + "," + currency + "," + tss + "\n";
  }
  Expected e = ValidateSimpleCsv(csv);
  ASSERT_EQ(e.valid, built_valid);
  ASSERT_EQ(e.valid + e.invalid, 3000);

  std::string key = lake.IngestText("hand.csv", csv, "2024-03-31");
  CmdResult r = lake.RunKey("hand1", key);
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  ParquetReader pq;
  auto silver = ParquetReader::RunFiles(lake, "silver", "hand1");
  EXPECT_EQ(pq.Count(silver), e.valid);
  EXPECT_EQ(pq.SumCents(silver), e.cents);
  EXPECT_EQ(pq.Count(ParquetReader::RunFiles(lake, "quarantine", "hand1")), e.invalid);
  EXPECT_EQ(ToCents(lake.Scalar("SELECT sum(amount) FROM silver_transactions")), e.cents);
  json m = lake.Manifest("hand1");
  EXPECT_EQ(m["metrics"]["valid_rows"], e.valid);
  EXPECT_EQ(m["metrics"]["quarantined_rows"], e.invalid);
  // Three months of data: three silver partitions.
  EXPECT_EQ(silver.size(), 3u);
}

}  // namespace
}  // namespace runlake::it
