#!/usr/bin/env bash
# The 31-day backfill done by N `runlake worker` processes (queue mode), against its peer
# measured in the same invocation: the same backfill in ONE process with the in-process
# pool at --concurrency N on the default SQLite store. 31 days x $ROWS sample rows in
# bronze; every run starts from the same copy of it.
#
#   bench/workers.sh [--state sqlite|postgres]      (default sqlite)
#   RUNLAKE=build/src/cli/runlake WORKERS="1 2 4" ROWS=100000 bench/workers.sh
#   eval "$(scripts/pg-server.sh start)"; bench/workers.sh --state postgres
#
# sqlite: the workers share the lake's SQLite file (one machine). postgres: they share a
# fresh database on $RUNLAKE_TEST_PG per run (the queue starts empty).
# Prints per N: wall seconds, CPU seconds (user+sys of every process), peak RSS of the
# largest process, and the backfill's status.
set -euo pipefail
STATE=sqlite
while [ $# -gt 0 ]; do
  case "$1" in
    --state) STATE=${2:?--state needs sqlite or postgres}; shift 2 ;;
    --state=*) STATE=${1#--state=}; shift ;;
    *) echo "usage: $0 [--state sqlite|postgres]" >&2; exit 2 ;;
  esac
done
case "$STATE" in
  sqlite) ;;
  postgres) : "${RUNLAKE_TEST_PG:?start a server: eval \"\$(scripts/pg-server.sh start)\"}" ;;
  *) echo "$0: --state is sqlite or postgres, not '$STATE'" >&2; exit 2 ;;
esac
R=$(realpath "${RUNLAKE:-build/src/cli/runlake}")
WORK=${WORK:-/tmp/runlake-workers-bench}
ROWS=${ROWS:-100000}
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
# The --state value the workers of run $1 share.
fresh_state() {
  if [ "$STATE" = sqlite ]; then
    echo "$WORK/lake/_state/runlake.sqlite"
    return
  fi
  local db=bench_$1 base=${RUNLAKE_TEST_PG%/*}
  PGOPTIONS="-c client_min_messages=warning" psql -q "$RUNLAKE_TEST_PG" \
    -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
  echo "$base/$db"
}

# One measured run: `bash -c SCRIPT` under GNU time (children included); prints
# "wall cpu rss_mb".
measure() {
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" bash -c "$1" >"$WORK/out.json" 2>"$WORK/err"
  read -r wall user sys rss <"$WORK/time"
  echo "$wall $(echo "$user + $sys" | bc) $((rss / 1024))"
}
status_of() { jq -r '"\(.status) succeeded=\(.succeeded) max_parallel=\(.max_parallel)"' \
                "$WORK/out.json" 2>/dev/null || echo "? (see $WORK/err)"; }

echo "load: $(uptime)"
printf "%-8s %-26s %8s %8s %8s  %s\n" workers mode wall_s cpu_s rss_mb status
for n in ${WORKERS:-1 2 4}; do
  fresh_lake
  state=$(fresh_state "w$n")
  # N worker processes, then the backfill in queue mode (it enqueues the 31 dates and
  # follows them), then SIGTERM: the workers drain and exit.
  script="
    pids=()
    for i in \$(seq $n); do '$R' --state '$state' worker --concurrency 1 >>'$WORK/worker.log' 2>&1 & pids+=(\$!); done
    '$R' --state '$state' --json backfill run --from 2024-01-01 --to 2024-01-31 --concurrency $n --queue
    rc=\$?
    kill -TERM \${pids[@]}; wait \${pids[@]}
    exit \$rc"
  read -r wall cpu rss <<<"$(measure "$script" || true)"
  printf "%-8s %-26s %8s %8s %8s  %s\n" "$n" "$STATE, $n worker processes" "$wall" "$cpu" "$rss" "$(status_of)"

  fresh_lake
  read -r wall cpu rss <<<"$(measure "'$R' --json backfill run --from 2024-01-01 --to 2024-01-31 --concurrency $n" || true)"
  printf "%-8s %-26s %8s %8s %8s  %s\n" "$n" "sqlite, 1 process (pool)" "$wall" "$cpu" "$rss" "$(status_of)"
done
echo "load: $(uptime)"
