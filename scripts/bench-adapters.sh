#!/usr/bin/env bash
# Adapter overhead: the same hello-world app with and without the Cognito
# layer (axum) / middleware (actix), driven by wrk over loopback.
#
#   ./scripts/bench-adapters.sh [seconds-per-run]   (default 10)
#
# Needs wrk (apt-get install wrk). Prints a Markdown table of requests/s.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
DURATION="${1:-10}"
PORT=8181
command -v wrk >/dev/null || { echo "wrk is required: apt-get install wrk" >&2; exit 1; }
cargo build --release -q -p cognito-examples --bin adapter-bench
BIN=target/release/adapter-bench
TOKENS=$(mktemp)
trap 'rm -f "$TOKENS"; kill "${SERVER:-0}" 2>/dev/null || true' EXIT

run() { # framework auth tokens -> requests/s
    "$BIN" --framework "$1" --auth "$2" --tokens "$3" --port "$PORT" --tokens-file "$TOKENS" >/dev/null &
    SERVER=$!
    for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done
    local send="$TOKENS"
    [ "$2" = off ] && send=/dev/null
    TOKENS_FILE="$send" wrk -t1 -c64 -d2s -s scripts/bench/tokens.lua "http://127.0.0.1:$PORT/" >/dev/null
    local rps
    rps=$(TOKENS_FILE="$send" wrk -t1 -c64 -d"${DURATION}s" -s scripts/bench/tokens.lua "http://127.0.0.1:$PORT/" \
        | awk '/Requests\/sec/ {print $2}')
    kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
    echo "$rps"
}

echo "| framework | without layer | with layer, same token (cache hit) | ratio | with layer, distinct tokens (signature each time) | ratio |"
echo "|---|---|---|---|---|---|"
for fw in axum actix; do
    base=$(run "$fw" off same)
    hit=$(run "$fw" on same)
    cold=$(run "$fw" on distinct)
    awk -v fw="$fw" -v b="$base" -v h="$hit" -v c="$cold" 'BEGIN {
        printf "| %s | %.0f req/s | %.0f req/s | %.1f %% | %.0f req/s | %.1f %% |\n", fw, b, h, 100*h/b, c, 100*c/b }'
done
