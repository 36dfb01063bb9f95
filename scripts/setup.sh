#!/usr/bin/env bash
# Installs everything Interleave needs on a bare Debian machine, idempotently:
# the pinned nightly (rust-src, wasm32), Trunk, wasm-bindgen-cli at the
# lockfile's version, npm packages (playwright-core, binaryen's wasm-opt),
# and Debian's chromium + chromium-driver, ruby + ruby-async. Fast when all
# is present.
# Source it (`. scripts/setup.sh`) to get PATH set up as well.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
TRUNK_VERSION="0.22.1"
TOOLCHAIN="$(sed -n 's/^channel = "\(.*\)"/\1/p' "$ROOT/rust-toolchain.toml")"
WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' "$ROOT/Cargo.lock")"

say() { printf '[setup] %s\n' "$*"; }

# Rust toolchains: the pinned nightly for wasm, stable for fast native tests.
if ! rustup run "$TOOLCHAIN" rustc --version >/dev/null 2>&1 \
  || ! rustup +"$TOOLCHAIN" target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown \
  || ! rustup +"$TOOLCHAIN" component list --installed 2>/dev/null | grep -q '^rust-src'; then
  say "installing Rust $TOOLCHAIN with rust-src and wasm32-unknown-unknown"
  (cd "$ROOT" && rustup toolchain install)
fi
if ! rustup run stable cargo --version >/dev/null 2>&1; then
  say "installing stable Rust"
  rustup toolchain install stable --profile minimal
fi

# Cargo-installed tools, from outside the repo so its build-std config does
# not apply to them.
if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (about 9 minutes on 2 cores)"
  (cd / && cargo +"$TOOLCHAIN" install trunk --version "$TRUNK_VERSION" --locked)
fi
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 minutes)"
  # Without --locked: the CLI's own lockfile names a crate the registry lacks.
  (cd / && cargo +"$TOOLCHAIN" install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force)
fi

# Debian packages: Chromium and its driver, for wasm-bindgen-test and
# Playwright; Ruby and its async gem, to run the generated Ruby programs
# (crates/core/tests/codegen_runs.rs).
apt_packages=()
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  apt_packages+=(chromium chromium-driver)
fi
if ! ruby -e "require 'async'" >/dev/null 2>&1; then
  apt_packages+=(ruby ruby-async)
fi
if [ "${#apt_packages[@]}" -gt 0 ]; then
  say "installing ${apt_packages[*]} with apt"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_packages[@]}" >/dev/null
fi

# npm packages, reinstalled only when package-lock.json changes.
lock_hash="$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)"
if [ "$(cat "$ROOT/node_modules/.lock-hash" 2>/dev/null)" != "$lock_hash" ]; then
  say "installing npm packages"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_hash" >"$ROOT/node_modules/.lock-hash"
fi

# Trunk runs cargo --offline: fetch the wasm dependencies first.
(cd "$ROOT" && cargo fetch --target wasm32-unknown-unknown --quiet)
