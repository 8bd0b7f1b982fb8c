#!/bin/bash
# The 31-day backfill timing of issue 4: 31 days x 100,000 sample rows in bronze, then the
# same backfill from the same start with --concurrency 1 and 2 (CONCURRENCY="1 4 8 16" on a
# bigger machine), then (ONE_RUN=1, the default) the range as one run with --one-run.
# Usage: RUNLAKE=build/src/cli/runlake tests/backfill/bench_backfill.sh
set -e
mkdir -p ${WORK:-/tmp/runlake-bf-bench}
R=${RUNLAKE:-/work/main/build-bf/src/cli/runlake}
export RUNLAKE_LAKE=${WORK:-/tmp/runlake-bf-bench}/lake
rm -rf ${WORK:-/tmp/runlake-bf-bench}/lake; $R init >/dev/null
for d in $(seq -w 1 31); do
  $R sample ${WORK:-/tmp/runlake-bf-bench}/d.csv --rows 100000 --date 2024-01-$d --seed $((10#$d)) --invalid-fraction 0.02 >/dev/null
  $R ingest ${WORK:-/tmp/runlake-bf-bench}/d.csv --date 2024-01-$d --run-id b202401$d >/dev/null
done
rm -rf ${WORK:-/tmp/runlake-bf-bench}/lake.bronze; cp -a ${WORK:-/tmp/runlake-bf-bench}/lake ${WORK:-/tmp/runlake-bf-bench}/lake.bronze
for c in ${CONCURRENCY:-1 2}; do
  rm -rf ${WORK:-/tmp/runlake-bf-bench}/lake; cp -a ${WORK:-/tmp/runlake-bf-bench}/lake.bronze ${WORK:-/tmp/runlake-bf-bench}/lake  # same start each time
  s=$(date +%s.%N)
  $R --json backfill run --from 2024-01-01 --to 2024-01-31 --concurrency $c > ${WORK:-/tmp/runlake-bf-bench}/c$c.json 2>/dev/null
  e=$(date +%s.%N)
  echo "concurrency $c: $(echo "$e - $s" | bc) s wall, status $(jq -r .status ${WORK:-/tmp/runlake-bf-bench}/c$c.json), max_parallel $(jq .max_parallel ${WORK:-/tmp/runlake-bf-bench}/c$c.json), rows $(jq .rows_read ${WORK:-/tmp/runlake-bf-bench}/c$c.json)"
done
if [ "${ONE_RUN:-1}" = 1 ]; then
  W=${WORK:-/tmp/runlake-bf-bench}
  rm -rf $W/lake; cp -a $W/lake.bronze $W/lake
  /usr/bin/time -f "%e %U %S %M" -o $W/one.time \
    $R --json backfill run --from 2024-01-01 --to 2024-01-31 --one-run > $W/one.json 2>/dev/null
  read -r wall user sys rss < $W/one.time
  echo "one run: $wall s wall, $(echo "$user + $sys" | bc) s CPU, $((rss / 1024)) MB peak RSS, status $(jq -r .status $W/one.json), rows $(jq .rows_read $W/one.json)"
fi
