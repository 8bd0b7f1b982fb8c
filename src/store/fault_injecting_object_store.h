#pragma once
// A test-only ObjectStore decorator that counts mutating operations and injects a fault at
// the K-th one (SQLite's "fail the Nth write" idea). OpenObjectStore wraps every backend in
// it when $RUNLAKE_TEST_FAULT is set, so the real `runlake` binary can be crashed or made
// to fail at each write by a test (tests/integration/fault_sweep_test.cc).
//
// Spec ($RUNLAKE_TEST_FAULT, common/fault_spec.h): the ops counted are Put, PutIfAbsent,
// PutFile and Delete ("OP KEY"); several stores of one process share one numbering. Kinds:
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

#include "common/fault_spec.h"
#include "runlake/object_store.h"

namespace runlake {

std::unique_ptr<ObjectStore> NewFaultInjectingObjectStore(std::unique_ptr<ObjectStore> inner,
                                                          FaultSpec spec);

}  // namespace runlake
