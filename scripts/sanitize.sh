#!/usr/bin/env bash
# The test suite under a sanitizer (scripts/test.sh --sanitize address|thread):
#   address  ASan + UBSan (no recovery: the first report fails the test) in build-asan/,
#            every unit and integration test;
#   thread   TSan in build-tsan/, the tests that run threads or processes side by side:
#            workers, the task queue, the backfill pool, concurrency, the object cache,
#            multi-source runs (their sources are read in parallel), the run writer (silver
#            is written by a writer thread per month).
# The runlake binary the integration tests start is built the same way. DuckDB, libcurl
# and SQLite come prebuilt (not instrumented): their own memory is not checked, our calls
# into them are. Extra arguments go to ctest. The pg and s3 labels are left to test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:?usage: scripts/sanitize.sh address|thread [ctest args]}"
shift
case "$kind" in
  address) dir=build-asan; filter=() ;;
  thread) dir=build-tsan; filter=(-R 'Worker|Queue|Pool|Backfill|Concurren|Parallel|Cache|Heartbeat|Renewal|Stop|MultiSource|EngineRunWriter') ;;
  *) echo "scripts/sanitize.sh: '$kind' is not address or thread" >&2; exit 2 ;;
esac
scripts/setup.sh >/dev/null
scripts/npm-tools.sh >/dev/null
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRUNLAKE_SANITIZE="$kind" \
  "${launcher[@]}" >/dev/null
cmake --build "$dir" -j"$(nproc)"
# Leaks are reported too (ASan's LeakSanitizer); suppressions only for prebuilt libraries.
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=0:suppressions=$PWD/tests/sanitize/asan.supp"
export LSAN_OPTIONS="suppressions=$PWD/tests/sanitize/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# detect_deadlocks=0: TSan's lock-order detector CHECK-fails (aborts) when a thread holds
# more locks than it tracks, which DuckDB's threads do; data races are still reported.
export TSAN_OPTIONS="halt_on_error=1:detect_deadlocks=0:suppressions=$PWD/tests/sanitize/tsan.supp"
ctest --test-dir "$dir" --output-on-failure -j"$(nproc)" --timeout 1800 -LE '^(s3|pg)$' \
  "${filter[@]}" "$@"
