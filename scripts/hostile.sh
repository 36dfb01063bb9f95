#!/usr/bin/env bash
# Runs the CLI on every case of the hostile-input corpus (tests/hostile/
# corpus.py) under a memory cap (ulimit -v) and a time cap (timeout). A case
# passes when the CLI exits cleanly: 0, or 2 with an `error:` message on
# stderr (an Event loop program may also end with 1 or 3, see corpus.py); a crash, a panic, a stack overflow, running out of memory or time
# is a failure. Prints cargo's summary line so scripts/test.sh counts it.
#   scripts/hostile.sh [INTERLEAVE_BINARY]
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${1:-$ROOT/target/debug/interleave}"
MEMORY_KB=$((2 * 1024 * 1024))
SECONDS_EACH=30
CORPUS="$(mktemp -d)"
trap 'rm -rf "$CORPUS"' EXIT
python3 "$ROOT/tests/hostile/corpus.py" "$CORPUS" >/dev/null || { echo "corpus generator failed"; exit 1; }
passed=0
failed=0
for args_file in "$CORPUS"/*.args; do
  name="$(basename "$args_file" .args)"
  input="$CORPUS/$name.input"
  args="$(cat "$args_file")"
  args="${args//FILE/$input}"
  # shellcheck disable=SC2086 # the case's arguments, split on spaces
  (ulimit -v "$MEMORY_KB"; cd "$ROOT" && exec timeout "$SECONDS_EACH" "$BIN" $args) \
    >"$CORPUS/$name.out" 2>"$CORPUS/$name.err" </dev/null
  status=$?
  verdict=""
  case "$status" in
    0) ;;
    2) head -c 6 "$CORPUS/$name.err" | grep -q '^error' || verdict="exit 2 without an error message" ;;
    1|3)
      # An Event loop program may end at an uncaught error (1, as Node) or
      # be stopped at a limit (3), each said in its report.
      [[ "$name" == eventloop-* ]] && ! grep -q panicked "$CORPUS/$name.err" || verdict="exit $status (a crash, panic or out of memory)" ;;
    124) verdict="ran past ${SECONDS_EACH} s" ;;
    *) verdict="exit $status (a crash, panic or out of memory)" ;;
  esac
  if [ -z "$verdict" ]; then
    passed=$((passed + 1))
    printf 'ok    %-32s exit %s  %s\n' "$name" "$status" "$(head -n1 "$CORPUS/$name.err" | tr -d '\000' | cut -c1-110)"
  else
    failed=$((failed + 1))
    printf 'FAIL  %-32s %s\n' "$name" "$verdict"
    tail -n 3 "$CORPUS/$name.err" | sed 's/^/        /'
  fi
done
echo "test result: $([ "$failed" -eq 0 ] && echo ok || echo FAILED). $passed passed; $failed failed (hostile inputs under ${MEMORY_KB} KB and ${SECONDS_EACH} s each)"
[ "$failed" -eq 0 ]
