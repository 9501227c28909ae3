#!/usr/bin/env python3
"""One-way latency from run_peers latency results (median of the reps' p50 and p99), with
ratios to tlv-ref-broker on the same transport and to nats-tcp.

    python3 Scripts/latency-ratios.py $BENCH_WORK/results/bench-broker-*-latency.txt
"""
import re
import statistics
import sys
from collections import defaultdict

runs = defaultdict(list)
for line in open(sys.argv[1]):
    if line.startswith("#") or "rc=0" not in line or "mode=latency" not in line:
        continue
    fields = dict(re.findall(r"(\w+)=(\S+)", line))
    runs[(fields["label"], int(fields["size"]), int(fields["subs"]))].append(
        (float(fields["p50_us"]), float(fields["p99_us"])))

def median(key, index):
    values = runs.get(key)
    return statistics.median(v[index] for v in values) if values else None

print("| broker | size | subs | p50 µs | x C ref | x NATS | p99 µs | x C ref |")
print("|---|---|---|---|---|---|---|---|")
for (label, size, subs) in sorted(runs, key=lambda k: (k[1], k[2], k[0])):
    p50, p99 = median((label, size, subs), 0), median((label, size, subs), 1)
    transport = "unix" if label.endswith("unix") else "tcp"
    ref = (f"tlvref-{transport}", size, subs)
    nats = ("nats-tcp", size, subs)
    def ratio(value, key, index):
        other = median(key, index)
        return f"{value / other:.2f}" if other else "-"
    print(f"| {label} | {size} | {subs} | {p50:.1f} | {ratio(p50, ref, 0)} | {ratio(p50, nats, 0)} | {p99:.1f} | {ratio(p99, ref, 1)} |")
