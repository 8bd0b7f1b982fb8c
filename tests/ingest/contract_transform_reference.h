#pragma once
// The whole transform compiled from a contract (RowTransformer) against the reference
// (contract_reference.h) plus what the reference leaves out, written from DESIGN.md: the key
// ("seen" by any earlier record whose field count is right and whose key fields are all
// non-empty; the first occurrence kept), row_hash (SHA-256 of the record's bytes), the
// partition instant and loop prevention's first attempt. Shared by
// tests/ingest/transform_contract_test.cc and tests/fuzz/contract_transform_fuzz.cc; no
// GoogleTest here: Compare returns the first difference.

#include <algorithm>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/sha256.h"
#include "contract_reference.h"
#include "ingest/row_plan.h"
#include "ingest/transform.h"
#include "random_contract.h"
#include "runlake/contract.h"
#include "test_util.h"

namespace runlake::keyed_reference {

constexpr int64_t kDayMicros = int64_t{86400} * 1000000;

using Rng = random_contract::SeededPick;

// One CSV field: quoted (quotes doubled) when it must be, or when `quote` asks.
inline std::string CsvField(const std::string& f, bool quote) {
  const bool must = f.find_first_of(",\"\r\n") != std::string::npos;
  if (!must && !quote) return f;
  std::string out = "\"";
  for (char c : f) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

inline std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i == 0 ? "" : ",") + v[i];
  return out;
}

struct Line {
  std::vector<std::string> fields;
  std::string raw;      // as written, without its terminator
  bool broken = false;  // broken quoting (the sample writes such rows): a SCHEMA_ERROR
};

// What DESIGN.md says becomes of each record (no earlier runs: every reject is attempt 1).
struct Want {
  std::vector<std::string> reasons;
  std::vector<reference::Value> values;
  std::string hash;
  std::string raw;
};

inline std::vector<Want> Expected(const Contract& contract, const std::vector<std::string>& header,
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

inline std::string Describe(const Contract& contract, const std::vector<std::string>& header) {
  std::ostringstream os;
  for (const Column& c : contract.schemas[0].columns) {
    os << c.name << " from " << c.from << " " << c.type.ToString()
       << (c.required ? " required" : "") << (c.trim ? "" : " trim:false") << "\n";
  }
  os << "key: " << Join(contract.key) << " partition_by: " << contract.partition_by
     << "\nheader: " << Join(header);
  return os.str();
}

// Runs the transform over `csv` (small batches, odd read sizes) and compares its rows with
// `want`, record by record in file order. nullopt when they agree; else the first difference.
inline std::optional<std::string> Compare(const Contract& contract, const std::string& csv,
                                          const std::vector<Want>& want,
                                          const std::string& ingest_date) {
  TransformOptions o;
  o.contract = &contract;
  o.schema_version = contract.schemas[0].name;
  o.source_name = "bronze/test.csv";
  o.ingest_date = ingest_date;
  o.batch_rows = 7;  // many batches: rows must not depend on where one ends
  auto t = RowTransformer::Open(ingest_test::Reader(csv, 97), o);
  if (!t.ok()) return "Open: " + t.status().ToString();
  const std::vector<BatchField>& fields = (*t)->fields();
  if (fields.size() != contract.schemas[0].columns.size()) return std::string("field count");
  int64_t partition_slot = -1;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == contract.partition_by) partition_slot = static_cast<int64_t>(i);
  }
  const std::optional<int64_t> ingest_day = IngestDay(ingest_date);
  ValidRows valid;
  RejectedRows rejected;
  size_t record = 0;
  int64_t valid_rows = 0;
  while (true) {
    auto more = (*t)->Next(&valid, &rejected);
    if (!more.ok()) return "Next: " + more.status().ToString();
    size_t vi = 0, ri = 0;
    while (vi < valid.size() || ri < rejected.size()) {
      if (record >= want.size()) return std::string("more rows than records");
      const Want& w = want[record];
      const std::string where = "record " + std::to_string(record) + " [" + w.raw + "]: ";
      const bool take_valid = ri == rejected.size() ||
                              (vi < valid.size() && valid.source_line[vi] < rejected.source_line[ri]);
      if (take_valid) {
        if (!w.reasons.empty()) return where + "valid, want " + Join(w.reasons);
        if (valid.row_hash[vi] != w.hash) return where + "row_hash";
        for (size_t c = 0; c < fields.size(); ++c) {
          const ValueColumn& col = valid.columns[c];
          const reference::Value& rv = w.values[c];
          if ((col.nulls[vi] != 0) != rv.null) return where + fields[c].name + " null";
          if (rv.null) continue;
          bool same = true;
          if (col.kind == ValueKind::kString) {
            same = col.strings[vi] == rv.text;
          } else if (col.kind == ValueKind::kInt128) {
            const unsigned __int128 hi = static_cast<uint64_t>(col.words[2 * vi + 1]);
            same = static_cast<__int128>((hi << 64) | static_cast<uint64_t>(col.words[2 * vi])) == *rv.number;
          } else {
            same = col.words[vi] == *rv.number;
          }
          if (!same) return where + fields[c].name + " value";
        }
        int64_t partition = ingest_day ? *ingest_day * kDayMicros : 0;
        if (partition_slot >= 0) {
          const auto n = static_cast<int64_t>(*w.values[partition_slot].number);
          partition = fields[partition_slot].kind == ValueKind::kDate ? n * kDayMicros : n;
        }
        if (valid.partition_micros[vi] != partition) return where + "partition";
        ++vi;
        ++valid_rows;
      } else {
        if (w.reasons.empty()) {
          return where + "rejected as " + std::string(rejected.validation_errors[ri]) + ", want valid";
        }
        const bool condemned = contract.max_attempts <= 1;
        const std::string errors = Join(w.reasons) + (condemned ? ",MAX_ATTEMPTS" : "");
        if (rejected.validation_errors[ri] != errors) {
          return where + "validation_errors " + std::string(rejected.validation_errors[ri]) + ", want " + errors;
        }
        if (rejected.validation_error[ri] != (condemned ? "MAX_ATTEMPTS" : w.reasons[0])) {
          return where + "validation_error";
        }
        if (rejected.row_hash[ri] != w.hash) return where + "row_hash";
        if (rejected.attempt_count[ri] != 1 || rejected.condemned[ri] != (condemned ? 1 : 0)) {
          return where + "attempt";
        }
        ++ri;
      }
      ++record;
    }
    if (!*more) break;
  }
  if (record != want.size()) return "rows " + std::to_string(record) + ", records " + std::to_string(want.size());
  if ((*t)->stats().valid_rows != valid_rows) return std::string("stats().valid_rows");
  return std::nullopt;
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

// A source for `header`: random records (some repeating an earlier one's fields, so keys
// repeat), each written as CSV with fields quoted when they must be or at random.
template <class Pick>
std::vector<Line> RandomLines(Pick& pick, const SchemaVersion& v, const std::vector<std::string>& header,
                              size_t records) {
  std::vector<Line> lines;
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
  return lines;
}

// One random case end to end: a keyed contract, a header the run accepts (else nullopt: not
// a case), up to `max_records` records written as CSV, the transform against the reference.
// The outcome: "" when they agree, else the first difference and the contract.
template <class Pick>
std::optional<std::string> RandomCase(Pick& pick, size_t max_records) {
  const Contract contract = KeyedContract(pick);
  const SchemaVersion& v = contract.schemas[0];
  // RandomHeader sometimes names a column twice or leaves one out: the run refuses those.
  const std::vector<std::string> header = random_contract::RandomHeader(pick, v);
  if (!reference::Check(contract, v.name, header, header, std::nullopt)) return std::nullopt;
  const std::vector<Line> lines = RandomLines(pick, v, header, 1 + pick(max_records));
  std::string csv = Join(header) + "\n";
  for (const Line& l : lines) csv += l.raw + (pick(3) == 0 ? "\r\n" : "\n");
  const std::string ingest_date = pick(4) == 0 ? "" : "2024-01-15";
  const auto want = Expected(contract, header, lines, IngestDay(ingest_date));
  auto diff = Compare(contract, csv, want, ingest_date);
  return diff ? *diff + "\n" + Describe(contract, header) : std::string();
}

}  // namespace runlake::keyed_reference
