#!/usr/bin/env bash
# Benchmarks in one run, side by side: the kernels' native scaling tables
# (bench-par), release wasm size (raw, gzip), pool start time, and the
# kernel's speedup on all workers vs one worker in headless Chromium
# (medians after a warm-up). `--no-build` reuses dist/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/scripts/setup.sh"
cd "$ROOT"
if [ "${1:-}" != "--no-build" ]; then
  trunk build --release >/dev/null
fi
# The native side of the engine comparison.
cargo +stable build --release -p interleave_cli --quiet
# The Parallel lab's kernels natively on 1, 2, 4 ... threads up to the
# cores here: fixed and guided hand-out (strong scaling), and weak scaling.
./target/release/interleave bench-par --kernel mandelbrot
./target/release/interleave bench-par --kernel mandelbrot --handout guided
./target/release/interleave bench-par --kernel hash-chain --weak --serial 0.05
exec node scripts/bench.mjs
