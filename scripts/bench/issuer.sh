#!/usr/bin/env bash
# The reference issuer's throughput, measured with its own load generators
# (reference-issuer/examples/loadgen.rs and srp_loadgen.rs) against an
# issuer they start in-process on a free 127.0.0.1 port with a temporary
# data directory. One loadgen run measures, in order: password sign-ins
# (USER_PASSWORD_AUTH), hosted-UI logins (GET /oauth2/authorize -> GET
# /login -> POST /login -> 302 with a code, a fresh cookie jar per login),
# the redemption of those codes at /oauth2/token (PKCE), and refreshes
# (REFRESH_TOKEN_AUTH); then srp_loadgen measures SRP sign-ins. Every
# phase runs a bounded number of jobs and stops by itself.
#
#   ./scripts/bench/issuer.sh [signins] [hosted-logins] [refreshes] [srp-signins] [concurrency]
#       defaults: 2000 2000 20000 1000 32 (SRP runs with concurrency 4; 0 skips a phase)
#   smoke run:  ./scripts/bench/issuer.sh 40 40 400 20 8
#
# Numbers are only comparable on an idle machine: each phase also prints how
# much CPU other processes used meanwhile (the table's "other processes"
# column). Prints a Markdown table on stdout; the load generators' full
# output goes to stderr.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
SIGNINS="${1:-2000}"
HOSTED="${2:-2000}"
REFRESHES="${3:-20000}"
SRP="${4:-1000}"
CONCURRENCY="${5:-32}"
for n in "$SIGNINS" "$HOSTED" "$REFRESHES" "$SRP" "$CONCURRENCY"; do
    [[ "$n" =~ ^[0-9]+$ ]] || { echo "counts must be non-negative integers, got '$n'" >&2; exit 2; }
done
[ "$CONCURRENCY" -gt 0 ] || { echo "concurrency must be at least 1" >&2; exit 2; }
if [ "$REFRESHES" -gt 0 ] && [ "$SIGNINS" -eq 0 ]; then
    echo "refreshes need password sign-ins (their refresh tokens)" >&2; exit 2
fi

EXAMPLES=(--example loadgen)
if [ "$SRP" -gt 0 ]; then EXAMPLES+=(--example srp_loadgen); fi
cargo build --release -q -p cognito-issuer "${EXAMPLES[@]}"
BIN="${CARGO_TARGET_DIR:-target}/release/examples"

LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT

"$BIN/loadgen" --signins "$SIGNINS" --hosted-logins "$HOSTED" --redeem \
    --refreshes "$REFRESHES" --concurrency "$CONCURRENCY" --markdown | tee -a "$LOG" >&2
if [ "$SRP" -gt 0 ]; then
    "$BIN/srp_loadgen" --signins "$SRP" --concurrency 4 --markdown | tee -a "$LOG" >&2
fi

echo "Reference issuer, in-process, release build, $(nproc) cores, $(date -u +%Y-%m-%d), load average before: $(head -n1 "$LOG" | sed 's/^load average before: //')"
echo
grep -m1 '^| operation' "$LOG"
grep -m1 '^|---' "$LOG"
grep '^| ' "$LOG" | grep -v '^| operation' || true
