#pragma once
// RowValidator: checks 2-5 of DESIGN.md "Rows" on one record's trimmed required fields.
// (Check 1, SCHEMA_ERROR, is the transformer's: it needs the record, not its fields.)
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

enum Check : uint32_t {
  kSchemaError = 1u << 0,
  kNullValueError = 1u << 1,
  kCurrencyError = 1u << 2,
  kTypeError = 1u << 3,
  kTimestampError = 1u << 4,
  kDuplicateTransactionId = 1u << 5,
};

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
  // InvalidArgument when a timestamp format does not compile.
  static Result<RowValidator> Create(const Rules& rules);

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
};

}  // namespace runlake
