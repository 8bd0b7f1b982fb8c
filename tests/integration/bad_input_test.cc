// Bad input and faults (issue 2): each gives a clear message naming the file/key and the
// problem, a non-zero exit (2 for bad input, 1 for a refused action), no manifest, and
// leaves what readers see unchanged.

#include <gtest/gtest.h>

#include "cli_runner.h"
#include "parquet_reader.h"

namespace runlake::it {
namespace {

const std::string kHeader = "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n";

class BadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(lake_.Rl({"init"}).exit_code, 0);
    good_key_ = lake_.IngestText("good.csv", kHeader + "G1,A,1.00,EUR,2024-01-05T10:00:00Z\n"
                                                       "G2,A,2.00,EUR,2024-01-05T11:00:00Z\n",
                                 "2024-01-05");
    CmdResult r = lake_.RunKey("base", good_key_);
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
    silver_before_ = SilverCount();
  }
  std::string SilverCount() const { return lake_.Scalar("SELECT count(*) FROM silver_transactions"); }

  // Puts raw bytes straight into bronze (bypassing ingest, which may check them).
  std::string PutBronze(const std::string& name, const std::string& bytes, const std::string& rid = "raw1") {
    std::string key = "bronze/mortgages/transactions/ingest_date=2024-01-20/run_id=" + rid + "/" + name;
    WriteFile(lake_.Lake(key), bytes);
    return key;
  }

  // Runs `input_path` (or a generated input for run_key/key) and checks the common contract.
  CmdResult ExpectRefused(const std::string& run_id, const std::string& input_path, int exit_code,
                          const std::vector<std::string>& must_mention) {
    CmdResult r = lake_.Rl({"run", "--input", input_path});
    EXPECT_EQ(r.exit_code, exit_code) << r.Describe();
    for (const auto& s : must_mention) {
      EXPECT_NE(r.err.find(s), std::string::npos) << "stderr should mention '" << s << "'\n" << r.Describe();
    }
    if (!run_id.empty()) {
      EXPECT_FALSE(lake_.HasManifest(run_id)) << "a refused run must not be committed";
      EXPECT_TRUE(ParquetReader::RunFiles(lake_, "silver", run_id).empty() || run_id == "base");
    }
    EXPECT_EQ(SilverCount(), silver_before_);
    json runs = lake_.RlJson({"runs", "list"});
    EXPECT_EQ(runs.size(), 1u) << runs.dump();
    return r;
  }
  CmdResult ExpectBadRun(const std::string& run_id, const std::string& key, int exit_code,
                         const std::vector<std::string>& must_mention, const std::string& schema = "v1") {
    std::string path = lake_.Work("in-" + std::to_string(n_++) + ".json");
    WriteFile(path, InputJson(run_id, key, schema));
    return ExpectRefused(run_id, path, exit_code, must_mention);
  }

  std::string Gzipped(int rows) {
    std::string gz = lake_.Work("s" + std::to_string(n_++) + ".csv.gz");
    EXPECT_EQ(lake_.Rl({"sample", gz, "--rows", std::to_string(rows), "--seed", "3"}).exit_code, 0);
    return ReadFile(gz);
  }

  TestLake lake_;
  std::string good_key_, silver_before_;
  int n_ = 0;
};

TEST_F(BadInput, TruncatedGzip) {
  std::string gz = Gzipped(20000);
  std::string key = PutBronze("trunc.csv.gz", gz.substr(0, gz.size() / 2));
  ExpectBadRun("r-trunc", key, 2, {key});
}

TEST_F(BadInput, TruncatedGzipTrailerOnly) {
  std::string gz = Gzipped(2000);
  std::string key = PutBronze("trunc8.csv.gz", gz.substr(0, gz.size() - 4));  // ISIZE missing
  ExpectBadRun("r-trunc8", key, 2, {key});
}

TEST_F(BadInput, CorruptGzip) {
  std::string gz = Gzipped(20000);
  for (size_t i = gz.size() / 2; i < gz.size() / 2 + 64; ++i) gz[i] = static_cast<char>(gz[i] ^ 0x5A);
  std::string key = PutBronze("corrupt.csv.gz", gz);
  ExpectBadRun("r-corrupt", key, 2, {key});
}

TEST_F(BadInput, GzipCrcMismatch) {
  std::string gz = Gzipped(2000);
  gz[gz.size() - 8] = static_cast<char>(gz[gz.size() - 8] ^ 0xFF);  // CRC32 of the trailer
  std::string key = PutBronze("crc.csv.gz", gz);
  ExpectBadRun("r-crc", key, 2, {key});
}

TEST_F(BadInput, BinaryGarbage) {
  std::string garbage;
  uint32_t x = 12345;
  for (int i = 0; i < 100000; ++i) {
    x = x * 1103515245u + 12345u;
    garbage += static_cast<char>(x >> 24);
  }
  WriteFile(lake_.Work("garbage.bin"), garbage);
  std::string key = lake_.Ingest(lake_.Work("garbage.bin"), "2024-01-20");
  ExpectBadRun("r-garbage", key, 2, {key});
  // Garbage named .gz is not gzip at all.
  std::string key2 = PutBronze("garbage.csv.gz", garbage, "raw2");
  ExpectBadRun("r-garbage-gz", key2, 2, {key2});
}

// `ingest` refuses an empty file (issue 18; DataRules.IngestRefuses...), so an empty object
// can only reach bronze by another tool: the run still refuses it, naming it.
TEST_F(BadInput, EmptyFile) {
  CmdResult ingest = lake_.Rl({"ingest", (WriteFile(lake_.Work("empty.csv"), ""), lake_.Work("empty.csv")),
                               "--date", "2024-01-20"});
  EXPECT_EQ(ingest.exit_code, 2) << ingest.Describe();
  std::string key = PutBronze("empty.csv", "");
  ExpectBadRun("r-empty", key, 2, {key, "empty"});
}

TEST_F(BadInput, HeaderOnly) {
  std::string key = lake_.IngestText("header.csv", kHeader, "2024-01-20");
  ExpectBadRun("r-header", key, 2, {key});
}

TEST_F(BadInput, HeaderMissingRequiredColumn) {
  std::string key = lake_.IngestText("nocur.csv",
                                     "TransactionID,CustomerID,TransactionAmount,TransactionTimestamp\n"
                                     "X1,A,1.00,2024-01-05T10:00:00Z\n",
                                     "2024-01-20");
  ExpectBadRun("r-nocur", key, 2, {key, "Currency"});
}

TEST_F(BadInput, V2HeaderWithoutTransactionType) {
  ExpectBadRun("r-v2", good_key_, 2, {good_key_, "TransactionType"}, "v2");
}

TEST_F(BadInput, UnknownSchemaVersion) { ExpectBadRun("r-v9", good_key_, 2, {"v9"}, "v9"); }

TEST_F(BadInput, RunIdThatExists) {
  std::string manifest_before = ReadFile(lake_.Lake("_runs/base.json"));
  auto files_before = ListFiles(lake_.Lake("silver"));
  std::string path = lake_.Work("again.json");
  WriteFile(path, InputJson("base", good_key_));
  CmdResult r = lake_.Rl({"run", "--input", path, "--name", "base-again"});
  EXPECT_EQ(r.exit_code, 1) << "an existing run_id is a refused action\n" << r.Describe();
  EXPECT_NE(r.err.find("base"), std::string::npos) << r.Describe();
  EXPECT_EQ(ReadFile(lake_.Lake("_runs/base.json")), manifest_before);
  EXPECT_EQ(ListFiles(lake_.Lake("silver")), files_before);
  EXPECT_EQ(SilverCount(), silver_before_);
  json e = lake_.RlJson({"executions", "describe", "base-again"});
  EXPECT_EQ(e["status"], "FAILED");
}

TEST_F(BadInput, RunKeyWithSlashOrDotDot) {
  for (std::string rid : std::vector<std::string>{"a/b", "../escape", "..", "x..y", "bad id", std::string(129, 'a')}) {
    SCOPED_TRACE(rid);
    std::string path = lake_.Work("in-" + std::to_string(n_++) + ".json");
    WriteFile(path, InputJson(rid, good_key_));
    ExpectRefused("", path, 2, {"run_id"});
    EXPECT_FALSE(fs::exists(lake_.Lake("_runs/" + rid + ".json")));
  }
  // Nothing escaped the lake (files inside it may carry an escaped name, e.g. logs).
  for (const auto& rel : ListFiles(fs::path(lake_.lake()).parent_path().string())) {
    if (rel.rfind("lake/", 0) == 0 || rel.rfind("work/", 0) == 0) continue;
    ADD_FAILURE() << "file outside the lake: " << rel;
  }
  for (const auto& rel : ListFiles(lake_.lake())) {
    EXPECT_EQ(rel.find("run_id=../"), std::string::npos) << rel;
    EXPECT_EQ(rel.find("run_id=a/b"), std::string::npos) << rel;
  }
}

TEST_F(BadInput, MissingBronzeKey) {
  std::string key = "bronze/mortgages/transactions/ingest_date=2024-01-20/run_id=nope/missing.csv.gz";
  ExpectBadRun("r-missing", key, 2, {key});
}

TEST_F(BadInput, KeyOutsideBronzeOrEscaping) {
  ExpectBadRun("r-escape", "../outside.csv", 2, {"../outside.csv"});
}

TEST_F(BadInput, InputJsonSyntaxError) {
  std::string path = lake_.Work("broken.json");
  WriteFile(path, "{\n  \"run_key\": \"r-broken\",\n  \"s3_key\": \"x\"\n  \"schema_version\": \"v1\"\n}\n");
  ExpectRefused("r-broken", path, 2, {path, "line 4"});
}

TEST_F(BadInput, InputJsonMissingKeyAndFile) {
  std::string path = lake_.Work("nokey.json");
  WriteFile(path, R"({"run_key": "r-nokey", "schema_version": "v1"})");
  ExpectRefused("r-nokey", path, 2, {path, "s3_key"});
  ExpectRefused("", lake_.Work("does-not-exist.json"), 2, {"does-not-exist.json"});
}

}  // namespace
}  // namespace runlake::it

namespace runlake::it {
namespace {

// Found by tests/fuzz/json_readers_fuzz: a number too big for a double made nlohmann throw
// out_of_range (not parse_error) and `runlake` died with std::terminate.
TEST_F(BadInput, HugeNumbersInTheInputOrRulesAreBadInput) {
  std::string in = lake_.Work("huge.json");
  WriteFile(in, "{\"run_key\": \"huge\", \"s3_key\": \"" + good_key_ + "\", \"trigger_event_id\": 1E999}\n");
  ExpectRefused("huge", in, 2, {"huge.json", "not valid JSON"});
  WriteFile(lake_.Work("rules.json"), "{\"max_attempts\": 4E444}");
  CmdResult r = lake_.Rl({"run", "--input", lake_.Work("huge.json"), "--rules", lake_.Work("rules.json")});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_NE(r.err.find("rules.json"), std::string::npos) << r.Describe();
}

}  // namespace
}  // namespace runlake::it
