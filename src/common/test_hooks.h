#pragma once
// Every test-only hook runlake reads from the environment, in one place. None is set in
// production; each lets a test put a process where a crash, a fault or a signal would,
// reliably. docs/DESIGN.md ("Test hooks") lists them for people.
//
//   RUNLAKE_TEST_FAULT                       object-store faults (common/fault_spec.h)
//   RUNLAKE_TEST_STATE_FAULT                 state-store faults, SQLite and PostgreSQL
//   RUNLAKE_TEST_EXIT_AFTER_COMMIT           die (137) right after a run's commit, before
//                                            its publish and its execution's end
//   RUNLAKE_TEST_CRASH_BEFORE_CANONICAL_TABLE=1  die (137) between a silver pointer
//                                            version and its canonical_sources table
//   RUNLAKE_TEST_HOLD_BEFORE_COMMIT_MS=N     `runlake run` holds N ms before the commit
//                                            (ended early by SIGINT/SIGTERM)
//   RUNLAKE_TEST_DUCKDB_MEMORY_LIMIT=SIZE    every DuckDB instance's memory_limit (an
//                                            out-of-memory test needs a tiny one)

#include <chrono>
#include <string>

namespace runlake::test_hooks {

// The text of a hook, "" when unset.
std::string Value(const char* name);

inline constexpr const char kFault[] = "RUNLAKE_TEST_FAULT";
inline constexpr const char kStateFault[] = "RUNLAKE_TEST_STATE_FAULT";

// _exit(137) when RUNLAKE_TEST_EXIT_AFTER_COMMIT is set.
void ExitAfterCommit();
// _exit(137) when RUNLAKE_TEST_CRASH_BEFORE_CANONICAL_TABLE is 1.
void CrashBeforeCanonicalTable();
// RUNLAKE_TEST_HOLD_BEFORE_COMMIT_MS, zero when unset.
std::chrono::milliseconds HoldBeforeCommit();
// RUNLAKE_TEST_DUCKDB_MEMORY_LIMIT, "" when unset.
std::string DuckDbMemoryLimit();

}  // namespace runlake::test_hooks
