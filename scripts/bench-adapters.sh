#!/usr/bin/env bash
# Adapter overhead: the same hello-world app with and without the Cognito
# layer (axum) / middleware (actix), driven by wrk over loopback. Every run
# sends the same requests (with an Authorization header); only the layer
# differs. The server runs one worker pinned to core 0 and wrk is pinned to
# core 1, so the two do not steal each other's CPU (on a 2-core machine
# unpinned runs vary by +-15 %). Each configuration runs REPS times,
# interleaved; the median counts.
#
#   ./scripts/bench-adapters.sh [seconds-per-run] [reps]   (default 10 3)
#
# Needs wrk (apt-get install wrk). Prints a Markdown table of requests/s.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
DURATION="${1:-10}"
REPS="${2:-3}"
PORT=8181
command -v wrk >/dev/null || { echo "wrk is required: apt-get install wrk" >&2; exit 1; }
cargo build --release -q -p cognito-examples --bin adapter-bench
BIN=target/release/adapter-bench
TOKENS=$(mktemp)
SERVER=""
cleanup() { rm -f "$TOKENS"; if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; fi; }
trap cleanup EXIT

run() { # framework auth tokens -> sets RPS (requests/s)
    taskset -c 0 "$BIN" --framework "$1" --auth "$2" --tokens "$3" --port "$PORT" --tokens-file "$TOKENS" \
        --workers 1 >/dev/null &
    SERVER=$!
    for _ in $(seq 200); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done
    TOKENS_FILE="$TOKENS" taskset -c 1 wrk -t1 -c64 -d2s -s scripts/bench/tokens.lua "http://127.0.0.1:$PORT/" >/dev/null
    RPS=$(TOKENS_FILE="$TOKENS" taskset -c 1 wrk -t1 -c64 -d"${DURATION}s" -s scripts/bench/tokens.lua "http://127.0.0.1:$PORT/" \
        | awk '/Requests\/sec/ {print $2}')
    kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
    SERVER=""
}

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "| framework | without layer | with layer, same token (cache hit) | ratio | with layer, distinct tokens (signature each time) | ratio |"
echo "|---|---|---|---|---|---|"
for fw in axum actix; do
    base=(); hit=(); cold=()
    for _ in $(seq "$REPS"); do
        run "$fw" off same; base+=("$RPS")
        run "$fw" on same; hit+=("$RPS")
        run "$fw" on distinct; cold+=("$RPS")
    done
    b=$(median "${base[@]}"); h=$(median "${hit[@]}"); c=$(median "${cold[@]}")
    awk -v fw="$fw" -v b="$b" -v h="$h" -v c="$c" 'BEGIN {
        printf "| %s | %.0f req/s | %.0f req/s | %.1f %% | %.0f req/s | %.1f %% |\n", fw, b, h, 100*h/b, c, 100*c/b }'
done
