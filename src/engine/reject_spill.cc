// RejectSink's temp-file format and the runlake_rejects table function that reads it back.

#include "engine/reject_spill_internal.h"

#include <cstring>
#include <mutex>

#include "engine/run_scan_internal.h"

namespace runlake {
namespace {

// One row: a fixed head, then its strings back to back. Native byte order: the file never
// outlives the process that wrote it.
constexpr int kStrings = 5;
struct Head {
  int64_t source_line;
  int32_t attempt_count;
  uint32_t condemned;
  uint32_t size[kStrings];  // raw_record, raw_bytes, validation_error, validation_errors,
                            // row_hash
};
constexpr size_t kFlushBytes = 1 << 20;

enum Column : idx_t { kRaw, kRawBytes, kLine, kError, kErrors, kHash, kAttempt };

struct Bind {
  const RejectSink* sink;
  bool condemned;
};

struct ScanState {
  explicit ScanState(RejectSink::Reader r) : reader(std::move(r)) {}
  RejectSink::Reader reader;
  RejectedRows rows;
};

void AssignStrings(duckdb_vector vec, const StringColumn& col) {
  for (size_t i = 0; i < col.size(); i++) {
    duckdb_vector_assign_string_element_len(vec, i, col[i].data(), col[i].size());
  }
}

// BLOB, NULL for an empty value: raw_bytes is only set when it differs from raw_record.
void AssignBlobsOrNull(duckdb_vector vec, const StringColumn& col) {
  for (size_t i = 0; i < col.size(); i++) {
    if (col[i].empty()) {
      duckdb_vector_ensure_validity_writable(vec);
      duckdb_validity_set_row_invalid(duckdb_vector_get_validity(vec), i);
    } else {
      duckdb_vector_assign_string_element_len(vec, i, col[i].data(), col[i].size());
    }
  }
}

void Scan(duckdb_function_info info, duckdb_data_chunk output) {
  auto* bind = static_cast<Bind*>(duckdb_function_get_bind_data(info));
  auto* state = static_cast<ScanState*>(duckdb_function_get_init_data(info));
  auto more = state->reader.Next(bind->condemned, duckdb_vector_size(), &state->rows);
  if (!more.ok()) {
    duckdb_function_set_error(info, more.status().ToString().c_str());
    return;
  }
  const RejectedRows& r = state->rows;
  auto vec = [&](Column c) { return duckdb_data_chunk_get_vector(output, c); };
  AssignStrings(vec(kRaw), r.raw_record);
  AssignBlobsOrNull(vec(kRawBytes), r.raw_bytes);
  std::memcpy(duckdb_vector_get_data(vec(kLine)), r.source_line.data(), r.size() * sizeof(int64_t));
  AssignStrings(vec(kError), r.validation_error);
  AssignStrings(vec(kErrors), r.validation_errors);
  AssignStrings(vec(kHash), r.row_hash);
  std::memcpy(duckdb_vector_get_data(vec(kAttempt)), r.attempt_count.data(),
              r.size() * sizeof(int32_t));
  duckdb_data_chunk_set_size(output, r.size());
}

void AddColumn(duckdb_bind_info info, const char* name, duckdb_type id) {
  duckdb_logical_type type = duckdb_create_logical_type(id);
  duckdb_bind_add_result_column(info, name, type);
  duckdb_destroy_logical_type(&type);
}

void BindRejects(duckdb_bind_info info) {
  auto* impl = static_cast<Engine::Impl*>(duckdb_bind_get_extra_info(info));
  duckdb_value id_value = duckdb_bind_get_parameter(info, 0);
  duckdb_value condemned_value = duckdb_bind_get_parameter(info, 1);
  int64_t id = duckdb_get_int64(id_value);
  bool condemned = duckdb_get_bool(condemned_value);
  duckdb_destroy_value(&id_value);
  duckdb_destroy_value(&condemned_value);
  const RejectSink* sink = nullptr;
  {
    std::lock_guard<std::mutex> lock(impl->scans_mu);
    auto it = impl->scans.find(id);
    if (it != impl->scans.end()) sink = it->second->rejects;
  }
  if (sink == nullptr) {
    duckdb_bind_set_error(info, "runlake_rejects: no run is being written under this id");
    return;
  }
  AddColumn(info, "raw_record", DUCKDB_TYPE_VARCHAR);
  AddColumn(info, "raw_bytes", DUCKDB_TYPE_BLOB);
  AddColumn(info, "source_line", DUCKDB_TYPE_BIGINT);
  AddColumn(info, "validation_error", DUCKDB_TYPE_VARCHAR);
  AddColumn(info, "validation_errors", DUCKDB_TYPE_VARCHAR);
  AddColumn(info, "row_hash", DUCKDB_TYPE_VARCHAR);
  AddColumn(info, "attempt_count", DUCKDB_TYPE_INTEGER);
  duckdb_bind_set_bind_data(info, new Bind{sink, condemned},
                            [](void* p) { delete static_cast<Bind*>(p); });
}

void InitRejects(duckdb_init_info info) {
  auto* bind = static_cast<Bind*>(duckdb_init_get_bind_data(info));
  duckdb_init_set_init_data(info, new ScanState(bind->sink->NewReader()),
                            [](void* p) { delete static_cast<ScanState*>(p); });
  duckdb_init_set_max_threads(info, 1);  // one reader: rows stay in file order
}

}  // namespace

Status RejectSink::Open(const std::string& dir) {
  RUNLAKE_ASSIGN_OR_RAISE(file_, TempFile::Create(dir));
  return Status::OK();
}

Status RejectSink::Append(const RejectedRows& rows) {
  if (file_ == nullptr) return Status::Internal("RejectSink used before Open");
  for (size_t i = 0; i < rows.size(); i++) {
    const std::string_view s[kStrings] = {rows.raw_record[i], rows.raw_bytes[i],
                                          rows.validation_error[i], rows.validation_errors[i],
                                          rows.row_hash[i]};
    Head h{rows.source_line[i], rows.attempt_count[i], rows.condemned[i] != 0u ? 1u : 0u, {}};
    for (int k = 0; k < kStrings; k++) h.size[k] = static_cast<uint32_t>(s[k].size());
    out_.append(reinterpret_cast<const char*>(&h), sizeof h);
    for (const auto& part : s) out_.append(part);
    (h.condemned ? condemned_ : quarantined_)++;
    if (out_.size() >= kFlushBytes) RUNLAKE_RETURN_NOT_OK(Flush());
  }
  return Status::OK();
}

Status RejectSink::Flush() {
  Status st = file_->Append(out_.data(), out_.size());
  out_.clear();
  return st.WithContext("spilling rejected rows");
}

Status RejectSink::Close() {
  if (file_ == nullptr || out_.empty()) return Status::OK();
  RUNLAKE_RETURN_NOT_OK(Flush());
  std::string().swap(out_);
  return Status::OK();
}

void RejectSink::SetFinalAttempts(std::vector<uint16_t> attempts, int max_attempts) {
  final_attempts_ = std::move(attempts);
  max_attempts_ = max_attempts;
  if (max_attempts <= 1) return;  // every row was condemned as it was appended
  int64_t moved = 0;
  for (uint16_t a : final_attempts_) moved += a >= max_attempts ? 1 : 0;
  quarantined_ -= moved;
  condemned_ += moved;
}

Status RejectSink::Reader::Need(size_t bytes) {
  if (buf_.size() - pos_ >= bytes) return Status::OK();
  buf_.erase(0, pos_);
  pos_ = 0;
  size_t want = std::max(bytes - buf_.size(), kFlushBytes);
  size_t old = buf_.size();
  buf_.resize(old + want);
  RUNLAKE_ASSIGN_OR_RAISE(size_t got, file_->ReadAt(offset_, buf_.data() + old, want));
  buf_.resize(old + got);
  offset_ += got;
  return Status::OK();
}

Result<bool> RejectSink::Reader::Next(bool condemned, size_t max_rows, RejectedRows* rows) {
  rows->Clear();
  if (file_ == nullptr) return false;
  while (rows->size() < max_rows) {
    RUNLAKE_RETURN_NOT_OK(Need(sizeof(Head)));
    if (buf_.size() - pos_ == 0) break;  // end of the file
    if (buf_.size() - pos_ < sizeof(Head)) return Status::IOError("rejected-rows spill is torn");
    Head h;
    std::memcpy(&h, buf_.data() + pos_, sizeof h);
    size_t body = 0;
    for (uint32_t size : h.size) body += size;
    RUNLAKE_RETURN_NOT_OK(Need(sizeof(Head) + body));
    if (buf_.size() - pos_ < sizeof(Head) + body)
      return Status::IOError("rejected-rows spill is torn");
    const char* p = buf_.data() + pos_ + sizeof(Head);
    pos_ += sizeof(Head) + body;
    const int64_t ordinal = ordinal_++;
    bool late = false;  // condemned by its final attempt count, not when it was appended
    if (!sink_->final_attempts_.empty()) {
      if (ordinal >= static_cast<int64_t>(sink_->final_attempts_.size())) {
        return Status::Internal("rejected-rows spill holds more rows than attempt counts");
      }
      h.attempt_count = sink_->final_attempts_[ordinal];
      late = h.condemned == 0 && h.attempt_count >= sink_->max_attempts_;
      if (late) h.condemned = 1;
    }
    if ((h.condemned != 0) != condemned) continue;
    std::string_view s[kStrings];
    for (int k = 0; k < kStrings; k++) {
      s[k] = std::string_view(p, h.size[k]);
      p += h.size[k];
    }
    if (late) {
      errors_.assign(s[3]);
      errors_ += ",MAX_ATTEMPTS";
      s[2] = "MAX_ATTEMPTS";
      s[3] = errors_;
    }
    rows->raw_record.Append(s[0]);
    rows->raw_bytes.Append(s[1]);
    rows->source_line.push_back(h.source_line);
    rows->validation_error.Append(s[2]);
    rows->validation_errors.Append(s[3]);
    rows->row_hash.Append(s[4]);
    rows->attempt_count.push_back(h.attempt_count);
    rows->condemned.push_back(h.condemned != 0 ? 1 : 0);
  }
  return rows->size() > 0;
}

Status RegisterRejectScan(Engine::Impl* impl) {
  duckdb_table_function fn = duckdb_create_table_function();
  duckdb_table_function_set_name(fn, "runlake_rejects");
  duckdb_logical_type bigint = duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
  duckdb_logical_type boolean = duckdb_create_logical_type(DUCKDB_TYPE_BOOLEAN);
  duckdb_table_function_add_parameter(fn, bigint);
  duckdb_table_function_add_parameter(fn, boolean);
  duckdb_destroy_logical_type(&bigint);
  duckdb_destroy_logical_type(&boolean);
  duckdb_table_function_set_extra_info(fn, impl, nullptr);
  duckdb_table_function_set_bind(fn, BindRejects);
  duckdb_table_function_set_init(fn, InitRejects);
  duckdb_table_function_set_function(fn, Scan);
  duckdb_state state = duckdb_register_table_function(impl->conn, fn);
  duckdb_destroy_table_function(&fn);
  return state == DuckDBSuccess ? Status::OK()
                                : Status::Internal("registering runlake_rejects failed");
}

}  // namespace runlake
