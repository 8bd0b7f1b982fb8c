#pragma once
// A test-only ObjectStore decorator that counts mutating operations and injects a fault at
// the K-th one (SQLite's "fail the Nth write" idea). OpenObjectStore wraps every backend in
// it when $RUNLAKE_TEST_FAULT is set, so the real `runlake` binary can be crashed or made
// to fail at each write by a test (tests/integration/fault_sweep_test.cc).
//
// Spec ($RUNLAKE_TEST_FAULT), comma-separated key=value:
//   count=PATH   append "OP KEY" to PATH for every mutating op (Put, PutIfAbsent, PutFile,
//                Delete). The line number is the op's global index: several processes
//                (and several stores of one process) share one numbering, because the
//                count and the append happen under one flock.
//   at=K         the op (1-based) that faults; without count=, a process-wide counter.
//   kind=KIND    crash        _exit(137) before the op (like SIGKILL: no cleanup at all)
//                crash_after  do the op, then _exit(137)
//                ioerror      IOError at op K and every later op (storage gone bad)
//                transient    IOError at op K only (a 5xx that succeeds when retried: the
//                             code base has no separate code, IOError is what it retries)
//                diskfull     FailedPrecondition "disk full" at op K only (never retried)
//                torn         local backend: half the bytes in a ".tmp-" file beside the
//                             target, named the way the local backend names its temps,
//                             then _exit(137); elsewhere (and for Delete) like crash
// Each fault prints one "runlake-fault:" line on stderr saying what it did.

#include <memory>
#include <string>

#include "runlake/object_store.h"

namespace runlake {

enum class FaultKind { kNone, kCrash, kCrashAfter, kIOError, kTransient, kDiskFull, kTorn };

struct FaultSpec {
  std::string count_path;  // "" : count in-process only
  uint64_t at = 0;         // 0 : count only, never fault
  FaultKind kind = FaultKind::kNone;
};

// InvalidArgument naming the spec and the bad part.
Result<FaultSpec> ParseFaultSpec(const std::string& text);

std::unique_ptr<ObjectStore> NewFaultInjectingObjectStore(std::unique_ptr<ObjectStore> inner,
                                                          FaultSpec spec);

}  // namespace runlake
