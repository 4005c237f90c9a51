# Shared by run-pycognito.sh and run-node.sh (sourced): builds the issuer
# binary like run.sh does (respecting CARGO_TARGET_DIR; ISSUER_PROFILE=release
# for a release build) and exports ISSUER_BIN.
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HERE/../.." && pwd)"
PROFILE="${ISSUER_PROFILE:-debug}"

build_issuer() {
    local target_dir="${CARGO_TARGET_DIR:-$REPO_ROOT/target}"
    case "$target_dir" in /*) ;; *) target_dir="$REPO_ROOT/$target_dir" ;; esac
    local flags=(--quiet -p cognito-issuer --bin cognito-issuer)
    [ "$PROFILE" = "release" ] && flags+=(--release)
    (cd "$REPO_ROOT" && CARGO_TARGET_DIR="$target_dir" cargo build "${flags[@]}")
    export ISSUER_BIN="$target_dir/$PROFILE/cognito-issuer"
    [ -x "$ISSUER_BIN" ] || { echo "conformance: binary not found at $ISSUER_BIN" >&2; exit 1; }
}

# The virtualenv run.sh uses, with boto3 + pytest (requirements.txt) and the
# extra pinned requirements file given as $1.
ensure_venv() {
    local extra="$1"
    VENV="${ISSUER_VENV:-$REPO_ROOT/.venv}"
    if [ ! -x "$VENV/bin/python" ]; then
        echo "conformance: creating virtualenv at $VENV"
        if ! python3 -m venv "$VENV"; then
            rm -rf "$VENV"
            python3 -m pip install --quiet --user virtualenv
            python3 -m virtualenv --quiet "$VENV"
        fi
    fi
    local stamp="$VENV/.issuer-requirements-$(basename "$(dirname "$extra")")"
    if ! cat "$HERE/requirements.txt" "$extra" | cmp -s - "$stamp"; then
        echo "conformance: installing pinned $(tr '\n' ' ' < "$extra")"
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
            -r "$HERE/requirements.txt" -r "$extra"
        cat "$HERE/requirements.txt" "$extra" > "$stamp"
    fi
}
