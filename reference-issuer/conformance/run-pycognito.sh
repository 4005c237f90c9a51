#!/usr/bin/env bash
# Runs the pycognito suite (SRP sign-in, MFA, forgot password, logout through
# pycognito from PyPI) against a freshly built cognito-issuer.
#
#   reference-issuer/conformance/run-pycognito.sh [extra pytest args]
#
# Installs the pinned pycognito (pycognito/requirements.txt) into the same
# $REPO_ROOT/.venv as run.sh, builds the issuer and runs pytest; the session
# fixture of conftest.py starts the issuer on a free loopback port with a
# temporary data directory. Exits non-zero on any failure.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
ensure_venv "$HERE/pycognito/requirements.txt"
build_issuer
cd "$HERE"
exec "$VENV/bin/python" -m pytest -q -p no:cacheprovider pycognito/suite_pycognito.py "$@"
