#include "engine/read_only_sql_internal.h"

#include <cctype>
#include <string_view>

namespace runlake {
namespace {

// Skips spaces and SQL comments ("-- …" to the end of the line, "/* … */").
size_t SkipBlank(std::string_view s, size_t i) {
  while (i < s.size()) {
    if (std::isspace(static_cast<unsigned char>(s[i]))) {
      ++i;
    } else if (s.substr(i, 2) == "--") {
      size_t nl = s.find('\n', i);
      i = nl == std::string_view::npos ? s.size() : nl + 1;
    } else if (s.substr(i, 2) == "/*") {
      size_t end = s.find("*/", i + 2);
      i = end == std::string_view::npos ? s.size() : end + 2;
    } else {
      break;
    }
  }
  return i;
}

// When s[i..] starts with `word` (any case) followed by a non-identifier character, the
// index after it; else npos.
size_t AfterKeyword(std::string_view s, size_t i, std::string_view word) {
  if (s.size() - i < word.size()) return std::string_view::npos;
  for (size_t k = 0; k < word.size(); ++k) {
    if (std::toupper(static_cast<unsigned char>(s[i + k])) != word[k]) return std::string_view::npos;
  }
  size_t end = i + word.size();
  if (end < s.size() && (std::isalnum(static_cast<unsigned char>(s[end])) || s[end] == '_')) {
    return std::string_view::npos;
  }
  return end;
}

Status Refused(const std::string& type) {
  return Status::InvalidArgument(
      "refused a " + type +
      " statement: runlake query is read-only (SELECT, and EXPLAIN, DESCRIBE or SUMMARIZE of one)");
}

}  // namespace

const char* StatementTypeName(duckdb_statement_type type) {
  switch (type) {
    case DUCKDB_STATEMENT_TYPE_SELECT: return "SELECT";
    case DUCKDB_STATEMENT_TYPE_INSERT: return "INSERT";
    case DUCKDB_STATEMENT_TYPE_UPDATE: return "UPDATE";
    case DUCKDB_STATEMENT_TYPE_EXPLAIN: return "EXPLAIN";
    case DUCKDB_STATEMENT_TYPE_DELETE: return "DELETE";
    case DUCKDB_STATEMENT_TYPE_PREPARE: return "PREPARE";
    case DUCKDB_STATEMENT_TYPE_CREATE: return "CREATE";
    case DUCKDB_STATEMENT_TYPE_EXECUTE: return "EXECUTE";
    case DUCKDB_STATEMENT_TYPE_ALTER: return "ALTER";
    case DUCKDB_STATEMENT_TYPE_TRANSACTION: return "TRANSACTION";
    case DUCKDB_STATEMENT_TYPE_COPY: return "COPY";
    case DUCKDB_STATEMENT_TYPE_ANALYZE: return "ANALYZE";
    case DUCKDB_STATEMENT_TYPE_VARIABLE_SET: return "SET VARIABLE";
    case DUCKDB_STATEMENT_TYPE_CREATE_FUNC: return "CREATE FUNCTION";
    case DUCKDB_STATEMENT_TYPE_DROP: return "DROP";
    case DUCKDB_STATEMENT_TYPE_EXPORT: return "EXPORT";
    case DUCKDB_STATEMENT_TYPE_PRAGMA: return "PRAGMA";
    case DUCKDB_STATEMENT_TYPE_VACUUM: return "VACUUM";
    case DUCKDB_STATEMENT_TYPE_CALL: return "CALL";
    case DUCKDB_STATEMENT_TYPE_SET: return "SET";
    case DUCKDB_STATEMENT_TYPE_LOAD: return "LOAD/INSTALL";
    case DUCKDB_STATEMENT_TYPE_RELATION: return "RELATION";
    case DUCKDB_STATEMENT_TYPE_EXTENSION: return "EXTENSION";
    case DUCKDB_STATEMENT_TYPE_LOGICAL_PLAN: return "LOGICAL PLAN";
    case DUCKDB_STATEMENT_TYPE_ATTACH: return "ATTACH";
    case DUCKDB_STATEMENT_TYPE_DETACH: return "DETACH";
    case DUCKDB_STATEMENT_TYPE_MULTI: return "MULTI";
    default: return "unknown";
  }
}

Status RequireReadStatement(duckdb_connection conn, duckdb_prepared_statement prepared,
                            const std::string& text, bool single_statement) {
  duckdb_statement_type type = duckdb_prepared_statement_type(prepared);
  if (type == DUCKDB_STATEMENT_TYPE_SELECT) return Status::OK();
  if (type != DUCKDB_STATEMENT_TYPE_EXPLAIN) return Refused(StatementTypeName(type));
  if (!single_statement) return Refused("EXPLAIN (among several statements)");
  std::string_view s = text;
  size_t i = AfterKeyword(s, SkipBlank(s, 0), "EXPLAIN");
  if (i == std::string_view::npos) return Refused("EXPLAIN");
  i = SkipBlank(s, i);
  if (size_t a = AfterKeyword(s, i, "ANALYZE"); a != std::string_view::npos) i = SkipBlank(s, a);
  if (size_t a = AfterKeyword(s, i, "ANALYSE"); a != std::string_view::npos) i = SkipBlank(s, a);
  // The explained statement, checked as if it had been sent alone (nested EXPLAINs too).
  std::string inner(s.substr(i));
  duckdb_prepared_statement p = nullptr;
  if (duckdb_prepare(conn, inner.c_str(), &p) == DuckDBError) {
    duckdb_destroy_prepare(&p);
    return Refused("EXPLAIN (of a statement that is not a plain query)");
  }
  Status st = RequireReadStatement(conn, p, inner, true);
  duckdb_destroy_prepare(&p);
  return st;
}

}  // namespace runlake
