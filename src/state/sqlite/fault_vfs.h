#pragma once
// Test-only: a SQLite VFS over the default one that counts the state store's writes to disk
// (xWrite, xTruncate and xSync of the database, its WAL and its journal: "Write state.db-wal")
// and injects a fault at the K-th one, so a test can crash or fail the real `runlake` binary
// at every write of an execution's, a backfill's or a task's record
// (tests/integration/state_fault_sweep_test.cc). Db::Open opens every connection through it
// when $RUNLAKE_TEST_STATE_FAULT is set; unset in production, so that costs one getenv.
//
// Spec: common/fault_spec.h. Kinds, at the K-th write:
//   crash        _exit(137) before it          crash_after  do it, then _exit(137)
//   ioerror      SQLITE_IOERR_* at K and every later write (the disk has gone bad)
//   transient    SQLITE_IOERR_* at K only       diskfull     SQLITE_FULL at K only
//   torn         xWrite: the first half of the bytes, then _exit(137); else like crash

#include <string>

#include "runlake/status.h"

namespace runlake::sqlite {

// The name of the fault VFS for `spec_text` ($RUNLAKE_TEST_STATE_FAULT), registered on the
// first call (one spec per process); InvalidArgument for a bad spec.
Result<const char*> FaultVfsName(const std::string& spec_text);

}  // namespace runlake::sqlite
