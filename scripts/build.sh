#!/usr/bin/env bash
# Sets up dependencies (scripts/setup.sh) and builds runlake into build/ (Release).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
# ccache, when installed, makes rebuilds (and every relink after a commit) cheap.
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >/dev/null
cmake --build build -j"$(nproc)" "$@"
