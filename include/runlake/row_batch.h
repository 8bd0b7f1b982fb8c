#pragma once
// Columnar batches that flow from the transform (src/ingest) to the Parquet writer
// (src/engine). A batch of valid rows is described at run time: one column per column of
// the run's schema version (DESIGN.md "Datasets are declared in contracts"), each stored
// the way DuckDB stores its silver type, so the writer hands them over without converting.
// Strings live in one arena per column so a batch of thousands of rows costs a handful of
// allocations.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace runlake {

class StringColumn {
 public:
  void Append(std::string_view s) {
    bytes_.append(s.data(), s.size());
    ends_.push_back(static_cast<uint32_t>(bytes_.size()));
  }
  std::string_view operator[](size_t i) const {
    uint32_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(bytes_.data() + begin, ends_[i] - begin);
  }
  size_t size() const { return ends_.size(); }
  void Clear() {
    bytes_.clear();
    ends_.clear();
  }

 private:
  std::string bytes_;
  std::vector<uint32_t> ends_;
};

// How a column's values are held (and handed to DuckDB).
enum class ValueKind : uint8_t {
  kString,     // VARCHAR: the (trimmed) field text
  kInt64,      // BIGINT; DECIMAL(P,S) with P <= 18 as the value * 10^S
  kInt128,     // DECIMAL(P,S) with P > 18 as the value * 10^S: two words, low then high
  kBoolean,    // 0 or 1
  kDate,       // days since 1970-01-01
  kTimestamp,  // microseconds since 1970-01-01 00:00 UTC
};

// What a batch column is: its silver name and type. `precision`/`scale` for decimals only.
struct BatchField {
  std::string name;
  ValueKind kind = ValueKind::kString;
  bool decimal = false;
  int precision = 0, scale = 0;
};

struct ValueColumn {
  ValueKind kind = ValueKind::kString;
  StringColumn strings;        // kString
  std::vector<int64_t> words;  // every other kind: one word per row (kInt128: two)
  std::vector<uint8_t> nulls;  // one per row; 1: NULL (an empty optional field)

  size_t size() const { return nulls.size(); }
  void Clear() {
    strings.Clear();
    words.clear();
    nulls.clear();
  }
  // Rows rows[0..n) of `from`, column-wise: the month router's gather (no per-row switch).
  void AppendRows(const ValueColumn& from, const uint32_t* rows, size_t n) {
    for (size_t i = 0; i < n; ++i) nulls.push_back(from.nulls[rows[i]]);
    if (kind == ValueKind::kString) {
      for (size_t i = 0; i < n; ++i) strings.Append(from.strings[rows[i]]);
    } else if (kind == ValueKind::kInt128) {
      for (size_t i = 0; i < n; ++i) {
        words.push_back(from.words[2 * rows[i]]);
        words.push_back(from.words[2 * rows[i] + 1]);
      }
    } else {
      for (size_t i = 0; i < n; ++i) words.push_back(from.words[rows[i]]);
    }
  }
};

// Rows that passed every check. Per-run constants (ingest_date, source_key,
// ingestion_timestamp, schema_v, run_id) are not repeated here.
struct ValidRows {
  std::vector<ValueColumn> columns;  // the schema version's columns, in order
  // The row's silver partition as a UTC instant: its partition_by column (a date at 00:00),
  // or the source's ingest_date. The writer files it under year=/month= of this instant.
  std::vector<int64_t> partition_micros;
  std::vector<int64_t> source_line;  // 1-based physical line where the record starts
  StringColumn row_hash;             // SHA-256 hex of the record's bytes

  size_t size() const { return source_line.size(); }
  void Clear() {
    for (ValueColumn& c : columns) c.Clear();
    partition_micros.clear();
    source_line.clear();
    row_hash.Clear();
  }
  // Gives an unshaped (new) batch the columns of `like`; a shaped one is left as it is.
  void ShapeLike(const ValidRows& like) {
    if (columns.size() == like.columns.size()) return;
    columns.assign(like.columns.size(), ValueColumn{});
    for (size_t i = 0; i < columns.size(); ++i) columns[i].kind = like.columns[i].kind;
  }
  void AppendRows(const ValidRows& from, const uint32_t* rows, size_t n) {
    ShapeLike(from);
    for (size_t c = 0; c < columns.size(); ++c) columns[c].AppendRows(from.columns[c], rows, n);
    for (size_t i = 0; i < n; ++i) {
      partition_micros.push_back(from.partition_micros[rows[i]]);
      source_line.push_back(from.source_line[rows[i]]);
      row_hash.Append(from.row_hash[rows[i]]);
    }
  }
};

// Rows that failed a check: bound for quarantine, or condemned at max attempts.
struct RejectedRows {
  StringColumn raw_record;         // the record text without its line terminator, as valid
                                   // UTF-8 (U+FFFD for invalid bytes and NUL)
  StringColumn raw_bytes;          // the exact bytes when they differ from raw_record; empty
                                   // (written as NULL) otherwise
  std::vector<int64_t> source_line;
  StringColumn validation_error;   // first failing check, or MAX_ATTEMPTS
  StringColumn validation_errors;  // every failing check, comma-separated, in check order
  StringColumn row_hash;            // SHA-256 hex of the record's exact bytes
  std::vector<int32_t> attempt_count;
  std::vector<uint8_t> condemned;  // 1: goes to condemned/, 0: quarantine/

  size_t size() const { return source_line.size(); }
  void Clear() {
    raw_record.Clear(); raw_bytes.Clear(); source_line.clear(); validation_error.Clear();
    validation_errors.Clear(); row_hash.Clear(); attempt_count.clear(); condemned.clear();
  }
};

}  // namespace runlake
