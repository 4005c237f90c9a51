#!/usr/bin/env bash
# A long fuzzing run of one target: scripts/fuzz-run.sh TARGET SECONDS [libFuzzer args...]
# Grows fuzz/corpus/TARGET with what it finds, then minimises it (cargo fuzz
# cmin), so the corpus stays small enough to commit. Crashes land in
# fuzz/artifacts/TARGET/. Runs at low priority (nice 10). Needs nightly.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../fuzz"
if [ $# -lt 2 ]; then
    echo "usage: $0 TARGET SECONDS [libFuzzer args...]" >&2
    echo "targets: $(cargo +nightly fuzz list | tr '\n' ' ')" >&2
    exit 2
fi
target=$1
seconds=$2
shift 2
dict=()
[ -f "dicts/$target.dict" ] && dict=("-dict=dicts/$target.dict")
mkdir -p "corpus/$target"
nice -n 10 cargo +nightly fuzz run "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -timeout=25 -print_final_stats=1 "${dict[@]}" "$@"
nice -n 10 cargo +nightly fuzz cmin "$target" "corpus/$target"
echo "corpus/$target: $(ls "corpus/$target" | wc -l) files, $(du -sh "corpus/$target" | cut -f1)"
