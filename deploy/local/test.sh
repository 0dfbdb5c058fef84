#!/usr/bin/env bash
# Runs the whole test suite on a machine where nothing was installed by
# hand: installs what the tests need (idempotently), then runs formatting
# and lint checks and every test.
#
#   deploy/local/test.sh            everything
#   deploy/local/test.sh -- ARGS    extra arguments for `cargo test`
#
# What it installs when missing: Debian's clickhouse-server and
# clickhouse-client (the integration tests' ClickHouse 18.16), prometheus
# (promtool checks /metrics), chromium, nodejs and npm (the recorder's
# tests and the browser tests), chdb-core from PyPI (current ClickHouse,
# in-process) and schemathesis (the OpenAPI test) in a virtualenv under
# .local/, and the node packages of
# sdk-js/ and tests/browser/ (npm ci, from their lockfiles).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$VEIL_ROOT"

extra=()
if [ "${1:-}" = "--" ]; then shift; extra=("$@"); fi

command -v cargo >/dev/null || die "cargo is not installed: install Rust (https://rustup.rs) first"

# --- system packages -------------------------------------------------------
packages=(clickhouse-server clickhouse-client zookeeper prometheus chromium systemd)
command -v python3 >/dev/null || packages+=(python3 python3-venv)
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
apt_install "${packages[@]}"

# --- node packages -----------------------------------------------------------
# npm ci only when the lockfile changed since the last install, so a second
# run costs nothing.
npm_install() {
    local dir=$1
    if [ ! -f "$dir/node_modules/.package-lock.json" ] || ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.veil-lock"; then
        log "installing node packages in $dir"
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
        cp "$dir/package-lock.json" "$dir/node_modules/.veil-lock"
    fi
}
npm_install sdk-js
npm_install crates/server/console
npm_install tests/browser

# --- chdb-core (current ClickHouse, in-process) ----------------------------
VENV="$VEIL_ROOT/.local/venv"
if ! python3 -c 'import chdb' 2>/dev/null && ! "$VENV/bin/python3" -c 'import chdb' 2>/dev/null; then
    if [ ! -x "$VENV/bin/python3" ]; then
        python3 -m venv "$VENV" 2>/dev/null || { apt_install python3-venv; python3 -m venv "$VENV"; }
    fi
    log "installing chdb-core into $VENV"
    "$VENV/bin/python3" -m pip install --quiet --disable-pip-version-check chdb-core
fi
if "$VENV/bin/python3" -c 'import chdb' 2>/dev/null; then
    export CHDB_PYTHON="$VENV/bin/python3"
fi
# PyYAML: the deployment manifests' test parses them with it.
if [ -x "$VENV/bin/python3" ] && ! "$VENV/bin/python3" -c 'import yaml' 2>/dev/null; then
    "$VENV/bin/python3" -m pip install --quiet --disable-pip-version-check pyyaml
fi
# schemathesis: tests/openapi.rs runs it against a real server to keep
# /v1/openapi.json true (it looks for .local/venv/bin/schemathesis).
if [ ! -x "$VENV/bin/python3" ]; then
    python3 -m venv "$VENV" 2>/dev/null || { apt_install python3-venv; python3 -m venv "$VENV"; }
fi
if [ ! -x "$VENV/bin/schemathesis" ]; then
    log "installing schemathesis into $VENV"
    "$VENV/bin/python3" -m pip install --quiet --disable-pip-version-check 'schemathesis>=4,<5'
fi

# --- the recorder and the console ----------------------------------------------
# veil serve embeds the committed sdk-js/dist/veil.min.js and
# crates/server/console/dist: a build must reproduce them byte for byte, or
# what is committed is stale.
for app in sdk-js crates/server/console; do
    log "$app: typecheck, unit tests, build"
    (cd "$app" && npm run --silent typecheck && npm test --silent && npm run --silent build)
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1 && [ -n "$(git status --porcelain -- "$app/dist")" ]; then
        die "$app/dist differs from a fresh build: run (cd $app && npm run build) and commit $app/dist"
    fi
done

# --- checks and tests --------------------------------------------------------
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
log "cargo fmt --check"
cargo fmt --all -- --check
log "cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings
log "cargo test"
cargo test --workspace "${extra[@]}"
log "all tests passed"
