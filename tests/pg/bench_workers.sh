#!/usr/bin/env bash
# The 31-day backfill with N `runlake worker` processes sharing a PostgreSQL state store,
# against its peer measured in the same invocation: the same backfill run in one process
# with --concurrency N on the default SQLite store. 31 days x $ROWS sample rows in bronze;
# every run starts from the same copy of it.
#
#   eval "$(scripts/pg-server.sh start)"
#   RUNLAKE=build/src/cli/runlake WORKERS="1 2 4" ROWS=20000 tests/pg/bench_workers.sh
#
# Prints per N: wall seconds, CPU seconds (user+sys of every process), peak RSS of the
# largest process, and the backfill's status.
set -euo pipefail
R=$(realpath "${RUNLAKE:-build/src/cli/runlake}")
WORK=${WORK:-/tmp/runlake-workers-bench}
ROWS=${ROWS:-20000}
: "${RUNLAKE_TEST_PG:?start a server: eval \"\$(scripts/pg-server.sh start)\"}"
export RUNLAKE_LAKE=$WORK/lake
unset RUNLAKE_STATE

mkdir -p "$WORK"
if [ ! -f "$WORK/bronze.rows" ] || [ "$(cat "$WORK/bronze.rows")" != "$ROWS" ]; then
  rm -rf "$WORK/lake" "$WORK/lake.bronze"
  $R init >/dev/null
  for d in $(seq -w 1 31); do
    $R sample "$WORK/d.csv" --rows "$ROWS" --date 2024-01-$d --seed $((10#$d)) --invalid-fraction 0.02 >/dev/null
    $R ingest "$WORK/d.csv" --date 2024-01-$d --run-id b202401$d >/dev/null
  done
  rm -rf "$WORK/lake/_state" && cp -a "$WORK/lake" "$WORK/lake.bronze"
  echo "$ROWS" >"$WORK/bronze.rows"
fi

fresh_lake() { rm -rf "$WORK/lake" && cp -a "$WORK/lake.bronze" "$WORK/lake"; }
fresh_db() {  # a new database per run: the queue starts empty
  local db=bench_$1 base=${RUNLAKE_TEST_PG%/*}
  PGOPTIONS="-c client_min_messages=warning" psql -q "$RUNLAKE_TEST_PG" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
  echo "$base/$db"
}

# One measured run: `sh -c SCRIPT` under GNU time; prints "wall cpu rss_mb".
measure() {
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" bash -c "$1" >"$WORK/out.json" 2>"$WORK/err"
  read -r wall user sys rss <"$WORK/time"
  echo "$wall $(echo "$user + $sys" | bc) $((rss / 1024))"
}

echo "load: $(uptime)"
printf "%-8s %-22s %8s %8s %8s  %s\n" workers mode wall_s cpu_s rss_mb status
for n in ${WORKERS:-1 2 4}; do
  fresh_lake
  state=$(fresh_db "w$n")
  # N worker processes, then the backfill (queue mode on PostgreSQL: it enqueues the 31
  # dates and follows them), then SIGTERM: the workers drain and exit.
  script="
    pids=()
    for i in \$(seq $n); do '$R' --state '$state' worker --concurrency 1 >>'$WORK/worker.log' 2>&1 & pids+=(\$!); done
    '$R' --state '$state' --json backfill run --from 2024-01-01 --to 2024-01-31 --concurrency $n
    rc=\$?
    kill -TERM \${pids[@]}; wait \${pids[@]}
    exit \$rc"
  read -r wall cpu rss <<<"$(measure "$script")"
  printf "%-8s %-22s %8s %8s %8s  %s\n" "$n" "pg, $n processes" "$wall" "$cpu" "$rss" "$(jq -r .status "$WORK/out.json" 2>/dev/null || echo ?)"

  fresh_lake
  read -r wall cpu rss <<<"$(measure "'$R' --json backfill run --from 2024-01-01 --to 2024-01-31 --concurrency $n")"
  printf "%-8s %-22s %8s %8s %8s  %s\n" "$n" "sqlite, 1 process" "$wall" "$cpu" "$rss" "$(jq -r .status "$WORK/out.json" 2>/dev/null || echo ?)"
done
