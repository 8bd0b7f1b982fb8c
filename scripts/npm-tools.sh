#!/usr/bin/env bash
# Installs the test-only npm tools (tests/interop/package.json, pinned with integrity
# hashes in its package-lock.json) into ~/.cache/runlake/npm-tools, outside the repo.
# Idempotent: reinstalls only when the lock file changed. Usage: scripts/npm-tools.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="${RUNLAKE_NPM_TOOLS:-$HOME/.cache/runlake/npm-tools}"
mkdir -p "$DIR"
if ! cmp -s tests/interop/package-lock.json "$DIR/package-lock.json" || [ ! -d "$DIR/node_modules" ]; then
  echo "npm-tools: installing test tools into $DIR" >&2
  cp tests/interop/package.json tests/interop/package-lock.json "$DIR/"
  (cd "$DIR" && npm ci --silent --no-audit --no-fund >/dev/null)
fi
echo "$DIR"
