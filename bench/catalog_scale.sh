#!/usr/bin/env bash
# Readers at constant cost (issue 12): builds lakes of N committed runs (default 100, 1000,
# 10000) and times `runs list`, `pointer`, a one-month silver_current count (cold and warm
# cache) and one run's rows, then prints the growth ratios between sizes.
#
#   bench/catalog_scale.sh [BINARY] [SIZES...]      e.g. bench/catalog_scale.sh build/src/cli/runlake 100 1000
#
# A lake of N runs is one real run cloned N-1 times (new run_ids, hard-linked data files,
# manifests rewritten), so building it takes seconds, not N pipeline runs. With
# RUNLAKE_BENCH_S3=s3://bucket/prefix (and the AWS variables for the endpoint), each lake
# is also copied there with `aws s3 sync` and timed against the store.
set -euo pipefail
BIN=$(realpath "${1:-build/src/cli/runlake}")
shift || true
SIZES=("${@:-100 1000 10000}")
[ "$#" -eq 0 ] && SIZES=(100 1000 10000)
AWS=$(realpath "$(dirname "$0")/../tests/s3/bin/aws")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/runlake-bench-XXXXXX")
trap 'rm -rf "$WORK"' EXIT

build_lake() {  # N DIR
  local n=$1 lake=$2
  "$BIN" --lake "$lake" init >/dev/null
  "$BIN" sample "$WORK/s.csv" --rows 50 --date 2024-03-15 --days 60 --seed 7 --invalid-fraction 0 >/dev/null
  local key; key=$("$BIN" --lake "$lake" --json ingest "$WORK/s.csv" --date 2024-03-15 | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
  printf '{"run_key":"r00000","s3_bucket":"local","s3_key":"%s","schema_version":"v1","trigger_source":"bench","trigger_event_id":"e","trigger_event_time":"2024-03-15T00:00:00Z"}' "$key" >"$WORK/in.json"
  "$BIN" --lake "$lake" run --input "$WORK/in.json" >/dev/null
  python3 - "$lake" "$n" <<'PY'
import json, os, sys
lake, n = sys.argv[1], int(sys.argv[2])
base = json.load(open(f"{lake}/_runs/r00000.json"))
for i in range(1, n):
    rid = f"r{i:05d}"
    m = json.loads(json.dumps(base).replace("run_id=r00000/", f"run_id={rid}/"))
    m["run_id"] = rid
    for f in base["files"]:
        src = f"{lake}/{f['key']}"
        dst = src.replace("run_id=r00000/", f"run_id={rid}/")
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        os.link(src, dst)
    with open(f"{lake}/_runs/{rid}.json", "w") as out:
        json.dump(m, out, indent=2)
PY
}

timeit() {  # prints seconds of "$@" (stdout discarded), and "/N" S3 requests on S3 lakes
  local t0 t1 reqs
  t0=$(date +%s.%N)
  RUNLAKE_S3_STATS=1 "$@" >/dev/null 2>"$WORK/err" || { cat "$WORK/err" >&2; echo "FAILED: $*" >&2; }
  t1=$(date +%s.%N)
  reqs=$(grep -o 's3 requests: [0-9]*' "$WORK/err" | grep -o '[0-9]*$' || true)
  python3 -c "print(f'{$t1-$t0:.3f}' + ('/${reqs}' if '${reqs}' else ''))"
}

declare -A RESULT
measure() {  # LABEL LAKE
  local label=$1 lake=$2 cache="$WORK/cache-$1"
  rm -rf "$cache"
  RESULT[$label,list]=$(timeit "$BIN" --lake "$lake" runs list)
  RESULT[$label,pointer]=$(timeit "$BIN" --lake "$lake" pointer)
  RESULT[$label,month_cold]=$(RUNLAKE_CACHE=$cache timeit "$BIN" --lake "$lake" query "select count(*) from silver_current where year = 2024 and month = 3")
  RESULT[$label,month_warm]=$(RUNLAKE_CACHE=$cache timeit "$BIN" --lake "$lake" query "select count(*) from silver_current where year = 2024 and month = 3")
  RESULT[$label,one_run]=$(RUNLAKE_CACHE=$cache timeit "$BIN" --lake "$lake" query "select * from silver_transactions where run_id = 'r00001'")
}

for n in "${SIZES[@]}"; do
  build_lake "$n" "$WORK/lake-$n"
  measure "local-$n" "$WORK/lake-$n"
  if [ -n "${RUNLAKE_BENCH_S3:-}" ]; then
    # Debian awscli through the wrapper that adds --endpoint-url (AWS_ENDPOINT_URL).
    "$AWS" s3 sync --quiet --only-show-errors "$WORK/lake-$n" "$RUNLAKE_BENCH_S3/lake-$n"
    # The clones were written behind runlake's back, so no commit refreshed the run index:
    # `check --repair` writes the checkpoint a lake of real commits would have.
    echo "s3-$n: check --repair (writes the run index) $(timeit "$BIN" --lake "$RUNLAKE_BENCH_S3/lake-$n" check --repair) s" >&2
    measure "s3-$n" "$RUNLAKE_BENCH_S3/lake-$n"
  fi
done

echo "seconds (/S3 requests on S3 lakes: RUNLAKE_S3_STATS)"
printf '%-14s %10s %10s %12s %12s %10s\n' lake "runs list" pointer "month cold" "month warm" "one run"
for key in $(printf '%s\n' "${!RESULT[@]}" | cut -d, -f1 | sort -u -t- -k1,1 -k2,2n); do
  printf '%-14s %10s %10s %12s %12s %10s\n' "$key" "${RESULT[$key,list]}" "${RESULT[$key,pointer]}" \
    "${RESULT[$key,month_cold]}" "${RESULT[$key,month_warm]}" "${RESULT[$key,one_run]}"
done
echo
echo "growth ratios (time at the larger size / time at the smaller):"
for where in local s3; do
  prev=""
  for n in "${SIZES[@]}"; do
    [ -z "${RESULT[$where-$n,list]:-}" ] && continue
    if [ -n "$prev" ]; then
      line="$where $prev -> $n:"
      for c in list pointer month_cold month_warm one_run; do
        a=${RESULT[$where-$prev,$c]%%/*} b=${RESULT[$where-$n,$c]%%/*}
        line+=" $c $(python3 -c "print(f'{$b/max($a,0.001):.2f}x')")"
      done
      echo "$line"
    fi
    prev=$n
  done
done
