#!/usr/bin/env bash
# Installs the test-only npm tools, each pinned with integrity hashes in its
# package-lock.json, outside the repo: tests/interop (independent Parquet and SQL readers)
# into ~/.cache/runlake/npm-tools, and tests/s3/npm (the AWS SDK for JavaScript's
# credential chain, an oracle for the credential tests) into ~/.cache/runlake/npm-aws-sdk.
# Idempotent: reinstalls a folder only when its lock file changed. Prints the first one's
# folder. Usage: scripts/npm-tools.sh
set -euo pipefail
cd "$(dirname "$0")/.."

install() {  # install PACKAGE_DIR TARGET_DIR
  local pkg="$1" dir="$2"
  mkdir -p "$dir"
  if ! cmp -s "$pkg/package-lock.json" "$dir/package-lock.json" || [ ! -d "$dir/node_modules" ]; then
    echo "npm-tools: installing $pkg into $dir" >&2
    cp "$pkg/package.json" "$pkg/package-lock.json" "$dir/"
    (cd "$dir" && npm ci --silent --no-audit --no-fund >/dev/null)
  fi
}

DIR="${RUNLAKE_NPM_TOOLS:-$HOME/.cache/runlake/npm-tools}"
install tests/interop "$DIR"
install tests/s3/npm "${RUNLAKE_NPM_AWS_SDK:-$HOME/.cache/runlake/npm-aws-sdk}"
echo "$DIR"
