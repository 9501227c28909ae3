#!/bin/bash
# Instructions per single-thread acquire / write 64 B / release, counted by callgrind, for
# each subject named (default: malloc, the C library's malloc and the six pooled subjects).
# Instruction counts do not move with the VM's speed phases, so they show what a change to a
# pool's hot path does where timings cannot. Each subject runs twice, with OPERATIONS
# operations (default 1,000,000) and with none; the difference divided by OPERATIONS is what
# one operation costs.
#
#   Scripts/pool-instructions.sh
#   OPERATIONS=200000 Scripts/pool-instructions.sh arena arena-any
set -euo pipefail
operations=${OPERATIONS:-1000000}
root=$(cd "$(dirname "$0")/.." && pwd)
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install -y valgrind)" >&2; exit 1; }
cd "$root/Benchmarks"
swift build -c release --product PoolInstructions >/dev/null
# A copy without debug information, beside the original so it finds the same shared
# libraries: this valgrind (3.19) cannot read the DWARF 5 the Swift toolchain emits.
built=$(swift build -c release --show-bin-path)/PoolInstructions
binary=$built-no-debug-info
trap 'rm -f "$binary"' EXIT
objcopy --strip-debug "$built" "$binary"
if [ $# -eq 0 ]; then
    set -- malloc "malloc (C library)" mutex lockfree arena mutex-any lockfree-any arena-any
fi
# Total instructions of one run (callgrind's "I refs" line on stderr).
count() {
    local output
    if ! output=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$binary" "$1" "$2" 2>&1); then
        echo "$output" | grep -v '^==' >&2
        echo "PoolInstructions '$1' $2 failed under valgrind" >&2
        exit 1
    fi
    echo "$output" | awk '/I +refs:/ { gsub(",", "", $NF); print $NF }'
}
echo "| subject | instructions per operation |"
echo "|---|---|"
for subject in "$@"; do
    loaded=$(count "$subject" "$operations")
    empty=$(count "$subject" 0)
    echo "| $subject | $(awk -v a="$loaded" -v b="$empty" -v n="$operations" 'BEGIN { printf "%.1f", (a - b) / n }') |"
done
