#!/usr/bin/env python3
"""One-way latency from run_peers latency results (median of the reps' p50 and p99), with
ratios to tlv-ref-broker on the same transport and to nats-tcp.

    python3 Scripts/latency-ratios.py $BENCH_WORK/results/bench-broker-*-latency.txt
"""
import sys

from peer_results import PeerResults


def sample(fields):
    if fields.get("mode") != "latency":
        return None
    return (float(fields["p50_us"]), float(fields["p99_us"]))


results = PeerResults(sys.argv[1], sample)
print("| broker | size | subs | p50 µs | x C ref | x NATS | p99 µs | x C ref |")
print("|---|---|---|---|---|---|---|---|")
for label, size, subs, ratio in results.rows():
    p50, p99 = results.median((label, size, subs), 0), results.median((label, size, subs), 1)
    print(f"| {label} | {size} | {subs} | {p50:.1f} | {ratio(p50, 'ref', 0)} | {ratio(p50, 'nats', 0)} | {p99:.1f} | {ratio(p99, 'ref', 1)} |")
