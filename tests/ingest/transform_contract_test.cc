// The whole transform compiled from a contract (RowTransformer) against the reference
// (contract_reference.h) plus the parts the reference leaves out, written here from DESIGN.md:
// the key ("seen" by any earlier record whose field count is right and whose key fields are
// all non-empty; the first occurrence kept), row_hash (SHA-256 of the record's bytes), the
// partition instant and loop prevention's first attempt. Random contracts with random keys
// and partitions, random records written as CSV (quoted or not), fixed seeds: every record
// must come out as a valid row with the reference's values or as a rejected row with the
// reference's reasons, in file order.
//
// With the built-in transactions contract the same comparison runs over `runlake sample`'s
// files: the proof that the transactions dataset needs no code of its own.

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "common/sha256.h"
#include "common/temp_dir.h"
#include "contract_reference.h"
#include "csv_scan_util.h"
#include "ingest/row_plan.h"
#include "ingest/transform.h"
#include "random_contract.h"
#include "runlake/builtin_contracts.h"
#include "runlake/contract.h"
#include "runlake/sample.h"
#include "test_util.h"

namespace runlake {
namespace {

class Rng {  // splitmix64: the same sequence on every machine
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  size_t operator()(size_t n) {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return static_cast<size_t>((z ^ (z >> 31)) % n);
  }

 private:
  uint64_t s_;
};

constexpr int64_t kDayMicros = int64_t{86400} * 1000000;

// One CSV field: quoted (quotes doubled) when it must be, or at random when it may be.
std::string CsvField(const std::string& f, bool quote) {
  const bool must = f.find_first_of(",\"\r\n") != std::string::npos;
  if (!must && !quote) return f;
  std::string out = "\"";
  for (char c : f) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

struct Line {
  std::vector<std::string> fields;
  std::string raw;      // as written, without its terminator
  bool broken = false;  // broken quoting (the sample writes such rows): a SCHEMA_ERROR
};

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i == 0 ? "" : ",") + v[i];
  return out;
}

// What DESIGN.md says becomes of each record (no earlier runs: every reject is attempt 1).
struct Want {
  std::vector<std::string> reasons;
  std::vector<reference::Value> values;
  std::string hash;
  std::string raw;
};

std::vector<Want> Expected(const Contract& contract, const std::vector<std::string>& header,
                           const std::vector<Line>& lines, std::optional<int64_t> ingest_day) {
  const SchemaVersion& v = contract.schemas[0];
  std::vector<size_t> key_fields;
  std::vector<bool> key_trim;
  for (const std::string& k : contract.key) {
    const Column* c = v.FindColumn(k);
    for (size_t i = 0; i < header.size(); ++i) {
      if (reference::Trimmed(header[i]) == c->from) key_fields.push_back(i);
    }
    key_trim.push_back(c->trim);
  }
  std::set<std::vector<std::string>> seen;
  std::vector<Want> out;
  for (const Line& line : lines) {
    Want w;
    w.hash = Sha256::Of(line.raw);
    w.raw = line.raw;
    if (line.broken) {
      w.reasons = {"SCHEMA_ERROR"};
      if (!reference::CleanText(line.raw)) w.reasons.push_back("ENCODING_ERROR");
      out.push_back(std::move(w));
      continue;
    }
    auto checked = reference::Check(contract, v.name, header, line.fields, ingest_day);
    w.reasons = checked->reasons;
    w.values = checked->values;
    if (!key_fields.empty() && line.fields.size() == header.size()) {
      std::vector<std::string> key;
      for (size_t i = 0; i < key_fields.size(); ++i) {
        const std::string& f = line.fields[key_fields[i]];
        key.push_back(reference::AllSpaces(f) ? "" : key_trim[i] ? reference::Trimmed(f) : f);
      }
      const bool appears = std::none_of(key.begin(), key.end(),
                                        [](const std::string& k) { return k.empty(); });
      if (appears && !seen.insert(key).second &&
          std::find(w.reasons.begin(), w.reasons.end(), contract.key_reason) == w.reasons.end()) {
        w.reasons.push_back(contract.key_reason);
      }
    }
    out.push_back(std::move(w));
  }
  return out;
}

std::string Describe(const Contract& contract, const std::vector<std::string>& header) {
  std::ostringstream os;
  for (const Column& c : contract.schemas[0].columns) {
    os << c.name << " from " << c.from << " " << c.type.ToString()
       << (c.required ? " required" : "") << (c.trim ? "" : " trim:false") << "\n";
  }
  os << "key: " << Join(contract.key) << " partition_by: " << contract.partition_by
     << "\nheader: " << Join(header);
  return os.str();
}

// Compares the transform's batches with `want`, record by record in file order.
void ExpectSame(const Contract& contract, const std::string& csv,
                const std::vector<Want>& want, const std::string& ingest_date,
                const std::string& context) {
  TransformOptions o;
  o.contract = &contract;
  o.schema_version = contract.schemas[0].name;
  o.source_name = "bronze/test.csv";
  o.ingest_date = ingest_date;
  o.batch_rows = 7;  // many batches: rows must not depend on where one ends
  auto t = RowTransformer::Open(ingest_test::Reader(csv, 97), o);
  ASSERT_TRUE(t.ok()) << t.status().ToString() << "\n" << context;
  const std::vector<BatchField>& fields = (*t)->fields();
  ASSERT_EQ(fields.size(), contract.schemas[0].columns.size());
  const int64_t partition_slot = [&] {
    for (size_t i = 0; i < fields.size(); ++i) {
      if (fields[i].name == contract.partition_by) return static_cast<int64_t>(i);
    }
    return int64_t{-1};
  }();
  const std::optional<int64_t> ingest_day = IngestDay(ingest_date);
  ValidRows valid;
  RejectedRows rejected;
  size_t record = 0;
  int64_t valid_rows = 0;
  while (true) {
    auto more = (*t)->Next(&valid, &rejected);
    ASSERT_TRUE(more.ok()) << more.status().ToString() << "\n" << context;
    size_t vi = 0, ri = 0;
    while (vi < valid.size() || ri < rejected.size()) {
      ASSERT_LT(record, want.size()) << context;
      const Want& w = want[record];
      const std::string where =
          "record " + std::to_string(record) + " [" + w.raw + "]\n" + context;
      const bool take_valid = ri == rejected.size() ||
                              (vi < valid.size() && valid.source_line[vi] < rejected.source_line[ri]);
      if (take_valid) {
        ASSERT_TRUE(w.reasons.empty()) << "valid, want " << Join(w.reasons) << "\n" << where;
        EXPECT_EQ(valid.row_hash[vi], w.hash) << where;
        for (size_t c = 0; c < fields.size(); ++c) {
          const ValueColumn& col = valid.columns[c];
          const reference::Value& rv = w.values[c];
          ASSERT_EQ(col.nulls[vi] != 0, rv.null) << fields[c].name << " " << where;
          if (rv.null) continue;
          if (col.kind == ValueKind::kString) {
            EXPECT_EQ(col.strings[vi], rv.text) << fields[c].name << " " << where;
          } else if (col.kind == ValueKind::kInt128) {
            const unsigned __int128 hi = static_cast<uint64_t>(col.words[2 * vi + 1]);
            const auto v = static_cast<__int128>((hi << 64) | static_cast<uint64_t>(col.words[2 * vi]));
            EXPECT_TRUE(v == *rv.number) << fields[c].name << " " << where;
          } else {
            EXPECT_TRUE(col.words[vi] == *rv.number) << fields[c].name << " " << where;
          }
        }
        int64_t partition = ingest_day ? *ingest_day * kDayMicros : 0;
        if (partition_slot >= 0) {
          const auto n = static_cast<int64_t>(*w.values[partition_slot].number);
          partition = fields[partition_slot].kind == ValueKind::kDate ? n * kDayMicros : n;
        }
        EXPECT_EQ(valid.partition_micros[vi], partition) << where;
        ++vi;
        ++valid_rows;
      } else {
        ASSERT_FALSE(w.reasons.empty()) << "rejected as " << rejected.validation_errors[ri]
                                        << ", want valid\n" << where;
        const bool condemned = contract.max_attempts <= 1;
        EXPECT_EQ(rejected.validation_errors[ri],
                  Join(w.reasons) + (condemned ? ",MAX_ATTEMPTS" : "")) << where;
        EXPECT_EQ(rejected.validation_error[ri], condemned ? "MAX_ATTEMPTS" : w.reasons[0]) << where;
        EXPECT_EQ(rejected.row_hash[ri], w.hash) << where;
        EXPECT_EQ(rejected.attempt_count[ri], 1) << where;
        EXPECT_EQ(rejected.condemned[ri], condemned ? 1 : 0) << where;
        ++ri;
      }
      ++record;
    }
    if (!*more) break;
  }
  EXPECT_EQ(record, want.size()) << context;
  EXPECT_EQ((*t)->stats().valid_rows, valid_rows) << context;
}

// A random contract with a key over one or two of its columns, partitioned by a required
// date or timestamp column when it has one (else ingest_date).
template <class Pick>
Contract KeyedContract(Pick& pick) {
  Contract contract = random_contract::RandomContract(pick);
  SchemaVersion& v = contract.schemas[0];
  const size_t keys = std::min<size_t>(v.columns.size(), 1 + pick(2));
  for (size_t i = 0; i < keys && pick(4) != 0; ++i) {
    const std::string& name = v.columns[pick(v.columns.size())].name;
    if (std::find(contract.key.begin(), contract.key.end(), name) == contract.key.end())
      contract.key.push_back(name);
  }
  contract.key_reason = pick(2) ? "DUPLICATE_KEY" : "R_ONE";
  contract.max_attempts = pick(10) == 0 ? 1 : 3;
  for (const Column& c : v.columns) {
    const bool time = c.type.kind == ColumnKind::kDate || c.type.kind == ColumnKind::kTimestamp;
    if (time && c.required && pick(2)) contract.partition_by = c.name;
  }
  return contract;
}

TEST(TransformContract, RandomContractsMatchTheReference) {
  Rng pick(20261208);
  int compared = 0;
  for (int round = 0; round < 400; ++round) {
    const Contract contract = KeyedContract(pick);
    const SchemaVersion& v = contract.schemas[0];
    // A header the run accepts: each column once (RandomHeader sometimes breaks that).
    std::vector<std::string> header = random_contract::RandomHeader(pick, v);
    if (!reference::Check(contract, v.name, header, header, std::nullopt)) continue;
    std::vector<Line> lines;
    const size_t records = 1 + pick(60);
    for (size_t r = 0; r < records; ++r) {
      Line line;
      if (!lines.empty() && pick(5) == 0) {
        line.fields = lines[pick(lines.size())].fields;  // a repeated key, or a whole repeat
        if (!line.fields.empty() && pick(2)) {
          line.fields[pick(line.fields.size())] = random_contract::RandomField(pick, ColumnKind::kString);
        }
      } else {
        line.fields = random_contract::RandomRecord(pick, v, header);
      }
      if (line.fields.empty()) line.fields.push_back("");  // a blank line is no record
      const bool single_empty = line.fields.size() == 1 && line.fields[0].empty();
      std::vector<std::string> written;
      for (const std::string& f : line.fields) written.push_back(CsvField(f, single_empty || pick(4) == 0));
      line.raw = Join(written);
      lines.push_back(std::move(line));
    }
    std::string csv = Join(std::vector<std::string>(header.begin(), header.end())) + "\n";
    for (const Line& l : lines) csv += l.raw + (pick(3) == 0 ? "\r\n" : "\n");
    const std::string ingest_date = pick(4) == 0 ? "" : "2024-01-15";
    const auto want = Expected(contract, header, lines, IngestDay(ingest_date));
    ExpectSame(contract, csv, want, ingest_date, Describe(contract, header));
    if (HasFatalFailure()) return;
    ++compared;
  }
  EXPECT_GT(compared, 300);
}

// `runlake sample`'s transactions files through the built-in contract, against the reference.
TEST(TransformContract, SampleFilesThroughTheBuiltInContract) {
  const Contract& contract = TransactionsContract();
  for (const std::string version : {"v1", "v2"}) {
    SampleOptions options;
    options.rows = 3000;
    options.end_date = "2024-01-15";
    options.schema_version = version;
    options.seed = 7;
    testing::TempDir dir;
    const std::string path = dir.path() + "/sample.csv";
    ASSERT_TRUE(WriteSample(path, options).ok());
    std::ifstream in(path, std::ios::binary);
    std::stringstream csv;
    csv << in.rdbuf();
    auto records = ingest_test::Scan(csv.str());
    ASSERT_TRUE(records.ok());
    std::vector<std::string> header(records->front().fields.begin(), records->front().fields.end());
    std::vector<Line> lines;
    for (size_t i = 1; i < records->size(); ++i) {
      const auto& rec = (*records)[i];
      lines.push_back(Line{{rec.fields.begin(), rec.fields.end()}, rec.raw, rec.broken});
    }
    Contract one = contract;  // the version under test first, as ExpectSame reads schemas[0]
    std::swap(one.schemas[0], *std::find_if(one.schemas.begin(), one.schemas.end(),
                                            [&](const SchemaVersion& s) { return s.name == version; }));
    const auto want = Expected(one, header, lines, IngestDay(options.end_date));
    std::set<std::string> reasons;
    for (const Want& w : want) reasons.insert(w.reasons.begin(), w.reasons.end());
    EXPECT_TRUE(reasons.count("DUPLICATE_TRANSACTION_ID") && reasons.count("CURRENCY_ERROR"))
        << "the sample has invalid rows of several kinds";
    ExpectSame(one, csv.str(), want, options.end_date, "sample " + version);
  }
}

}  // namespace
}  // namespace runlake
