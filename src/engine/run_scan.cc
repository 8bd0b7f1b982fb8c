// runlake_scan: DuckDB table function streaming ValidRows batches into data chunks.

#include "engine/run_scan_internal.h"

#include <algorithm>
#include <exception>

namespace runlake {
namespace {

// Output columns, in order. Per-run constants (ingest_date, source_key, ...) are added by
// the COPY's SELECT instead, so they cost nothing per row here.
enum Column : idx_t { kTransactionId, kAccountId, kAmount, kCurrency, kTxDate,
                      kTransactionType, kSourceLine, kRowHash, kColumnCount };

constexpr int64_t kMaxCents = 9999999999999999;  // DECIMAL(16,2): 16 digits, unscaled

Status CheckValid(const ValidRows& v, bool has_type) {
  size_t n = v.size();
  bool same = v.transaction_id.size() == n && v.account_id.size() == n &&
              v.currency.size() == n && v.tx_micros.size() == n && v.source_line.size() == n &&
              v.row_hash.size() == n && (!has_type || v.transaction_type.size() == n);
  if (!same) return Status::InvalidArgument("ValidRows batch: columns have different lengths");
  for (int64_t cents : v.amount_cents) {
    if (cents > kMaxCents || cents < -kMaxCents)
      return Status::InvalidArgument("ValidRows batch: amount out of DECIMAL(16,2) range");
  }
  return Status::OK();
}

Status CheckRejected(const RejectedRows& r) {
  size_t n = r.size();
  bool same = r.raw_record.size() == n && r.validation_error.size() == n &&
              r.validation_errors.size() == n && r.row_hash.size() == n &&
              r.attempt_count.size() == n && r.condemned.size() == n;
  return same ? Status::OK()
              : Status::InvalidArgument("RejectedRows batch: columns have different lengths");
}

Status PullBatch(RunScanSource* src) {
  src->valid.Clear();
  src->rejected.Clear();
  src->pos = 0;
  Result<bool> more = false;
  try {
    more = (*src->pull)(&src->valid, &src->rejected);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("batch puller threw: ") + e.what());
  }
  if (!more.ok()) return more.status();
  if (!*more) src->exhausted = true;
  RUNLAKE_RETURN_NOT_OK(CheckValid(src->valid, src->has_transaction_type));
  RUNLAKE_RETURN_NOT_OK(CheckRejected(src->rejected));
  return src->rejects->Append(src->rejected);
}

void AssignStrings(duckdb_vector vec, idx_t out, const StringColumn& col, size_t from,
                   size_t count) {
  for (size_t i = 0; i < count; i++) {
    std::string_view s = col[from + i];
    duckdb_vector_assign_string_element_len(vec, out + i, s.data(), s.size());
  }
}

void CopyInt64(duckdb_vector vec, idx_t out, const std::vector<int64_t>& col, size_t from,
               size_t count) {
  auto* data = static_cast<int64_t*>(duckdb_vector_get_data(vec));
  std::copy_n(col.data() + from, count, data + out);
}

// Writes valid rows [from, from+count) into output rows [out, out+count).
void EmitRows(const RunScanSource& src, size_t from, size_t count, duckdb_data_chunk chunk,
              idx_t out) {
  const ValidRows& v = src.valid;
  auto vec = [&](Column c) { return duckdb_data_chunk_get_vector(chunk, c); };
  AssignStrings(vec(kTransactionId), out, v.transaction_id, from, count);
  AssignStrings(vec(kAccountId), out, v.account_id, from, count);
  CopyInt64(vec(kAmount), out, v.amount_cents, from, count);  // DECIMAL(16,2) is int64
  AssignStrings(vec(kCurrency), out, v.currency, from, count);
  CopyInt64(vec(kTxDate), out, v.tx_micros, from, count);     // TIMESTAMP is int64 micros
  if (src.has_transaction_type) {
    AssignStrings(vec(kTransactionType), out, v.transaction_type, from, count);
  } else {
    duckdb_vector type_vec = vec(kTransactionType);
    duckdb_vector_ensure_validity_writable(type_vec);
    uint64_t* validity = duckdb_vector_get_validity(type_vec);
    for (size_t i = 0; i < count; i++) duckdb_validity_set_row_invalid(validity, out + i);
  }
  CopyInt64(vec(kSourceLine), out, v.source_line, from, count);
  AssignStrings(vec(kRowHash), out, v.row_hash, from, count);
}

void Scan(duckdb_function_info info, duckdb_data_chunk output) {
  auto* src = static_cast<RunScanSource*>(duckdb_function_get_bind_data(info));
  const idx_t capacity = duckdb_vector_size();
  idx_t n = 0;
  // Fill whole chunks across batch boundaries: DuckDB's writer works best on full vectors.
  while (n < capacity) {
    if (src->pos == src->valid.size()) {
      if (src->exhausted) break;
      Status st = PullBatch(src);
      if (!st.ok()) {
        src->error = st;
        duckdb_data_chunk_set_size(output, 0);
        duckdb_function_set_error(info, st.ToString().c_str());
        return;
      }
      continue;
    }
    size_t count = std::min<size_t>(capacity - n, src->valid.size() - src->pos);
    EmitRows(*src, src->pos, count, output, n);
    src->pos += count;
    n += count;
  }
  src->rows_emitted += static_cast<int64_t>(n);
  duckdb_data_chunk_set_size(output, n);
}

void AddColumn(duckdb_bind_info info, const char* name, duckdb_logical_type type) {
  duckdb_bind_add_result_column(info, name, type);
  duckdb_destroy_logical_type(&type);
}

void Bind(duckdb_bind_info info) {
  auto* impl = static_cast<Engine::Impl*>(duckdb_bind_get_extra_info(info));
  duckdb_value param = duckdb_bind_get_parameter(info, 0);
  int64_t id = duckdb_get_int64(param);
  duckdb_destroy_value(&param);
  RunScanSource* src = nullptr;
  {
    std::lock_guard<std::mutex> lock(impl->scans_mu);
    auto it = impl->scans.find(id);
    if (it != impl->scans.end()) src = it->second;
  }
  if (src == nullptr) {
    duckdb_bind_set_error(info, "runlake_scan: no run is being written under this id");
    return;
  }
  auto varchar = [] { return duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR); };
  AddColumn(info, "transaction_id", varchar());
  AddColumn(info, "account_id", varchar());
  AddColumn(info, "amount", duckdb_create_decimal_type(16, 2));
  AddColumn(info, "currency", varchar());
  AddColumn(info, "tx_date", duckdb_create_logical_type(DUCKDB_TYPE_TIMESTAMP));
  AddColumn(info, "transaction_type", varchar());
  AddColumn(info, "source_line", duckdb_create_logical_type(DUCKDB_TYPE_BIGINT));
  AddColumn(info, "row_hash", varchar());
  duckdb_bind_set_bind_data(info, src, nullptr);  // not owned: WriteRun owns the source
}

void Init(duckdb_init_info info) { duckdb_init_set_max_threads(info, 1); }

}  // namespace

Status RegisterRunScan(Engine::Impl* impl) {
  duckdb_table_function fn = duckdb_create_table_function();
  duckdb_table_function_set_name(fn, "runlake_scan");
  duckdb_logical_type bigint = duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
  duckdb_table_function_add_parameter(fn, bigint);
  duckdb_destroy_logical_type(&bigint);
  duckdb_table_function_set_extra_info(fn, impl, nullptr);
  duckdb_table_function_set_bind(fn, Bind);
  duckdb_table_function_set_init(fn, Init);
  duckdb_table_function_set_function(fn, Scan);
  duckdb_state state = duckdb_register_table_function(impl->conn, fn);
  duckdb_destroy_table_function(&fn);
  return state == DuckDBSuccess ? Status::OK()
                                : Status::Internal("registering runlake_scan failed");
}

ScanRegistration::ScanRegistration(Engine::Impl* impl, RunScanSource* source) : impl_(impl) {
  std::lock_guard<std::mutex> lock(impl_->scans_mu);
  id_ = impl_->next_scan_id++;
  impl_->scans[id_] = source;
}

ScanRegistration::~ScanRegistration() {
  std::lock_guard<std::mutex> lock(impl_->scans_mu);
  impl_->scans.erase(id_);
}

Status RejectSink::Open(duckdb_connection conn) {
  RUNLAKE_RETURN_NOT_OK(RunSql(conn, std::string("CREATE OR REPLACE TEMP TABLE ") + kTable +
                                         "(raw_record VARCHAR, source_line BIGINT, "
                                         "validation_error VARCHAR, validation_errors VARCHAR, "
                                         "row_hash VARCHAR, attempt_count INTEGER, "
                                         "condemned BOOLEAN)"));
  if (duckdb_appender_create_ext(conn, "temp", "main", kTable, &appender_) == DuckDBError)
    return AppenderError();
  return Status::OK();
}

Status RejectSink::Append(const RejectedRows& rows) {
  auto str = [this](std::string_view s) {
    return duckdb_append_varchar_length(appender_, s.data(), s.size());
  };
  for (size_t i = 0; i < rows.size(); i++) {
    bool condemned = rows.condemned[i] != 0;
    if (str(rows.raw_record[i]) || duckdb_append_int64(appender_, rows.source_line[i]) ||
        str(rows.validation_error[i]) || str(rows.validation_errors[i]) ||
        str(rows.row_hash[i]) || duckdb_append_int32(appender_, rows.attempt_count[i]) ||
        duckdb_append_bool(appender_, condemned) || duckdb_appender_end_row(appender_)) {
      return AppenderError();
    }
    (condemned ? condemned_ : quarantined_)++;
  }
  return Status::OK();
}

Status RejectSink::Close() {
  if (appender_ == nullptr) return Status::OK();
  Status st;
  if (duckdb_appender_close(appender_) == DuckDBError) st = AppenderError();
  duckdb_appender_destroy(&appender_);
  appender_ = nullptr;
  return st;
}

RejectSink::~RejectSink() {
  if (appender_ != nullptr) duckdb_appender_destroy(&appender_);
}

Status RejectSink::AppenderError() {
  if (appender_ == nullptr) return Status::Internal("creating the rejected-rows appender");
  duckdb_error_data error = duckdb_appender_error_data(appender_);
  Status st = StatusFromDuckDB(duckdb_error_data_error_type(error),
                               duckdb_error_data_message(error));
  duckdb_destroy_error_data(&error);
  return st.WithContext("appending rejected rows");
}

}  // namespace runlake
