#include "ingest/transform.h"

#include <algorithm>

#include "common/sha256.h"
#include "ingest/attempt_spill.h"
#include "ingest/byte_source.h"
#include "ingest/csv_scanner.h"
#include "ingest/duplicate_ids.h"
#include "ingest/row_plan.h"
#include "ingest/utf8.h"
#include "runlake/builtin_contracts.h"
#include "runlake/contract.h"

namespace runlake {
namespace {

// A batch ends early past this many record bytes: StringColumn offsets are 32-bit, and
// with long records (max_record_bytes reaches 1 GiB) a full batch could overflow them.
constexpr size_t kMaxBatchBytes = size_t{256} << 20;
constexpr int64_t kDayMicros = int64_t{86400} * 1000000;

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

std::string KnownVersions(const Contract& contract) {
  std::vector<std::string> names;
  for (const SchemaVersion& v : contract.schemas) names.push_back(v.name);
  return JoinNames(names);
}

// The `from` names of `schema` that the (trimmed) header lacks.
std::vector<std::string> MissingColumns(const SchemaVersion& schema, const CsvRecord& header) {
  std::vector<std::string> missing;
  for (const Column& c : schema.columns) {
    bool found = std::any_of(header.fields.begin(), header.fields.end(),
                             [&](std::string_view f) { return TrimSpaces(f) == c.from; });
    if (!found) missing.push_back(c.from);
  }
  return missing;
}

BatchField FieldOf(const RowSlot& slot) {
  BatchField f;
  f.name = slot.name;
  f.kind = slot.kind;
  f.decimal = slot.type.kind == ColumnKind::kDecimal;
  f.precision = slot.type.precision;
  f.scale = slot.type.scale;
  return f;
}

}  // namespace

RowTransformer::RowTransformer(TransformOptions options)
    : options_(std::move(options)) {}

RowTransformer::~RowTransformer() = default;

Result<std::unique_ptr<RowTransformer>> RowTransformer::Open(std::unique_ptr<ObjectReader> source,
                                                             TransformOptions options) {
  options.batch_rows = std::max<size_t>(options.batch_rows, 1);
  std::unique_ptr<RowTransformer> t(new RowTransformer(std::move(options)));
  const TransformOptions& o = t->options_;
  t->contract_ = o.contract != nullptr ? o.contract : &TransactionsContract();
  if (t->contract_->FindSchema(o.schema_version) == nullptr) {
    return Status::InvalidArgument("unknown schema_version '" + o.schema_version + "' (known: " +
                                   KnownVersions(*t->contract_) + ")");
  }
  t->max_attempts_ = o.rules.Gives("max_attempts") ? o.rules.max_attempts : t->contract_->max_attempts;
  t->max_record_bytes_ = o.rules.Gives("max_record_bytes") ? o.rules.max_record_bytes
                                                           : t->contract_->source.max_record_bytes;
  if (!o.ingest_date.empty()) {
    t->ingest_day_ = IngestDay(o.ingest_date);
    if (!t->ingest_day_) {
      return Status::InvalidArgument("ingest_date '" + o.ingest_date + "' is not a date YYYY-MM-DD");
    }
    t->ingest_partition_micros_ = *t->ingest_day_ * kDayMicros;
  }
  const std::string& name = o.source_name;
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
                                   std::to_string(max_record_bytes_) + " bytes)");
  }
  const std::string where = name + ": line " + std::to_string(header.line) + ": ";
  const SchemaVersion& version = *contract_->FindSchema(schema);
  const std::vector<std::string> missing = MissingColumns(version, header);
  // Binary data or some other file: say so rather than list every column as missing.
  if (header.broken_quoting || HasControlBytes(header.raw) ||
      missing.size() == version.columns.size()) {
    std::string why = header.broken_quoting ? "broken quoting"
                      : HasControlBytes(header.raw)
                          ? "control bytes in the first line"
                          : "missing required column(s) " + JoinNames(missing);
    return Status::InvalidArgument(where + "header is not a CSV header of schema " + schema + " (" +
                                   why + ")");
  }
  Status compiled = CompilePlan(header);
  if (!compiled.ok()) return Status::InvalidArgument(where + compiled.message());
  stats_.extra_columns = plan_->extra_columns();
  DuplicateIdsOptions dup;
  dup.columns = key_;
  dup.source_name = name;
  dup.reopen = options_.reopen;
  dup.spill_dir = options_.spill_dir;
  dup.memory_ids = options_.memory_ids;
  dup.scanner = ScannerOptions();
  duplicates_ = std::make_unique<DuplicateIds>(std::move(dup));
  return Status::OK();
}

// The plan, the batch fields, the key's fields and the partition slot, from the header.
Status RowTransformer::CompilePlan(const CsvRecord& header) {
  std::vector<std::string_view> names(header.fields.begin(), header.fields.end());
  const RowPlanOverrides overrides = TransactionsOverrides(options_.rules);
  RUNLAKE_ASSIGN_OR_RAISE(RowPlan plan,
                          RowPlan::Compile(*contract_, options_.schema_version, names, overrides));
  plan_ = std::make_unique<RowPlan>(std::move(plan));
  eval_ = std::make_unique<RowEvaluation>();
  const std::vector<RowSlot>& slots = plan_->slots();
  auto slot_of = [&](const std::string& column) -> int64_t {
    for (size_t i = 0; i < slots.size(); ++i) {
      if (slots[i].name == column) return static_cast<int64_t>(i);
    }
    return -1;
  };
  for (const RowSlot& slot : slots) fields_.push_back(FieldOf(slot));
  key_.header_fields = header.fields.size();
  for (const std::string& column : contract_->key) {
    const int64_t slot = slot_of(column);
    if (slot < 0) return Status::InvalidArgument("key column " + column + " is not in schema " +
                                                 options_.schema_version);
    key_.fields.push_back(plan_->FieldOf(static_cast<size_t>(slot)));
    key_.trim.push_back(plan_->Trims(static_cast<size_t>(slot)) ? 1 : 0);
  }
  if (contract_->partition_by != kIngestDatePartition) {
    partition_slot_ = slot_of(contract_->partition_by);
    if (partition_slot_ < 0) {
      return Status::InvalidArgument("partition_by column " + contract_->partition_by +
                                     " is not in schema " + options_.schema_version);
    }
  }
  key_reason_ = plan_->ReasonId(contract_->key_reason);
  quarantined_by_reason_.assign(plan_->reason_count(), 0);
  return Status::OK();
}

Result<bool> RowTransformer::Next(ValidRows* valid, RejectedRows* rejected) {
  valid->Clear();
  rejected->Clear();
  if (valid->columns.size() != fields_.size()) {
    valid->columns.assign(fields_.size(), ValueColumn{});
    for (size_t i = 0; i < fields_.size(); ++i) valid->columns[i].kind = fields_[i].kind;
  }
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
  for (size_t id = 0; id < quarantined_by_reason_.size(); ++id) {
    std::string reason(plan_->Reason(static_cast<uint16_t>(id)));
    if (quarantined_by_reason_[id] > 0) {
      stats_.quarantine_by_reason[reason] = quarantined_by_reason_[id];
    } else {
      // Two ids never share a reason (the plan interns them), so this drops no other count.
      stats_.quarantine_by_reason.erase(reason);
    }
  }
}

Result<std::vector<uint16_t>> RowTransformer::ResolveAttempts() {
  if (options_.earlier_attempts == nullptr) return std::vector<uint16_t>{};
  RUNLAKE_ASSIGN_OR_RAISE(std::vector<uint16_t> attempts, options_.earlier_attempts->Resolve(rejected_rows_));
  const bool condemned_at_first = 1 >= max_attempts_;  // what Next already decided
  for (size_t i = 0; i < attempts.size(); ++i) {
    attempts[i] = static_cast<uint16_t>(std::min<int>(attempts[i] + 1, 65535));
    if (attempts[i] >= max_attempts_ && !condemned_at_first) {
      --stats_.quarantined_rows;
      ++stats_.condemned_rows;
      --quarantined_by_reason_[rejected_reason_[i]];
    }
  }
  std::vector<uint16_t>().swap(rejected_reason_);
  RefreshReasons();
  return attempts;
}

Status RowTransformer::AddRecord(const CsvRecord& record, ValidRows* valid,
                                 RejectedRows* rejected) {
  const int64_t ordinal = stats_.input_rows++;
  std::string_view key;
  if (!key_.fields.empty()) {
    key = AppearingKey(record, key_, &key_scratch_);
    // Overlaps the key table's cache miss with the row hashing below.
    if (!key.empty()) duplicates_->Prepare(key);
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
  PlanRecord plan_record{record.fields, record.broken_quoting || record.overlong, record.raw,
                         ingest_day_};
  plan_->Evaluate(plan_record, eval_.get());
  // A key is seen by every record that shows one, valid or not (the first one is kept).
  if (!key.empty() && !record.overlong) {
    Result<bool> seen = duplicates_->SeenBefore(key, ordinal);
    if (!seen.ok()) {
      const Status& st = seen.status();
      return st.code() == StatusCode::kCorruption ? st : st.WithContext(options_.source_name);
    }
    if (*seen && std::find(eval_->failures.begin(), eval_->failures.end(), key_reason_) ==
                     eval_->failures.end()) {
      eval_->failures.push_back(key_reason_);
    }
  }
  if (eval_->valid()) {
    AddValid(record, hash, valid);
    return Status::OK();
  }
  // The plan looked at the bytes already; only a rejected record needs to know how.
  return AddRejected(record, hash, IsCleanUtf8(record.raw), rejected);
}

void RowTransformer::AddValid(const CsvRecord& record, std::string_view hash, ValidRows* valid) {
  ++stats_.valid_rows;
  const PlanRow& row = eval_->row;
  for (size_t s = 0; s < fields_.size(); ++s) {
    ValueColumn& col = valid->columns[s];
    const bool null = row.IsNull(s);
    col.nulls.push_back(null ? 1 : 0);
    switch (col.kind) {
      case ValueKind::kString:
        col.strings.Append(null ? std::string_view() : row.Text(s));
        break;
      case ValueKind::kInt128: {
        const auto v = static_cast<unsigned __int128>(null ? 0 : row.Int128(s));
        col.words.push_back(static_cast<int64_t>(static_cast<uint64_t>(v)));
        col.words.push_back(static_cast<int64_t>(static_cast<uint64_t>(v >> 64)));
        break;
      }
      default:
        col.words.push_back(null ? 0 : row.Int64(s));
        break;
    }
  }
  int64_t partition = ingest_partition_micros_;
  if (partition_slot_ >= 0) {
    const int64_t v = row.Int64(static_cast<size_t>(partition_slot_));
    partition = fields_[partition_slot_].kind == ValueKind::kDate ? v * kDayMicros : v;
  }
  valid->partition_micros.push_back(partition);
  valid->source_line.push_back(record.line);
  valid->row_hash.Append(hash);
}

Status RowTransformer::AddRejected(const CsvRecord& record, std::string_view hash, bool clean,
                                   RejectedRows* rejected) {
  const std::vector<uint16_t>& failures = eval_->failures;
  // A first attempt for now; with earlier attempts the final count is resolved after the
  // last batch (ResolveAttempts), so the lookup never holds the history in memory.
  const int attempt = 1;
  if (options_.earlier_attempts != nullptr) {
    RUNLAKE_ASSIGN_OR_RAISE(RowKey key, RowKeyOfHex(hash));
    RUNLAKE_RETURN_NOT_OK(options_.earlier_attempts->AddRejected(key, rejected_rows_++));
    rejected_reason_.push_back(failures.front());
  }
  const bool condemned = attempt >= max_attempts_;
  errors_ = plan_->JoinReasons(failures);
  if (condemned) {
    ++stats_.condemned_rows;
    errors_ += ",MAX_ATTEMPTS";
    rejected->validation_error.Append("MAX_ATTEMPTS");
  } else {
    ++stats_.quarantined_rows;
    rejected->validation_error.Append(plan_->Reason(failures.front()));
    ++quarantined_by_reason_[failures.front()];
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
  o.max_record_bytes = static_cast<size_t>(max_record_bytes_);
  o.delimiter = contract_->source.delimiter;
  return o;
}

}  // namespace runlake
