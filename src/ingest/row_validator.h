#pragma once
// RowValidator: checks 2-5 of DESIGN.md "Rows" on one record's trimmed required fields.
// (Checks 1 and 1b, SCHEMA_ERROR and ENCODING_ERROR, are the transformer's: they need the
// record, not its fields.)
// Failures are a bit set so that "first failing" and "all failing, in check order" are
// both a walk over the bits in order.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>

#include "ingest/timestamp_format.h"
#include "runlake/rules.h"
#include "runlake/status.h"

namespace runlake {

// In check order: the lowest set bit is the first failing check.
enum Check : uint32_t {
  kSchemaError = 1u << 0,
  kEncodingError = 1u << 1,
  kNullValueError = 1u << 2,
  kCurrencyError = 1u << 3,
  kTypeError = 1u << 4,
  kTimestampError = 1u << 5,
  kDuplicateTransactionId = 1u << 6,
};
inline constexpr int kCheckCount = 7;

// "SCHEMA_ERROR", ... for one bit.
std::string_view CheckName(Check check);
// The name of the lowest set bit (the first failing check); failures must be non-zero.
std::string_view FirstFailure(uint32_t failures);
// Appends every failing check's name, comma-separated, in check order.
void AppendFailures(uint32_t failures, std::string* out);

struct RequiredFields {
  std::string_view transaction_id, customer_id, amount, currency, timestamp;
  std::string_view transaction_type;  // v2 only
  bool has_transaction_type = false;
};

class RowValidator {
 public:
  // InvalidArgument when a timestamp format does not compile, or ingest_date (the source's,
  // YYYY-MM-DD; it anchors tx_date_window's max_days_after_ingest) is not a date. An empty
  // ingest_date leaves that bound out.
  static Result<RowValidator> Create(const Rules& rules, std::string_view ingest_date = {});

  // Runs checks 2-5 and returns the failures (0: valid). On success *cents and *micros hold
  // the parsed amount and timestamp. Check 6 (duplicates) needs the whole source's history,
  // so it is DuplicateIds' (duplicate_ids.h), and the transformer adds its bit.
  uint32_t Check(const RequiredFields& f, int64_t* cents, int64_t* micros);

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_set<std::string, StringHash, std::equal_to<>> currencies_;
  TimestampParser timestamps_;
  // tx_date_window as UTC microseconds: valid when min_micros_ <= tx < end_micros_.
  int64_t min_micros_ = INT64_MIN, end_micros_ = INT64_MAX;
};

}  // namespace runlake
