#!/usr/bin/env python3
"""Broker CPU per delivered message from run_peers raw results (median of the reps), with
ratios to tlv-ref-broker on the same transport and to nats-tcp.

    python3 Scripts/cpu-per-message.py $BENCH_WORK/results/peers-*.txt
"""
import re
import statistics
import sys
from collections import defaultdict

runs = defaultdict(list)
for line in open(sys.argv[1]):
    if line.startswith("#") or "rc=0" not in line:
        continue
    fields = dict(re.findall(r"(\w+)=(\S+)", line))
    if "server_cpu" not in fields or float(fields["server_cpu"]) < 0:
        continue
    ns = float(fields["server_cpu"]) * float(fields["seconds"]) / float(fields["delivered"]) * 1e9
    runs[(fields["label"], int(fields["size"]), int(fields["subs"]))].append((ns, float(fields["msgs_per_s"])))

def median(key, index):
    values = runs.get(key)
    return statistics.median(v[index] for v in values) if values else None

print("| broker | size | subs | CPU ns/msg | x C ref | x NATS | msgs/s | x C ref | x NATS |")
print("|---|---|---|---|---|---|---|---|---|")
for (label, size, subs) in sorted(runs, key=lambda k: (k[1], k[2], k[0])):
    ns, rate = median((label, size, subs), 0), median((label, size, subs), 1)
    transport = "unix" if label.endswith("unix") else "tcp"
    ref = (f"tlvref-{transport}", size, subs)
    nats = ("nats-tcp", size, subs)
    def ratio(value, key, index):
        other = median(key, index)
        return f"{value / other:.2f}" if other else "-"
    print(f"| {label} | {size} | {subs} | {ns:.0f} | {ratio(ns, ref, 0)} | {ratio(ns, nats, 0)} | {rate/1e6:.2f}M | {ratio(rate, ref, 1)} | {ratio(rate, nats, 1)} |")
