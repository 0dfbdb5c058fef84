#!/usr/bin/env bash
# Writes a demo configuration for a local run, unless one exists:
# site `demo` (origins of the local server), a fresh consent-signing key,
# the private ClickHouse of deploy/local/clickhouse.sh.
#
#   deploy/local/demo-config.sh [FILE]     (default: veil.toml in the checkout)
#
# Environment: VEIL_LISTEN (default 127.0.0.1:8080), VEIL_CH_HTTP_PORT
# (default 18123).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

file="${1:-$VEIL_ROOT/veil.toml}"
if [ -e "$file" ]; then
    log "keeping existing configuration $file"
    exit 0
fi
listen="${VEIL_LISTEN:-127.0.0.1:8080}"
port="${listen##*:}"
secret="$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
[ ${#secret} -eq 64 ] || die "could not read 32 random bytes"
user_secret="$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
[ ${#user_secret} -eq 64 ] || die "could not read 32 random bytes"
umask 077 # the file holds a signing key
cat >"$file" <<TOML
# Demo configuration written by deploy/local/demo-config.sh.
# Every key is documented in docs/configuration.md.

[server]
listen = "$listen"
# The demo shop at http://$listen/ (recorder behind a consent banner).
demo_site = "demo"

[clickhouse]
url = "http://127.0.0.1:${VEIL_CH_HTTP_PORT:-18123}"
database = "veil"
user = "default"
password = ""

[queue]
dir = "${VEIL_STATE_DIR:-$VEIL_ROOT/.local}/queue"

[consent]
token_ttl = "180d"
[[consent.keys]]
id = "k1"
secret = "hex:$secret"

[[sites]]
id = "demo"
origins = ["http://127.0.0.1:$port", "http://localhost:$port"]
purposes = ["recording", "heatmaps"]
retention_days = 30
heatmap_retention_days = 395
k_min = 1
honor_gpc = true
user_id_secret = "hex:$user_secret"
[sites.masking]
patterns = [{ name = "order_id", regex = "ORD-[0-9]{8}" }]
block_selectors = [".secret"]
unmask_selectors = []
TOML
log "wrote demo configuration $file (site demo, fresh signing key)"
