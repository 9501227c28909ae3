#!/usr/bin/env python3
"""Broker CPU per delivered message from run_peers raw results (median of the reps), with
ratios to tlv-ref-broker on the same transport and to nats-tcp.

    python3 Scripts/cpu-per-message.py $BENCH_WORK/results/peers-*.txt
"""
import sys

from peer_results import PeerResults


def sample(fields):
    if "server_cpu" not in fields or float(fields["server_cpu"]) < 0:
        return None
    ns = float(fields["server_cpu"]) * float(fields["seconds"]) / float(fields["delivered"]) * 1e9
    return (ns, float(fields["msgs_per_s"]))


results = PeerResults(sys.argv[1], sample)
print("| broker | size | subs | CPU ns/msg | x C ref | x NATS | msgs/s | x C ref | x NATS |")
print("|---|---|---|---|---|---|---|---|---|")
for label, size, subs, ratio in results.rows():
    ns, rate = results.median((label, size, subs), 0), results.median((label, size, subs), 1)
    print(f"| {label} | {size} | {subs} | {ns:.0f} | {ratio(ns, 'ref', 0)} | {ratio(ns, 'nats', 0)} | {rate/1e6:.2f}M | {ratio(rate, 'ref', 1)} | {ratio(rate, 'nats', 1)} |")
