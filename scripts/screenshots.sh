#!/usr/bin/env bash
# Regenerates the hosted UI's screenshots in docs/screenshots/ (shown in the
# reference-issuer README) by running the browser tests with
# COGNITO_SCREENSHOTS_DIR set. Needs chromium + chromium-driver (scripts/test.sh
# installs them).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v chromedriver >/dev/null || {
    echo "chromedriver missing: apt-get install -y --no-install-recommends chromium chromium-driver" >&2
    exit 1
}
mkdir -p docs/screenshots
COGNITO_SCREENSHOTS_DIR="$PWD/docs/screenshots" \
    cargo test -p cognito-sdk-tests --test integration hosted_ui_browser:: -- "$@"
ls -1 docs/screenshots/*.png
