#!/usr/bin/env bash
# cognito-gatekeeper's memory under a steady load (issue 16: "memory flat
# over a 10-minute soak"). The gatekeeper proxies to adapter-bench (as in
# gatekeeper-wrk.sh, servers on core 0, wrk on core 1) while wrk sends a
# paced load: CONNS connections, each waiting DELAY_MS before every request
# (about CONNS*1000/DELAY_MS requests/s), every 10th request without a token
# (answered 401 by the gate), the others with the same valid token. The
# gatekeeper's RSS (VmRSS) is sampled every INTERVAL seconds.
#
#   ./scripts/bench/gatekeeper-soak.sh [minutes] [interval-seconds]   (default 10 10)
#   CONNS=20 DELAY_MS=10 ./scripts/bench/gatekeeper-soak.sh 10
#
# Prints the samples (elapsed s, RSS KiB), the RSS after the first minute,
# at the end and the maximum, and wrk's summary. Needs wrk, nginx (checked
# by the shared setup), taskset and curl; installs nothing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
MINUTES="${1:-10}"
INTERVAL="${2:-10}"
CONNS="${CONNS:-20}"
export DELAY_MS="${DELAY_MS:-10}" ANON_EVERY="${ANON_EVERY:-10}"
source scripts/bench/gatekeeper-lib.sh
build
start_upstream
start_gatekeeper
export TOKENS_FILE="$WORK/tokens"
rss() { awk '/^VmRSS/ {print $2}' "/proc/$GK_PID/status"; }

SECONDS_TOTAL=$((MINUTES * 60))
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "RSS at start (idle, JWKS loaded): $(rss) KiB"
taskset -c 1 wrk -t1 -c"$CONNS" -d"${SECONDS_TOTAL}s" -s scripts/bench/paced.lua \
    "http://127.0.0.1:$GK_PORT/" > "$WORK/wrk.out" &
WRK=$!
PIDS+=("$WRK")
echo "elapsed_s rss_kib"
samples=()
start=$(date +%s)
while kill -0 "$WRK" 2>/dev/null; do
    sleep "$INTERVAL"
    kill -0 "$WRK" 2>/dev/null || break
    now=$(( $(date +%s) - start ))
    r=$(rss)
    samples+=("$now:$r")
    echo "$now $r"
done
wait "$WRK" || true
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$WORK/wrk.out"
printf '%s\n' "${samples[@]}" | awk -F: '
    $1 >= 60 && first == "" { first = $2; at = $1 }
    { if ($2 > max) max = $2; last = $2 }
    END { printf "RSS at %d s: %d KiB; at the end: %d KiB; max: %d KiB; end - first minute: %+d KiB\n",
          at, first, last, max, last - first }'
