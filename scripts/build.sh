#!/usr/bin/env bash
# Sets up dependencies (scripts/setup.sh) and builds runlake into build/ (Release).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" "$@"
