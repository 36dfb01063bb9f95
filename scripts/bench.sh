#!/usr/bin/env bash
# Benchmarks in one run, side by side: release wasm size (raw, gzip), pool
# start time, and the kernel's speedup on all workers vs one worker in
# headless Chromium (medians after a warm-up). `--no-build` reuses dist/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/scripts/setup.sh"
cd "$ROOT"
if [ "${1:-}" != "--no-build" ]; then
  trunk build --release >/dev/null
fi
# The native side of the engine comparison.
cargo +stable build --release -p interleave_cli --quiet
exec node scripts/bench.mjs
