#!/usr/bin/env bash
# Runs Veil locally with everything it needs: installs ClickHouse when
# missing, starts a private ClickHouse, writes a demo configuration when
# there is none (with an admin API key for the console), builds `veil`,
# migrates, and starts `veil serve` in the background; prints the URLs once
# /readyz answers 200.
#
#   deploy/local/run.sh              start (or restart veil with a fresh build)
#   deploy/local/run.sh --foreground the same, but `veil serve` stays in the foreground
#   deploy/local/run.sh stop         stop veil and the private ClickHouse
#   deploy/local/run.sh status       show what runs
#
# With the demo configuration, the first start also sends demo visits
# (VEIL_DEMO_VISITS, default 300; 0 for none) in the background.
#
# Environment: VEIL_LISTEN (default 127.0.0.1:8080); VEIL_STATE_DIR (pid,
# log, queue and demo key; default .local); the VEIL_CH_* variables
# of deploy/local/clickhouse.sh; any VEIL_… config override.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

STATE="${VEIL_STATE_DIR:-$VEIL_ROOT/.local}"
export VEIL_STATE_DIR="$STATE"
PID_FILE="$STATE/veil.pid"
LOG_FILE="$STATE/veil.log"
CONFIG="${VEIL_CONFIG:-$VEIL_ROOT/veil.toml}"
BIN="$VEIL_ROOT/target/debug/veil"
CH="$VEIL_ROOT/deploy/local/clickhouse.sh"

veil_pid() {
    [ -f "$PID_FILE" ] || return 1
    local pid
    pid="$(cat "$PID_FILE")"
    kill -0 "$pid" 2>/dev/null && echo "$pid"
}

stop_veil() {
    local pid
    pid="$(veil_pid)" || return 0
    stop_pid "$pid" 10 || true
    rm -f "$PID_FILE"
    log "veil stopped"
}

listen_port() {
    # The port veil will listen on: VEIL_SERVER__LISTEN, else the config file.
    local listen="${VEIL_SERVER__LISTEN:-}"
    [ -n "$listen" ] || listen="$(sed -n 's/^listen *= *"\(.*\)"/\1/p' "$CONFIG" | head -n 1)"
    echo "${listen##*:}"
}

start() {
    local foreground=$1
    command -v cargo >/dev/null || die "cargo is not installed: install Rust (https://rustup.rs) first"
    bash "$CH" install
    bash "$CH" start
    bash "$VEIL_ROOT/deploy/local/demo-config.sh" "$CONFIG"
    log "building veil (cargo build --bin veil)"
    (cd "$VEIL_ROOT" && cargo build --quiet --bin veil)
    demo_admin_key
    "$BIN" migrate --config "$CONFIG"
    stop_veil
    if [ "$foreground" = 1 ]; then
        print_urls
        exec "$BIN" serve --config "$CONFIG"
    fi
    mkdir -p "$STATE"
    setsid "$BIN" serve --config "$CONFIG" >"$LOG_FILE" 2>&1 </dev/null &
    echo $! >"$PID_FILE"
    local port
    port="$(listen_port)"
    for _ in $(seq 1 300); do
        if http_get "$port" /readyz | head -n 1 | grep -q ' 200 '; then
            print_urls
            send_demo_visits
            return 0
        fi
        veil_pid >/dev/null || { tail -n 30 "$LOG_FILE" >&2; die "veil exited; log above ($LOG_FILE)"; }
        sleep 0.2
    done
    tail -n 30 "$LOG_FILE" >&2
    die "veil did not become ready within 60 s; log above ($LOG_FILE)"
}

# A demo configuration gets one admin API key for the console, kept (like
# the config's signing key) only on this machine: its hash goes into the
# config, the key into .local/demo-admin-key (mode 600).
DEMO_KEY_FILE="$STATE/demo-admin-key"
demo_admin_key() {
    grep -q '^# Demo configuration written by' "$CONFIG" || return 0
    grep -q '^\[\[api_keys\]\]' "$CONFIG" && return 0
    mkdir -p "$STATE"
    local created
    created="$("$BIN" apikey create --name demo-admin --role admin)"
    (umask 077; head -n 1 <<<"$created" >"$DEMO_KEY_FILE")
    tail -n +2 <<<"$created" >>"$CONFIG"
    log "added an admin API key for the console to $CONFIG (the key is in $DEMO_KEY_FILE)"
}

console_hint() {
    if [ -f "$DEMO_KEY_FILE" ] && grep -q '^name = "demo-admin"' "$CONFIG"; then
        echo "sign in with the key in $DEMO_KEY_FILE"
    else
        echo "sign in with a key from: target/debug/veil apikey create"
    fi
}

# The first start with the demo configuration sends demo visits (`veil
# demo`) in the background, so the console has pages, heatmaps and replays
# to show; once they are all accepted, .local/demo-visits records it and
# later starts send none. VEIL_DEMO_VISITS=0 sends none; another number
# that many (default 300).
DEMO_MARK="$STATE/demo-visits"
DEMO_LOG="$STATE/demo.log"
send_demo_visits() {
    local visits="${VEIL_DEMO_VISITS:-300}"
    [ "$visits" != 0 ] || return 0
    [ -f "$DEMO_MARK" ] && return 0
    grep -q '^# Demo configuration written by deploy/local/demo-config.sh' "$CONFIG" 2>/dev/null || return 0
    log "sending $visits demo visits in the background (veil demo; log: $DEMO_LOG)"
    setsid bash -c '"$1" demo --config "$2" --visits "$3" && date -u +%FT%TZ >"$4"' _ \
        "$BIN" "$CONFIG" "$visits" "$DEMO_MARK" >"$DEMO_LOG" 2>&1 </dev/null &
}

print_urls() {
    local port base
    port="$(listen_port)"
    base="http://127.0.0.1:$port"
    cat <<TEXT

Veil is running (config: $CONFIG, log: $LOG_FILE)
  console     $base/console  ($(console_hint))
  recorder    $base/sdk/veil.min.js
  liveness    $base/healthz
  readiness   $base/readyz
  metrics     $base/metrics
  ClickHouse  $(bash "$CH" url)  (data in ${VEIL_CH_DIR:-.local/clickhouse})
Stop everything with: deploy/local/run.sh stop
TEXT
}

case "${1:-}" in
    "") start 0 ;;
    --foreground) start 1 ;;
    stop) stop_veil; bash "$CH" stop ;;
    status)
        if pid="$(veil_pid)"; then log "veil runs (pid $pid)"; else log "veil is not running"; fi
        if bash "$CH" status; then log "ClickHouse answers"; else log "ClickHouse is not running"; fi
        ;;
    *) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
