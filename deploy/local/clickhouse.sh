#!/usr/bin/env bash
# A private ClickHouse server for local runs and tests: loopback only, its
# own config and data inside the checkout (.local/, git-ignored), ports that
# do not clash with a system ClickHouse.
#
#   deploy/local/clickhouse.sh install   install Debian's clickhouse-server if no binary is on PATH
#   deploy/local/clickhouse.sh start     start it, or reuse it when it already runs
#   deploy/local/clickhouse.sh stop      stop it (data is kept)
#   deploy/local/clickhouse.sh status    exit 0 when it answers, 1 otherwise
#   deploy/local/clickhouse.sh url       print its HTTP URL
#
# Environment:
#   VEIL_CH_DIR        instance directory   (default .local/clickhouse)
#   VEIL_CH_HTTP_PORT  HTTP port            (default 18123)
#   VEIL_CH_TCP_PORT   native port          (default 19000)
#   VEIL_CH_NO_INSTALL set to 1 to fail instead of installing a missing binary
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CH_DIR="${VEIL_CH_DIR:-$VEIL_ROOT/.local/clickhouse}"
HTTP_PORT="${VEIL_CH_HTTP_PORT:-18123}"
TCP_PORT="${VEIL_CH_TCP_PORT:-19000}"
PID_FILE="$CH_DIR/clickhouse-server.pid"
PATH="$PATH:/usr/sbin:/sbin"

# Prints the command that runs the server: Debian 12 ships
# `clickhouse-server`; current releases ship one `clickhouse` binary.
server_cmd() {
    if command -v clickhouse-server >/dev/null 2>&1; then
        echo "clickhouse-server"
    elif command -v clickhouse >/dev/null 2>&1; then
        echo "clickhouse server"
    else
        return 1
    fi
}

install() {
    server_cmd >/dev/null && return 0
    if [ "${VEIL_CH_NO_INSTALL:-0}" = 1 ]; then
        die "no ClickHouse binary on PATH; install it with 'apt-get install clickhouse-server clickhouse-client' or run deploy/local/clickhouse.sh install"
    fi
    apt_install clickhouse-server clickhouse-client
    server_cmd >/dev/null || die "clickhouse-server was installed but is not on PATH"
}

answers() { http_get "$HTTP_PORT" /ping | grep -q '^Ok\.'; }

our_pid() {
    [ -f "$PID_FILE" ] || return 1
    local pid
    pid="$(cat "$PID_FILE")"
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

start() {
    if our_pid >/dev/null && answers; then
        log "ClickHouse already running on 127.0.0.1:$HTTP_PORT (reused)"
        return 0
    fi
    if our_pid >/dev/null; then
        # Ours, in this directory, but not on this port: started with other
        # ports before. It holds the data directory, so it goes first.
        log "ClickHouse in $CH_DIR runs on other ports; restarting it on $HTTP_PORT"
        stop
    fi
    if answers; then
        die "port $HTTP_PORT answers as a ClickHouse that this checkout did not start; set VEIL_CH_HTTP_PORT to another port"
    fi
    install
    mkdir -p "$CH_DIR"/{data,tmp,log,user_files,format_schemas}
    local tmpl="$VEIL_ROOT/deploy/local/clickhouse"
    for f in config.xml users.xml; do
        sed -e "s|@DIR@|$CH_DIR|g" -e "s|@HTTP_PORT@|$HTTP_PORT|g" -e "s|@TCP_PORT@|$TCP_PORT|g" \
            "$tmpl/$f.in" >"$CH_DIR/$f"
    done
    # A stale pid file from a crash would make the next start think it runs.
    rm -f "$PID_FILE"
    local cmd
    cmd="$(server_cmd)"
    # setsid: the server outlives the shell (and the test) that started it;
    # setsid execs in place (a background job is no group leader), so $! is
    # the server's own pid.
    setsid $cmd --config-file="$CH_DIR/config.xml" \
        >"$CH_DIR/log/stdout.log" 2>&1 </dev/null &
    echo $! >"$PID_FILE"
    if ! wait_for answers; then
        tail -n 20 "$CH_DIR/log/clickhouse-server.err.log" "$CH_DIR/log/stdout.log" >&2 2>/dev/null || true
        die "ClickHouse did not answer on 127.0.0.1:$HTTP_PORT within 60 s (logs in $CH_DIR/log)"
    fi
    log "ClickHouse started on 127.0.0.1:$HTTP_PORT (data in $CH_DIR)"
}

stop() {
    local pid
    if ! pid="$(our_pid)"; then
        log "ClickHouse in $CH_DIR is not running"
        return 0
    fi
    if stop_pid "$pid" 30; then
        rm -f "$PID_FILE"
        log "ClickHouse stopped"
        return 0
    fi
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$PID_FILE"
    log "ClickHouse did not stop within 30 s and was killed"
}

case "${1:-}" in
    install) install ;;
    start) start ;;
    stop) stop ;;
    status) answers ;;
    url) echo "http://127.0.0.1:$HTTP_PORT" ;;
    *) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
