#!/usr/bin/env bash
# bench/compare_binaries.sh OLD_RUNLAKE NEW_RUNLAKE [ROUNDS]
#
# Two runlake binaries on the same W1 (5,000,000 rows over the 60 days up to 2024-02-29,
# bench/w1_rules.json), alternating OLD, NEW for ROUNDS rounds (default 5), a fresh lake for
# each run: prints each run's wall time and peak RSS, then the medians and NEW/OLD. What a
# change to the run path costs, measured on one machine in one sitting (e.g. the transform
# compiled from contracts against the specialised one it replaced; issue 29's note).
set -euo pipefail
OLD=$(realpath "${1:?usage: bench/compare_binaries.sh OLD_RUNLAKE NEW_RUNLAKE [ROUNDS]}")
NEW=$(realpath "${2:?usage: bench/compare_binaries.sh OLD_RUNLAKE NEW_RUNLAKE [ROUNDS]}")
ROUNDS=${3:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${RUNLAKE_BENCH_CACHE:-$HOME/.cache/runlake/bench}
W1=$CACHE/w1-5000000-20240229.csv.gz
WORK=$(mktemp -d "${TMPDIR:-/tmp}/runlake-compare.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$CACHE"
[ -f "$W1" ] || "$OLD" sample "$W1" --rows 5000000 --seed 20240229 --date 2024-02-29 --days 60 >/dev/null

one() {  # binary tag
  local lake=$WORK/lake-$2
  rm -rf "$lake"
  "$1" --lake "$lake" init >/dev/null
  "$1" --lake "$lake" ingest "$W1" --date 2024-02-29 --run-id b1 >/dev/null
  printf '{"run_key": "r1", "s3_bucket": "bench", "schema_version": "v1", "s3_key": "bronze/mortgages/transactions/ingest_date=2024-02-29/run_id=b1/%s"}\n' \
    "$(basename "$W1")" >"$lake.json"
  /usr/bin/time -f "$2 %e %M" -o "$WORK/time" "$1" --lake "$lake" run --input "$lake.json" \
    --rules "$ROOT/bench/w1_rules.json" >/dev/null
  cat "$WORK/time" | tee -a "$WORK/all"
}
for _ in $(seq "$ROUNDS"); do
  one "$OLD" old
  one "$NEW" new
done
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }
old_wall=$(awk '$1 == "old" {print $2}' "$WORK/all" | median)
new_wall=$(awk '$1 == "new" {print $2}' "$WORK/all" | median)
old_rss=$(awk '$1 == "old" {print $3}' "$WORK/all" | median)
new_rss=$(awk '$1 == "new" {print $3}' "$WORK/all" | median)
echo "median wall: old ${old_wall} s, new ${new_wall} s, new/old $(awk -v a="$new_wall" -v b="$old_wall" 'BEGIN {printf "%.3f", a / b}')"
echo "median peak RSS: old $((old_rss / 1024)) MB, new $((new_rss / 1024)) MB"
