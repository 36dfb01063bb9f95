#!/usr/bin/env bash
# Runs every test Interleave has, installing whatever is missing first:
# formatting, clippy (native and wasm32), the API docs (warnings are errors),
# native tests (core + CLI), in-browser wasm-bindgen tests in
# headless Chromium, the release wasm build (with a guard against a silently
# single-threaded build) and end-to-end tests in headless Chromium against
# dist/ served with and without cross-origin isolation.
# Ends with one line: "N passed, N failed".
set -uo pipefail
# Golden files are rewritten only on purpose, never by an inherited variable.
unset UPDATE_EXPECT
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/scripts/setup.sh" || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
set +e
cd "$ROOT"

LOG_DIR="$(mktemp -d)"
# The labs, from the one list (web/labs.json, written from
# crates/core/src/labs.rs): a wasm module each.
LABS=$(node -p "require('./web/labs.json').labs.map((lab) => lab.name).join(' ')") || { echo "web/labs.json unreadable"; echo "0 passed, 1 failed"; exit 1; }
passed=0
failed=0

skipped=0

# Adds the counts from cargo's "test result:" lines (libtest and
# libtest-mimic print the same) and node's TAP summary.
count() {
  local log="$1" p f s
  p=$(grep -hoE '(test result: [a-zA-Z]+\. [0-9]+ passed|^# pass [0-9]+)' "$log" | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')
  f=$(grep -hoE '([0-9]+ passed; [0-9]+ failed|^# fail [0-9]+)' "$log" | grep -oE '[0-9]+ failed|# fail [0-9]+' | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')
  s=$(grep -hoE '^# skip(ped)? [0-9]+' "$log" | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  skipped=$((skipped + ${s:-0}))
}

summary() {
  if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
  else
    echo "$passed passed, $failed failed"
  fi
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
    summary
    exit 1
  fi
}

# The threaded build must really be threaded: the Parallel lab's JS glue
# creates a shared memory, and the wasm imports one. A missing link
# argument builds "fine" but fails at run time with "not a shared typed
# array". Every module is in dist/ under its content name, and index.html
# carries the loader with their names (scripts/modules.mjs).
check_threaded_build() {
  local glue name
  glue=$(ls dist/interleave_parallel-*.js | head -n1)
  grep -q 'shared: *true' "$glue" || { echo "dist JS glue does not create a shared WebAssembly.Memory"; return 1; }
  grep -q 'wbg_rayon_start_worker' "$glue" || { echo "dist JS glue lacks the rayon worker entry"; return 1; }
  ls dist/snippets/wasm-bindgen-rayon-*/src/workerHelpers.no-bundler.js >/dev/null || { echo "worker helper snippet missing"; return 1; }
  for name in $LABS worker; do
    ls dist/interleave_${name}-*_bg.wasm dist/interleave_${name}-*.js >/dev/null || { echo "dist lacks the ${name} module"; return 1; }
    grep -q "\"./interleave_${name}-[0-9a-f]*_bg.wasm\"" dist/index.html || { echo "index.html's loader does not name the ${name} module"; return 1; }
  done
  # The workers' own module (crates/worker), which web/worker.js loads.
  grep -q 'export function worker_request' dist/interleave_worker-*.js || { echo "dist lacks the workers' module glue"; return 1; }
  echo "threaded build ok: $(basename "$glue") creates a shared memory; the modules ($LABS worker) are in dist/ and named by the loader"
}

# interleave_core stays pure: no web crate anywhere in its dependency tree.
check_core_is_pure() {
  local tree web
  # A failing `cargo tree` proves nothing: it fails the check.
  tree=$(cargo +stable tree -p interleave_core --features rayon --prefix none -e normal,build) || { echo "cargo tree failed"; return 1; }
  [ -n "$tree" ] || { echo "cargo tree printed nothing"; return 1; }
  web=$(grep -E '^(wasm-bindgen|web-sys|js-sys|yew|gloo|wasm-bindgen-rayon)[ -]' <<<"$tree")
  [ -z "$web" ] || { echo "interleave_core depends on web crates:"; echo "$web"; return 1; }
  echo "interleave_core has no web dependency ($(wc -l <<<"$tree") crates in its tree)"
}

# The fuzz crate builds, and every target passes its own assertions on its
# seed corpus under memory and time caps (a run that hits a cap fails).
check_fuzz_seeds() {
  cargo +stable build --quiet --manifest-path fuzz/Cargo.toml || return 1
  local target ok=0 bad=0
  for target in decode_link parse_scenario parse_race parse_js; do
    local seeds=(fuzz/seeds/"$target"/*)
    # The Event loop lessons and the programs checked against Node seed
    # the JavaScript target where they are.
    if [ "$target" = parse_js ]; then
      seeds+=(crates/core/lessons/eventloop/*.js tests/eventloop/programs/*.js)
    fi
    if "fuzz/target/debug/$target" -rss_limit_mb=2048 -timeout=20 "${seeds[@]}" >"$LOG_DIR/fuzz-$target.log" 2>&1; then
      echo "fuzz target $target: ${#seeds[@]} seeds ok"
      ok=$((ok + 1))
    else
      echo "fuzz target $target failed on its seeds:"
      tail -n 30 "$LOG_DIR/fuzz-$target.log"
      bad=$((bad + 1))
    fi
  done
  echo "test result: $([ "$bad" -eq 0 ] && echo ok || echo FAILED). $ok passed; $bad failed (fuzz targets on their seeds)"
  [ "$bad" -eq 0 ]
}

step fmt cargo fmt --all --check
step clippy-native cargo +stable clippy -p interleave_core -p interleave_cli --all-targets -- -D warnings
step clippy-wasm cargo clippy --target wasm32-unknown-unknown -p interleave_web -p interleave_worker --all-targets -- -D warnings
# Each lab's module alone, as Trunk builds it (ARCHITECTURE.md, "A module
# per lab"): code left unused without the other labs is a warning.
lab_modules_lint() {
  local lab
  for lab in $LABS; do
    cargo clippy --target wasm32-unknown-unknown -p interleave_web --no-default-features --features "lab-$lab" --bin "interleave_$lab" -- -D warnings || return 1
  done
}
step clippy-lab-modules lab_modules_lint
step core-pure check_core_is_pure
# The API docs build without a warning (broken links, bad code blocks).
step docs env RUSTDOCFLAGS="-D warnings" cargo +stable doc -p interleave_core -p interleave_cli --no-deps --quiet
# rustdoc does not read the target's rustflags: the web crate refuses to
# build without atomics, so they are given here too.
step docs-wasm env RUSTDOCFLAGS="-D warnings -C target-feature=+atomics,+bulk-memory,+mutable-globals" cargo doc --target wasm32-unknown-unknown -p interleave_web -p interleave_worker --no-deps --quiet
step native cargo +stable test -p interleave_core -p interleave_cli
step fuzz-seeds check_fuzz_seeds
step hostile ./scripts/hostile.sh target/debug/interleave
step wasm-tests env CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown -p interleave_web
step build trunk build --release
step threaded check_threaded_build
# The test files by name: newer Node versions no longer take a folder.
# A test that hangs fails after 10 minutes, and a file whose tests have
# all finished exits even if something it opened is still listening: a
# hang must fail the run, never stall it until CI's own limit.
NODE_TEST=(node --test --test-reporter=tap --test-force-exit --test-timeout=600000)
step e2e "${NODE_TEST[@]}" tests/e2e/*.test.mjs
# The README's commands as written (serve.sh builds and serves on :8080).
step readme "${NODE_TEST[@]}" tests/readme/*.test.mjs

summary
