#!/usr/bin/env bash
# Runs the Node.js suites (amazon-cognito-identity-js,
# @aws-sdk/client-cognito-identity-provider v3 and AWS Amplify JS v6's
# aws-amplify/auth) against a freshly built cognito-issuer.
#
#   reference-issuer/conformance/run-node.sh [extra node --test args]
#
# Installs the versions pinned in node/package.json + package-lock.json
# (npm install into node/node_modules, gitignored), builds the issuer binary
# (respecting CARGO_TARGET_DIR; ISSUER_PROFILE=release for a release build)
# and runs `node --test`; each test file starts its own issuer on a free
# loopback port with a temporary data directory. Exits non-zero on failure.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
command -v node >/dev/null || { echo "run-node.sh: node is not installed" >&2; exit 1; }
cd "$HERE/node"
if ! cmp -s package-lock.json node_modules/.issuer-package-lock.json 2>/dev/null; then
    echo "conformance: npm install (pinned by package-lock.json)"
    npm install --no-audit --no-fund --loglevel=error
    cp package-lock.json node_modules/.issuer-package-lock.json
fi
build_issuer
cd "$HERE/node"
exec node --test --test-concurrency=1 "$@" identity-js.test.mjs sdk-v3.test.mjs amplify.test.mjs
