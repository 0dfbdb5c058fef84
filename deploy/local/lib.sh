# Helpers shared by the deploy/local scripts. Sourced, not run.

# The checkout's root, whatever the caller's working directory.
VEIL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

log() { printf '[veil] %s\n' "$*" >&2; }
die() { printf '[veil] error: %s\n' "$*" >&2; exit 1; }

# Runs a command as root, through sudo when we are not root already.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs Debian packages that are missing; does nothing when all are there.
apt_install() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Runs a check (a command) every 0.2 s until it succeeds; fails after 60 s.
wait_for() {
    local waited=0
    until "$@"; do
        sleep 0.2
        waited=$((waited + 1))
        [ $waited -le 300 ] || return 1
    done
}

# Sends SIGTERM to PID and waits up to SECONDS for it to exit; fails when
# it is still running then (the caller decides whether to kill it).
stop_pid() {
    local pid=$1 seconds=$2
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 1 $((seconds * 5))); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.2
    done
    ! kill -0 "$pid" 2>/dev/null
}

# GET http://127.0.0.1:PORT/PATH with bash only (no curl on a bare machine);
# prints the whole response, headers included.
http_get() {
    local port=$1 path=$2
    (
        exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
        printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$path" >&3
        timeout 3 cat <&3
    ) 2>/dev/null
}
