#include "common/test_hooks.h"

#include <unistd.h>

#include <cstdlib>

namespace runlake::test_hooks {

std::string Value(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

void ExitAfterCommit() {
  if (std::getenv("RUNLAKE_TEST_EXIT_AFTER_COMMIT")) _exit(137);
}

void CrashBeforeCanonicalTable() {
  if (Value("RUNLAKE_TEST_CRASH_BEFORE_CANONICAL_TABLE") == "1") _exit(137);
}

std::chrono::milliseconds HoldBeforeCommit() {
  return std::chrono::milliseconds(std::atoi(Value("RUNLAKE_TEST_HOLD_BEFORE_COMMIT_MS").c_str()));
}

std::string DuckDbMemoryLimit() { return Value("RUNLAKE_TEST_DUCKDB_MEMORY_LIMIT"); }

}  // namespace runlake::test_hooks
