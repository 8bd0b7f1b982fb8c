#include "state/postgres/conn_internal.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <functional>
#include <map>

#include "common/fault_spec.h"
#include "state/postgres/statement_faults_internal.h"

namespace runlake::pg {
namespace {

// libpq messages end in newlines and indent their hints; a Status is one line.
std::string OneLine(const char* text) {
  std::string out;
  bool space = false;
  for (const char* p = text ? text : ""; *p; ++p) {
    if (*p == '\n' || *p == '\t' || *p == '\r' || *p == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += *p;
  }
  return out;
}

using Options = std::map<std::string, std::string>;

Options ToMap(PQconninfoOption* options) {
  Options out;
  for (PQconninfoOption* o = options; o && o->keyword; ++o) {
    if (o->val && *o->val) out[o->keyword] = o->val;
  }
  return out;
}

}  // namespace

Rows::Rows(pg_result* result) : result_(result, PQclear) {}
int Rows::size() const { return PQntuples(result_.get()); }
std::string Rows::Text(int row, int column) const {
  return PQgetvalue(result_.get(), row, column);
}
int64_t Rows::Int(int row, int column) const {
  return std::strtoll(PQgetvalue(result_.get(), row, column), nullptr, 10);
}
bool Rows::IsNull(int row, int column) const {
  return PQgetisnull(result_.get(), row, column) != 0;
}
int64_t Rows::Affected() const {
  const char* n = PQcmdTuples(result_.get());
  return n && *n ? std::strtoll(n, nullptr, 10) : 0;
}

std::string Endpoint::ToString() const {
  return host + ":" + port + " (database " + database + ", user " + user + ")";
}

Result<Endpoint> ParseEndpoint(const std::string& uri) {
  char* error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(uri.c_str(), &error);
  if (parsed == nullptr) {
    std::string message = OneLine(error);
    PQfreemem(error);
    // libpq's message quotes no part of the URI, so it cannot leak the password.
    return Status::InvalidArgument("PostgreSQL state URI cannot be parsed: " + message);
  }
  Options given = ToMap(parsed);
  PQconninfoFree(parsed);
  PQconninfoOption* defaults_raw = PQconndefaults();
  Options defaults = ToMap(defaults_raw);
  PQconninfoFree(defaults_raw);
  auto get = [&](const char* key, const std::string& fallback) {
    if (auto it = given.find(key); it != given.end()) return it->second;
    if (auto it = defaults.find(key); it != defaults.end()) return it->second;
    return fallback;
  };
  Endpoint e;
  e.host = get("host", get("hostaddr", "/var/run/postgresql"));
  e.port = get("port", "5432");
  e.user = get("user", "");
  e.database = get("dbname", e.user);
  return e;
}

Result<std::unique_ptr<Conn>> Conn::Open(const std::string& uri) {
  RUNLAKE_RETURN_NOT_OK(CheckStatementFaultSpec());
  RUNLAKE_ASSIGN_OR_RAISE(Endpoint endpoint, ParseEndpoint(uri));
  // Defaults first: with expand_dbname the URI (the dbname value) overrides them. The
  // keepalives notice a server that vanished without closing the socket.
  const char* keys[] = {"connect_timeout", "application_name", "keepalives_idle",
                        "keepalives_interval", "keepalives_count", "dbname", nullptr};
  const char* values[] = {"10", "runlake", "10", "5", "3", uri.c_str(), nullptr};
  pg_conn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (conn == nullptr) return Status::IOError("PostgreSQL: out of memory connecting");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = OneLine(PQerrorMessage(conn));
    PQfinish(conn);
    return Status::IOError("PostgreSQL at " + endpoint.ToString() + " is unreachable: " +
                           message);
  }
  // Quiet NOTICEs ("relation already exists, skipping") instead of stderr noise.
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  return std::unique_ptr<Conn>(new Conn(conn, std::move(endpoint)));
}

Conn::~Conn() { PQfinish(conn_); }

bool Conn::Broken() const { return PQstatus(conn_) != CONNECTION_OK; }

Result<Rows> Conn::Exec(const std::string& sql, const std::vector<std::string>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p.c_str());
  return Send(sql, [&] {
    return PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                        nullptr, nullptr, 0);
  });
}

Result<Rows> Conn::ExecScript(const std::string& sql) {
  return Send(sql, [&] { return PQexec(conn_, sql.c_str()); });
}

Result<Rows> Conn::Send(const std::string& sql, const std::function<pg_result*()>& send) {
  std::string what;
  const StatementFault fault = NextStatementFault(sql, &what);
  switch (fault) {  // test-only (statement_faults_internal.h)
    case StatementFault::kKillConnection:
      PQclear(PQexec(conn_, "SELECT pg_terminate_backend(pg_backend_pid())"));
      break;
    case StatementFault::kDiskFull:
    case StatementFault::kSerialization: {
      // The server's own answer, so the error takes the path a real one would.
      const char* raise = fault == StatementFault::kDiskFull
                              ? "DO $$BEGIN RAISE EXCEPTION 'runlake-fault: injected disk full' "
                                "USING ERRCODE = '53100'; END$$"
                              : "DO $$BEGIN RAISE EXCEPTION 'runlake-fault: injected serialization failure' "
                                "USING ERRCODE = '40001'; END$$";
      Result<Rows> refused = Check(PQexec(conn_, raise), sql);
      // A COMMIT the server refuses still ends the transaction block.
      if (sql.rfind("COMMIT", 0) == 0) PQclear(PQexec(conn_, "ROLLBACK"));
      return refused;
    }
    case StatementFault::kCrashAfter: {
      Result<Rows> rows = Check(send(), sql);
      CrashForFault("state crash after " + what + ": " + (rows.ok() ? "OK" : rows.status().ToString()));
    }
    case StatementFault::kNone:
      break;
  }
  return Check(send(), sql);
}

Result<Rows> Conn::Check(pg_result* result, const std::string& sql) {
  ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    last_error_transient_ = false;
    return Rows(result);
  }
  std::string sqlstate, message;
  if (result) {
    const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    sqlstate = state ? state : "";
    message = OneLine(PQresultErrorMessage(result));
    PQclear(result);
  }
  if (message.empty()) message = OneLine(PQerrorMessage(conn_));
  last_error_transient_ = Broken() || IsTransientSqlState(sqlstate);
  std::string where = "PostgreSQL at " + endpoint_.host + ":" + endpoint_.port;
  if (sqlstate == "23505") return Status::AlreadyExists(where + ": " + message);
  std::string first_words = sql.substr(0, sql.find_first_of("(\n"));
  std::string text = where + ": " + message + (sqlstate.empty() ? "" : " (SQLSTATE " + sqlstate + ")") +
                     " in: " + first_words.substr(0, 60);
  // Serialization failures, deadlocks, lost connections, a server shutting down: the
  // same statement may pass later (status.h's kUnavailable). Disk full (53100) and out
  // of memory (53200) do not pass by waiting.
  if (last_error_transient_) return Status::Unavailable(std::move(text));
  if (sqlstate == "53100" || sqlstate == "53200") return Status::ResourceExhausted(std::move(text));
  return Status::IOError(std::move(text));
}

bool IsTransientSqlState(const std::string& s) {
  return s.rfind("08", 0) == 0 || s == "40001" || s == "40P01" || s == "57P01" ||
         s == "57P02" || s == "57P03" || s == "53300";
}

}  // namespace runlake::pg
