// The fault sweep (issue 13, item 2): every command that writes the lake is first run once
// to count its mutating object-store operations N (RUNLAKE_TEST_FAULT=count=...), then run
// again on a fresh copy of the same lake with a fault at op k (a crash before or after the
// op, a torn temp file, a sticky I/O error, a transient one, a full disk) for k in 1..N.
// After the fault and again after the recovery (the command again, `backfill resume`, or
// the next command that touches the state) the invariants of fault_sweep.h must hold.
//
// The state sweep (item 3) does the same one layer down: the faults hit the SQLite state
// store's writes to disk (RUNLAKE_TEST_STATE_FAULT: every write, truncate and sync of the
// database and its WAL), and an execution, a backfill or a task must never be lost, stuck,
// or applied twice (StateInvariants).
//
// RUNLAKE_FAULT_SWEEP=full tries every (k, kind), =N a sample of N points, and
// RUNLAKE_FAULT_SWEEP_POINT=K:KIND that one point; by default a spread sample of about
// kSampledPoints points per command, so the test command stays short (scripts/fault-sweep.sh
// runs the full sweep).

#include <gtest/gtest.h>

#include "integration/fault_sweep_driver.h"

namespace runlake::it {
namespace {

class FaultSweep : public ::testing::TestWithParam<int> {};

TEST_P(FaultSweep, InvariantsHoldAtEveryFaultPoint) { Sweep(Scenarios().at(GetParam()), kObjectLayer); }

INSTANTIATE_TEST_SUITE_P(Commands, FaultSweep, ::testing::Range(0, 10),
                         [](const ::testing::TestParamInfo<int>& i) { return Scenarios().at(i.param).name; });

class StateFaultSweep : public ::testing::TestWithParam<int> {};

TEST_P(StateFaultSweep, NoExecutionBackfillOrTaskLostStuckOrAppliedTwice) {
  Sweep(Scenarios().at(GetParam()), kStateLayer);
}

INSTANTIATE_TEST_SUITE_P(Commands, StateFaultSweep, ::testing::Range(0, 10),
                         [](const ::testing::TestParamInfo<int>& i) { return Scenarios().at(i.param).name; });

}  // namespace
}  // namespace runlake::it
