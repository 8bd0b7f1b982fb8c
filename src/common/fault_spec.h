#pragma once
// Test-only fault injection, shared by the object store's decorator
// (store/fault_injecting_object_store.h, $RUNLAKE_TEST_FAULT) and the SQLite state store's
// VFS (state/sqlite/fault_vfs.h, $RUNLAKE_TEST_STATE_FAULT): the spec both read, and the
// numbering of the operations they count. Never active unless one of those is set.
//
// Spec, comma-separated key=value:
//   count=PATH   append "OP WHAT" to PATH for every counted op. The line number is the op's
//                global index: several processes share one numbering, because the count
//                and the append happen under one flock.
//   at=K         the op (1-based) that faults; without count=, a process-wide counter.
//   kind=KIND    crash, crash_after, ioerror (op K and every later one), transient (op K
//                only), diskfull (op K only), torn (half the bytes, then a crash),
//                serialization (op K only: PostgreSQL answers SQLSTATE 40001; the other
//                layers treat it as transient): what each means for its layer, its header
//                says.

#include <atomic>
#include <cstdint>
#include <string>

#include "runlake/status.h"

namespace runlake {

enum class FaultKind { kNone, kCrash, kCrashAfter, kIOError, kTransient, kDiskFull, kTorn, kSerialization };

struct FaultSpec {
  std::string count_path;  // "" : count in-process only
  uint64_t at = 0;         // 0 : count only, never fault
  FaultKind kind = FaultKind::kNone;
};

// InvalidArgument naming `variable`, the spec and the bad part.
Result<FaultSpec> ParseFaultSpec(const std::string& text,
                                 const std::string& variable = "RUNLAKE_TEST_FAULT");

// Counts one op ("OP WHAT", no newline) and returns its 1-based global index: its line in
// spec.count_path, or `process_counter` after the increment when there is no count file
// (or it cannot be opened: a typo in a test must not silently disable the faults).
uint64_t CountFaultOp(const FaultSpec& spec, const std::string& op, std::atomic<uint64_t>& process_counter);

// One "runlake-fault: <what>" line on stderr (a raw write: safe at any point).
void SayFault(const std::string& what);
// SayFault, then _exit(137), as a SIGKILL would end it: no destructors, no cleanup.
[[noreturn]] void CrashForFault(const std::string& what);

}  // namespace runlake
