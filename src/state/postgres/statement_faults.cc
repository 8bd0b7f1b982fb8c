// Test-only fault injection for the PostgreSQL state store (see the header).

#include <algorithm>
#include <atomic>
#include <cstdlib>

#include "common/fault_spec.h"
#include "state/postgres/statement_faults_internal.h"
#include "common/test_hooks.h"

namespace runlake::pg {
namespace {

struct Faults {
  bool active = false;
  Status parsed;
  FaultSpec spec;
};

const Faults& TheFaults() {
  static const Faults faults = [] {
    Faults f;
    const char* text = std::getenv(test_hooks::kStateFault);
    if (text == nullptr || *text == '\0') return f;
    auto spec = ParseFaultSpec(text, "RUNLAKE_TEST_STATE_FAULT");
    if (!spec.ok()) {
      f.parsed = spec.status();
      return f;
    }
    f.active = true;
    f.spec = *spec;
    return f;
  }();
  return faults;
}

std::atomic<uint64_t> g_ops{0};

// "Exec INSERT INTO executions": the statement's first words, on one line.
std::string OpName(const std::string& sql) {
  std::string words;
  const size_t start = std::min(sql.find_first_not_of(" \n\t\r"), sql.size());
  for (char c : sql.substr(start, 48)) words += (c == '\n' || c == '\t' || c == '\r') ? ' ' : c;
  size_t cut = words.find_first_of("($");
  return "Exec " + words.substr(0, cut == std::string::npos ? words.size() : cut);
}

}  // namespace

Status CheckStatementFaultSpec() { return TheFaults().parsed; }

StatementFault NextStatementFault(const std::string& sql, std::string* what) {
  const Faults& f = TheFaults();
  if (!f.active) return StatementFault::kNone;
  const std::string op = OpName(sql);
  const uint64_t n = CountFaultOp(f.spec, op, g_ops);
  if (f.spec.at == 0 || n < f.spec.at) return StatementFault::kNone;
  *what = op + " (op " + std::to_string(n) + ")";
  if (f.spec.kind == FaultKind::kIOError) {
    if (n == f.spec.at) SayFault("state ioerror (connection killed) from " + *what + " on");
    return StatementFault::kKillConnection;
  }
  if (n != f.spec.at) return StatementFault::kNone;
  switch (f.spec.kind) {
    case FaultKind::kCrash:
    case FaultKind::kTorn:
      CrashForFault("state crash before " + *what);
    case FaultKind::kCrashAfter:
      return StatementFault::kCrashAfter;
    case FaultKind::kTransient:
      SayFault("state connection killed at " + *what);
      return StatementFault::kKillConnection;
    case FaultKind::kDiskFull:
      SayFault("state disk full at " + *what);
      return StatementFault::kDiskFull;
    case FaultKind::kSerialization:
      SayFault("state serialization failure at " + *what);
      return StatementFault::kSerialization;
    default:
      return StatementFault::kNone;
  }
}

}  // namespace runlake::pg
