#!/usr/bin/env bash
# bench/run.sh: bronze -> silver, runlake against DuckDB and Polars, side by side.
#
#   bench/run.sh [--rounds N] [--rows N] [--no-x4] [--no-peer2] [--no-reject-heavy] [--only-runlake]
#
# Builds runlake and the bench tools (build-bench/), generates W1 (5,000,000 rows, fixed
# seed; reused from ~/.cache/runlake/bench/ when present) and W1x4 (20,000,000 rows), then
# runs, alternating, N rounds (default 3) of:
#   1  runlake run            the full row contract, on a fresh lake each time
#   2  DuckDB, full contract  bench/sql/peer2_contract.sql (the honest peer)
#   3  DuckDB, fast           bench/sql/peer3_fast.sql (parse, cast, partitioned write)
#   3i DuckDB, fast, int keys bench/sql/peer3_intkeys.sql (year(ts), month(ts) as keys)
#   5  Polars, fast           bench/polars_peer.mjs (nodejs-polars 0.25.2: read CSV.gz,
#                             cast, filter, partitioned zstd write)
#   R  runlake, reject-heavy  W1 ingested for 2024-01-15: the rules' tx_date_window puts
#                             ~74% of rows in quarantine (the runbook's quarantine-recovery
#                             day); R1 is its first run, R2 the same source run again (a
#                             backfill: loop prevention reads R1's rejects). Rules:
#                             bench/w1_reject_rules.json (w1_rules.json with a gate that
#                             lets such a day commit)
#   4a floor                  igzip -dc W1 > /dev/null
#   4b floor                  igzip -dc W1 | floor_hash (split lines, SHA-256 each)
# and prints medians of wall time, CPU time (user+sys), peak RSS and rows/s, the ratios
# against the targets, runlake's silver size and its peak RSS on W1x4. The Polars peer's
# npm packages are installed (pinned, once) by scripts/npm-tools.sh into ~/.cache/runlake. It checks that runlake and peer 2
# produce the same valid row set (count and a checksum over transaction_id, amount) and
# exits 1 if they do not.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${RUNLAKE_BENCH_BUILD:-$ROOT/build-bench}
CACHE=${RUNLAKE_BENCH_CACHE:-$HOME/.cache/runlake/bench}
ROUNDS=3
ROWS=5000000
X4=1
PEER2=1
REJECT_HEAVY=1
ONLY_RUNLAKE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --no-x4) X4=0; shift ;;
    --no-peer2) PEER2=0; shift ;;
    --no-reject-heavy) REJECT_HEAVY=0; shift ;;
    --only-runlake) PEER2=0; ONLY_RUNLAKE=1; shift ;;  # runlake's rows only, no peers
    --rows) ROWS=$2; shift 2 ;;  # a smaller W1 to try the script; the targets mean 5M
    *) echo "usage: bench/run.sh [--rounds N] [--rows N] [--no-x4] [--no-peer2] [--no-reject-heavy] [--only-runlake]" >&2; exit 2 ;;
  esac
done

SEED=20240229
DATE=2024-02-29   # W1 spans the 60 days up to here: January and February 2024
RULES=$ROOT/bench/w1_rules.json
RH_RULES=$ROOT/bench/w1_reject_rules.json
W1=$CACHE/w1-$ROWS-$SEED.csv.gz
W1X4=$CACHE/w1-$((4 * ROWS))-$SEED.csv.gz
WORK=$(mktemp -d "${TMPDIR:-/tmp}/runlake-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

echo "== build ($BUILD)"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j"$(nproc)" --target runlake peer_sql floor_hash >/dev/null
NODE_MODULES=$("$ROOT/scripts/npm-tools.sh")/node_modules
RUNLAKE=$BUILD/src/cli/runlake
PEER=$BUILD/bench/peer_sql
FLOOR=$BUILD/bench/floor_hash

mkdir -p "$CACHE"
make_input() {  # rows file
  if [ ! -s "$2" ]; then
    echo "== generating $2"
    "$RUNLAKE" sample "$2.tmp.csv.gz" --rows "$1" --seed $SEED --date $DATE --days 60 \
      --invalid-fraction 0.05 >/dev/null
    mv "$2.tmp.csv.gz" "$2"
  fi
}
make_input $ROWS "$W1"
[ $X4 = 1 ] && make_input $((4 * ROWS)) "$W1X4"

# timed NAME CMD...: runs CMD under /usr/bin/time, appends "wall cpu rss_kb" to $WORK/NAME.
timed() {
  local name=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/time.out" "$@" >"$WORK/$name.log" 2>&1 || {
    echo "!! $name failed:"; tail -20 "$WORK/$name.log"; exit 1; }
  awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$WORK/time.out" >>"$WORK/$name.times"
}

# A fresh lake holding the input in bronze, and the runbook input JSON for it.
fresh_lake() {  # dir input
  rm -rf "$1"
  "$RUNLAKE" --lake "$1/lake" init >/dev/null
  "$RUNLAKE" --lake "$1/lake" ingest "$2" --date $DATE --run-id 20240301T000000Z >/dev/null
  local key
  key=$(cd "$1/lake" && ls bronze/mortgages/transactions/ingest_date=$DATE/run_id=20240301T000000Z/*)
  write_input "$1/input.json" 20240301T010000Z "$key"
}

write_input() {  # file run_key s3_key
  cat >"$1" <<EOF
{"run_key": "$2", "s3_bucket": "bench", "s3_key": "$3",
 "schema_version": "v1", "trigger_source": "daily", "trigger_event_id": "bench-w1",
 "trigger_event_time": "2024-03-01T01:00:00Z"}
EOF
}

# The reject-heavy day: W1 landed for 2024-01-15, run once, then run again on the same lake.
run_reject_heavy() {  # input
  rm -rf "$WORK/rh"
  "$RUNLAKE" --lake "$WORK/rh/lake" init >/dev/null
  "$RUNLAKE" --lake "$WORK/rh/lake" ingest "$1" --date 2024-01-15 --run-id 20240116T000000Z >/dev/null
  local key
  key=$(cd "$WORK/rh/lake" && ls bronze/mortgages/transactions/ingest_date=2024-01-15/run_id=20240116T000000Z/*)
  write_input "$WORK/rh/first.json" 20240116T010000Z "$key"
  write_input "$WORK/rh/again.json" 20240116T020000Z "$key"
  timed rh_first "$RUNLAKE" --lake "$WORK/rh/lake" run --input "$WORK/rh/first.json" --rules "$RH_RULES"
  timed rh_again "$RUNLAKE" --lake "$WORK/rh/lake" run --input "$WORK/rh/again.json" --rules "$RH_RULES"
}

run_runlake() {  # name input
  fresh_lake "$WORK/rl" "$2"
  timed "$1" "$RUNLAKE" --lake "$WORK/rl/lake" run --input "$WORK/rl/input.json" --rules "$RULES"
  du -sb "$WORK/rl/lake/silver" | cut -f1 >>"$WORK/$1.silver_bytes"
}

run_polars() {  # name
  rm -rf "$WORK/polars"
  timed "$1" node "$ROOT/bench/polars_peer.mjs" "$NODE_MODULES" "$W1" "$WORK/polars"
}

run_peer() {  # name sql
  rm -rf "$WORK/peer" && mkdir -p "$WORK/peer/tmp"
  timed "$1" "$PEER" run "$2" IN="$W1" OUT="$WORK/peer" TMP="$WORK/peer/tmp"
}

CHECKED=0
check_same_rows() {  # after round 1: runlake's silver vs peer 2's
  local a b
  a=$("$PEER" checksum "$WORK/rl/lake/silver/**/*.parquet")
  b=$("$PEER" checksum "$WORK/peer/silver/**/*.parquet")
  echo "   runlake silver: $a"
  echo "   peer 2 silver:  $b"
  if [ "$a" != "$b" ]; then echo "!! runlake and peer 2 disagree on the valid rows"; exit 1; fi
  CHECKED=1
}

echo "== W1: $ROWS rows, $(du -mL "$W1" | cut -f1) MB gzipped, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$ROUNDS"); do
  echo "-- round $round"
  run_runlake runlake "$W1"
  [ $REJECT_HEAVY = 1 ] && run_reject_heavy "$W1"
  if [ $PEER2 = 1 ]; then
    run_peer peer2 "$ROOT/bench/sql/peer2_contract.sql"
    [ $round = 1 ] && check_same_rows
  fi
  [ $ONLY_RUNLAKE = 1 ] && continue
  run_peer peer3 "$ROOT/bench/sql/peer3_fast.sql"
  run_peer peer3i "$ROOT/bench/sql/peer3_intkeys.sql"
  run_polars polars
  timed floor_igzip sh -c "igzip -dc '$W1' >/dev/null"
  timed floor_hash sh -c "igzip -dc '$W1' | '$FLOOR'"
done
if [ $X4 = 1 ]; then
  echo "-- W1x4: runlake on $((4 * ROWS)) rows"
  run_runlake runlake_x4 "$W1X4"
fi

median() {  # file column -> median
  cut -d' ' -f"$2" "$1" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
declare -A WALL CPU RSS
echo
printf "%-34s %8s %8s %8s %12s\n" "median of $ROUNDS" "wall s" "CPU s" "RSS MB" "rows/s"
row() {  # name label rows
  [ -s "$WORK/$1.times" ] || return 0
  WALL[$1]=$(median "$WORK/$1.times" 1)
  CPU[$1]=$(median "$WORK/$1.times" 2)
  RSS[$1]=$(awk -v k="$(median "$WORK/$1.times" 3)" 'BEGIN { printf "%.0f", k / 1024 }')
  printf "%-34s %8.2f %8.2f %8s %12.0f\n" "$2" "${WALL[$1]}" "${CPU[$1]}" "${RSS[$1]}" \
    "$(awk -v r="$3" -v w="${WALL[$1]}" 'BEGIN { print r / w }')"
}
row runlake "1  runlake run (full contract)" $ROWS
row peer2 "2  DuckDB SQL, full contract" $ROWS
row peer3 "3  DuckDB SQL, parse+cast+write" $ROWS
row peer3i "3i DuckDB SQL, same, integer keys" $ROWS
row polars "5  Polars, parse+cast+write" $ROWS
row floor_igzip "4a floor: igzip -dc" $ROWS
row floor_hash "4b floor: igzip -dc | hash rows" $ROWS
row runlake_x4 "   runlake on W1x4 (1 run)" $((4 * ROWS))
row rh_first "R1 runlake, reject-heavy, first" $ROWS
row rh_again "R2 runlake, reject-heavy, again" $ROWS

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
echo
echo "ratios (wall)                       value    target"
if [ -n "${WALL[peer3i]:-}" ]; then
  echo "   runlake / peer 3i (int keys)     $(ratio "${WALL[runlake]}" "${WALL[peer3i]}")    <= 0.5"
  echo "   runlake / peer 3                 $(ratio "${WALL[runlake]}" "${WALL[peer3]}")"
fi
if [ -n "${WALL[polars]:-}" ]; then
  echo "   runlake / peer 5 (Polars)        $(ratio "${WALL[runlake]}" "${WALL[polars]}")    <= 0.3"
fi
if [ -n "${WALL[peer2]:-}" ]; then
  echo "   runlake / peer 2                 $(ratio "${WALL[runlake]}" "${WALL[peer2]}")"
fi
if [ -n "${WALL[floor_igzip]:-}" ]; then
  echo "   runlake / floor 4a (igzip)       $(ratio "${WALL[runlake]}" "${WALL[floor_igzip]}")"
  echo "   runlake / floor 4b (igzip+hash)  $(ratio "${WALL[runlake]}" "${WALL[floor_hash]}")    <= 1.5"
fi
echo "   runlake peak RSS MB              ${RSS[runlake]}      <= 128"
if [ -n "${RSS[runlake_x4]:-}" ]; then
  echo "   runlake peak RSS MB on W1x4      ${RSS[runlake_x4]}      <= 128 * 1.10"
fi
if [ -n "${WALL[rh_again]:-}" ]; then
  echo "   reject-heavy first / clean run   $(ratio "${WALL[rh_first]}" "${WALL[runlake]}")    <= 1.5"
  echo "   reject-heavy again / clean run   $(ratio "${WALL[rh_again]}" "${WALL[runlake]}")    <= 1.5"
  echo "   reject-heavy first peak RSS MB   ${RSS[rh_first]}      <= 160"
  echo "   reject-heavy again peak RSS MB   ${RSS[rh_again]}      <= 160"
fi
echo "   runlake silver MB                $(awk -v b="$(median "$WORK/runlake.silver_bytes" 1)" 'BEGIN { printf "%.1f", b / 1e6 }')    within 10% of 242.0"
[ $CHECKED = 1 ] && echo "valid row sets: runlake == peer 2 (count and checksum)"
exit 0
