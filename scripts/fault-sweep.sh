#!/usr/bin/env bash
# The full fault sweep (issue 13): every command crashed or failed at every one of its
# writes, with every fault kind, invariants checked after the fault and after the recovery.
# The test command runs a sample of these points; this runs them all.
#   scripts/fault-sweep.sh [--state|--pg] [COMMAND]
#     (default)  faults at the lake's object-store writes
#     --state    faults at the SQLite state store's disk writes (writes, truncates, syncs)
#     --pg       faults at each PostgreSQL state store statement (starts a throwaway server
#                with scripts/pg-server.sh unless $RUNLAKE_TEST_PG names one)
#     COMMAND    run_daily, promote, backfill_run_promote, ... (default all)
#   RUNLAKE_FAULT_SWEEP=N in the environment samples N points per command instead.
set -euo pipefail
cd "$(dirname "$0")/.."
suite="Commands/FaultSweep"
binary=build/tests/integration/integration_test
target=integration_test
while [[ "${1:-}" == --* ]]; do
  case "$1" in
    --state) suite="Commands/StateFaultSweep" ;;
    --pg) suite="Commands/PgStateFaultSweep"; binary=build/tests/pg/pg_state_fault_test; target=pg_state_fault_test ;;
    *) echo "fault-sweep: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
filter="$suite.*/${1:-*}"
cmake --build build -j2 --target runlake "$target" >/dev/null
if [[ "$target" == pg_state_fault_test && -z "${RUNLAKE_TEST_PG:-}" ]]; then
  eval "$(scripts/pg-server.sh start)"
  trap 'scripts/pg-server.sh stop >/dev/null 2>&1 || true' EXIT
fi
log=$(mktemp)
start=$(date +%s)
rc=0
RUNLAKE_FAULT_SWEEP="${RUNLAKE_FAULT_SWEEP:-full}" \
  "$binary" --gtest_filter="$filter" >"$log" 2>&1 || rc=$?
grep -E '^\[ sweep|^\[  (FAILED|PASSED) ' "$log" || true
echo "fault sweep: $(( $(date +%s) - start )) s wall; full log: $log"
exit "$rc"
