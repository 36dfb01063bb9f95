#!/usr/bin/env bash
# Runs every test Interleave has, installing whatever is missing first:
# formatting, clippy (native and wasm32), native tests (core + CLI), in-browser wasm-bindgen tests in
# headless Chromium, the release wasm build (with a guard against a silently
# single-threaded build) and end-to-end tests in headless Chromium against
# dist/ served with and without cross-origin isolation.
# Ends with one line: "N passed, N failed".
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/scripts/setup.sh" || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
set +e
cd "$ROOT"

LOG_DIR="$(mktemp -d)"
passed=0
failed=0

# Adds the counts from cargo's "test result:" lines and node's TAP summary.
count() {
  local log="$1" p f
  p=$(grep -hoE '(test result: [a-zA-Z]+\. [0-9]+ passed|^# pass [0-9]+)' "$log" | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')
  f=$(grep -hoE '([0-9]+ passed; [0-9]+ failed|^# fail [0-9]+)' "$log" | grep -oE '[0-9]+ failed|# fail [0-9]+' | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
}

# step NAME COMMAND...: runs it, shows its output, stops everything on failure.
step() {
  local name="$1"
  shift
  local log="$LOG_DIR/$name.log"
  echo "==> $name: $*"
  local started=$SECONDS
  "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  count "$log"
  echo "<== $name: exit $status in $((SECONDS - started)) s"
  if [ "$status" -ne 0 ]; then
    [ "$failed" -eq 0 ] && failed=1
    echo "FAILED: $name"
    echo "$passed passed, $failed failed"
    exit 1
  fi
}

# The threaded build must really be threaded: the JS glue creates a shared
# memory, and the wasm imports one. A missing link argument builds "fine"
# but fails at run time with "not a shared typed array".
check_threaded_build() {
  local glue
  glue=$(ls dist/interleave_web-*.js | head -n1)
  grep -q 'shared: *true' "$glue" || { echo "dist JS glue does not create a shared WebAssembly.Memory"; return 1; }
  grep -q 'wbg_rayon_start_worker' "$glue" || { echo "dist JS glue lacks the rayon worker entry"; return 1; }
  ls dist/snippets/wasm-bindgen-rayon-*/src/workerHelpers.no-bundler.js >/dev/null || { echo "worker helper snippet missing"; return 1; }
  echo "threaded build ok: $(basename "$glue") creates a shared memory"
}

# interleave_core stays pure: no web crate anywhere in its dependency tree.
check_core_is_pure() {
  local web
  web=$(cargo +stable tree -p interleave_core --prefix none -e normal,build | grep -E '^(wasm-bindgen|web-sys|js-sys|yew|gloo|wasm-bindgen-rayon)[ -]' || true)
  [ -z "$web" ] || { echo "interleave_core depends on web crates:"; echo "$web"; return 1; }
  echo "interleave_core has no web dependency"
}

step fmt cargo fmt --all --check
step clippy-native cargo +stable clippy -p interleave_core -p interleave_cli --all-targets -- -D warnings
step clippy-wasm cargo clippy --target wasm32-unknown-unknown -p interleave_web --all-targets -- -D warnings
step core-pure check_core_is_pure
step native cargo +stable test -p interleave_core -p interleave_cli
step wasm-tests env CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown -p interleave_web
step build trunk build --release
step threaded check_threaded_build
step e2e node --test --test-reporter=tap tests/e2e/

echo "$passed passed, $failed failed"
