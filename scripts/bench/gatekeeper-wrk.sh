#!/usr/bin/env bash
# cognito-gatekeeper against nginx over loopback, in the same run on the
# same cores (issue 16, "Performance"):
#   direct       wrk -> upstream
#   nginx        wrk -> nginx proxy_pass -> upstream
#   gatekeeper   wrk -> cognito-gatekeeper (bearer token verified, cache hit,
#                identity header mapped) -> upstream
#   nginx+auth   wrk -> nginx auth_request -> gatekeeper /auth, then
#                proxy_pass -> upstream (forward-auth round trip)
# Every request carries the same valid 1.1 KiB `Authorization: Bearer`
# token (the direct and nginx runs ignore it). nginx: 1.22 from Debian,
# worker_processes 1, keepalive connections to the upstream and to the
# gatekeeper (as the gatekeeper pools its upstream connections), access log
# off. Servers on core 0, wrk on core 1 (see gatekeeper-lib.sh).
#
# Two wrk runs per configuration and repetition:
#   throughput  -c64: requests/s at saturation (and its p99, mostly queueing)
#   latency     -c4:  p50/p99 with little queueing: what the hop adds
# Configurations are interleaved REPS times; the table gives the median and
# [min-max] over the repetitions, and the load average before and after.
#
# CPU per request: during each -c64 run, the CPU time (user + system,
# /proc/PID/stat) the proxy's process used, divided by the requests wrk
# counted: nginx's worker for nginx, the gatekeeper for the gatekeeper,
# both for nginx+auth, the upstream for direct. Other load on the machine
# slows every process down but barely changes the CPU each one spends per
# request, so this compares the proxies even on a busy machine, where
# requests/s do not. Resolution: one clock tick (10 ms) per run.
#
#   ./scripts/bench/gatekeeper-wrk.sh [seconds-per-run] [reps]   (default 10 3)
#
# Needs wrk, nginx (with auth_request), taskset and curl; says which is
# missing and installs nothing. Raw wrk lines go to $RAW (default: a file in
# the temporary directory, printed at the end).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
DURATION="${1:-10}"
REPS="${2:-3}"
source scripts/bench/gatekeeper-lib.sh
build
start_upstream
start_gatekeeper
start_nginx
RAW="${RAW:-$(mktemp /tmp/gatekeeper-wrk.XXXXXX)}"
export TOKENS_FILE="$WORK/tokens"

to_ms() { # wrk latency (850.00us, 1.20ms, 1.01s) -> ms
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); print v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); print v + 0 }
        else if (v ~ /s$/) { sub(/s$/, "", v); print v * 1000 }
        else print v }'
}

wrk_run() { # port connections seconds [pids...] -> RPS P50 P99 (ms), CPU (us/request)
    local out pid before=0 after=0
    local pids=("${@:4}")
    for pid in "${pids[@]}"; do before=$((before + $(cpu_ticks "$pid"))); done
    out=$(taskset -c 1 wrk -t1 -c"$2" -d"${3}s" --latency -s scripts/bench/tokens.lua "http://127.0.0.1:$1/")
    echo "port $1 c$2: $(echo "$out" | grep -E 'Requests/sec|^ +(50|99)%|Non-2xx' | tr -s ' \n' ' ')" >> "$RAW"
    if echo "$out" | grep -q 'Non-2xx'; then
        echo "refusals or errors on port $1:" >&2; echo "$out" >&2; exit 1
    fi
    for pid in "${pids[@]}"; do after=$((after + $(cpu_ticks "$pid"))); done
    RPS=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    local requests
    requests=$(echo "$out" | awk '/ requests in / {print $1}')
    CPU=$(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$requests" \
        'BEGIN { printf "%.1f", t * 1e6 / hz / n }')
    P50=$(to_ms "$(echo "$out" | awk '$1 == "50%" {print $2}')")
    P99=$(to_ms "$(echo "$out" | awk '$1 == "99%" {print $2}')")
}

stats() { # values... -> "median [min-max]" (sorted numerically)
    printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {
        printf "%s [%s-%s]", a[int((NR+1)/2)], a[1], a[NR] }'
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

NAMES=(direct nginx gatekeeper nginx+auth)
PORTS=("$UP_PORT" "$NGX_PORT" "$GK_PORT" "$NGX_FA_PORT")
# Whose CPU each configuration's proxy is (direct: the upstream's own).
CPU_PIDS=("$UP_PID" "$NGX_WORKER_PID" "$GK_PID" "$NGX_WORKER_PID $GK_PID")
declare -A rps p99s l50 l99 cpus
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for port in "${PORTS[@]}"; do # warm-up: connections pooled, token cached
    taskset -c 1 wrk -t1 -c64 -d2s -s scripts/bench/tokens.lua "http://127.0.0.1:$port/" >/dev/null
done
for rep in $(seq "$REPS"); do
    for i in "${!NAMES[@]}"; do
        n=${NAMES[$i]}
        # shellcheck disable=SC2086
        wrk_run "${PORTS[$i]}" 64 "$DURATION" ${CPU_PIDS[$i]}
        rps[$n]+="$RPS "; p99s[$n]+="$P99 "; cpus[$n]+="$CPU "
        wrk_run "${PORTS[$i]}" 4 "$DURATION"; l50[$n]+="$P50 "; l99[$n]+="$P99 "
    done
    echo "repetition $rep of $REPS done" >&2
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

echo "| configuration | requests/s (-c64) | p99 at -c64 (ms) | p50 at -c4 (ms) | p99 at -c4 (ms) | proxy CPU per request at -c64 (us) |"
echo "|---|---|---|---|---|---|"
for n in "${NAMES[@]}"; do
    # shellcheck disable=SC2086
    echo "| $n | $(stats ${rps[$n]}) | $(stats ${p99s[$n]}) | $(stats ${l50[$n]}) | $(stats ${l99[$n]}) | $(stats ${cpus[$n]}) |"
done
# shellcheck disable=SC2086
{
    gk=$(median ${rps[gatekeeper]}); ng=$(median ${rps[nginx]})
    fa=$(median ${rps[nginx+auth]})
    gk99=$(median ${l99[gatekeeper]}); ng99=$(median ${l99[nginx]}); d99=$(median ${l99[direct]})
    fa99=$(median ${l99[nginx+auth]})
    gkcpu=$(median ${cpus[gatekeeper]}); ngcpu=$(median ${cpus[nginx]})
    upcpu=$(median ${cpus[direct]})
    gk64=$(median ${p99s[gatekeeper]}); ng64=$(median ${p99s[nginx]})
}
awk -v gk="$gk" -v ng="$ng" -v fa="$fa" -v gk99="$gk99" -v ng99="$ng99" -v d99="$d99" \
    -v fa99="$fa99" -v gk64="$gk64" -v ng64="$ng64" -v gkcpu="$gkcpu" -v ngcpu="$ngcpu" \
    -v upcpu="$upcpu" 'BEGIN {
    printf "\ngatekeeper / nginx requests/s: %.2f (target >= 0.8)\n", gk / ng
    printf "p99 added at -c4: gatekeeper - nginx %+.3f ms, gatekeeper - direct %+.3f ms (target <= 1 ms)\n", gk99 - ng99, gk99 - d99
    printf "p99 added at -c64: gatekeeper - nginx %+.3f ms\n", gk64 - ng64
    printf "CPU per request: gatekeeper %.1f us, nginx %.1f us (gatekeeper / nginx %.2f); upstream %.1f us\n", gkcpu, ngcpu, gkcpu / ngcpu, upcpu
    printf "requests/s ratio the CPU predicts with the upstream on the same core: (nginx + upstream) / (gatekeeper + upstream) = %.2f\n", (ngcpu + upcpu) / (gkcpu + upcpu)
    printf "forward-auth: nginx+auth / nginx requests/s %.2f; p99 at -c4 %+.3f ms\n", fa / ng, fa99 - ng99 }'
echo "load average before: $LOAD_BEFORE; after: $LOAD_AFTER; raw wrk lines: $RAW"
