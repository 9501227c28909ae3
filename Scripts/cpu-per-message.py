#!/usr/bin/env python3
"""Broker CPU per delivered message from run_peers raw results (median of the reps), with
ratios to tlv-ref-broker on the same transport and to nats-tcp.

"best x C ref" divides the lowest CPU per message of the reps by the C reference's lowest.
On a VM whose speed has two modes (TCP at 16 KiB: a run costs either ~4,000 or ~9,000 ns
per message, for the C reference as for mycelium) the median says which mode most reps
drew; the best of each compares the brokers in the same, fast, mode.

    python3 Scripts/cpu-per-message.py $BENCH_WORK/results/peers-*.txt
"""
import statistics
import sys

from peer_results import PeerResults


def sample(fields):
    if "server_cpu" not in fields or float(fields["server_cpu"]) < 0:
        return None
    ns = float(fields["server_cpu"]) * float(fields["seconds"]) / float(fields["delivered"]) * 1e9
    return (ns, float(fields["msgs_per_s"]))


results = PeerResults(sys.argv[1], sample)
print("| broker | size | subs | CPU ns/msg | x C ref | best x C ref | x NATS | msgs/s | x C ref | x NATS |")
print("|---|---|---|---|---|---|---|---|---|---|")
for label, size, subs, ratio in results.rows():
    ns, rate = results.median((label, size, subs), 0), results.median((label, size, subs), 1)
    best = results.summary((label, size, subs), 0, min)
    print(f"| {label} | {size} | {subs} | {ns:.0f} | {ratio(ns, 'ref', 0)} | {ratio(best, 'ref', 0, min)} | {ratio(ns, 'nats', 0)} | {rate/1e6:.2f}M | {ratio(rate, 'ref', 1)} | {ratio(rate, 'nats', 1)} |")
