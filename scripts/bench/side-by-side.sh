#!/usr/bin/env bash
# Side by side (issue 18): what a user would run instead of cognito-axum,
# the same `GET /` -> "hello" app in three servers, driven by wrk over
# loopback with the same Cognito-shaped access tokens:
#
#   ours         axum + CognitoAuthLayer          (adapter-bench --auth on)
#   handwritten  axum + a middleware on jsonwebtoken, JWKS fetched once, every
#                token verified          (adapter-bench --auth handwritten,
#                examples/src/handwritten_auth.rs)
#   node         Express 5 + aws-jwt-verify's CognitoJwtVerifier, JWKS fetched
#                once (scripts/bench/node-express/server.mjs)
#
# Two token sets, written by adapter-bench (a fresh test pool per run):
#   distinct  2000 different tokens, cycled: a signature per request. Ours runs
#             with its verified-token cache off (adapter-bench --tokens distinct).
#   same      one token: ours answers from its verified-token cache; the
#             hand-written middleware and aws-jwt-verify (which has no
#             verified-token cache) verify the signature every time.
#
# Where node gets its keys: node needs the pool (id, client id, JWKS URL) of
# the tokens it is sent. For each node run, an adapter-bench (`--auth off`,
# on another port, idle, pinned with wrk) is started only as the key server:
# it writes the tokens (--tokens-file) and the pool (--pool-file: pool id,
# client id, the URL of its loopback JWKS server); node reads those three
# from the environment and fetches the JWKS from that URL once at start.
#
# One core each: every server runs pinned to core 0 (ours and the
# hand-written with `--workers 1`; node is single-threaded) and wrk is
# pinned to core 1 (-t1 -c64). Each configuration gets a 2 s warm-up (node's
# JIT, connections) and then a SECONDS run; the six configurations are
# interleaved REPS times, and the table gives median [min-max] requests/s
# and the ratios of the medians. A run with any non-2xx answer fails.
#
#   ./scripts/bench/side-by-side.sh [seconds-per-run] [reps]   (default 10 3)
#
# Not part of CI. Needs wrk, node + npm, taskset and curl; says which is
# missing and installs nothing. Raw wrk lines go to $RAW (default: a file in
# the temporary directory, printed at the end).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
DURATION="${1:-10}"
REPS="${2:-3}"
PORT=8181
KEY_PORT=8183
need() { # tool, how to get it
    command -v "$1" >/dev/null || { echo "$1 is required: $2" >&2; exit 1; }
}
need wrk "apt-get install wrk"
need node "Node.js 20 or later (https://nodejs.org or apt-get install nodejs)"
need npm "apt-get install npm (comes with Node.js)"
need taskset "apt-get install util-linux"
need curl "apt-get install curl"

cargo build --release -q -p cognito-examples --bin adapter-bench
(cd scripts/bench/node-express && npm ci --silent --no-audit --no-fund)
BIN=target/release/adapter-bench
WORK=$(mktemp -d)
RAW="${RAW:-$(mktemp /tmp/side-by-side.XXXXXX)}"
PIDS=()
stop_all() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    PIDS=()
}
trap 'stop_all; rm -rf "$WORK"' EXIT
export TOKENS_FILE="$WORK/tokens"

wait_up() { # port: until it answers HTTP at all (a 401 counts)
    for _ in $(seq 200); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return; sleep 0.1; done
    echo "nothing answers on port $1" >&2; exit 1
}

start() { # name tokens -> a server on $PORT for $TOKENS_FILE's tokens
    case "$1" in
        ours|handwritten)
            local auth=on; [ "$1" = handwritten ] && auth=handwritten
            taskset -c 0 "$BIN" --framework axum --auth "$auth" --tokens "$2" --port "$PORT" \
                --tokens-file "$TOKENS_FILE" --workers 1 >/dev/null &
            PIDS+=($!)
            ;;
        node)
            taskset -c 1 "$BIN" --framework axum --auth off --tokens "$2" --port "$KEY_PORT" \
                --tokens-file "$TOKENS_FILE" --pool-file "$WORK/pool" --workers 1 >/dev/null &
            PIDS+=($!)
            wait_up "$KEY_PORT"
            POOL_ID=$(sed -n 's/^pool_id = "\(.*\)"$/\1/p' "$WORK/pool") \
            CLIENT_ID=$(sed -n 's/^client_ids = \["\(.*\)"\]$/\1/p' "$WORK/pool") \
            JWKS_URL=$(sed -n 's/^jwks_uri = "\(.*\)"$/\1/p' "$WORK/pool") \
            PORT="$PORT" taskset -c 0 node scripts/bench/node-express/server.mjs >/dev/null &
            PIDS+=($!)
            ;;
    esac
    wait_up "$PORT"
    # The first token must be admitted: a server refusing every token would be "fast".
    local status
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(head -n1 "$TOKENS_FILE")" \
        "http://127.0.0.1:$PORT/")
    [ "$status" = 200 ] || { echo "$1 ($2) answered $status to a valid token" >&2; exit 1; }
}

wrk_run() { # seconds -> RPS
    local out
    out=$(taskset -c 1 wrk -t1 -c64 -d"${1}s" -s scripts/bench/tokens.lua "http://127.0.0.1:$PORT/")
    if echo "$out" | grep -q 'Non-2xx'; then
        echo "refusals or errors:" >&2; echo "$out" >&2; exit 1
    fi
    RPS=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
}

stats() { # values... -> "median [min-max]" (sorted numerically, rounded)
    printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {
        printf "%.0f [%.0f-%.0f]", a[int((NR+1)/2)], a[1], a[NR] }'
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

NAMES=(ours handwritten node)
declare -A rps
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for rep in $(seq "$REPS"); do
    for tokens in distinct same; do
        for n in "${NAMES[@]}"; do
            start "$n" "$tokens"
            wrk_run 2
            wrk_run "$DURATION"
            echo "$n $tokens rep $rep: $RPS" >> "$RAW"
            rps[$n-$tokens]+="$RPS "
            stop_all
        done
    done
    echo "repetition $rep of $REPS done" >&2
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

echo "date: $(date -u +%Y-%m-%d), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), node $(node --version), $REPS x ${DURATION}s per configuration"
echo
echo "| tokens | ours: axum + cognito-axum | hand-written: axum + jsonwebtoken | Node: Express + aws-jwt-verify | ours / hand-written | ours / Node |"
echo "|---|---|---|---|---|---|"
for tokens in distinct same; do
    # shellcheck disable=SC2086
    {
        o=$(median ${rps[ours-$tokens]}); h=$(median ${rps[handwritten-$tokens]}); n=$(median ${rps[node-$tokens]})
        row="| $tokens | $(stats ${rps[ours-$tokens]}) | $(stats ${rps[handwritten-$tokens]}) | $(stats ${rps[node-$tokens]})"
    }
    awk -v row="$row" -v o="$o" -v h="$h" -v n="$n" 'BEGIN { printf "%s | %.2fx | %.2fx |\n", row, o / h, o / n }'
done
echo
echo "requests/s, median [min-max] over the repetitions; ratios of the medians. One core each:"
echo "every server pinned to core 0 (the Rust servers with one worker, node is single-threaded),"
echo "wrk -t1 -c64 pinned to core 1. distinct = 2000 tokens cycled, a signature per request"
echo "(ours with its verified-token cache off); same = one token (ours answers from its cache,"
echo "the other two verify every time; aws-jwt-verify has no verified-token cache)."
echo "load average before: $LOAD_BEFORE; after: $LOAD_AFTER; raw wrk lines: $RAW"
