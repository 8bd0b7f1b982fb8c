#include "ingest/row_validator.h"

#include "ingest/amount.h"

namespace runlake {

std::string_view CheckName(Check check) {
  switch (check) {
    case kSchemaError:
      return "SCHEMA_ERROR";
    case kNullValueError:
      return "NULL_VALUE_ERROR";
    case kCurrencyError:
      return "CURRENCY_ERROR";
    case kTypeError:
      return "TYPE_ERROR";
    case kTimestampError:
      return "TIMESTAMP_ERROR";
    case kDuplicateTransactionId:
      return "DUPLICATE_TRANSACTION_ID";
  }
  return "UNKNOWN_ERROR";
}

std::string_view FirstFailure(uint32_t failures) {
  return CheckName(static_cast<Check>(failures & (~failures + 1)));
}

void AppendFailures(uint32_t failures, std::string* out) {
  bool first = true;
  for (uint32_t bit = 1; bit <= kDuplicateTransactionId; bit <<= 1) {
    if ((failures & bit) == 0) continue;
    if (!first) out->push_back(',');
    out->append(CheckName(static_cast<Check>(bit)));
    first = false;
  }
}

Result<RowValidator> RowValidator::Create(const Rules& rules) {
  RowValidator v;
  v.currencies_.insert(rules.currencies.begin(), rules.currencies.end());
  RUNLAKE_ASSIGN_OR_RAISE(v.timestamps_, TimestampParser::Compile(rules.timestamp_formats));
  return v;
}

uint32_t RowValidator::Check(const RequiredFields& f, int64_t* cents, int64_t* micros) {
  uint32_t failures = 0;
  if (f.transaction_id.empty() || f.customer_id.empty() || f.amount.empty() || f.currency.empty() ||
      f.timestamp.empty() || (f.has_transaction_type && f.transaction_type.empty())) {
    failures |= kNullValueError;
  }
  if (!f.currency.empty() && currencies_.find(f.currency) == currencies_.end()) {
    failures |= kCurrencyError;
  }
  if (!f.amount.empty() && !ParseAmountCents(f.amount, cents)) failures |= kTypeError;
  if (!f.timestamp.empty() && !timestamps_.Parse(f.timestamp, micros)) {
    failures |= kTimestampError;
  }
  return failures;
}

}  // namespace runlake
