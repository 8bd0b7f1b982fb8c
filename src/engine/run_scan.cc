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

// Output columns, in order: the batch's fields (the schema version's columns), then these.
// Per-run constants (ingest_date, source_key, ...) are added by the COPY's SELECT instead,
// so they cost nothing per row here. `month`, year * 100 + month of the row's partition
// instant (YearMonthKey in year_month_key_internal.h), is the partition key of the overflow
// writer (month_writers_internal.h), which lets DuckDB partition: one BIGINT is the cheapest
// key its partitioned writer can hash. A month writer's COPY does not select it. Contract
// columns may not take these names (they are lineage and Hive columns).
enum Trailer : idx_t { kSourceLine, kRowHash, kYearMonth, kTrailerCount };
constexpr const char* kTrailerNames[kTrailerCount] = {"source_line", "row_hash", "month"};

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

void SetNulls(duckdb_vector vec, idx_t out, const std::vector<uint8_t>& nulls, size_t from,
              size_t count) {
  uint64_t* validity = nullptr;
  for (size_t i = 0; i < count; i++) {
    if (nulls[from + i] == 0) continue;
    if (validity == nullptr) {
      duckdb_vector_ensure_validity_writable(vec);
      validity = duckdb_vector_get_validity(vec);
    }
    duckdb_validity_set_row_invalid(validity, out + i);
  }
}

// One batch column into its DuckDB vector, in the physical form of its scan type (ScanType).
void EmitColumn(const ValueColumn& col, size_t from, size_t count, duckdb_vector vec, idx_t out) {
  const int64_t* words = col.words.data();
  switch (col.kind) {
    case ValueKind::kString:
      RefStrings(vec, out, col.strings, from, count);
      break;
    case ValueKind::kInt64:      // BIGINT, or DECIMAL(P<=18) scanned as int64
    case ValueKind::kTimestamp:  // TIMESTAMP is int64 micros
      std::copy_n(words + from, count, static_cast<int64_t*>(duckdb_vector_get_data(vec)) + out);
      break;
    case ValueKind::kInt128: {
      auto* data = static_cast<duckdb_hugeint*>(duckdb_vector_get_data(vec)) + out;
      for (size_t i = 0; i < count; i++) {
        data[i].lower = static_cast<uint64_t>(words[2 * (from + i)]);
        data[i].upper = words[2 * (from + i) + 1];
      }
      break;
    }
    case ValueKind::kBoolean: {
      auto* data = static_cast<bool*>(duckdb_vector_get_data(vec)) + out;
      for (size_t i = 0; i < count; i++) data[i] = words[from + i] != 0;
      break;
    }
    case ValueKind::kDate: {
      auto* data = static_cast<int32_t*>(duckdb_vector_get_data(vec)) + out;
      for (size_t i = 0; i < count; i++) data[i] = static_cast<int32_t>(words[from + i]);
      break;
    }
  }
  SetNulls(vec, out, col.nulls, from, count);
}

// Writes valid rows [from, from+count) of `v` into output rows [out, out+count).
void EmitRows(const ValidRows& v, size_t from, size_t count, duckdb_data_chunk chunk, idx_t out) {
  const idx_t fields = v.columns.size();
  for (idx_t c = 0; c < fields; c++) {
    EmitColumn(v.columns[c], from, count, duckdb_data_chunk_get_vector(chunk, c), out);
  }
  auto vec = [&](Trailer t) { return duckdb_data_chunk_get_vector(chunk, fields + t); };
  CopyInt64(vec(kSourceLine), out, v.source_line, from, count);
  RefStrings(vec(kRowHash), out, v.row_hash, from, count);
  auto* ym = static_cast<int64_t*>(duckdb_vector_get_data(vec(kYearMonth))) + out;
  for (size_t i = 0; i < count; i++) ym[i] = YearMonthKey(v.partition_micros[from + i]);
}

// The DuckDB type a field is scanned as: its silver type where DuckDB stores that in the
// field's words as they are; a DECIMAL of precision <= 9 (stored in 16 or 32 bits) as
// DECIMAL(10,S) (64 bits), which the COPY's CAST narrows.
duckdb_logical_type ScanType(const BatchField& f) {
  switch (f.kind) {
    case ValueKind::kString:
      return duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
    case ValueKind::kInt64:
      if (!f.decimal) return duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
      return duckdb_create_decimal_type(static_cast<uint8_t>(std::max(f.precision, 10)),
                                        static_cast<uint8_t>(f.scale));
    case ValueKind::kInt128:
      return duckdb_create_decimal_type(static_cast<uint8_t>(f.precision),
                                        static_cast<uint8_t>(f.scale));
    case ValueKind::kBoolean:
      return duckdb_create_logical_type(DUCKDB_TYPE_BOOLEAN);
    case ValueKind::kDate:
      return duckdb_create_logical_type(DUCKDB_TYPE_DATE);
    case ValueKind::kTimestamp:
      return duckdb_create_logical_type(DUCKDB_TYPE_TIMESTAMP);
  }
  return duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
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
    EmitRows(*local->current, local->pos, count, output, n);
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
  for (const BatchField& f : src->fields) AddColumn(info, f.name.c_str(), ScanType(f));
  AddColumn(info, kTrailerNames[kSourceLine], duckdb_create_logical_type(DUCKDB_TYPE_BIGINT));
  AddColumn(info, kTrailerNames[kRowHash], duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR));
  AddColumn(info, kTrailerNames[kYearMonth], duckdb_create_logical_type(DUCKDB_TYPE_BIGINT));
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
