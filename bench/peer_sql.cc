// peer_sql: runs the benchmark's DuckDB peers (there is no duckdb CLI here) and checks
// results, through DuckDB's C API.
//
//   peer_sql run FILE.sql [KEY=VALUE...]   runs the ';'-separated statements of FILE.sql,
//                                          with every {KEY} replaced by VALUE
//   peer_sql checksum GLOB                 prints "rows=N checksum=C" over the valid rows of
//                                          the Parquet files matching GLOB
//
// The checksum is the same for any file layout and row order: the sum of a hash of
// (transaction_id, amount) over all rows, so runlake's silver and a peer's output agree
// exactly when they hold the same valid row set (DuckDB's hash is stable within a version).
//
// Statements are split on ";\n" (a ';' at the end of a line), so keep SQL strings free of
// that. A statement that fails prints DuckDB's error and exits 1.

#include <duckdb.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

int Fail(const std::string& what) {
  std::fprintf(stderr, "peer_sql: %s\n", what.c_str());
  return 1;
}

std::string Substitute(std::string sql, const std::vector<std::pair<std::string, std::string>>& vars) {
  for (const auto& [key, value] : vars) {
    std::string token = "{" + key + "}";
    for (size_t at = sql.find(token); at != std::string::npos; at = sql.find(token, at + value.size())) {
      sql.replace(at, token.size(), value);
    }
  }
  return sql;
}

std::vector<std::string> SplitStatements(const std::string& sql) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < sql.size()) {
    size_t end = sql.find(";\n", start);
    std::string stmt = sql.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (stmt.find_first_not_of(" \t\r\n") != std::string::npos) out.push_back(stmt);
    if (end == std::string::npos) break;
    start = end + 2;
  }
  return out;
}

class Db {
 public:
  Db() {
    duckdb_config config;
    duckdb_create_config(&config);
    duckdb_set_config(config, "autoinstall_known_extensions", "false");
    duckdb_set_config(config, "autoload_known_extensions", "false");
    char* error = nullptr;
    if (duckdb_open_ext(nullptr, &db_, config, &error) == DuckDBError) {
      std::fprintf(stderr, "peer_sql: open: %s\n", error ? error : "?");
      duckdb_free(error);
      db_ = nullptr;
    } else {
      duckdb_connect(db_, &conn_);
    }
    duckdb_destroy_config(&config);
  }
  ~Db() {
    if (conn_) duckdb_disconnect(&conn_);
    if (db_) duckdb_close(&db_);
  }
  bool ok() const { return conn_ != nullptr; }

  // Runs one statement; on success prints nothing, returns the first row's values.
  bool Run(const std::string& sql, std::vector<std::string>* first_row = nullptr) {
    duckdb_result result;
    if (duckdb_query(conn_, sql.c_str(), &result) == DuckDBError) {
      std::fprintf(stderr, "peer_sql: %s\n  in: %.300s\n", duckdb_result_error(&result), sql.c_str());
      duckdb_destroy_result(&result);
      return false;
    }
    if (first_row != nullptr && duckdb_row_count(&result) > 0) {
      for (idx_t c = 0; c < duckdb_column_count(&result); c++) {
        char* v = duckdb_value_varchar(&result, c, 0);
        first_row->push_back(v ? v : "NULL");
        duckdb_free(v);
      }
    }
    duckdb_destroy_result(&result);
    return true;
  }

 private:
  duckdb_database db_ = nullptr;
  duckdb_connection conn_ = nullptr;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return Fail("usage: peer_sql run FILE.sql [KEY=VALUE...] | checksum GLOB");
  std::string mode = argv[1];
  Db db;
  if (!db.ok()) return 1;
  if (mode == "checksum") {
    std::string glob = argv[2];
    std::vector<std::string> row;
    std::string sql =
        "SELECT count(*), coalesce(sum(hash(transaction_id, amount::VARCHAR)::HUGEINT), 0) "
        "FROM read_parquet('" + glob + "', hive_partitioning = false)";
    if (!db.Run(sql, &row) || row.size() != 2) return 1;
    std::printf("rows=%s checksum=%s\n", row[0].c_str(), row[1].c_str());
    return 0;
  }
  if (mode != "run") return Fail("unknown mode " + mode);
  std::ifstream in(argv[2]);
  if (!in) return Fail(std::string("cannot read ") + argv[2]);
  std::stringstream text;
  text << in.rdbuf();
  std::vector<std::pair<std::string, std::string>> vars;
  for (int i = 3; i < argc; i++) {
    std::string kv = argv[i];
    size_t eq = kv.find('=');
    if (eq == std::string::npos) return Fail("expected KEY=VALUE, got " + kv);
    vars.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  for (const std::string& stmt : SplitStatements(Substitute(text.str(), vars))) {
    if (!db.Run(stmt)) return 1;
  }
  return 0;
}
