#pragma once
// What a locked-down engine (Engine::LockDown: `runlake query`, and any SQL a user writes)
// agrees to run: reads only. The first wall is the statement's type as DuckDB's parser
// sees it, checked for every statement of the text before any runs; DuckDB's own sandbox
// (enable_external_access off, allowed_directories) stays behind it as the second wall,
// because allowed_directories admits writes as well as reads.

#include <duckdb.h>

#include <string>

#include "runlake/status.h"

namespace runlake {

// DuckDB's name for a statement type ("COPY", "CREATE", ...), for error messages.
const char* StatementTypeName(duckdb_statement_type type);

// OK when `prepared` only reads: a SELECT (DESCRIBE, SUMMARIZE, SHOW, PIVOT and FROM-first
// queries parse as SELECT), or an EXPLAIN [ANALYZE] of one. EXPLAIN ANALYZE executes its
// statement and the C API does not expose it, so an EXPLAIN is accepted only when it is the
// whole `text` (one statement), whose remainder is prepared and checked in turn. Otherwise
// InvalidArgument naming the statement type.
Status RequireReadStatement(duckdb_connection conn, duckdb_prepared_statement prepared,
                            const std::string& text, bool single_statement);

}  // namespace runlake
