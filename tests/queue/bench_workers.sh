#!/bin/bash
# The 31-day backfill of issue 7 with 1, 2 and 4 `runlake worker` processes (queue mode,
# one task per worker at a time), and, as the peer measured in the same invocation, the
# in-process pool (issue 4) at the same concurrency. 31 days x ROWS sample rows in bronze.
# Prints wall seconds, CPU seconds (user+sys of controller and workers) and the largest
# worker RSS. Usage: RUNLAKE=build/src/cli/runlake WORKERS="1 2 4" tests/queue/bench_workers.sh
set -e
W=${WORK:-/tmp/runlake-queue-bench}
R=$(realpath ${RUNLAKE:-build/src/cli/runlake})
ROWS=${ROWS:-100000}
mkdir -p $W
export RUNLAKE_LAKE=$W/lake RUNLAKE_STATE=
rm -rf $W/lake; $R init >/dev/null
for d in $(seq -w 1 31); do
  $R sample $W/d.csv --rows $ROWS --date 2024-01-$d --seed $((10#$d)) --invalid-fraction 0.02 >/dev/null
  $R ingest $W/d.csv --date 2024-01-$d --run-id b202401$d >/dev/null
done
rm -rf $W/lake.bronze; cp -a $W/lake $W/lake.bronze
# CPU seconds (utime+stime) and peak RSS (KiB) of a live process, from /proc.
cpu_of() { awk '{print ($14 + $15) / 100}' /proc/$1/stat; }
rss_of() { awk '/VmHWM/ {print $2}' /proc/$1/status; }
echo "uptime: $(uptime)"
for n in ${WORKERS:-1 2 4}; do
  for mode in queue pool; do
    rm -rf $W/lake; cp -a $W/lake.bronze $W/lake  # same start each time
    pids=()
    flag=
    if [ $mode = queue ]; then
      for i in $(seq 1 $n); do $R worker --concurrency 1 2>$W/worker-$i.log & pids+=($!); done
      flag=--queue
    fi
    s=$(date +%s.%N)
    /usr/bin/time -f "%U %S %M" -o $W/controller.time $R --json backfill run --from 2024-01-01 \
      --to 2024-01-31 --concurrency $n $flag > $W/$mode-$n.json 2>/dev/null || true
    e=$(date +%s.%N)
    read cu cs crss < $W/controller.time
    cpu=$(echo "$cu + $cs" | bc); rss=$crss
    for p in "${pids[@]}"; do
      cpu=$(echo "$cpu + $(cpu_of $p)" | bc)
      r=$(rss_of $p); [ "$r" -gt "$rss" ] && rss=$r
      kill -TERM $p; wait $p || true
    done
    echo "$mode n=$n: wall $(echo "$e - $s" | bc)s, cpu ${cpu}s, max rss ${rss} KiB," \
         "status $(jq -r .status $W/$mode-$n.json), succeeded $(jq .succeeded $W/$mode-$n.json)," \
         "max_parallel $(jq .max_parallel $W/$mode-$n.json), rows $(jq .rows_read $W/$mode-$n.json)"
  done
done
echo "uptime: $(uptime)"
