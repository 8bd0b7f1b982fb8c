// Engine: configuration, statement execution and result materialisation over DuckDB's C API.

#include "engine/engine.h"
#include "common/test_hooks.h"

#include <string_view>

#include "engine/engine_internal.h"
#include "engine/read_only_sql_internal.h"
#include "engine/reject_spill_internal.h"
#include "engine/run_scan_internal.h"

namespace runlake {
namespace {

std::string TypeName(duckdb_logical_type type);

std::string ChildTypeName(duckdb_logical_type child) {
  std::string name = TypeName(child);
  duckdb_destroy_logical_type(&child);
  return name;
}

// duckdb.h has no "type to string"; this spells types the way DuckDB's DESCRIBE does.
std::string TypeName(duckdb_logical_type type) {
  switch (duckdb_get_type_id(type)) {
    case DUCKDB_TYPE_BOOLEAN: return "BOOLEAN";
    case DUCKDB_TYPE_TINYINT: return "TINYINT";
    case DUCKDB_TYPE_SMALLINT: return "SMALLINT";
    case DUCKDB_TYPE_INTEGER: return "INTEGER";
    case DUCKDB_TYPE_BIGINT: return "BIGINT";
    case DUCKDB_TYPE_UTINYINT: return "UTINYINT";
    case DUCKDB_TYPE_USMALLINT: return "USMALLINT";
    case DUCKDB_TYPE_UINTEGER: return "UINTEGER";
    case DUCKDB_TYPE_UBIGINT: return "UBIGINT";
    case DUCKDB_TYPE_HUGEINT: return "HUGEINT";
    case DUCKDB_TYPE_UHUGEINT: return "UHUGEINT";
    case DUCKDB_TYPE_FLOAT: return "FLOAT";
    case DUCKDB_TYPE_DOUBLE: return "DOUBLE";
    case DUCKDB_TYPE_DECIMAL:
      return "DECIMAL(" + std::to_string(duckdb_decimal_width(type)) + "," +
             std::to_string(duckdb_decimal_scale(type)) + ")";
    case DUCKDB_TYPE_TIMESTAMP: return "TIMESTAMP";
    case DUCKDB_TYPE_TIMESTAMP_S: return "TIMESTAMP_S";
    case DUCKDB_TYPE_TIMESTAMP_MS: return "TIMESTAMP_MS";
    case DUCKDB_TYPE_TIMESTAMP_NS: return "TIMESTAMP_NS";
    case DUCKDB_TYPE_TIMESTAMP_TZ: return "TIMESTAMP WITH TIME ZONE";
    case DUCKDB_TYPE_DATE: return "DATE";
    case DUCKDB_TYPE_TIME: return "TIME";
    case DUCKDB_TYPE_TIME_NS: return "TIME_NS";
    case DUCKDB_TYPE_TIME_TZ: return "TIME WITH TIME ZONE";
    case DUCKDB_TYPE_INTERVAL: return "INTERVAL";
    case DUCKDB_TYPE_VARCHAR: return "VARCHAR";
    case DUCKDB_TYPE_BLOB: return "BLOB";
    case DUCKDB_TYPE_UUID: return "UUID";
    case DUCKDB_TYPE_BIT: return "BIT";
    case DUCKDB_TYPE_BIGNUM: return "BIGNUM";
    case DUCKDB_TYPE_ENUM: return "ENUM";
    case DUCKDB_TYPE_SQLNULL: return "NULL";
    case DUCKDB_TYPE_LIST: return ChildTypeName(duckdb_list_type_child_type(type)) + "[]";
    case DUCKDB_TYPE_ARRAY:
      return ChildTypeName(duckdb_array_type_child_type(type)) + "[" +
             std::to_string(duckdb_array_type_array_size(type)) + "]";
    case DUCKDB_TYPE_MAP:
      return "MAP(" + ChildTypeName(duckdb_map_type_key_type(type)) + ", " +
             ChildTypeName(duckdb_map_type_value_type(type)) + ")";
    case DUCKDB_TYPE_STRUCT:
    case DUCKDB_TYPE_UNION: {
      bool is_struct = duckdb_get_type_id(type) == DUCKDB_TYPE_STRUCT;
      idx_t n = is_struct ? duckdb_struct_type_child_count(type)
                          : duckdb_union_type_member_count(type);
      std::string out = is_struct ? "STRUCT(" : "UNION(";
      for (idx_t i = 0; i < n; i++) {
        char* name = is_struct ? duckdb_struct_type_child_name(type, i)
                               : duckdb_union_type_member_name(type, i);
        out += (i ? ", " : "") + Engine::QuoteIdentifier(name) + " ";
        duckdb_free(name);
        out += ChildTypeName(is_struct ? duckdb_struct_type_child_type(type, i)
                                       : duckdb_union_type_member_type(type, i));
      }
      return out + ")";
    }
    default: return "UNKNOWN";
  }
}

// duckdb_value_varchar renders scalars only; nested columns need DuckDB's cast in SQL.
// Types duckdb_value_varchar cannot render: nested ones, and some scalars (now() is a
// TIMESTAMP WITH TIME ZONE, uuid() a UUID); DuckDB's own CAST to VARCHAR renders them.
bool IsNested(duckdb_type id) {
  return id == DUCKDB_TYPE_LIST || id == DUCKDB_TYPE_STRUCT || id == DUCKDB_TYPE_MAP ||
         id == DUCKDB_TYPE_ARRAY || id == DUCKDB_TYPE_UNION || id == DUCKDB_TYPE_TIMESTAMP_TZ ||
         id == DUCKDB_TYPE_TIME_TZ || id == DUCKDB_TYPE_UUID || id == DUCKDB_TYPE_BIT ||
         id == DUCKDB_TYPE_BIGNUM;
}

Status PrepareError(duckdb_prepared_statement prepared) {
  const char* msg = duckdb_prepare_error(prepared);
  // The C API reports prepare failures without an error type; classify by DuckDB's prefix.
  std::string_view m = msg ? msg : "prepare failed";
  duckdb_error_type type = m.starts_with("IO Error") ? DUCKDB_ERROR_IO : DUCKDB_ERROR_INVALID_INPUT;
  return StatusFromDuckDB(type, msg ? msg : "prepare failed");
}

// Executes a prepared statement into `out` (a result the caller destroys on success).
Status ExecutePrepared(duckdb_prepared_statement prepared, duckdb_result* out) {
  if (duckdb_execute_prepared(prepared, out) == DuckDBError) {
    Status st = StatusFromDuckDB(duckdb_result_error_type(out), duckdb_result_error(out));
    duckdb_destroy_result(out);
    return st;
  }
  return Status::OK();
}

Result<QueryResult> Materialise(duckdb_result* result, const std::vector<std::string>& names,
                                const std::vector<std::string>& types) {
  QueryResult out{names, types, {}};
  idx_t ncols = duckdb_column_count(result);
  idx_t nrows = duckdb_row_count(result);
  out.rows.reserve(nrows);
  for (idx_t r = 0; r < nrows; r++) {
    std::vector<std::optional<std::string>> row(ncols);
    for (idx_t c = 0; c < ncols; c++) {
      if (duckdb_value_is_null(result, c, r)) continue;
      char* text = duckdb_value_varchar(result, c, r);
      if (text == nullptr) {
        return Status::InvalidArgument("column " + names[c] + " (" + types[c] +
                                       ") cannot be rendered here: nested values are "
                                       "rendered for a query that is one SELECT");
      }
      row[c] = std::string(text);
      duckdb_free(text);
    }
    out.rows.push_back(std::move(row));
  }
  return out;
}

struct Statements {
  duckdb_extracted_statements handle = nullptr;
  ~Statements() { duckdb_destroy_extracted(&handle); }
};
struct Prepared {
  duckdb_prepared_statement handle = nullptr;
  ~Prepared() { duckdb_destroy_prepare(&handle); }
};

std::string StripTrailingSemicolons(std::string sql) {
  while (!sql.empty() && (sql.back() == ';' || isspace(static_cast<unsigned char>(sql.back()))))
    sql.pop_back();
  return sql;
}

}  // namespace

// By the error's type, never retried here (status.h): a full disk or no memory left is
// ResourceExhausted (exit 1, saying so), any other IO failure IOError, an interrupt
// Aborted, DuckDB's own faults Internal; what remains (parser, binder, catalog,
// conversion, constraint, ...) is the statement's fault: InvalidArgument (exit 2).
Status StatusFromDuckDB(duckdb_error_type type, const char* message) {
  std::string m = message ? message : "unknown DuckDB error";
  switch (type) {
    case DUCKDB_ERROR_OUT_OF_MEMORY:
      return Status::ResourceExhausted("out of memory (DuckDB's memory_limit or the machine's): " + m);
    case DUCKDB_ERROR_IO:
      if (m.find("No space left on device") != std::string::npos || m.find("Disk quota exceeded") != std::string::npos) {
        return Status::ResourceExhausted("disk full: " + m);
      }
      return Status::IOError(std::move(m));
    case DUCKDB_ERROR_INTERRUPT: return Status::Aborted(std::move(m));
    case DUCKDB_ERROR_INTERNAL:
    case DUCKDB_ERROR_FATAL: return Status::Internal(std::move(m));
    default: return Status::InvalidArgument(std::move(m));
  }
}

Status RunSql(duckdb_connection conn, const std::string& sql) {
  duckdb_result result;
  Status st;
  if (duckdb_query(conn, sql.c_str(), &result) == DuckDBError) {
    st = StatusFromDuckDB(duckdb_result_error_type(&result), duckdb_result_error(&result));
  }
  duckdb_destroy_result(&result);
  return st;
}

Engine::Impl::~Impl() {
  if (conn != nullptr) duckdb_disconnect(&conn);
  if (db != nullptr) duckdb_close(&db);
}

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::~Engine() = default;

Result<std::unique_ptr<Engine>> Engine::Open(const EngineOptions& options) {
  duckdb_config config;
  if (duckdb_create_config(&config) == DuckDBError) return Status::Internal("duckdb config");
  // Nothing may land outside the caller's directories: DuckDB's in-memory default
  // temp_directory is ./.tmp, and extensions/secrets would go to ~/.duckdb.
  std::vector<std::pair<std::string, std::string>> settings = {
      {"temp_directory", options.temp_directory},
      {"autoinstall_known_extensions", "false"},
      {"autoload_known_extensions", "false"},
      {"allow_community_extensions", "false"},
      {"allow_persistent_secrets", "false"},
  };
  if (options.threads > 0) settings.emplace_back("threads", std::to_string(options.threads));
  std::string memory_limit = test_hooks::DuckDbMemoryLimit();
  if (memory_limit.empty()) memory_limit = options.memory_limit;
  if (!memory_limit.empty()) settings.emplace_back("memory_limit", memory_limit);
  for (const auto& [name, value] : settings) {
    if (duckdb_set_config(config, name.c_str(), value.c_str()) == DuckDBError) {
      duckdb_destroy_config(&config);
      return Status::InvalidArgument("DuckDB setting " + name + "=" + value + " rejected");
    }
  }
  auto impl = std::make_unique<Impl>();
  char* error = nullptr;
  duckdb_state state = duckdb_open_ext(nullptr, &impl->db, config, &error);
  duckdb_destroy_config(&config);
  if (state == DuckDBError) {
    Status st = Status::InvalidArgument(std::string("opening DuckDB: ") +
                                        (error ? error : "unknown error"));
    duckdb_free(error);
    impl->db = nullptr;
    return st;
  }
  if (duckdb_connect(impl->db, &impl->conn) == DuckDBError) {
    impl->conn = nullptr;
    return Status::Internal("connecting to DuckDB");
  }
  RUNLAKE_RETURN_NOT_OK(RegisterRunScan(impl.get()));
  RUNLAKE_RETURN_NOT_OK(RegisterRejectScan(impl.get()));
  return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

Status Engine::Execute(const std::string& sql) { return RunSql(impl_->conn, sql); }

Status Engine::LockDown(const std::vector<std::string>& readable_dirs) {
  // allowed_directories stays readable while enable_external_access is off (DuckDB 1.4);
  // a trailing '/' so that "/lake" does not also admit "/lake-other".
  std::string list;
  for (std::string d : readable_dirs) {
    if (d.empty()) continue;
    if (d.back() != '/') d += '/';
    list += (list.empty() ? "" : ", ") + Quote(d);
  }
  RUNLAKE_RETURN_NOT_OK(Execute("SET allowed_directories = [" + list + "]"));
  RUNLAKE_RETURN_NOT_OK(Execute("SET enable_external_access = false"));
  RUNLAKE_RETURN_NOT_OK(Execute("SET lock_configuration = true"));
  impl_->read_only = true;
  return Status::OK();
}

void Engine::Interrupt() { duckdb_interrupt(impl_->conn); }

Result<QueryResult> Engine::Query(const std::string& sql) {
  Statements stmts;
  idx_t n = duckdb_extract_statements(impl_->conn, sql.c_str(), &stmts.handle);
  if (n == 0) {
    const char* err = duckdb_extract_statements_error(stmts.handle);
    if (err != nullptr) return StatusFromDuckDB(DUCKDB_ERROR_PARSER, err);
    return QueryResult{};  // only whitespace or comments
  }
  // Each statement is prepared once (DuckDB hands an extracted statement over to its
  // prepared one). A locked-down engine prepares them all and checks that every one only
  // reads before the first runs, so "SELECT 1; COPY … TO …" writes nothing.
  std::vector<std::unique_ptr<Prepared>> statements(n);
  auto prepare = [&](idx_t i) -> Status {
    statements[i] = std::make_unique<Prepared>();
    if (duckdb_prepare_extracted_statement(impl_->conn, stmts.handle, i, &statements[i]->handle) ==
        DuckDBError) {
      return PrepareError(statements[i]->handle);
    }
    return impl_->read_only ? RequireReadStatement(impl_->conn, statements[i]->handle, sql, n == 1)
                            : Status::OK();
  };
  if (impl_->read_only) {
    for (idx_t i = 0; i < n; i++) RUNLAKE_RETURN_NOT_OK(prepare(i));
  }
  for (idx_t i = 0; i < n; i++) {
    if (!statements[i]) RUNLAKE_RETURN_NOT_OK(prepare(i));
    Prepared& prepared = *statements[i];
    std::vector<std::string> names, types;
    bool nested = false;
    idx_t ncols = duckdb_prepared_statement_column_count(prepared.handle);
    for (idx_t c = 0; c < ncols; c++) {
      // DuckDB allocates the name for us; ours to free (ASan's LeakSanitizer found it).
      const char* name = duckdb_prepared_statement_column_name(prepared.handle, c);
      names.emplace_back(name != nullptr ? name : "");
      duckdb_free(const_cast<char*>(name));
      duckdb_logical_type type =
          duckdb_prepared_statement_column_logical_type(prepared.handle, c);
      types.push_back(TypeName(type));
      nested = nested || IsNested(duckdb_get_type_id(type));
      duckdb_destroy_logical_type(&type);
    }
    bool last = i + 1 == n;
    if (last && nested && n == 1 &&
        duckdb_prepared_statement_type(prepared.handle) == DUCKDB_STATEMENT_TYPE_SELECT) {
      // Let DuckDB render every column; a projection keeps the inner ORDER BY. The
      // newline keeps a trailing "-- comment" from swallowing the parenthesis.
      Prepared wrapped;
      std::string text = "SELECT CAST(COLUMNS(*) AS VARCHAR) FROM (" +
                         StripTrailingSemicolons(sql) + "\n) AS runlake_q";
      if (duckdb_prepare(impl_->conn, text.c_str(), &wrapped.handle) == DuckDBError) {
        return PrepareError(wrapped.handle);
      }
      std::swap(prepared.handle, wrapped.handle);
    }
    duckdb_result result;
    RUNLAKE_RETURN_NOT_OK(ExecutePrepared(prepared.handle, &result));
    if (!last) {
      duckdb_destroy_result(&result);
      continue;
    }
    auto out = Materialise(&result, names, types);
    duckdb_destroy_result(&result);
    return out;
  }
  return QueryResult{};  // unreachable: n > 0
}

Status Engine::StreamTextAndNumber(const std::string& sql,
                                   const std::function<Status(std::string_view, int64_t)>& fn) {
  Prepared prepared;
  if (duckdb_prepare(impl_->conn, sql.c_str(), &prepared.handle) == DuckDBError) {
    return PrepareError(prepared.handle);
  }
  duckdb_result result;
  if (duckdb_execute_prepared_streaming(prepared.handle, &result) == DuckDBError) {
    Status st = StatusFromDuckDB(duckdb_result_error_type(&result), duckdb_result_error(&result));
    duckdb_destroy_result(&result);
    return st;
  }
  if (duckdb_column_count(&result) != 2 || duckdb_column_type(&result, 0) != DUCKDB_TYPE_VARCHAR ||
      duckdb_column_type(&result, 1) != DUCKDB_TYPE_BIGINT) {
    duckdb_destroy_result(&result);
    return Status::Internal("StreamTextAndNumber needs a (VARCHAR, BIGINT) result");
  }
  Status st;
  while (st.ok()) {
    duckdb_data_chunk chunk = duckdb_fetch_chunk(result);
    if (chunk == nullptr) {
      // The end, or an error while streaming (then the result says so).
      const char* err = duckdb_result_error(&result);
      if (err != nullptr) st = StatusFromDuckDB(duckdb_result_error_type(&result), err);
      break;
    }
    idx_t n = duckdb_data_chunk_get_size(chunk);
    duckdb_vector texts = duckdb_data_chunk_get_vector(chunk, 0);
    duckdb_vector numbers = duckdb_data_chunk_get_vector(chunk, 1);
    auto* text_data = static_cast<duckdb_string_t*>(duckdb_vector_get_data(texts));
    auto* number_data = static_cast<int64_t*>(duckdb_vector_get_data(numbers));
    uint64_t* text_valid = duckdb_vector_get_validity(texts);
    uint64_t* number_valid = duckdb_vector_get_validity(numbers);
    for (idx_t i = 0; i < n && st.ok(); i++) {
      std::string_view text;
      if (text_valid == nullptr || duckdb_validity_row_is_valid(text_valid, i)) {
        text = std::string_view(duckdb_string_t_data(&text_data[i]), duckdb_string_t_length(text_data[i]));
      }
      int64_t number = number_valid == nullptr || duckdb_validity_row_is_valid(number_valid, i) ? number_data[i] : 0;
      st = fn(text, number);
    }
    duckdb_destroy_data_chunk(&chunk);
  }
  duckdb_destroy_result(&result);
  return st;
}

std::string Engine::LibraryVersion() {
  const char* v = duckdb_library_version();
  return v ? v : "unknown";
}

std::string Engine::Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string Engine::QuoteIdentifier(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace runlake
