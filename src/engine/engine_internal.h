#pragma once
// What src/engine's own files share about DuckDB. Never include this outside src/engine.

#include <duckdb.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "engine/engine.h"

namespace runlake {

struct RunScanSource;  // run_scan_internal.h

struct Engine::Impl {
  duckdb_database db = nullptr;
  duckdb_connection conn = nullptr;

  // runlake_scan(id) finds the batches it streams here: a table function registered once
  // per database cannot capture a per-call pointer, and an id is safer than passing a
  // raw address through SQL.
  std::mutex scans_mu;
  std::map<int64_t, RunScanSource*> scans;
  int64_t next_scan_id = 1;

  // Set by LockDown: Query then runs read statements only (read_only_sql_internal.h).
  bool read_only = false;

  ~Impl();
};

// DuckDB's error type -> our codes. Bad SQL or bad data is bad input (InvalidArgument).
Status StatusFromDuckDB(duckdb_error_type type, const char* message);
// Runs `sql` on `conn`, discarding results.
Status RunSql(duckdb_connection conn, const std::string& sql);

}  // namespace runlake
