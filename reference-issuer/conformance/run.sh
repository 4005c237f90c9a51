#!/usr/bin/env bash
# Runs the boto3 conformance suite against a freshly built cognito-issuer.
#
#   reference-issuer/conformance/run.sh [extra pytest args]
#
# Creates $REPO_ROOT/.venv (if missing) with the pinned boto3 + pytest,
# builds the issuer binary (respecting CARGO_TARGET_DIR; set
# ISSUER_PROFILE=release for a release build) and runs pytest. Each test
# session starts its own issuer on a free loopback port with a temporary
# data directory. Exits non-zero on any failure.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HERE/../.." && pwd)"
VENV="${ISSUER_VENV:-$REPO_ROOT/.venv}"
PROFILE="${ISSUER_PROFILE:-debug}"

if [ ! -x "$VENV/bin/python" ]; then
    echo "conformance: creating virtualenv at $VENV"
    if ! python3 -m venv "$VENV"; then
        # Images without ensurepip: fall back to the virtualenv package.
        rm -rf "$VENV"
        python3 -m pip install --quiet --user virtualenv
        python3 -m virtualenv --quiet "$VENV"
    fi
fi
if ! "$VENV/bin/python" -c 'import boto3, pytest' 2>/dev/null \
    || ! cmp -s "$HERE/requirements.txt" "$VENV/.issuer-requirements" ; then
    echo "conformance: installing pinned boto3 and pytest"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$HERE/requirements.txt"
    cp "$HERE/requirements.txt" "$VENV/.issuer-requirements"
fi

TARGET_DIR="${CARGO_TARGET_DIR:-$REPO_ROOT/target}"
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$REPO_ROOT/$TARGET_DIR" ;; esac
if [ "$PROFILE" = "release" ]; then
    (cd "$REPO_ROOT" && CARGO_TARGET_DIR="$TARGET_DIR" cargo build --quiet --release -p cognito-issuer --bin cognito-issuer)
else
    (cd "$REPO_ROOT" && CARGO_TARGET_DIR="$TARGET_DIR" cargo build --quiet -p cognito-issuer --bin cognito-issuer)
fi
export ISSUER_BIN="$TARGET_DIR/$PROFILE/cognito-issuer"
[ -x "$ISSUER_BIN" ] || { echo "conformance: binary not found at $ISSUER_BIN" >&2; exit 1; }

cd "$HERE"
exec "$VENV/bin/python" -m pytest -q -p no:cacheprovider "$@"
