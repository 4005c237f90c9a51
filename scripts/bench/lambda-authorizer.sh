#!/usr/bin/env bash
# The Lambda authorizer's cold start and warm decisions, against the same
# decision made by aws-jwt-verify in a minimal Node handler
# (scripts/bench/node-lambda/), both invoked in-process with AWS's sample
# REST TOKEN event carrying an ID token (group admin; route GET /hello needs
# group admin):
#
#   cold: a fresh process -> first decision, the JWKS fetched from a loopback
#         JWKS server (test-support's TestIssuer, via the bench_issuer example);
#         the wall time of the whole process, RUNS times, median.
#   warm: decisions per second in one process, REPS runs, median.
#
#   ./scripts/bench/lambda-authorizer.sh [runs] [reps] [warm-seconds]   (default 15 3 3)
#
# Not part of CI. Needs node and npm. This is a process on a laptop or CI
# box, not Lambda: no Lambda runtime init, no Firecracker, no network.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
RUNS="${1:-15}"
REPS="${2:-3}"
SECONDS_WARM="${3:-3}"
command -v node >/dev/null || { echo "node is required" >&2; exit 1; }

cargo build --release -q -p cognito-lambda-authorizer --example bench_issuer --example bench_invoke
(cd scripts/bench/node-lambda && npm ci --silent --no-audit --no-fund)

DIR=$(mktemp -d)
ISSUER=""
cleanup() { if [ -n "$ISSUER" ]; then kill "$ISSUER" 2>/dev/null || true; fi; rm -rf "$DIR"; }
trap cleanup EXIT
# bench_issuer serves until its standard input closes: hold it open on a fifo.
mkfifo "$DIR/hold"
target/release/examples/bench_issuer "$DIR" < "$DIR/hold" > "$DIR/issuer.log" &
ISSUER=$!
exec 9> "$DIR/hold"
for _ in $(seq 100); do [ -s "$DIR/env" ] && break; sleep 0.1; done
[ -s "$DIR/env" ] || { echo "bench_issuer did not start" >&2; exit 1; }
# shellcheck disable=SC1091
. "$DIR/env"
export JWKS_URL POOL_ID CLIENT_ID
export COGNITO_AUTHORIZER_CONFIG="preset = \"rest\"
[[pools]]
id = \"$POOL_ID\"
client_ids = [\"$CLIENT_ID\"]
jwks_uri = \"$JWKS_URL\"
[[routes]]
route = \"GET /hello\"
groups_any = [\"admin\"]"
EVENT="$DIR/event.json"

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
cold() { # command... -> milliseconds of one fresh process, which must print "Allow"
    local start end out
    start=$(date +%s%N)
    out=$("$@")
    end=$(date +%s%N)
    [ "$out" = '"Allow"' ] || { echo "expected Allow, got $out from $*" >&2; exit 1; }
    echo $(( (end - start) / 1000 ))
}

rust_cold=(); node_cold=()
for _ in $(seq "$RUNS"); do
    rust_cold+=("$(cold target/release/examples/bench_invoke cold "$EVENT")")
    node_cold+=("$(cold node scripts/bench/node-lambda/bench.mjs cold "$EVENT")")
done
rust_cached=(); rust_uncached=(); node_warm=()
for _ in $(seq "$REPS"); do
    out=$(target/release/examples/bench_invoke warm "$EVENT" "$SECONDS_WARM")
    rust_cached+=("$(awk '/^cached/ {print $2}' <<<"$out")")
    rust_uncached+=("$(awk '/^uncached/ {print $2}' <<<"$out")")
    node_warm+=("$(node scripts/bench/node-lambda/bench.mjs warm "$EVENT" "$SECONDS_WARM" | awk '{print $2}')")
done

us_to_ms() { awk -v us="$1" 'BEGIN {printf "%.1f", us / 1000}'; }
echo "date: $(date -u +%Y-%m-%d), $(nproc) cores, node $(node --version), runs $RUNS (cold), reps $REPS x ${SECONDS_WARM}s (warm)"
echo
echo "| | cognito-lambda-authorizer (Rust) | aws-jwt-verify 5.2.1 (Node) |"
echo "|---|---|---|"
echo "| cold: fresh process -> first decision (JWKS fetched), median ms | $(us_to_ms "$(median "${rust_cold[@]}")") | $(us_to_ms "$(median "${node_cold[@]}")") |"
echo "| warm decisions/s, same token (verified-token cache) | $(median "${rust_cached[@]}") | n/a (no token cache) |"
echo "| warm decisions/s, signature checked every time | $(median "${rust_uncached[@]}") | $(median "${node_warm[@]}") |"
