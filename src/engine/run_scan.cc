// runlake_scan: DuckDB table function streaming ValidRows batches into data chunks.

#include "engine/run_scan_internal.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "engine/batch_queue_internal.h"
#include "engine/year_month_key_internal.h"

namespace runlake {
namespace {

// Output columns, in order. Per-run constants (ingest_date, source_key, ...) are added by
// the COPY's SELECT instead, so they cost nothing per row here. `ym`, year * 100 + month of
// tx_date (YearMonthKey in year_month_key_internal.h), is the partition key of the overflow
// writer (month_writers_internal.h), which lets DuckDB partition: one BIGINT is the cheapest
// key its partitioned writer can hash. A month writer's COPY does not select it.
enum Column : idx_t { kTransactionId, kAccountId, kAmount, kCurrency, kTxDate,
                      kTransactionType, kSourceLine, kRowHash, kYearMonth, kColumnCount };

// One scan thread's state: the batch it is emitting, and the one it finished during the
// previous call. Strings are handed to DuckDB by pointer into the batch's arena (no copy),
// so a batch must outlive the chunk that points into it: DuckDB pushes a chunk through the
// pipeline (the COPY's sink copies it) before it asks this thread for the next one, so a
// retired batch is recycled at the start of the next call.
struct ScanLocal {
  std::unique_ptr<ValidRows> current;
  size_t pos = 0;
  std::vector<std::unique_ptr<ValidRows>> retired;
  bool finished = false;
};

// duckdb_string_t without a copy: short strings inline, longer ones point at `s`, which
// must stay alive as long as the chunk (see ScanLocal).
inline duckdb_string_t StringRef(std::string_view s) {
  duckdb_string_t out;
  const uint32_t n = static_cast<uint32_t>(s.size());
  if (n <= 12) {
    out.value.inlined.length = n;
    std::memset(out.value.inlined.inlined, 0, 12);
    std::memcpy(out.value.inlined.inlined, s.data(), n);
  } else {
    out.value.pointer.length = n;
    std::memcpy(out.value.pointer.prefix, s.data(), 4);
    out.value.pointer.ptr = const_cast<char*>(s.data());
  }
  return out;
}

void RefStrings(duckdb_vector vec, idx_t out, const StringColumn& col, size_t from,
                size_t count) {
  auto* data = static_cast<duckdb_string_t*>(duckdb_vector_get_data(vec)) + out;
  for (size_t i = 0; i < count; i++) data[i] = StringRef(col[from + i]);
}

void CopyInt64(duckdb_vector vec, idx_t out, const std::vector<int64_t>& col, size_t from,
               size_t count) {
  auto* data = static_cast<int64_t*>(duckdb_vector_get_data(vec));
  std::copy_n(col.data() + from, count, data + out);
}

// Writes valid rows [from, from+count) of `v` into output rows [out, out+count).
void EmitRows(const RunScanSource& src, const ValidRows& v, size_t from, size_t count,
              duckdb_data_chunk chunk, idx_t out) {
  auto vec = [&](Column c) { return duckdb_data_chunk_get_vector(chunk, c); };
  RefStrings(vec(kTransactionId), out, v.transaction_id, from, count);
  RefStrings(vec(kAccountId), out, v.account_id, from, count);
  CopyInt64(vec(kAmount), out, v.amount_cents, from, count);  // DECIMAL(16,2) is int64
  RefStrings(vec(kCurrency), out, v.currency, from, count);
  CopyInt64(vec(kTxDate), out, v.tx_micros, from, count);     // TIMESTAMP is int64 micros
  if (src.has_transaction_type) {
    RefStrings(vec(kTransactionType), out, v.transaction_type, from, count);
  } else {
    duckdb_vector type_vec = vec(kTransactionType);
    duckdb_vector_ensure_validity_writable(type_vec);
    uint64_t* validity = duckdb_vector_get_validity(type_vec);
    for (size_t i = 0; i < count; i++) duckdb_validity_set_row_invalid(validity, out + i);
  }
  CopyInt64(vec(kSourceLine), out, v.source_line, from, count);
  RefStrings(vec(kRowHash), out, v.row_hash, from, count);
  auto* ym = static_cast<int64_t*>(duckdb_vector_get_data(vec(kYearMonth))) + out;
  for (size_t i = 0; i < count; i++) ym[i] = YearMonthKey(v.tx_micros[from + i]);
}

void Scan(duckdb_function_info info, duckdb_data_chunk output) {
  auto* src = static_cast<RunScanSource*>(duckdb_function_get_bind_data(info));
  auto* local = static_cast<ScanLocal*>(duckdb_function_get_local_init_data(info));
  for (auto& batch : local->retired) src->queue->Recycle(std::move(batch));
  local->retired.clear();
  const idx_t capacity = duckdb_vector_size();
  idx_t n = 0;
  // Fill whole chunks across batch boundaries: DuckDB's writer works best on full vectors.
  while (n < capacity && !local->finished) {
    if (local->current == nullptr || local->pos == local->current->size()) {
      if (local->current != nullptr) local->retired.push_back(std::move(local->current));
      local->current = src->queue->Pop();
      local->pos = 0;
      if (local->current == nullptr) {
        local->finished = true;
        Status st = src->queue->error();
        if (!st.ok()) {
          duckdb_data_chunk_set_size(output, 0);
          duckdb_function_set_error(info, st.ToString().c_str());
          return;
        }
      }
      continue;
    }
    size_t count = std::min<size_t>(capacity - n, local->current->size() - local->pos);
    EmitRows(*src, *local->current, local->pos, count, output, n);
    local->pos += count;
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
  if (src == nullptr || src->queue == nullptr) {
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
  AddColumn(info, "ym", duckdb_create_logical_type(DUCKDB_TYPE_BIGINT));
  duckdb_bind_set_bind_data(info, src, nullptr);  // not owned: WriteRun owns the source
}

void Init(duckdb_init_info info) {
  auto* src = static_cast<RunScanSource*>(duckdb_init_get_bind_data(info));
  duckdb_init_set_max_threads(info, src->max_threads);
}

void DestroyLocal(void* p) {
  // Batches still held are freed here (the queue may already be gone).
  delete static_cast<ScanLocal*>(p);
}

void LocalInit(duckdb_init_info info) { duckdb_init_set_init_data(info, new ScanLocal, DestroyLocal); }

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
  duckdb_table_function_set_local_init(fn, LocalInit);
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

}  // namespace runlake
