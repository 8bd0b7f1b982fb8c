#!/usr/bin/env bash
# The README's test command: sets everything up, builds, and runs every test with CTest:
# unit and integration tests first, then the `pg` tests against a throwaway PostgreSQL
# (scripts/pg-server.sh), then the `s3` tests against a throwaway Ceph RADOS Gateway
# (scripts/s3-server.sh); both on 127.0.0.1, installed if missing, stopped after.
# The fuzz targets are checked in the first pass, without libFuzzer: FuzzCorpusReplay.<target>
# (tests/fuzz/corpus_replay_test.cc) replays their seeds (tests/fuzz/corpus/) and the newest
# of the growing corpus (~/.cache/runlake/fuzz/, a few seconds at most).
# RUNLAKE_FUZZ_SECONDS=N (N > 0) then also fuzzes every parser N seconds with libFuzzer
# (scripts/fuzz.sh --seconds N: a second build, clang + ASan/UBSan, in build-fuzz/); unset
# or 0, no fuzzing run (campaigns: scripts/fuzz.sh).
# RUNLAKE_SKIP_PG=1 / RUNLAKE_SKIP_S3=1 skip a part; RUNLAKE_SKIP_FUZZ=1 is still accepted
# (it skips the libFuzzer run, which only RUNLAKE_FUZZ_SECONDS asks for).
# Extra arguments go to ctest (e.g. scripts/test.sh -R Runbook).
#
#   scripts/test.sh --sanitize address|thread [ctest args]
#       builds everything with ASan+UBSan (build-asan/) or TSan (build-tsan/) and runs the
#       unit and integration tests there (TSan: the threaded ones: workers, queue, pool,
#       backfills, concurrency, object cache, multi-source runs, the run writer), then stops.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = --sanitize ]; then
  exec scripts/sanitize.sh "${2:?--sanitize needs address or thread}" "${@:3}"
fi
# Checked now, not after the tests.
fuzz_seconds="${RUNLAKE_FUZZ_SECONDS:-0}"
if ! [[ "$fuzz_seconds" =~ ^[0-9]+$ ]]; then
  echo "test: RUNLAKE_FUZZ_SECONDS must be a whole number of seconds, not '$fuzz_seconds'" >&2
  exit 2
fi
scripts/build.sh
scripts/npm-tools.sh >/dev/null
jobs=$(nproc)
ctest --test-dir build --output-on-failure -j"$jobs" --timeout 900 -LE '^(s3|pg)$' "$@"

stop_servers() {
  [ -n "${pg_started:-}" ] && { scripts/pg-server.sh stop >/dev/null 2>&1 || true; }
  [ -n "${s3_started:-}" ] && { scripts/s3-server.sh stop >/dev/null 2>&1 || true; }
  return 0
}
trap stop_servers EXIT

if [ "${RUNLAKE_SKIP_PG:-0}" = 1 ]; then
  echo "test: RUNLAKE_SKIP_PG=1, skipping the pg tests" >&2
else
  pg_started=1
  # A failed start must fail the run, not let the pg tests skip: capture, then eval.
  pg_env=$(scripts/pg-server.sh start) || pg_env=$(scripts/pg-server.sh start)
  eval "$pg_env"
  ctest --test-dir build --output-on-failure -j"$jobs" --timeout 900 -L '^pg$' "$@"
  scripts/pg-server.sh stop >/dev/null
  pg_started=
fi

if [ "${RUNLAKE_SKIP_S3:-0}" = 1 ]; then
  echo "test: RUNLAKE_SKIP_S3=1, skipping the s3 tests" >&2
else
  s3_started=1
  # A failed start must fail the run, not let the s3 tests skip: capture, then eval.
  s3_env=$(scripts/s3-server.sh start) || s3_env=$(scripts/s3-server.sh start)
  eval "$s3_env"
  ctest --test-dir build --output-on-failure -j"$jobs" --timeout 900 -L '^s3$' "$@"
  scripts/s3-server.sh stop >/dev/null
  s3_started=
fi

if [ "$fuzz_seconds" -gt 0 ] && [ "${RUNLAKE_SKIP_FUZZ:-0}" = 1 ]; then
  echo "test: RUNLAKE_SKIP_FUZZ=1, skipping the libFuzzer run" >&2
elif [ "$fuzz_seconds" -gt 0 ]; then
  scripts/fuzz.sh --seconds "$fuzz_seconds"
fi
