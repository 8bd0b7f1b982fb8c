#pragma once
// Columnar batches that flow from the validator (src/ingest) to the Parquet writer
// (src/engine). Strings live in one arena per column so a batch of thousands of rows
// costs a handful of allocations.

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

// Rows that passed every check. Per-run constants (ingest_date, source_key,
// ingestion_timestamp, schema_v, run_id) are not repeated here.
struct ValidRows {
  StringColumn transaction_id;
  StringColumn account_id;  // CustomerID
  std::vector<int64_t> amount_cents;  // DECIMAL(16,2) unscaled
  StringColumn currency;
  std::vector<int64_t> tx_micros;  // UTC microseconds since the epoch
  StringColumn transaction_type;   // v2 only; empty column for v1 (written as NULL)
  std::vector<int64_t> source_line;  // 1-based physical line where the record starts
  StringColumn row_hash;             // SHA-256 hex of the record's bytes

  size_t size() const { return amount_cents.size(); }
  void Clear() {
    transaction_id.Clear(); account_id.Clear(); amount_cents.clear(); currency.Clear();
    tx_micros.clear(); transaction_type.Clear(); source_line.clear(); row_hash.Clear();
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
