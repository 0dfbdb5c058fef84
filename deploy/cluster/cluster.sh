#!/usr/bin/env bash
# A ClickHouse cluster on loopback for tests and trials: ZooKeeper (Debian's
# `zookeeper` package) and four ClickHouse servers as 2 shards x 2 replicas
# named `veil`, each with its own config, ports and data directory under
# one directory (default .local/cluster/, git-ignored).
#
#   deploy/cluster/cluster.sh install   install zookeeper and clickhouse-server if missing
#   deploy/cluster/cluster.sh start     ZooKeeper, the four ClickHouse nodes and two `veil serve`
#                                       nodes (on ClickHouse nodes 1 and 3); reused when running
#   deploy/cluster/cluster.sh start-clickhouse   ZooKeeper and ClickHouse only (what the tests use)
#   deploy/cluster/cluster.sh stop      stop everything (data is kept)
#   deploy/cluster/cluster.sh status    exit 0 when ZooKeeper and every ClickHouse node answer
#   deploy/cluster/cluster.sh urls      print the ClickHouse nodes' HTTP URLs, one per line
#   deploy/cluster/cluster.sh node N start|stop   one ClickHouse node (1-4) alone
#
# Node N is shard (N+1)/2, replica (N+1)%2+1. Ports count from one base P
# (default 18200): ZooKeeper P, node N's HTTP P+N, native TCP P+10+N,
# interserver P+20+N; `veil serve` node M (1-2) listens on P+30+M.
#
# Environment:
#   VEIL_CLUSTER_DIR   directory of everything (default .local/cluster)
#   VEIL_CLUSTER_PORT  the base port P (default 18200), so several clusters
#                      can run side by side
#   VEIL_BIN           the veil binary (default target/debug/veil, built if missing)
#   VEIL_CH_NO_INSTALL set to 1 to fail instead of installing
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../local/lib.sh"

DIR="${VEIL_CLUSTER_DIR:-$VEIL_ROOT/.local/cluster}"
BASE="${VEIL_CLUSTER_PORT:-18200}"
ZK_PORT=$BASE
ZK_DIR="$DIR/zookeeper"
ZK_PID="$ZK_DIR/zookeeper.pid"
NODES=(1 2 3 4)
TEMPLATES="$VEIL_ROOT/deploy/cluster"

http_port() { echo $((BASE + $1)); }
tcp_port() { echo $((BASE + 10 + $1)); }
interserver_port() { echo $((BASE + 20 + $1)); }
shard_of() { echo $((($1 + 1) / 2)); }
replica_of() { echo $((($1 + 1) % 2 + 1)); }

install() {
    if [ "${VEIL_CH_NO_INSTALL:-0}" = 1 ]; then
        [ -x /usr/share/zookeeper/bin/zkServer.sh ] || die "ZooKeeper is missing; install it with 'apt-get install zookeeper'"
    else
        apt_install zookeeper default-jre-headless
    fi
    bash "$VEIL_ROOT/deploy/local/clickhouse.sh" install
}

zk_answers() {
    local reply
    reply="$( (exec 3<>"/dev/tcp/127.0.0.1/$ZK_PORT" && printf ruok >&3 && timeout 2 cat <&3) 2>/dev/null || true)"
    [ "$reply" = imok ]
}

zk_start() {
    if zk_answers; then
        log "ZooKeeper already running on 127.0.0.1:$ZK_PORT (reused)"
        return 0
    fi
    mkdir -p "$ZK_DIR/data" "$ZK_DIR/log"
    sed -e "s|@DIR@|$ZK_DIR|g" -e "s|@ZK_PORT@|$ZK_PORT|g" "$TEMPLATES/zoo.cfg.in" >"$ZK_DIR/zoo.cfg"
    # start-foreground under setsid: it outlives this shell, and $! is the
    # JVM's launcher, which execs java in place.
    ZOOCFGDIR="$ZK_DIR" ZOO_LOG_DIR="$ZK_DIR/log" setsid /usr/share/zookeeper/bin/zkServer.sh \
        start-foreground "$ZK_DIR/zoo.cfg" >"$ZK_DIR/log/stdout.log" 2>&1 </dev/null &
    echo $! >"$ZK_PID"
    if ! wait_for zk_answers; then
        tail -n 20 "$ZK_DIR/log/stdout.log" >&2 || true
        die "ZooKeeper did not answer on 127.0.0.1:$ZK_PORT within 60 s (log in $ZK_DIR/log)"
    fi
    log "ZooKeeper started on 127.0.0.1:$ZK_PORT"
}

zk_stop() {
    [ -f "$ZK_PID" ] || { log "ZooKeeper is not running"; return 0; }
    local pid
    pid="$(cat "$ZK_PID")"
    # The launcher script and its java child share the session setsid made.
    pkill -TERM -s "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
        pgrep -s "$pid" >/dev/null 2>&1 || break
        sleep 0.2
    done
    pkill -KILL -s "$pid" 2>/dev/null || true
    rm -f "$ZK_PID"
    log "ZooKeeper stopped"
}

# Runs deploy/local/clickhouse.sh ACTION for node N, with its cluster
# config rendered into config.d/ first.
node() {
    local n=$1 action=$2
    [[ " ${NODES[*]} " == *" $n "* ]] || die "no node $n (nodes are ${NODES[*]})"
    local dir="$DIR/node$n"
    if [ "$action" = start ]; then
        mkdir -p "$dir/config.d"
        sed -e "s|@INTERSERVER_PORT@|$(interserver_port "$n")|g" -e "s|@ZK_PORT@|$ZK_PORT|g" \
            -e "s|@TCP_1@|$(tcp_port 1)|g" -e "s|@TCP_2@|$(tcp_port 2)|g" \
            -e "s|@TCP_3@|$(tcp_port 3)|g" -e "s|@TCP_4@|$(tcp_port 4)|g" \
            -e "s|@SHARD@|$(shard_of "$n")|g" -e "s|@REPLICA@|$(replica_of "$n")|g" \
            "$TEMPLATES/cluster.xml.in" >"$dir/config.d/cluster.xml"
    fi
    VEIL_CH_DIR="$dir" VEIL_CH_HTTP_PORT="$(http_port "$n")" VEIL_CH_TCP_PORT="$(tcp_port "$n")" \
        VEIL_CH_NO_INSTALL=1 bash "$VEIL_ROOT/deploy/local/clickhouse.sh" "$action"
}

veil_port() { echo $((BASE + 30 + $1)); }

# `veil serve` node M: one configuration for both (written once, with a
# fresh signing key), its own listen port, queue and ClickHouse node.
veil_node() {
    local m=$1 action=$2
    local dir="$DIR/veil$m" bin="${VEIL_BIN:-$VEIL_ROOT/target/debug/veil}"
    local pid_file="$dir/veil.pid"
    case "$action" in
        start)
            if [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
                log "veil $m already running on 127.0.0.1:$(veil_port "$m") (reused)"
                return 0
            fi
            if [ ! -x "$bin" ]; then
                log "building veil (cargo build --bin veil)"
                (cd "$VEIL_ROOT" && cargo build --quiet --bin veil)
            fi
            mkdir -p "$dir/queue"
            VEIL_LISTEN="127.0.0.1:$(veil_port 1)" VEIL_CH_HTTP_PORT="$(http_port 1)" \
                bash "$VEIL_ROOT/deploy/local/demo-config.sh" "$DIR/veil.toml"
            local ch
            ch="$(http_port $((2 * m - 1)))"
            export VEIL_CLICKHOUSE__CLUSTER=veil VEIL_CLICKHOUSE__URL="http://127.0.0.1:$ch"
            # One node of each shard, for what 18.16 cannot run ON CLUSTER.
            export VEIL_CLICKHOUSE__SHARD_URLS="[\"http://127.0.0.1:$(http_port 1)\", \"http://127.0.0.1:$(http_port 3)\"]"
            export VEIL_SERVER__LISTEN="127.0.0.1:$(veil_port "$m")" VEIL_QUEUE__DIR="$dir/queue"
            "$bin" migrate --config "$DIR/veil.toml" >"$dir/migrate.log" 2>&1 || {
                cat "$dir/migrate.log" >&2
                die "veil migrate failed for veil $m"
            }
            setsid "$bin" serve --config "$DIR/veil.toml" >"$dir/veil.log" 2>&1 </dev/null &
            echo $! >"$pid_file"
            unset VEIL_CLICKHOUSE__CLUSTER VEIL_CLICKHOUSE__URL VEIL_SERVER__LISTEN VEIL_QUEUE__DIR
            veil_ready() { http_get "$(veil_port "$m")" /readyz | head -n 1 | grep -q ' 200 '; }
            wait_for veil_ready || { tail -n 20 "$dir/veil.log" >&2; die "veil $m did not become ready"; }
            log "veil $m on http://127.0.0.1:$(veil_port "$m") (ClickHouse node $((2 * m - 1)))"
            ;;
        stop)
            [ -f "$pid_file" ] || return 0
            local pid
            pid="$(cat "$pid_file")"
            stop_pid "$pid" 20 || true
            rm -f "$pid_file"
            log "veil $m stopped"
            ;;
    esac
}

start_clickhouse() {
    install
    zk_start
    for n in "${NODES[@]}"; do node "$n" start; done
    # Every node must see the whole cluster before ON CLUSTER DDL is sent.
    for n in "${NODES[@]}"; do
        local seen
        seen="$(http_get "$(http_port "$n")" "/?query=SELECT%20count()%20FROM%20system.clusters%20WHERE%20cluster%3D'veil'" | tail -n 1)"
        [ "$seen" = 4 ] || die "node $n sees $seen of 4 replicas of cluster veil"
    done
    log "cluster veil: 2 shards x 2 replicas on $(urls | tr '\n' ' ')"
}

start() {
    start_clickhouse
    veil_node 1 start
    veil_node 2 start
}

stop() {
    veil_node 1 stop
    veil_node 2 stop
    for n in "${NODES[@]}"; do node "$n" stop; done
    zk_stop
}

status() {
    zk_answers || return 1
    for n in "${NODES[@]}"; do node "$n" status || return 1; done
}

urls() {
    for n in "${NODES[@]}"; do echo "http://127.0.0.1:$(http_port "$n")"; done
}

case "${1:-}" in
    install) install ;;
    start) start ;;
    start-clickhouse) start_clickhouse ;;
    stop) stop ;;
    status) status ;;
    urls) urls ;;
    node) node "${2:?node number}" "${3:?start or stop}" ;;
    *)
        sed -n '2,/^set -e/p' "$0" | sed -e '/^set -e/d' -e 's/^# \{0,1\}//' >&2
        exit 2
        ;;
esac
