#!/usr/bin/env bash
# W1 (5M rows, 60 days) on a local lake and on an S3 lake: `run` wall/CPU/peak RSS, then one
# query on each: local, S3 without the object cache, S3 with a cold cache, S3 warm (x2).
# Needs an S3 server: eval "$(scripts/s3-server.sh start)"; stop it after.
# Usage: RUNLAKE=build/src/cli/runlake bench/s3_w1.sh   (results: $WORK/times.txt)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
R=${RUNLAKE:-$ROOT/build/src/cli/runlake}
W=${WORK:-/tmp/runlake-s3-w1}
: "${RUNLAKE_TEST_S3_BUCKET:?eval \"\$(scripts/s3-server.sh start)\" first}"
mkdir -p "$W" && cd "$W"
RULES=$ROOT/bench/w1_rules.json
if [ ! -s w1.csv.gz ]; then
  "$R" sample w1.tmp.csv.gz --rows 5000000 --seed 1 --date 2024-03-01 --days 60 \
    --invalid-fraction 0.05 >/dev/null
  mv w1.tmp.csv.gz w1.csv.gz
fi
S3=s3://$RUNLAKE_TEST_S3_BUCKET/w1-$(date +%s)
rm -rf lake state-*.db cache
t() {  # t NAME CMD...: appends "NAME wall cpu rss" to times.txt
  local name=$1; shift
  /usr/bin/time -f "$name wall=%e s cpu=%U+%S s rss=%M KB" -a -o times.txt "$@" >"$name.log" 2>&1
}
echo "== $(date -u) $(uptime)" >>times.txt
for L in "$W/lake" "$S3"; do
  "$R" --lake "$L" init >/dev/null
  "$R" --lake "$L" ingest w1.csv.gz --date 2024-03-01 --run-id 20240301T000000Z >/dev/null
done
KEY=bronze/mortgages/transactions/ingest_date=2024-03-01/run_id=20240301T000000Z/w1.csv.gz
echo "{\"run_key\":\"20240301T010000Z\",\"s3_key\":\"$KEY\",\"trigger_source\":\"daily\"}" >in.json
RUNLAKE_STATE=$W/state-local.db t run_local "$R" --lake "$W/lake" run --input in.json --rules "$RULES"
RUNLAKE_STATE=$W/state-s3.db t run_s3 "$R" --lake "$S3" run --input in.json --rules "$RULES"
Q="SELECT count(*), sum(amount) FROM silver_current"
export RUNLAKE_STATE=$W/state-s3.db
t query_local "$R" --lake "$W/lake" query "$Q"
RUNLAKE_CACHE=off t query_s3_nocache "$R" --lake "$S3" query "$Q"
export RUNLAKE_CACHE=$W/cache
t query_s3_cold "$R" --lake "$S3" query "$Q"
t query_s3_warm1 "$R" --lake "$S3" query "$Q"
t query_s3_warm2 "$R" --lake "$S3" query "$Q"
cmp query_local.log query_s3_warm2.log && echo "same answer on both lakes"
echo "cache: $(du -sh cache | cut -f1) in $(find cache -type f | wc -l) files" | tee -a times.txt
echo "$(uptime)" >>times.txt
tail -9 times.txt
