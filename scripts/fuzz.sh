#!/usr/bin/env bash
# Fuzzes runlake's parsers with libFuzzer (clang from Debian, ASan+UBSan on every library):
# tests/fuzz/*_fuzz.cc, seeds in tests/fuzz/corpus/<target>/.
#
#   scripts/fuzz.sh [--seconds N] [TARGET...]   N seconds per target (default 60)
#   scripts/fuzz.sh --ledger                     seconds fuzzed so far, per target (this
#                                                machine's ledger and tests/fuzz/campaign-ledger.tsv)
#
# Builds into build-fuzz/; the growing corpus lives in ~/.cache/runlake/fuzz/<target>
# (outside the repo, so reruns continue where the last one stopped); a crash is saved as
# build-fuzz/crashes/<target>-crash-<sha1> and fails the script (copy it into
# tests/fuzz/corpus/<target>/ and every test run replays it: FuzzCorpusReplay.<target>).
# Prints one line per target: executions, coverage (libFuzzer's cov: edges) and corpus
# size, and appends it to ~/.cache/runlake/fuzz/ledger.tsv, so a campaign spread over
# many sessions adds up.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=60
ledger_only=0
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --ledger) ledger_only=1; shift ;;
    -h|--help) sed -n 2,14p "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done

cache="${HOME}/.cache/runlake/fuzz"
ledger="$cache/ledger.tsv"
history=tests/fuzz/campaign-ledger.tsv
if [ "$ledger_only" = 1 ]; then
  # Columns: UTC time, target, seconds, executions, cov, result; the history's "carried"
  # rows are not failures.
  [ -e "$ledger" ] || ledger=/dev/null
  printf "%-20s %10s %14s %8s %s\n" target seconds executions max_cov failed_runs
  # sort -u: a row already carried into the history is counted once.
  grep -hv '^#' "$history" "$ledger" | sort -u |
  awk -F'\t' '{ s[$2] += $3; e[$2] += $4; if ($5 > c[$2]) c[$2] = $5; if ($6 != "ok" && $6 != "carried") f[$2]++ }
    END { for (t in s) printf "%-20s %10d %14d %8d %d\n", t, s[t], e[t], c[t], f[t] }' | sort
  exit 0
fi

if ! command -v clang++ >/dev/null || [ ! -e /usr/include/zlib.h ]; then
  echo "fuzz: installing clang zlib1g-dev (apt)" >&2
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    clang zlib1g-dev >/dev/null
fi
scripts/setup.sh >/dev/null
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
# Two campaigns side by side (one per core) build in turn, not into each other.
mkdir -p build-fuzz
exec 9>build-fuzz/.build.lock
flock 9
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRUNLAKE_FUZZ=ON \
  "${launcher[@]}" >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target runlake_fuzzers >/dev/null
flock -u 9

if [ ${#targets[@]} -eq 0 ]; then
  for f in tests/fuzz/*_fuzz.cc; do targets+=("$(basename "$f" .cc)"); done
fi
mkdir -p build-fuzz/crashes "$cache"
failed=0
printf '%-20s %12s %8s %8s  %s\n' target executions cov corpus result
for t in "${targets[@]}"; do
  work="$cache/$t"
  mkdir -p "$work"
  seeds="tests/fuzz/corpus/$t"
  log="build-fuzz/$t.log"
  # New inputs go to the first directory; the seeds are read, never written.
  started=$(date +%s)
  if build-fuzz/tests/fuzz/"$t" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
       -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="build-fuzz/crashes/$t-" \
       "$work" "$seeds" >"$log" 2>&1; then
    result=ok
  else
    result="FAILED (see $log)"
    failed=1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
  printf '%-20s %12s %8s %8s  %s\n' "$t" "${runs:-0}" "${cov:-0}" "$(ls "$work" | wc -l)" "$result"
  # The seconds it ran (a crash ends a run early), not the seconds asked for.
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "$(( $(date +%s) - started ))" "${runs:-0}" "${cov:-0}" \
    "${result%% *}" >>"$ledger"
  if [ "$result" != ok ]; then grep -A25 -m1 'ERROR\|fuzz check failed\|deadly signal' "$log" >&2 || tail -30 "$log" >&2; fi
done
exit $failed
