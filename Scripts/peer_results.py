"""What Scripts/cpu-per-message.py and Scripts/latency-ratios.py share: reading run_peers
result lines into per-(label, size, subs) samples, and their medians and ratios to
tlv-ref-broker on the same transport and to nats-tcp."""
import re
import statistics
from collections import defaultdict


class PeerResults:
    def __init__(self, path, sample):
        """Reads the successful runs of `path`; `sample(fields)` turns a line's key=value
        fields into a tuple of figures, or None to skip the line."""
        self.runs = defaultdict(list)
        for line in open(path):
            if line.startswith("#") or "rc=0" not in line:
                continue
            fields = dict(re.findall(r"(\w+)=(\S+)", line))
            figures = sample(fields)
            if figures is not None:
                self.runs[(fields["label"], int(fields["size"]), int(fields["subs"]))].append(figures)

    def median(self, key, index):
        return self.summary(key, index, statistics.median)

    def summary(self, key, index, statistic):
        """`statistic` (median, min, ...) of figure `index` over the runs of `key`, or None."""
        values = self.runs.get(key)
        return statistic(v[index] for v in values) if values else None

    def rows(self):
        """(label, size, subs, ratio) per target, by size, subscribers and label; `ratio(value,
        peer, index, statistic=median)` divides a figure by that statistic of `peer`'s runs
        ("ref" or "nats")."""
        for (label, size, subs) in sorted(self.runs, key=lambda k: (k[1], k[2], k[0])):
            transport = "unix" if label.endswith("unix") else "tcp"
            peers = {"ref": (f"tlvref-{transport}", size, subs), "nats": ("nats-tcp", size, subs)}

            def ratio(value, peer, index, statistic=statistics.median, peers=peers):
                other = self.summary(peers[peer], index, statistic)
                return f"{value / other:.2f}" if other else "-"

            yield label, size, subs, ratio
