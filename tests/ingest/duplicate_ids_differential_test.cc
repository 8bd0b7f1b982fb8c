// Differential test of check 6 (DUPLICATE_TRANSACTION_ID): the in-memory IdSet path and
// the spilled path (FindRepeatedIds, and DuplicateIds switching to it mid-source) against a
// reference that keeps the ID strings themselves in a std::set, over the naive reference
// CSV parser. Generated inputs cover repeats on both sides of the switch, partitions split
// again and again (tiny max_distinct, 1-bit fan-out), and the contract's edge cases: rows
// with other failures count as appearances, rows with a SCHEMA_ERROR and blank IDs do not.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "csv_reference.h"
#include "ingest/duplicate_ids.h"
#include "ingest/id_spill.h"
#include "test_util.h"

namespace runlake {
namespace {

using ingest_test::Reader;
namespace fs = std::filesystem;

constexpr const char* kHeader = "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n";

// A fresh directory for spill files, removed with the test.
class SpillDir {
 public:
  SpillDir() {
    std::string tmpl = (fs::temp_directory_path() / "runlake-dup-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~SpillDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  // Spill files have no name: the directory stays empty, even while they are open.
  bool empty() const { return fs::is_empty(path_); }

 private:
  std::string path_;
};

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(' ');
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(' ') - b + 1);
}

// The contract, stated plainly: for each data record, -1 when it is no appearance of an
// ID, else 1 when an earlier record showed the same (trimmed) ID, 0 when it is the first.
std::vector<int> Reference(const std::string& csv) {
  std::vector<ingest_test::Rec> records = ingest_test::ReferenceParse(csv);
  std::vector<int> out;
  if (records.empty()) return out;
  const size_t fields = records[0].fields.size();
  std::set<std::string> seen;
  for (size_t i = 1; i < records.size(); ++i) {
    const auto& r = records[i];
    std::string id = !r.broken && r.fields.size() == fields ? Trim(r.fields[0]) : "";
    if (id.empty()) {
      out.push_back(-1);
      continue;
    }
    out.push_back(seen.insert(id).second ? 0 : 1);
  }
  return out;
}

// Random v1 sources whose IDs repeat often and come in every shape the contract cares about.
std::string Generate(uint32_t seed, int rows) {
  std::mt19937 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
  const int pool = 2 + pick(60);
  std::string out = kHeader;
  for (int i = 0; i < rows; ++i) {
    std::string id = "T" + std::to_string(pick(pool));
    switch (pick(12)) {
      case 0: id = " " + id + " "; break;         // trimmed: the same ID
      case 1: id = "\"" + id + "\""; break;       // quoted: the same ID
      case 2: id = ""; break;                     // NULL_VALUE_ERROR, no appearance
      case 3: id = "   "; break;                  // blank after trimming
      case 4: id = "\"" + id + ",x\""; break;     // a comma inside a quoted ID
      case 5: id = "t" + id.substr(1); break;     // case matters
      default: break;
    }
    std::string currency = pick(8) == 0 ? "usd" : "USD";  // CURRENCY_ERROR still registers
    std::string row = id + ",C" + std::to_string(pick(5)) + ",1.50," + currency +
                      ",2024-01-15T10:30:00Z";
    switch (pick(16)) {
      case 0: row += ",extra"; break;                           // SCHEMA_ERROR
      case 1: row = id + ",C,1," + currency; break;             // SCHEMA_ERROR
      case 2: row = id + "x\"y,C,1,USD,2024-01-15T10:30:00Z"; break;  // broken quoting
      case 3: row = id + ",\"multi\nline\",1,USD,2024-01-15T10:30:00Z"; break;
      default: break;
    }
    out += row + (pick(10) == 0 ? "\r\n" : "\n");
    if (pick(40) == 0) out += "\n";  // a blank line: not a record
  }
  return out;
}

KeyColumns V1Columns() { return KeyColumns{5, {0}, {1}}; }

Result<RecordBitmap> Spilled(const std::string& csv, const SpillOptions& options,
                             size_t max_chunk = 1 << 20, uint32_t seed = 0) {
  RUNLAKE_ASSIGN_OR_RAISE(auto bytes, ByteSource::Open(Reader(csv, max_chunk, seed), "t.csv"));
  CsvScanner scanner(bytes.get());
  return FindRepeatedIds(&scanner, V1Columns(), options);
}

// DuplicateIds over the records the transformer would hand it, given how it was set up.
Result<std::vector<int>> ThroughDuplicateIds(const std::string& csv, DuplicateIdsOptions options) {
  options.columns = V1Columns();
  DuplicateIds dups(std::move(options));
  RUNLAKE_ASSIGN_OR_RAISE(auto bytes, ByteSource::Open(Reader(csv), "t.csv"));
  CsvScanner scanner(bytes.get());
  CsvRecord record;
  RUNLAKE_ASSIGN_OR_RAISE(bool more, scanner.Next(&record));  // header
  std::vector<int> out;
  std::string scratch;
  for (int64_t ordinal = 0; more; ++ordinal) {
    RUNLAKE_ASSIGN_OR_RAISE(more, scanner.Next(&record));
    if (!more) break;
    std::string_view id = AppearingKey(record, V1Columns(), &scratch);
    if (id.empty()) {
      out.push_back(-1);
      continue;
    }
    dups.Prepare(id);
    RUNLAKE_ASSIGN_OR_RAISE(bool seen, dups.SeenBefore(id, ordinal));
    out.push_back(seen ? 1 : 0);
  }
  return out;
}

void ExpectBitmapMatches(const std::vector<int>& expected, const RecordBitmap& got,
                         const std::string& what) {
  ASSERT_EQ(got.size(), static_cast<int64_t>(expected.size())) << what;
  for (size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(got.Test(static_cast<int64_t>(i)), expected[i] == 1) << what << ", record " << i;
  }
}

TEST(DuplicateIdsDifferential, SpilledScanMatchesReferenceOnGeneratedInputs) {
  SpillDir dir;
  // (max_distinct, fan-out bits): every partition split down to single IDs, a few
  // levels of splits, one level, and the production setting (no split at this size).
  const std::pair<size_t, int> configs[] = {{1, 1}, {3, 2}, {2, 7}, {size_t{1} << 19, 7}};
  for (uint32_t seed = 1; seed <= 16; ++seed) {
    std::string csv = Generate(seed, 50 + static_cast<int>(seed) * 97);
    std::vector<int> expected = Reference(csv);
    for (const auto& [max_distinct, bits] : configs) {
      {
        SpillOptions o{dir.path(), max_distinct, bits};
        auto got = Spilled(csv, o, 97, seed);  // odd read sizes: records across refills
        ASSERT_TRUE(got.ok()) << got.status().ToString();
        ExpectBitmapMatches(expected, *got,
                            "seed " + std::to_string(seed) + " max_distinct " +
                                std::to_string(max_distinct) + " bits " + std::to_string(bits));
      }
    }
  }
  EXPECT_TRUE(dir.empty());
}

TEST(DuplicateIdsDifferential, SwitchingToTheSpillAnywhereGivesTheSameAnswers) {
  SpillDir dir;
  for (uint32_t seed = 100; seed < 130; ++seed) {
    std::string csv = Generate(seed, 400);
    std::vector<int> expected = Reference(csv);
    // In memory only (no reopen): the fast path alone.
    auto memory = ThroughDuplicateIds(csv, DuplicateIdsOptions{});
    ASSERT_TRUE(memory.ok()) << memory.status().ToString();
    ASSERT_EQ(*memory, expected) << "seed " << seed;
    for (size_t memory_ids : {0, 1, 2, 5, 17, 60}) {
      DuplicateIdsOptions o;
      o.reopen = [csv]() -> Result<std::unique_ptr<ObjectReader>> { return Reader(csv); };
      o.source_name = "t.csv";
      o.spill_dir = dir.path();
      o.memory_ids = memory_ids;
      o.spill = SpillOptions{"", 4, 2};  // small partitions: splits happen
      auto got = ThroughDuplicateIds(csv, o);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      ASSERT_EQ(*got, expected) << "seed " << seed << " memory_ids " << memory_ids;
    }
  }
}

// The edge cases by hand, with the switch to the spill after the second distinct ID.
TEST(DuplicateIdsDifferential, EdgeCasesAcrossTheSpillBoundary) {
  const std::string csv = std::string(kHeader) +
                          "A,C,1,usd,2024-01-15T10:30:00Z\n"      // 0: first A (invalid row)
                          "B,C,1,USD\n"                           // 1: schema error: no B
                          "B,C,1,USD,2024-01-15T10:30:00Z\n"      // 2: first B
                          " ,C,1,USD,2024-01-15T10:30:00Z\n"      // 3: blank: none
                          "C,C,1,USD,2024-01-15T10:30:00Z\n"      // 4: first C: spill here
                          "\"A\",C,1,USD,2024-01-15T10:30:00Z\n"  // 5: A again, across it
                          " B ,C,1,USD,2024-01-15T10:30:00Z\r\n"  // 6: B again, trimmed
                          "A\"x,C,1,USD,2024-01-15T10:30:00Z\n"   // 7: broken quoting: none
                          "C,C,1,USD,2024-01-15T10:30:00Z\n";     // 8: C again
  const std::vector<int> expected = {0, -1, 0, -1, 0, 1, 1, -1, 1};
  ASSERT_EQ(Reference(csv), expected);
  SpillDir dir;
  DuplicateIdsOptions o;
  o.reopen = [csv]() -> Result<std::unique_ptr<ObjectReader>> { return Reader(csv); };
  o.spill_dir = dir.path();
  o.memory_ids = 2;
  auto got = ThroughDuplicateIds(csv, o);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, expected);
}

// The whole transformer: same rows out, whichever path found the duplicates.
TEST(DuplicateIdsDifferential, TransformerOutputIsTheSameWithAndWithoutTheSpill) {
  SpillDir dir;
  for (uint32_t seed = 200; seed < 210; ++seed) {
    std::string csv = Generate(seed, 3000);
    TransformOptions plain = ingest_test::Options();
    plain.batch_rows = 333;
    TransformOptions spilled = plain;
    spilled.reopen = [csv]() -> Result<std::unique_ptr<ObjectReader>> { return Reader(csv); };
    spilled.spill_dir = dir.path();
    spilled.memory_ids = 10;
    auto a = ingest_test::Transform(csv, plain);
    auto b = ingest_test::Transform(ingest_test::Gzip(csv), spilled, 1000, seed);
    ASSERT_TRUE(a.status.ok()) << a.status.ToString();
    ASSERT_TRUE(b.status.ok()) << b.status.ToString();
    ASSERT_EQ(a.valid.size(), b.valid.size());
    ASSERT_EQ(a.rejected.size(), b.rejected.size());
    for (size_t i = 0; i < a.valid.size(); ++i) {
      EXPECT_EQ(a.valid[i].source_line, b.valid[i].source_line);
    }
    for (size_t i = 0; i < a.rejected.size(); ++i) {
      EXPECT_EQ(a.rejected[i].source_line, b.rejected[i].source_line);
      EXPECT_EQ(a.rejected[i].validation_errors, b.rejected[i].validation_errors);
    }
    std::vector<int> expected = Reference(csv);
    int64_t repeats = std::count(expected.begin(), expected.end(), 1);
    int64_t flagged = 0;
    for (const auto& r : b.rejected) {
      flagged += r.validation_errors.find("DUPLICATE_TRANSACTION_ID") != std::string::npos;
    }
    EXPECT_EQ(flagged, repeats) << "seed " << seed;
    EXPECT_GT(repeats, 0);
  }
}

TEST(DuplicateIdsDifferential, SecondReadingErrorsFailTheRun) {
  std::string csv = Generate(7, 200);
  SpillDir dir;
  TransformOptions o = ingest_test::Options();
  o.reopen = []() -> Result<std::unique_ptr<ObjectReader>> {
    return Status::IOError("disk on fire");
  };
  o.spill_dir = dir.path();
  o.memory_ids = 3;
  auto out = ingest_test::Transform(csv, o);
  EXPECT_EQ(out.status.code(), StatusCode::kIOError) << out.status.ToString();
  EXPECT_NE(out.status.message().find("disk on fire"), std::string::npos);

  // A truncated gzip is found by the second reading before the first one gets there.
  std::string gz = ingest_test::Gzip(csv);
  gz.resize(gz.size() / 2);
  o.reopen = [gz]() -> Result<std::unique_ptr<ObjectReader>> { return Reader(gz); };
  out = ingest_test::Transform(gz, o);
  EXPECT_EQ(out.status.code(), StatusCode::kCorruption) << out.status.ToString();
  EXPECT_NE(out.status.message().find("bronze/test.csv"), std::string::npos);
}

}  // namespace
}  // namespace runlake
