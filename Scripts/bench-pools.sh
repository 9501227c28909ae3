#!/bin/bash
# Runs the pool benchmarks RUNS times (default 5) and summarises them against issue 3's
# targets with Scripts/pool-ratios.py: per scenario and backend, the p50 ns/op of every run,
# the ratio to malloc/free in the same run, the median ratio, and how many runs met each
# target. A single run on a shared 2-core VM moves by up to 2x between phases of a few
# seconds, which is enough to flip a target either way: quote the median and the count.
# Then it prints PoolPairs (the same scenarios timed in interleaved pairs, so each ratio
# is taken within one phase), whose ratios are the steadier ones.
#
#   Scripts/bench-pools.sh                 # 5 runs, ~3 minutes each
#   RUNS=3 FILTER='SingleThread.*' Scripts/bench-pools.sh
#
# Raw outputs stay in $OUT (default /tmp/mycelium-bench/pools-<time>).
set -euo pipefail
runs=${RUNS:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-/tmp/mycelium-bench/pools-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
cd "$root/Benchmarks"
for run in $(seq 1 "$runs"); do
    echo "run $run of $runs -> $out/run-$run.txt" >&2
    swift package benchmark --target PoolBenchmarks --no-progress ${FILTER:+--filter "$FILTER"} >"$out/run-$run.txt" 2>&1 || {
        tail -20 "$out/run-$run.txt" >&2
        exit 1
    }
done
python3 "$root/Scripts/pool-ratios.py" "$out"/run-*.txt
swift run -c release -q PoolPairs | tee "$out/pairs.txt"
