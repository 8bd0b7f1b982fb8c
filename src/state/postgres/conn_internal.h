#pragma once
// A thin RAII layer over libpq, used by the PostgreSQL StateStore only: one connection,
// statements with text parameters, results as text. Every libpq error becomes a Status
// here, and the connection remembers whether its last failure was transient (connection
// lost, server restarting, serialization failure, deadlock) so pg::Session can retry.
// Not thread-safe: pg::Session serializes callers.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "runlake/status.h"

struct pg_conn;
struct pg_result;

namespace runlake::pg {

// The server's clock as runlake writes times ("2026-01-29T15:00:00.123Z"): one clock for
// every machine sharing the database, whatever their own clocks say.
inline constexpr char kNowSql[] =
    "to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";

// The rows of one statement. Row and column indexes are 0-based.
class Rows {
 public:
  explicit Rows(pg_result* result);
  int size() const;
  std::string Text(int row, int column) const;
  int64_t Int(int row, int column) const;
  bool IsNull(int row, int column) const;
  // Rows inserted, updated or deleted (0 for a SELECT).
  int64_t Affected() const;

 private:
  std::shared_ptr<pg_result> result_;
};

// Where a connection string points, for messages: "host:port (database D, user U)".
// Never contains the password.
struct Endpoint {
  std::string host, port, database, user;
  std::string ToString() const;
};

class Conn {
 public:
  // Connects to `uri` (postgres://… or postgresql://…, or a libpq key=value string).
  // IOError naming host:port (never the password) when the server cannot be reached or
  // refuses us; InvalidArgument when the URI cannot be parsed.
  static Result<std::unique_ptr<Conn>> Open(const std::string& uri);
  ~Conn();

  // Runs one statement with $1, $2, ... bound to `params` (text). A unique violation is
  // AlreadyExists; every other server error IOError with its SQLSTATE and message.
  Result<Rows> Exec(const std::string& sql, const std::vector<std::string>& params = {});
  // Runs `sql` (may hold several statements, no parameters); the last statement's rows.
  Result<Rows> ExecScript(const std::string& sql);

  // True when the last failed call failed for a reason that a retry (after reconnecting
  // if Broken()) may cure; reset by every successful call.
  bool last_error_transient() const { return last_error_transient_; }
  // The connection is lost: open a new one.
  bool Broken() const;
  const Endpoint& endpoint() const { return endpoint_; }

 private:
  Conn(pg_conn* conn, Endpoint endpoint) : conn_(conn), endpoint_(std::move(endpoint)) {}
  Result<Rows> Check(pg_result* result, const std::string& sql);
  // Sends one statement through `send`, with the test-only faults of statement_faults_internal.h.
  Result<Rows> Send(const std::string& sql, const std::function<pg_result*()>& send);

  pg_conn* conn_;
  Endpoint endpoint_;
  bool last_error_transient_ = false;
};

// Where `uri` points, without connecting (defaults filled as libpq would).
Result<Endpoint> ParseEndpoint(const std::string& uri);

// True for SQLSTATEs worth a retry: class 08 (connection exception), 40001
// (serialization failure), 40P01 (deadlock), 57P01..57P03 (admin/crash shutdown, cannot
// connect now), 53300 (too many connections).
bool IsTransientSqlState(const std::string& sqlstate);

}  // namespace runlake::pg
