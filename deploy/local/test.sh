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
# (promtool checks /metrics), and chdb-core from PyPI (current ClickHouse,
# in-process) in a virtualenv under .local/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$VEIL_ROOT"

extra=()
if [ "${1:-}" = "--" ]; then shift; extra=("$@"); fi

command -v cargo >/dev/null || die "cargo is not installed: install Rust (https://rustup.rs) first"

# --- system packages -------------------------------------------------------
packages=(clickhouse-server clickhouse-client prometheus)
command -v python3 >/dev/null || packages+=(python3 python3-venv)
apt_install "${packages[@]}"

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

# --- checks and tests --------------------------------------------------------
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
log "cargo fmt --check"
cargo fmt --all -- --check
log "cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings
log "cargo test"
cargo test --workspace "${extra[@]}"
log "all tests passed"
