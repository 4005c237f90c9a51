#!/usr/bin/env bash
# The whole test suite, on a fresh machine: Rust unit/integration/doc tests of
# every crate (verifier, adapters + conformance table, issuer, e2e, CLI), then
# the issuer's conformance suites driven by AWS's own client libraries
# (installed into ./.venv and ./node_modules by the scripts themselves).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Headless Chromium and its WebDriver for the hosted-UI browser tests
# (sdk-tests/tests/hosted_ui_browser.rs), from Debian's packages.
if ! command -v chromedriver >/dev/null; then
    echo "==> installing chromium and chromium-driver (apt)"
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        chromium chromium-driver >/dev/null
fi

# nginx for the gatekeeper's forward-auth test (gatekeeper/tests/reload_and_forward_auth.rs
# starts its own non-daemon nginx with auth_request on loopback ports).
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
    echo "==> installing nginx-light (apt)"
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        nginx-light >/dev/null
fi
export PATH="$PATH:/usr/sbin"

# A clean build gains nothing from incremental state (gigabytes under
# target/debug/incremental); a developer's own setting wins.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

echo "==> cargo fmt --all --check"
cargo fmt --all --check

echo "==> cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

# The Lambda authorizer's deployable binary sits behind the `runtime` feature
# (only it compiles lambda_runtime); lint it once so it cannot rot.
echo "==> cargo clippy -p cognito-lambda-authorizer --features runtime --bins -- -D warnings"
cargo clippy -p cognito-lambda-authorizer --features runtime --bins -- -D warnings

# aws-jwt-verify for the ALB browser test's Node check (sdk-tests/tests/alb_browser.rs
# runs sdk-tests/node-alb/verify-alb.mjs), pinned by its package-lock.json.
node_alb=sdk-tests/node-alb
if ! cmp -s "$node_alb/package-lock.json" "$node_alb/node_modules/.alb-package-lock.json" 2>/dev/null; then
    echo "==> npm ci ($node_alb)"
    (cd "$node_alb" && npm ci --no-audit --no-fund --loglevel=error \
        && cp package-lock.json node_modules/.alb-package-lock.json)
fi

# reference-issuer/tests/triggers.rs, tests/pre_token.rs and tests/custom_auth.rs run real Lambda
# handler code through the issuer's shims: they need `node` and `python3` on
# the PATH (as the conformance suites below do); they install nothing.
echo "==> cargo test --workspace"
cargo test --workspace

echo "==> boto3 conformance suite (reference-issuer)"
bash reference-issuer/conformance/run.sh

for suite in reference-issuer/conformance/run-node.sh reference-issuer/conformance/run-pycognito.sh; do
    if [ -f "$suite" ]; then
        echo "==> $suite"
        bash "$suite"
    fi
done
echo "==> the README's demo command, as written"
cargo run -p cognito-examples --bin demo

echo "==> all suites passed"
