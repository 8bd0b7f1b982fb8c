#!/usr/bin/env bash
# The README's first command: sets everything up, builds, and runs the main job on an
# embedded default lake (./lake, or $RUNLAKE_LAKE): a generated day of transactions is
# ingested into bronze, one execution turns it into silver + quarantine, and the run
# summary and a query are printed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh --target runlake
export RUNLAKE_LAKE="${RUNLAKE_LAKE:-$PWD/lake}"
rl() { echo "+ runlake $*" >&2; build/src/cli/runlake "$@"; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rl init
rl sample "$work/transactions.csv" --rows 100000 --seed 7 --date 2024-01-15 --days 31 --invalid-fraction 0.03
key=$(build/src/cli/runlake --json ingest "$work/transactions.csv" --date 2024-01-15 |
      sed -n 's/.*"key": "\(.*\)".*/\1/p')
run_id="demo-$(date -u +%Y%m%dT%H%M%SZ)"
cat > "$work/input.json" <<JSON
{
  "run_key": "$run_id",
  "s3_bucket": "local",
  "s3_key": "$key",
  "schema_version": "v1",
  "trigger_source": "demo",
  "trigger_event_id": "demo-2024-01-15",
  "trigger_event_time": "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}
JSON
rl run --input "$work/input.json" || true   # a gate failure still prints its summary
rl query "SELECT year, month, count(*) AS rows, sum(amount) AS total FROM silver_transactions
          WHERE run_id = '$run_id' GROUP BY ALL ORDER BY ALL"
rl query "SELECT validation_error, count(*) AS rows FROM quarantine WHERE run_id = '$run_id'
          GROUP BY ALL ORDER BY rows DESC"
echo "lake: $RUNLAKE_LAKE   (try: build/src/cli/runlake --lake $RUNLAKE_LAKE runs list)"
