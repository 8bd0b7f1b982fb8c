#!/usr/bin/env bash
# The dashboard at scale (issue 14): builds a lake of N committed runs (default 10000; one
# real run cloned N-1 times, each clone a different ingest_date over ~3 years so the matrix
# has a thousand rows) and times every page of `runlake serve` over HTTP, twice each.
#
#   bench/serve_scale.sh [BINARY] [N]      e.g. bench/serve_scale.sh build/src/cli/runlake 10000
set -euo pipefail
BIN=$(realpath "${1:-build/src/cli/runlake}")
N=${2:-10000}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/runlake-serve-bench-XXXXXX")
SERVER=
trap '[ -n "$SERVER" ] && kill -TERM "$SERVER" 2>/dev/null; rm -rf "$WORK"' EXIT
LAKE=$WORK/lake

"$BIN" --lake "$LAKE" init >/dev/null
"$BIN" sample "$WORK/s.csv" --rows 50 --date 2024-03-15 --seed 7 --invalid-fraction 0.04 >/dev/null
key=$("$BIN" --lake "$LAKE" --json ingest "$WORK/s.csv" --date 2024-03-15 | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
printf '{"run_key":"r00000","s3_bucket":"local","s3_key":"%s","schema_version":"v1","trigger_source":"bench","trigger_event_id":"e","trigger_event_time":"2024-03-15T00:00:00Z"}' "$key" >"$WORK/in.json"
"$BIN" --lake "$LAKE" run --input "$WORK/in.json" >/dev/null
python3 - "$LAKE" "$N" <<'PY'
import datetime, json, os, sys
lake, n = sys.argv[1], int(sys.argv[2])
base = json.load(open(f"{lake}/_runs/r00000.json"))
start = datetime.date(2022, 1, 1)
for i in range(1, n):
    rid = f"r{i:05d}"
    m = json.loads(json.dumps(base).replace("run_id=r00000/", f"run_id={rid}/"))
    m["run_id"] = rid
    m["sources"][0]["ingest_date"] = (start + datetime.timedelta(days=i % 1000)).isoformat()
    for f in base["files"]:
        src = f"{lake}/{f['key']}"
        dst = src.replace("run_id=r00000/", f"run_id={rid}/")
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        os.link(src, dst)
    with open(f"{lake}/_runs/{rid}.json", "w") as out:
        json.dump(m, out, indent=2)
PY
"$BIN" --lake "$LAKE" check --repair >/dev/null || true   # writes the run index checkpoint

# For comparison: the CLI's own listing of the same runs (what the overview and matrix pay).
t0=$(date +%s.%N); "$BIN" --lake "$LAKE" runs list >/dev/null; t1=$(date +%s.%N)
python3 -c "print(f'runs list: {$t1-$t0:.3f} s')"

"$BIN" --lake "$LAKE" --json serve --port 0 >"$WORK/url.json" 2>"$WORK/serve.err" &
SERVER=$!
until [ -s "$WORK/url.json" ]; do sleep 0.1; done
URL=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "$WORK/url.json")
echo "runs: $N  url: $URL"
printf '%-45s %8s %8s %10s\n' PAGE FIRST_S SECOND_S BYTES
for page in "" api/ datasets/mortgages/transactions api/datasets/mortgages/transactions \
            runs/r00042 executions/r00000 pointer quarantine "logs?run_id=r00000" \
            "compare?a=r00000&b=r00001"; do
  t1=$(curl -sS -o /dev/null -w '%{time_total}' "$URL$page")
  read -r t2 size < <(curl -s -o /dev/null -w '%{time_total} %{size_download}\n' "$URL$page")
  printf '%-45s %8s %8s %10s\n' "/$page" "$t1" "$t2" "$size"
done
