#!/usr/bin/env bash
# Memory of the verified-token cache (issue 18), over real HTTP: adapter-bench's
# axum hello-world behind the Cognito layer with the cache on (the example
# that mints its own valid tokens; the axum-app example needs an issuer).
#
# 1. Fill: the server mints TOKENS distinct valid access tokens of its test
#    pool (RSA-2048, on every core, streamed to a file; it keeps none), is
#    pinned to core 0, warmed up with one token for 2 s (connections,
#    buffers), and then wrk (core 1) sends every token once. RSS (VmRSS) is
#    read idle, after the warm-up and after the fill. Run twice: with the
#    cache bounded to hold them all (FILL_BYTES, default 1 GiB: "TOKENS in
#    the cache") and with the default bound (32 MiB).
# 2. Soak: the second server (default bound) then takes a steady paced load
#    for MINUTES over the same token set, cycling (CONNS connections, each
#    waiting DELAY_MS before every request: about CONNS*1000/DELAY_MS
#    requests/s; a set larger than the cache keeps tokens entering and being
#    evicted), its RSS sampled every INTERVAL seconds.
#
#   ./scripts/bench/token-memory.sh [tokens] [soak-minutes] [interval-s]   (default 100000 10 10)
#   ./scripts/bench/token-memory.sh 10000 1 5        (short check, ~2 minutes)
#
# Goals: fill <= 64 MiB above the warmed-up process; soak RSS flat within 5 %
# (max - min of the samples after the first minute, over the first-minute
# sample; with a soak of one minute or less, over all samples after the
# first). Needs wrk, taskset and curl; installs nothing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
TOKENS="${1:-100000}"
MINUTES="${2:-10}"
INTERVAL="${3:-10}"
CONNS="${CONNS:-10}"
export DELAY_MS="${DELAY_MS:-10}"
FILL_BYTES="${FILL_BYTES:-1073741824}"
PORT=8185
for tool in wrk taskset curl; do
    command -v "$tool" >/dev/null || { echo "$tool is required (apt-get install $tool)" >&2; exit 1; }
done
cargo build --release -q -p cognito-examples --bin adapter-bench
BIN=target/release/adapter-bench
WORK=$(mktemp -d)
SERVER=""
cleanup() {
    if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
export TOKENS_FILE="$WORK/tokens"
rss() { awk '/^VmRSS/ {print $2}' "/proc/$SERVER/status"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

start() { # extra adapter-bench flags...
    rm -f "$TOKENS_FILE"
    "$BIN" --framework axum --auth on --tokens cached --count "$TOKENS" --port "$PORT" \
        --tokens-file "$TOKENS_FILE" --workers 1 "$@" >/dev/null &
    SERVER=$!
    local started=$SECONDS
    # Minting takes about a millisecond per token per core; bounded wait.
    for _ in $(seq $((TOKENS / 100 + 600))); do
        curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break
        kill -0 "$SERVER" 2>/dev/null || { echo "adapter-bench exited" >&2; exit 1; }
        sleep 0.1
    done
    curl -s -o /dev/null "http://127.0.0.1:$PORT/" || { echo "adapter-bench never answered" >&2; exit 1; }
    taskset -a -cp 0 "$SERVER" >/dev/null
    echo "  minted $(wc -l < "$TOKENS_FILE") tokens ($(head -1 "$TOKENS_FILE" | tr -d '\n' | wc -c) bytes each) in $((SECONDS - started)) s"
}

stop() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=""; }

fill() { # label; sets FILLED (KiB above the warmed-up process)
    local idle warm full
    idle=$(rss)
    head -1 "$TOKENS_FILE" > "$WORK/one"
    TOKENS_FILE="$WORK/one" taskset -c 1 wrk -t1 -c"$CONNS" -d2s -s scripts/bench/tokens.lua \
        "http://127.0.0.1:$PORT/" > /dev/null
    warm=$(rss)
    taskset -c 1 wrk -t1 -c"$CONNS" -d600s -s scripts/bench/each-once.lua \
        "http://127.0.0.1:$PORT/" > "$WORK/fill.out"
    if grep -q "Non-2xx" "$WORK/fill.out"; then cat "$WORK/fill.out"; echo "refused tokens" >&2; exit 1; fi
    full=$(rss)
    FILLED=$((full - warm))
    echo "  $1: RSS idle $idle KiB, warmed up $warm KiB, after $TOKENS tokens $full KiB:" \
        "+$(mib "$FILLED") ($((FILLED * 1024 / TOKENS)) bytes per token)"
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "fill, cache bounded to $FILL_BYTES bytes (holds every token):"
start --cache-max-bytes "$FILL_BYTES"
fill "all in the cache"
ALL=$FILLED
stop
echo "fill, default bound (DEFAULT_TOKEN_CACHE_MAX_BYTES):"
start
fill "default bound"
DEFAULT=$FILLED

echo "soak: $MINUTES min, $CONNS connections x 1 request / $DELAY_MS ms, cycling the $TOKENS tokens"
taskset -c 1 wrk -t1 -c"$CONNS" -d"$((MINUTES * 60))s" -s scripts/bench/rotating.lua \
    "http://127.0.0.1:$PORT/" > "$WORK/soak.out" &
WRK=$!
echo "elapsed_s rss_kib"
samples=()
begin=$SECONDS
while kill -0 "$WRK" 2>/dev/null; do
    sleep "$INTERVAL"
    kill -0 "$WRK" 2>/dev/null || break
    r=$(rss)
    samples+=("$((SECONDS - begin)):$r")
    echo "$((SECONDS - begin)) $r"
done
wait "$WRK" || true
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
grep -E "requests in|Requests/sec|Non-2xx" "$WORK/soak.out" || true
if grep -q "Non-2xx" "$WORK/soak.out"; then echo "the soak had refused requests" >&2; exit 1; fi

echo
echo "RESULT fill: $TOKENS tokens all cached: +$(mib "$ALL") above the warmed-up process" \
    "(goal <= 64 MiB: $([ "$ALL" -le 65536 ] && echo met || echo not met));" \
    "default bound: +$(mib "$DEFAULT") ($([ "$DEFAULT" -le 65536 ] && echo met || echo not met))"
printf '%s\n' "${samples[@]}" | awk -F: -v minutes="$MINUTES" '
    { t[NR] = $1; r[NR] = $2 }
    END {
        from = 0
        for (i = 1; i <= NR; i++) if (t[i] >= 60 || (minutes <= 1 && i > 1)) { from = i; break }
        if (from == 0) { print "RESULT soak: too few samples"; exit }
        min = max = r[from]
        for (i = from; i <= NR; i++) { if (r[i] < min) min = r[i]; if (r[i] > max) max = r[i] }
        spread = 100 * (max - min) / r[from]
        printf "RESULT soak: RSS at %d s %d KiB, at the end %d KiB, min %d, max %d: spread %.1f %% (goal <= 5 %%: %s)\n",
            t[from], r[from], r[NR], min, max, spread, spread <= 5 ? "met" : "not met"
    }'
