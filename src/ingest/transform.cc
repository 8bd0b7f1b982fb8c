#include "ingest/transform.h"

#include <cstring>

#include <algorithm>
#include <bit>

#include "ingest/attempt_spill.h"
#include "ingest/byte_source.h"
#include "ingest/csv_scanner.h"
#include "ingest/duplicate_ids.h"
#include "ingest/row_validator.h"
#include "common/sha256.h"
#include "ingest/utf8.h"

namespace runlake {
namespace {

constexpr const char* kColumns[6] = {"TransactionID", "CustomerID",           "TransactionAmount",
                                     "Currency",      "TransactionTimestamp", "TransactionType"};
enum Column { kId, kCustomer, kAmount, kCurrency, kTimestamp, kType };

// A batch ends early past this many record bytes: StringColumn offsets are 32-bit, and
// with long records (max_record_bytes reaches 1 GiB) a full batch could overflow them.
static_assert(kCheckCount == 7, "RowTransformer::kChecks must follow the checks");

constexpr size_t kMaxBatchBytes = size_t{256} << 20;

// The contract trims spaces only (not tabs): "empty after trimming spaces".
// Currency, amount and timestamp are checked exactly as written (" EUR" is not EUR: the
// allowlist is an exact match, a plain decimal has no spaces); only a field of nothing
// but spaces counts as empty, for NULL_VALUE_ERROR.
std::string_view ExactOrEmpty(std::string_view s) {
  return s.find_first_not_of(' ') == std::string_view::npos ? std::string_view() : s;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

bool HasControlBytes(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7f;
  });
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

RowTransformer::RowTransformer(TransformOptions options)
    : options_(std::move(options)) {}

RowTransformer::~RowTransformer() = default;

Result<std::unique_ptr<RowTransformer>> RowTransformer::Open(std::unique_ptr<ObjectReader> source,
                                                             TransformOptions options) {
  if (options.schema_version != "v1" && options.schema_version != "v2") {
    return Status::InvalidArgument("unknown schema_version '" + options.schema_version +
                                   "' (known: v1, v2)");
  }
  options.batch_rows = std::max<size_t>(options.batch_rows, 1);
  std::unique_ptr<RowTransformer> t(new RowTransformer(std::move(options)));
  const std::string& name = t->options_.source_name;
  t->v2_ = t->options_.schema_version == "v2";
  auto validator = RowValidator::Create(t->options_.rules, t->options_.ingest_date);
  if (!validator.ok()) return validator.status().WithContext("rules");
  t->validator_ = std::make_unique<RowValidator>(std::move(*validator));

  auto bytes = ByteSource::Open(std::move(source), name);
  if (!bytes.ok()) {
    Status st = bytes.status();
    return st.code() == StatusCode::kCorruption ? st : st.WithContext(name);
  }
  t->bytes_ = std::move(*bytes);
  t->scanner_ = std::make_unique<CsvScanner>(t->bytes_.get(), t->ScannerOptions());
  RUNLAKE_RETURN_NOT_OK(t->ReadHeader());
  return t;
}

// Errors met while streaming, with the source and the line reached.
Status RowTransformer::InStream(const Status& st) const {
  const std::string& name = options_.source_name;
  std::string line = std::to_string(scanner_->line());
  if (st.code() == StatusCode::kCorruption) {
    return Status::Corruption(st.message() + " (reached line " + line + ")");
  }
  if (st.code() == StatusCode::kInvalidArgument) return st.WithContext(name);
  return st.WithContext(name + ": line " + line);
}

Status RowTransformer::ReadHeader() {
  const std::string& name = options_.source_name;
  const std::string schema = options_.schema_version;
  CsvRecord header;
  auto more = scanner_->Next(&header);
  stats_.bytes_read = bytes_->bytes_read();
  if (!more.ok()) {
    if (more.status().code() != StatusCode::kInvalidArgument) return InStream(more.status());
    return Status::InvalidArgument(name + ": line 1: header is not a CSV header of schema " +
                                   schema + " (" + more.status().message() + ")");
  }
  if (!*more) return Status::InvalidArgument(name + ": empty file, no header");
  if (header.overlong) {
    return Status::InvalidArgument(name + ": line 1: header is not a CSV header of schema " +
                                   schema + " (longer than max_record_bytes, " +
                                   std::to_string(options_.rules.max_record_bytes) + " bytes)");
  }

  size_t required = v2_ ? 6 : 5;
  std::vector<std::string> missing;
  const std::string where = name + ": line " + std::to_string(header.line) + ": ";
  for (size_t c = 0; c < required; ++c) {
    size_t found = 0, count = 0;
    for (size_t i = 0; i < header.fields.size(); ++i) {
      if (TrimSpaces(header.fields[i]) == kColumns[c]) {
        found = i;
        ++count;
      }
    }
    if (count == 0) missing.push_back(kColumns[c]);
    if (count > 1) {
      return Status::InvalidArgument(where + "header has column " + kColumns[c] + " " +
                                     std::to_string(count) + " times");
    }
    column_[c] = found;
  }
  // Binary data or some other file: say so rather than list five missing columns.
  if (header.broken_quoting || HasControlBytes(header.raw) || missing.size() == required) {
    std::string why = header.broken_quoting ? "broken quoting"
                      : HasControlBytes(header.raw)
                          ? "control bytes in the first line"
                          : "missing required column(s) " + JoinNames(missing);
    return Status::InvalidArgument(where + "header is not a CSV header of schema " + schema + " (" +
                                   why + ")");
  }
  if (!missing.empty()) {
    return Status::InvalidArgument(where + "header is missing required column(s) " +
                                   JoinNames(missing));
  }
  header_fields_ = header.fields.size();
  for (size_t i = 0; i < header.fields.size(); ++i) {
    if (std::find(column_, column_ + required, i) == column_ + required) {
      stats_.extra_columns.push_back(CleanUtf8(TrimSpaces(header.fields[i])));
    }
  }
  DuplicateIdsOptions dup;
  dup.columns = IdColumns{header_fields_, column_[kId]};
  dup.source_name = name;
  dup.reopen = options_.reopen;
  dup.spill_dir = options_.spill_dir;
  dup.memory_ids = options_.memory_ids;
  dup.scanner = ScannerOptions();
  duplicates_ = std::make_unique<DuplicateIds>(std::move(dup));
  return Status::OK();
}

Result<bool> RowTransformer::Next(ValidRows* valid, RejectedRows* rejected) {
  valid->Clear();
  rejected->Clear();
  CsvRecord record;
  size_t batch_bytes = 0;
  while (!exhausted_ && valid->size() + rejected->size() < options_.batch_rows &&
         batch_bytes < kMaxBatchBytes) {
    auto more = scanner_->Next(&record);
    stats_.bytes_read = bytes_->bytes_read();
    if (!more.ok()) return InStream(more.status());
    if (!*more) {
      exhausted_ = true;
      break;
    }
    batch_bytes += record.raw.size();
    RUNLAKE_RETURN_NOT_OK(AddRecord(record, valid, rejected));
  }
  RefreshReasons();
  if (exhausted_ && stats_.input_rows == 0) {
    return Status::InvalidArgument(options_.source_name + ": header only, no data rows");
  }
  return valid->size() + rejected->size() > 0;
}

// The map is refreshed per batch, not per row: no string keys in the hot loop.
void RowTransformer::RefreshReasons() {
  for (int bit = 0; bit < kChecks; ++bit) {
    std::string reason(FirstFailure(1u << bit));
    if (quarantined_by_check_[bit] > 0) {
      stats_.quarantine_by_reason[reason] = quarantined_by_check_[bit];
    } else {
      stats_.quarantine_by_reason.erase(reason);
    }
  }
}

Result<std::vector<uint16_t>> RowTransformer::ResolveAttempts() {
  if (options_.earlier_attempts == nullptr) return std::vector<uint16_t>{};
  RUNLAKE_ASSIGN_OR_RAISE(std::vector<uint16_t> attempts, options_.earlier_attempts->Resolve(rejected_rows_));
  const int max_attempts = options_.rules.max_attempts;
  const bool condemned_at_first = 1 >= max_attempts;  // what Next already decided
  for (size_t i = 0; i < attempts.size(); ++i) {
    attempts[i] = static_cast<uint16_t>(std::min<int>(attempts[i] + 1, 65535));
    if (attempts[i] >= max_attempts && !condemned_at_first) {
      --stats_.quarantined_rows;
      ++stats_.condemned_rows;
      --quarantined_by_check_[rejected_check_[i]];
    }
  }
  std::vector<uint8_t>().swap(rejected_check_);
  RefreshReasons();
  return attempts;
}

Status RowTransformer::AddRecord(const CsvRecord& record, ValidRows* valid,
                                 RejectedRows* rejected) {
  const int64_t ordinal = stats_.input_rows++;
  const bool schema_ok =
      !record.broken_quoting && !record.overlong && record.fields.size() == header_fields_;
  RequiredFields f;
  if (schema_ok) {
    f.transaction_id = AppearingId(record, IdColumns{header_fields_, column_[kId]});
    // Overlaps the ID table's cache miss with the row hashing below.
    if (!f.transaction_id.empty()) duplicates_->Prepare(f.transaction_id);
  }
  // row_hash is over the record's exact bytes (for an over-long one the scanner hashed
  // them all, beyond the prefix it kept).
  char row_hash[Sha256::kHexSize];
  std::string_view hash = record.overlong_sha256;
  if (!record.overlong) {
    Sha256::HexOf(record.raw, row_hash);
    hash = std::string_view(row_hash, sizeof row_hash);
  } else if (stats_.overlong_records++ == 0) {
    stats_.first_overlong_line = record.line;
  }
  const bool clean = IsCleanUtf8(record.raw);
  // A byte order mark after the file's start is valid UTF-8 but never data: it comes from
  // files glued together, and would sit invisibly inside a key. ENCODING_ERROR too.
  const bool bom = std::memchr(record.raw.data(), 0xEF, record.raw.size()) != nullptr &&
                   record.raw.find("\xEF\xBB\xBF") != std::string_view::npos;
  const uint32_t encoding = clean && !bom ? 0u : uint32_t{kEncodingError};

  uint32_t failures = kSchemaError | encoding;
  int64_t cents = 0, micros = 0;
  if (schema_ok) {
    f.customer_id = TrimSpaces(record.fields[column_[kCustomer]]);
    f.amount = ExactOrEmpty(record.fields[column_[kAmount]]);
    f.currency = ExactOrEmpty(record.fields[column_[kCurrency]]);
    f.timestamp = ExactOrEmpty(record.fields[column_[kTimestamp]]);
    if (v2_) f.transaction_type = TrimSpaces(record.fields[column_[kType]]);
    f.has_transaction_type = v2_;
    failures = validator_->Check(f, &cents, &micros) | encoding;
    if (!f.transaction_id.empty()) {
      Result<bool> seen = duplicates_->SeenBefore(f.transaction_id, ordinal);
      if (!seen.ok()) {
        const Status& st = seen.status();
        return st.code() == StatusCode::kCorruption ? st : st.WithContext(options_.source_name);
      }
      if (*seen) failures |= kDuplicateTransactionId;
    }
  }

  if (failures == 0) {
    ++stats_.valid_rows;
    valid->transaction_id.Append(f.transaction_id);
    valid->account_id.Append(f.customer_id);
    valid->amount_cents.push_back(cents);
    valid->currency.Append(f.currency);
    valid->tx_micros.push_back(micros);
    if (v2_) valid->transaction_type.Append(f.transaction_type);
    valid->source_line.push_back(record.line);
    valid->row_hash.Append(hash);
    return Status::OK();
  }
  return AddRejected(record, failures, hash, clean, rejected);
}

Status RowTransformer::AddRejected(const CsvRecord& record, uint32_t failures,
                                   std::string_view hash, bool clean, RejectedRows* rejected) {
  // A first attempt for now; with earlier attempts the final count is resolved after the
  // last batch (ResolveAttempts), so the lookup never holds the history in memory.
  const int attempt = 1;
  if (options_.earlier_attempts != nullptr) {
    RUNLAKE_ASSIGN_OR_RAISE(RowKey key, RowKeyOfHex(hash));
    RUNLAKE_RETURN_NOT_OK(options_.earlier_attempts->AddRejected(key, rejected_rows_++));
    rejected_check_.push_back(static_cast<uint8_t>(std::countr_zero(failures)));
  }
  const bool condemned = attempt >= options_.rules.max_attempts;
  errors_.clear();
  AppendFailures(failures, &errors_);
  if (condemned) {
    ++stats_.condemned_rows;
    errors_ += ",MAX_ATTEMPTS";
    rejected->validation_error.Append("MAX_ATTEMPTS");
  } else {
    ++stats_.quarantined_rows;
    rejected->validation_error.Append(FirstFailure(failures));
    ++quarantined_by_check_[std::countr_zero(failures)];
  }
  if (clean) {
    rejected->raw_record.Append(record.raw);
    rejected->raw_bytes.Append({});
  } else {
    clean_.clear();
    AppendCleanUtf8(record.raw, &clean_);
    rejected->raw_record.Append(clean_);
    rejected->raw_bytes.Append(record.raw);
  }
  rejected->source_line.push_back(record.line);
  rejected->validation_errors.Append(errors_);
  rejected->row_hash.Append(hash);
  rejected->attempt_count.push_back(attempt);
  rejected->condemned.push_back(condemned ? 1 : 0);
  return Status::OK();
}

CsvScannerOptions RowTransformer::ScannerOptions() const {
  CsvScannerOptions o;
  o.max_record_bytes = static_cast<size_t>(options_.rules.max_record_bytes);
  return o;
}

}  // namespace runlake
