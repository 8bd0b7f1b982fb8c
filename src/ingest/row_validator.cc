#include "ingest/row_validator.h"

#include "ingest/amount.h"

namespace runlake {

std::string_view CheckName(Check check) {
  switch (check) {
    case kSchemaError:
      return "SCHEMA_ERROR";
    case kEncodingError:
      return "ENCODING_ERROR";
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

Result<RowValidator> RowValidator::Create(const Rules& rules, std::string_view ingest_date) {
  RowValidator v;
  v.currencies_.insert(rules.currencies.begin(), rules.currencies.end());
  RUNLAKE_ASSIGN_OR_RAISE(v.timestamps_, TimestampParser::Compile(rules.timestamp_formats));
  const TxDateWindow& w = rules.tx_date_window;
  if (w.not_before && !ParseDayMicros(*w.not_before, &v.min_micros_)) {
    return Status::InvalidArgument("tx_date_window.not_before '" + *w.not_before +
                                   "' is not a date YYYY-MM-DD");
  }
  if (w.max_days_after_ingest && !ingest_date.empty()) {
    int64_t ingest = 0;
    if (!ParseDayMicros(ingest_date, &ingest)) {
      return Status::InvalidArgument("ingest_date '" + std::string(ingest_date) +
                                     "' is not a date YYYY-MM-DD");
    }
    constexpr int64_t kDay = int64_t{86400} * 1000000;
    v.end_micros_ = ingest + (int64_t{*w.max_days_after_ingest} + 1) * kDay;
  }
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
  if (!f.timestamp.empty() &&
      (!timestamps_.Parse(f.timestamp, micros) || *micros < min_micros_ ||
       *micros >= end_micros_)) {
    failures |= kTimestampError;
  }
  return failures;
}

}  // namespace runlake
