#!/usr/bin/env bash
# Builds Interleave (release) and serves it at http://127.0.0.1:8080 with
# cross-origin isolation headers, installing whatever is missing first.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/scripts/setup.sh"
cd "$ROOT"
# No auto-reload: Trunk injects it as an inline script, which the page's
# Content-Security-Policy (scripts/csp.mjs) rightly refuses.
exec trunk serve --release --no-autoreload "$@"
