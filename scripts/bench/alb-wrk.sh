#!/usr/bin/env bash
# ALB mode's cost per request: the same hello-world app without the layer
# and behind the gate in ALB authenticate mode, driven by wrk over loopback
# with a valid session cookie (each request: join the shard, decrypt the
# session, reuse the cached signed x-amzn-oidc-data, set the three
# x-amzn-oidc-* headers). Both runs send the same Cookie header; only the
# layer differs. adapter-bench signs in through its own login redirect and a
# loopback IdP first and writes the cookie. Server pinned to core 0, wrk to
# core 1, as in scripts/bench-adapters.sh; each configuration runs REPS
# times, interleaved, and the median counts.
#
#   ./scripts/bench/alb-wrk.sh [seconds-per-run] [reps] [frameworks]   (default 10 3 axum)
#
# Needs wrk (apt-get install wrk). Prints a Markdown table of requests/s.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
DURATION="${1:-10}"
REPS="${2:-3}"
FRAMEWORKS="${3:-axum}"
PORT=8182
command -v wrk >/dev/null || { echo "wrk is required: apt-get install wrk" >&2; exit 1; }
cargo build --release -q -p cognito-examples --bin adapter-bench
BIN=target/release/adapter-bench
COOKIE=$(mktemp)
UNUSED=$(mktemp)
SERVER=""
cleanup() { rm -f "$COOKIE" "$UNUSED"; if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; fi; }
trap cleanup EXIT

run() { # framework auth(off|alb) -> sets RPS (requests/s)
    local file="$UNUSED"
    if [ "$2" = alb ]; then file="$COOKIE"; fi
    : > "$file"
    taskset -c 0 "$BIN" --framework "$1" --auth "$2" --port "$PORT" --tokens-file "$file" \
        --workers 1 >/dev/null &
    SERVER=$!
    for _ in $(seq 200); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done
    if [ "$2" = alb ]; then
        for _ in $(seq 100); do [ -s "$COOKIE" ] && break; sleep 0.1; done
        [ -s "$COOKIE" ] || { echo "no session cookie from adapter-bench" >&2; exit 1; }
        # The session must be accepted, or the run would measure redirects.
        status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $(head -1 "$COOKIE")" "http://127.0.0.1:$PORT/")
        [ "$status" = 200 ] || { echo "the session cookie got $status, not 200" >&2; exit 1; }
    fi
    COOKIE_FILE="$COOKIE" taskset -c 1 wrk -t1 -c64 -d2s -s scripts/bench/cookie.lua "http://127.0.0.1:$PORT/" >/dev/null
    RPS=$(COOKIE_FILE="$COOKIE" taskset -c 1 wrk -t1 -c64 -d"${DURATION}s" -s scripts/bench/cookie.lua "http://127.0.0.1:$PORT/" \
        | awk '/Requests\/sec/ {print $2}')
    kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
    SERVER=""
}

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "| framework | without layer | ALB mode, valid session cookie | ratio |"
echo "|---|---|---|---|"
for fw in $FRAMEWORKS; do
    base=(); alb=()
    for _ in $(seq "$REPS"); do
        # ALB first: its sign-in writes the cookie both runs send.
        run "$fw" alb; alb+=("$RPS")
        run "$fw" off; base+=("$RPS")
    done
    b=$(median "${base[@]}"); a=$(median "${alb[@]}")
    awk -v fw="$fw" -v b="$b" -v a="$a" 'BEGIN {
        printf "| %s | %.0f req/s | %.0f req/s | %.1f %% |\n", fw, b, a, 100*a/b }'
done
