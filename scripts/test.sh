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

echo "==> cargo fmt --all --check"
cargo fmt --all --check

echo "==> cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

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
