#!/usr/bin/env bash
# Builds one libFuzzer target of the Fuzz/ package (optimized, with AddressSanitizer; in debug
# a target ran 25x fewer inputs per second, and preconditions still trap) and runs it for
# SECONDS, starting from its committed seed corpus, Fuzz/Corpus/TARGET. New inputs go to a
# work directory, not to the committed corpus; a crash leaves its input there and fails the
# run. Prints the executions done.
#
#   Scripts/fuzz.sh FuzzContracts 60
#   FUZZ_WORK=/tmp/fuzz Scripts/fuzz.sh FuzzCodec 600      # keep what it found
#   FUZZ_RUNS=10000000 Scripts/fuzz.sh FuzzNATS 3600       # stop at 10 M inputs, or after an hour
set -euo pipefail
target=${1:?usage: Scripts/fuzz.sh TARGET SECONDS (targets: the directories in Fuzz/Sources)}
seconds=${2:?usage: Scripts/fuzz.sh TARGET SECONDS}
root=$(cd "$(dirname "$0")/.." && pwd)
[ -d "$root/Fuzz/Sources/$target" ] || { echo "fuzz.sh: no target $target in Fuzz/Sources" >&2; exit 2; }
work=${FUZZ_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/mycelium-fuzz.XXXXXX")}
mkdir -p "$work/$target/corpus" "$work/$target/artifacts"

# The linker warns about every sanitizer symbol it cannot export; the log keeps that.
flags=(--package-path "$root/Fuzz" -c release --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address)
if ! swift build "${flags[@]}" --product "$target" \
    >"$work/$target/build.log" 2>&1; then
    grep -v "Cannot export local symbol" "$work/$target/build.log" | tail -40 >&2
    echo "fuzz.sh: building $target failed" >&2
    exit 1
fi
binary=$(swift build "${flags[@]}" --show-bin-path)/$target

log=$work/$target/fuzz.log
status=0
# Allocation stacks are not recorded (malloc_context_size=0): collecting them took a fifth
# of FuzzBroker's and FuzzContracts' time. Rerun a crash's input with the default to see
# where its memory was allocated: ASAN_OPTIONS= BINARY INPUT.
ASAN_OPTIONS=${ASAN_OPTIONS:-malloc_context_size=0} LSAN_OPTIONS="suppressions=$root/Fuzz/lsan.supp" "$binary" "$work/$target/corpus" "$root/Fuzz/Corpus/$target" \
    -max_total_time="$seconds" ${FUZZ_RUNS:+-runs="$FUZZ_RUNS"} -print_final_stats=1 -timeout=10 -rss_limit_mb=4096 \
    -artifact_prefix="$work/$target/artifacts/" >"$log" 2>&1 || status=$?
executions=$(awk '/stat::number_of_executed_units/ { print $NF }' "$log")
if grep -q "libFuzzer: run interrupted" "$log"; then
    echo "fuzz.sh: $target interrupted after ${executions:-?} executions, no crash (log: $log)" >&2
    exit "$status"
fi
if [ "$status" -ne 0 ]; then
    tail -40 "$log" >&2
    echo "fuzz.sh: $target failed after ${executions:-?} executions; the input is in $work/$target/artifacts" >&2
    echo "fuzz.sh: to rerun it with allocation stacks: ASAN_OPTIONS= $binary INPUT" >&2
    exit "$status"
fi
elapsed=$(awk '/^Done [0-9]+ runs in/ { print $5 }' "$log")
echo "fuzz.sh: $target ran ${executions:-?} executions in ${elapsed:-$seconds} s, no crash (log: $log)"
