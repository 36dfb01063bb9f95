#!/usr/bin/env bash
# What takes the space in the release wasm (the README's "Page weight"):
# builds the release app (unless --no-build), then the same module with its
# names kept (wasm-bindgen --keep-debug, wasm-opt -Oz -g), and prints
# twiggy's sizes by part of the program and the largest items. Installs
# twiggy (pinned) with cargo the first time.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/scripts/setup.sh"
cd "$ROOT"
if ! command -v twiggy >/dev/null; then
  cargo +stable install twiggy --version 0.8.0 --locked --quiet
fi
if [ "${1:-}" != "--no-build" ]; then
  trunk build --release >/dev/null
fi
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
wasm-bindgen --target web --keep-debug --out-dir "$OUT" target/wasm32-unknown-unknown/wasm-release/interleave_web.wasm
wasm-opt -Oz -g --enable-threads --enable-bulk-memory "$OUT/interleave_web_bg.wasm" -o "$OUT/named.wasm"
twiggy top -n 1000000 --format csv "$OUT/named.wasm" > "$OUT/top.csv"
node scripts/size.mjs "$OUT/top.csv" 15
