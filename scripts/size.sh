#!/usr/bin/env bash
# What takes the space in the release wasm (docs/performance.md, "Page weight"):
# builds the release app (unless --no-build), then each lab module named
# (models, races, servers, parallel; all four when none is) with its names
# kept (wasm-bindgen --keep-debug, wasm-opt -Oz -g), and prints twiggy's
# sizes by part of the program and the largest items. Installs twiggy
# (pinned) with cargo the first time.
# Usage: scripts/size.sh [--no-build] [module...]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/scripts/setup.sh"
cd "$ROOT"
if ! command -v twiggy >/dev/null; then
  cargo +stable install twiggy --version 0.8.0 --locked --quiet
fi
if [ "${1:-}" = "--no-build" ]; then
  shift
else
  trunk build --release >/dev/null
fi
[ $# -gt 0 ] || set -- models races servers parallel
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
for module in "$@"; do
  echo "== interleave_$module"
  wasm-bindgen --target web --keep-debug --out-dir "$OUT" "target/wasm32-unknown-unknown/wasm-release/interleave_$module.wasm"
  wasm-opt -Oz -g --enable-threads --enable-bulk-memory "$OUT/interleave_${module}_bg.wasm" -o "$OUT/named.wasm"
  twiggy top -n 1000000 --format csv "$OUT/named.wasm" > "$OUT/top.csv"
  node scripts/size.mjs "$OUT/top.csv" 15
done
