#pragma once
// Test-only: $RUNLAKE_TEST_STATE_FAULT (common/fault_spec.h) on PostgreSQL. Every statement a
// connection sends is one op ("Exec INSERT INTO executions"); at the K-th:
//   crash        _exit(137) before it is sent (the server rolls the open transaction back)
//   crash_after  send it, read the reply, then _exit(137) (a COMMIT done, never reported)
//   transient    the server ends this very connection (pg_terminate_backend) just before
//                it, so the statement fails as "connection lost" and pg::Session reconnects
//                and runs the transaction again
//   ioerror      the same at K and every later statement, until the retry budget is spent
//   diskfull     the server raises SQLSTATE 53100 (disk full) in its place
//   torn         like crash (a statement has no half)
// The state fault sweep on PostgreSQL (tests/pg/pg_state_fault_test.cc) drives it. Unset in
// production: one cached getenv.

#include <string>

#include "runlake/status.h"

namespace runlake::pg {

enum class StatementFault { kNone, kKillConnection, kDiskFull, kSerialization, kCrashAfter };

// InvalidArgument when the variable is set to a bad spec (Conn::Open refuses to connect).
Status CheckStatementFaultSpec();

// Counts `sql` as the next op and says what to do with it (the crashes happen in here).
// `what` is set to the op's name for messages.
StatementFault NextStatementFault(const std::string& sql, std::string* what);

}  // namespace runlake::pg
