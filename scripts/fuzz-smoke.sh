#!/usr/bin/env bash
# Fuzz smoke for CI: builds every cargo-fuzz target in fuzz/ and runs each
# for a few seconds (FUZZ_SMOKE_SECONDS, default 5) from its committed
# corpus (and fuzz/regressions/<target>/), failing on any crash, so the
# targets keep compiling and the corpus keeps passing. New inputs go to a
# scratch directory: the committed corpus is not modified. Without a nightly
# toolchain it says so and exits 0.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../fuzz"
seconds=${FUZZ_SMOKE_SECONDS:-5}
if ! rustup toolchain list 2>/dev/null | grep -q nightly; then
    echo "fuzz smoke: no nightly toolchain (rustup toolchain install nightly); skipped"
    exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
echo "==> cargo +nightly fuzz build"
cargo +nightly fuzz build
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for target in $(cargo +nightly fuzz list); do
    echo "==> fuzz $target (${seconds}s)"
    dict=()
    [ -f "dicts/$target.dict" ] && dict=("-dict=dicts/$target.dict")
    mkdir -p "$scratch/$target"
    replay=()
    [ -d "regressions/$target" ] && replay=("regressions/$target")
    cargo +nightly fuzz run "$target" "$scratch/$target" "corpus/$target" "${replay[@]}" -- \
        -max_total_time="$seconds" -timeout=25 "${dict[@]}" 2>"$scratch/$target.log" || {
        tail -n 60 "$scratch/$target.log"
        echo "fuzz smoke: $target failed; the input is under fuzz/artifacts/$target/"
        exit 1
    }
    grep -E '^(#[0-9]+ +DONE|Done [0-9]+ runs)' "$scratch/$target.log" | tail -n 1 || true
done
echo "==> fuzz smoke passed"
