#!/usr/bin/env bash
# Installs what runlake needs on Debian 12 and fetches DuckDB (pinned) into the cache.
# Idempotent and quiet when everything is already there. Usage: scripts/setup.sh
set -euo pipefail

CACHE="${RUNLAKE_CACHE:-$HOME/.cache/runlake}"
DUCKDB_VERSION=1.4.4
BINDINGS_PKG="@duckdb/node-bindings-linux-x64@1.4.4-r.4"
BINDINGS_SHA256=732fac4dc6b8f198870b9c4bb6ddf13544466daca00ad28ba2f1d80de5d7aa4b
HEADER_PKG="duckdb@1.4.4"
HEADER_SHA256=5bb967dcbcd517670ba5f169f238fb9d6787e53752c60ebe24386169d76941ed

# libcpp-httplib-dev: the HTTP client of `runlake serve`'s tests; chromium: its headless browser test only;
# prometheus: its promtool checks /metrics in a test; libyaml-cpp-dev and libre2-dev: dataset
# contracts (YAML, and RE2 for their `pattern` checks).
DEBS=(build-essential cmake pkg-config git ca-certificates
      libisal-dev isal libssl-dev zlib1g-dev libcurl4-openssl-dev nlohmann-json3-dev
      libcli11-dev libpugixml-dev libsqlite3-dev libpq-dev libgtest-dev libgmock-dev
      libbenchmark-dev libcpp-httplib-dev libyaml-cpp-dev libre2-dev chromium prometheus)

missing=()
# npm fetches DuckDB; a machine with its own Node.js keeps it.
command -v npm >/dev/null 2>&1 || DEBS+=(nodejs npm)
for p in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

fetch() {  # fetch PKG SHA256 -> prints path of the verified tarball in the cache
  local pkg=$1 sha=$2 dir="$CACHE/npm" tgz
  mkdir -p "$dir"
  tgz="$dir/$(echo "$pkg" | sed 's/^@//; s/\//-/; s/@/-/').tgz"
  if [ ! -f "$tgz" ] || ! echo "$sha  $tgz" | sha256sum -c --quiet - 2>/dev/null; then
    echo "setup: fetching $pkg from the npm registry" >&2
    local tmp; tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "$pkg" >/dev/null)
    mv "$tmp"/*.tgz "$tgz.part" && rm -rf "$tmp"
    if ! echo "$sha  $tgz.part" | sha256sum -c --quiet -; then
      echo "setup: checksum mismatch for $pkg" >&2; rm -f "$tgz.part"; exit 1
    fi
    mv "$tgz.part" "$tgz"
  fi
  echo "$tgz"
}

DUCK="$CACHE/duckdb-$DUCKDB_VERSION"
if [ ! -f "$DUCK/lib/libduckdb.so" ] || [ ! -f "$DUCK/include/duckdb.h" ]; then
  b=$(fetch "$BINDINGS_PKG" "$BINDINGS_SHA256")
  h=$(fetch "$HEADER_PKG" "$HEADER_SHA256")
  rm -rf "$DUCK.tmp" && mkdir -p "$DUCK.tmp/lib" "$DUCK.tmp/include"
  tar xzf "$b" -C "$DUCK.tmp/lib" --strip-components=1 package/libduckdb.so
  tar xzf "$h" -C "$DUCK.tmp/include" --strip-components=5 package/src/duckdb/src/include/duckdb.h
  [ -f "$DUCK.tmp/include/duckdb.h" ] && [ -f "$DUCK.tmp/lib/libduckdb.so" ] || { echo "setup: DuckDB unpack failed" >&2; exit 1; }
  rm -rf "$DUCK" && mv "$DUCK.tmp" "$DUCK"
fi
echo "$DUCK"
