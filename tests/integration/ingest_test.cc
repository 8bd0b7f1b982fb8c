// `runlake ingest`: plain CSV is gzip-compressed into bronze, bronze is never overwritten,
// an existing --run-id is refused, and bad arguments are bad input.

#include <gtest/gtest.h>

#include <regex>

#include "cli_runner.h"
#include "common/sha256.h"
#include "parquet_reader.h"

namespace runlake::it {
namespace {

const std::string kCsv = "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n"
                         "I1,A,1.00,EUR,2024-01-05T10:00:00Z\n"
                         "I2,A,2.00,EUR,2024-01-05T11:00:00Z\n"
                         "I3,B,3.00,USD,2024-01-05T12:00:00Z\n";

bool IsGzip(const std::string& bytes) {
  return bytes.size() > 18 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

int64_t GzipCsvRows(ParquetReader& pq, const std::string& path) {
  return std::stoll(pq.Scalar("SELECT count(*) FROM read_csv(" + Engine::Quote(path) +
                              ", header = true, all_varchar = true, compression = 'gzip')"));
}

TEST(Ingest, PlainCsvIsGzippedIntoBronze) {
  TestLake lake;
  WriteFile(lake.Work("day.csv"), kCsv);
  json j = lake.RlJson({"ingest", lake.Work("day.csv"), "--date", "2024-01-15"});
  std::string key = j["key"];
  std::smatch mt;
  ASSERT_TRUE(std::regex_match(
      key, mt, std::regex("bronze/mortgages/transactions/ingest_date=2024-01-15/run_id=([A-Za-z0-9._-]+)/day\\.csv\\.gz")))
      << key;
  EXPECT_EQ(j["run_id"], std::string(mt[1]));
  std::string bytes = ReadFile(lake.Lake(key));
  EXPECT_TRUE(IsGzip(bytes));
  EXPECT_EQ(j["size"].get<int64_t>(), static_cast<int64_t>(bytes.size()));
  EXPECT_EQ(j["sha256"], Sha256::Of(bytes));
  EXPECT_EQ(j["compressed"], true);
  ParquetReader pq;
  EXPECT_EQ(GzipCsvRows(pq, lake.Lake(key)), 3);

  // Text output names the bronze key too.
  CmdResult text = lake.Rl({"ingest", lake.Work("day.csv"), "--date", "2024-01-15"});
  ASSERT_EQ(text.exit_code, 0) << text.Describe();
  EXPECT_NE(text.out.find("bronze/mortgages/transactions/ingest_date=2024-01-15/run_id="), std::string::npos);
}

TEST(Ingest, GzipInputStaysGzip) {
  TestLake lake;
  std::string gz = lake.Work("s.csv.gz");
  ASSERT_EQ(lake.Rl({"sample", gz, "--rows", "500", "--seed", "1"}).exit_code, 0);
  std::string key = lake.Ingest(gz, "2024-01-15");
  EXPECT_EQ(key.substr(key.size() - 7), ".csv.gz");
  std::string bytes = ReadFile(lake.Lake(key));
  EXPECT_TRUE(IsGzip(bytes));
  // Not compressed twice: the pipeline reads the 500 rows back.
  CmdResult r = lake.RunKey("gz1", key);
  ASSERT_TRUE(lake.HasManifest("gz1")) << r.Describe();
  EXPECT_EQ(lake.Manifest("gz1")["metrics"]["input_rows"], 500);
}

// gzip allows several members one after another (`cat a.gz b.gz`); all are data.
TEST(Ingest, MultiMemberGzipIsReadWhole) {
  TestLake lake;
  std::string gz1 = lake.Work("one.csv.gz"), gz2 = lake.Work("two.csv.gz");
  ASSERT_EQ(lake.Rl({"sample", gz1, "--rows", "300", "--seed", "1", "--invalid-fraction", "0"}).exit_code, 0);
  WriteFile(lake.Work("more.csv"), "MORE1,A,1.00,EUR,2024-01-15T10:00:00Z\nMORE2,A,2.00,EUR,2024-01-15T11:00:00Z\n");
  // The second member through runlake's own compression: ingest it, take the bronze bytes.
  std::string k2 = lake.Ingest(lake.Work("more.csv"), "2024-01-01");
  WriteFile(lake.Work("multi.csv.gz"), ReadFile(gz1) + ReadFile(lake.Lake(k2)));
  std::string key = lake.Ingest(lake.Work("multi.csv.gz"), "2024-01-15");
  CmdResult r = lake.RunKey("multi1", key);
  ASSERT_TRUE(lake.HasManifest("multi1")) << r.Describe();
  EXPECT_EQ(lake.Manifest("multi1")["metrics"]["input_rows"], 302);
  EXPECT_EQ(lake.Scalar("SELECT count(*) FROM silver_transactions WHERE transaction_id LIKE 'MORE%'"), "2");
  (void)gz2;
}

TEST(Ingest, IngestAgainCreatesNewRunIdNeverOverwrites) {
  TestLake lake;
  WriteFile(lake.Work("day.csv"), kCsv);
  std::string k1 = lake.Ingest(lake.Work("day.csv"), "2024-01-15");
  std::string first_bytes = ReadFile(lake.Lake(k1));
  // An upstream correction: same date, new content, right away (same second).
  WriteFile(lake.Work("day.csv"), kCsv + "I4,C,4.00,EUR,2024-01-05T13:00:00Z\n");
  std::string k2 = lake.Ingest(lake.Work("day.csv"), "2024-01-15");
  std::string k3 = lake.Ingest(lake.Work("day.csv"), "2024-01-15");
  EXPECT_NE(k1, k2);
  EXPECT_NE(k2, k3);
  EXPECT_NE(k1, k3);
  EXPECT_EQ(ReadFile(lake.Lake(k1)), first_bytes);
  auto files = ListFiles(lake.Lake("bronze/mortgages/transactions/ingest_date=2024-01-15"));
  EXPECT_EQ(files.size(), 3u);
  ParquetReader pq;
  EXPECT_EQ(GzipCsvRows(pq, lake.Lake(k1)), 3);
  EXPECT_EQ(GzipCsvRows(pq, lake.Lake(k2)), 4);
}

TEST(Ingest, ExistingRunIdIsRefused) {
  TestLake lake;
  WriteFile(lake.Work("day.csv"), kCsv);
  CmdResult ok = lake.Rl({"ingest", lake.Work("day.csv"), "--date", "2024-01-15", "--run-id", "bronze-1"});
  ASSERT_EQ(ok.exit_code, 0) << ok.Describe();
  std::string key = "bronze/mortgages/transactions/ingest_date=2024-01-15/run_id=bronze-1/day.csv.gz";
  ASSERT_TRUE(fs::exists(lake.Lake(key)));
  std::string before = ReadFile(lake.Lake(key));
  WriteFile(lake.Work("day.csv"), "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n");
  CmdResult again = lake.Rl({"ingest", lake.Work("day.csv"), "--date", "2024-01-15", "--run-id", "bronze-1"});
  EXPECT_NE(again.exit_code, 0) << again.Describe();
  EXPECT_NE(again.err.find("bronze-1"), std::string::npos) << again.err;
  EXPECT_EQ(ReadFile(lake.Lake(key)), before);
  // A different file name under the same bronze run_id is refused as well.
  WriteFile(lake.Work("other.csv"), kCsv);
  CmdResult other = lake.Rl({"ingest", lake.Work("other.csv"), "--date", "2024-01-15", "--run-id", "bronze-1"});
  EXPECT_NE(other.exit_code, 0) << other.Describe();
  EXPECT_EQ(ListFiles(lake.Lake("bronze/mortgages/transactions/ingest_date=2024-01-15")).size(), 1u);
}

TEST(Ingest, BadArgumentsAreBadInput) {
  TestLake lake;
  WriteFile(lake.Work("day.csv"), kCsv);
  CmdResult missing = lake.Rl({"ingest", lake.Work("nope.csv"), "--date", "2024-01-15"});
  EXPECT_EQ(missing.exit_code, 2) << missing.Describe();
  EXPECT_NE(missing.err.find("nope.csv"), std::string::npos) << missing.err;

  for (std::string date : {"2024-13-01", "2024-02-30", "yesterday", "2024-1-5", "../x"}) {
    CmdResult r = lake.Rl({"ingest", lake.Work("day.csv"), "--date", date});
    EXPECT_EQ(r.exit_code, 2) << "date " << date << "\n" << r.Describe();
  }
  for (std::string rid : {"a/b", "..", "x..y", "bad id"}) {
    CmdResult r = lake.Rl({"ingest", lake.Work("day.csv"), "--date", "2024-01-15", "--run-id", rid});
    EXPECT_EQ(r.exit_code, 2) << "run_id " << rid << "\n" << r.Describe();
  }
  CmdResult no_date = lake.Rl({"ingest", lake.Work("day.csv")});
  EXPECT_EQ(no_date.exit_code, 2);
  CmdResult dir = lake.Rl({"ingest", lake.work(), "--date", "2024-01-15"});
  EXPECT_EQ(dir.exit_code, 2) << dir.Describe();
  for (const auto& rel : ListFiles(lake.Lake("bronze"))) {
    EXPECT_EQ(rel.find(".csv.gz"), std::string::npos) << "nothing lands in bronze: " << rel;
  }
}

}  // namespace
}  // namespace runlake::it
