#pragma once
// PostgreSQL test databases: $RUNLAKE_TEST_PG names a server (scripts/pg-server.sh start
// prints it); each test key gets its own database there, created fresh (dropped first if
// an earlier run left it), so tests running in parallel never see each other's rows.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <set>
#include <string>
#include <thread>

#include "state/postgres/conn_internal.h"

namespace runlake::testing {

// The server's URI, or "" when the pg tests should skip.
inline std::string PgServerUri() {
  const char* uri = std::getenv("RUNLAKE_TEST_PG");
  return uri ? uri : "";
}

#define RUNLAKE_SKIP_WITHOUT_PG()                                                          \
  do {                                                                                     \
    if (::runlake::testing::PgServerUri().empty()) {                                       \
      GTEST_SKIP() << "RUNLAKE_TEST_PG is unset: start a server with "                     \
                      "`eval \"$(scripts/pg-server.sh start)\"` (scripts/test.sh does)";   \
    }                                                                                      \
  } while (0)

// `uri` with its database replaced by `database` (query parameters kept).
inline std::string WithDatabase(const std::string& uri, const std::string& database) {
  size_t query = uri.find('?');
  std::string base = uri.substr(0, query);
  std::string rest = query == std::string::npos ? "" : uri.substr(query);
  size_t scheme = base.find("://");
  size_t slash = base.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return (slash == std::string::npos ? base : base.substr(0, slash)) + "/" + database + rest;
}

// Runs `sql` on the server's maintenance database, retrying for a while: another test
// may be restarting the server.
inline Status PgAdmin(const std::string& sql) {
  Status last;
  for (int i = 0; i < 150; ++i) {
    auto conn = pg::Conn::Open(PgServerUri());
    if (conn.ok()) {
      last = (*conn)->ExecScript(sql).status();
      if (last.ok() || !(*conn)->last_error_transient()) return last;
    } else {
      last = conn.status();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return last;
}

// The URI of a fresh database for `key` (created on the first call in this process).
inline std::string PgDatabaseFor(const std::string& key) {
  static std::set<std::string> created;
  char name[40];
  std::snprintf(name, sizeof name, "rl_%016zx", std::hash<std::string>{}(key));
  if (created.insert(name).second) {
    Status dropped = PgAdmin(std::string("DROP DATABASE IF EXISTS ") + name + " WITH (FORCE)");
    EXPECT_TRUE(dropped.ok()) << dropped.ToString();
    Status made = PgAdmin(std::string("CREATE DATABASE ") + name);
    EXPECT_TRUE(made.ok()) << made.ToString();
  }
  return WithDatabase(PgServerUri(), name);
}

}  // namespace runlake::testing
