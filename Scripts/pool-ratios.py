#!/usr/bin/env python3
"""Summarises runs of the pool benchmarks (`swift package benchmark --no-progress` output,
one file per run) against issue 3's targets.

For every scenario and subject it prints the p50 ns/op of each run, the ratio to malloc/free
measured in the same run, and the median of those ratios; then each target with the number
of runs that met it. One run on a shared 2-core VM moves by up to 2x from phase to phase, so
quote the median and the count, not a single run.

Usage: Scripts/pool-ratios.py RUN.txt [RUN.txt ...]
"""
import re
import statistics
import sys

# "-any": the same backend made through the registry and called as `any PoolBackend`.
SUBJECTS = ["malloc", "seed", "system", "mutex-any", "lockfree-any", "arena-any", "mutex", "lockfree", "arena"]
POOLED = ["mutex", "lockfree", "arena", "mutex-any", "lockfree-any", "arena-any"]
# (scenario, subject, kind, bound): kind "x_malloc" is an upper bound on p50 / malloc's p50;
# "x_seed" a lower bound on seed's p50 / the subject's p50.
TARGETS = [
    ("SingleThread", "arena", "x_malloc", 0.35),
    ("SingleThread", "lockfree", "x_malloc", 0.6),
    ("SingleThread", "mutex", "x_malloc", 0.6),
    ("CrossThreadRelease", "arena", "x_malloc", 0.35),
    ("CrossThreadRelease", "lockfree", "x_malloc", 0.35),
    ("SingleThread", "mutex", "x_seed", 30),
    ("SingleThread", "lockfree", "x_seed", 30),
    ("SingleThread", "arena", "x_seed", 30),
]


def parse(path):
    """{benchmark name: {"time": p50 ns, "mallocs": p50 count}} of one run."""
    results, name = {}, None
    for line in open(path, encoding="utf-8", errors="replace"):
        stripped = line.strip()
        if re.fullmatch(r"[A-Za-z0-9]+\.[a-z-]+", stripped):
            name = stripped
            continue
        if name is None or not line.startswith("│"):
            continue
        cells = [cell.strip() for cell in line.split("│")[1:-1]]
        if len(cells) < 4:
            continue
        metric, p50 = cells[0], cells[3].replace(",", "")
        if not p50.isdigit():
            continue
        if metric.startswith("Time (wall clock) (ns)"):
            results.setdefault(name, {})["time"] = int(p50)
        elif metric.startswith("Malloc (total)"):
            results.setdefault(name, {})["mallocs"] = int(p50)
    return results


def main(paths):
    runs = [parse(path) for path in paths]
    scenarios = sorted({name.split(".")[0] for run in runs for name in run})

    def time(run, scenario, subject):
        return run.get(f"{scenario}.{subject}", {}).get("time")

    def ratios(scenario, subject, kind):
        values = []
        for run in runs:
            own, malloc, seed = (time(run, scenario, s) for s in (subject, "malloc", "seed"))
            if kind == "x_malloc" and own and malloc:
                values.append(own / malloc)
            elif kind == "x_seed" and own and seed:
                values.append(seed / own)
        return values

    print(f"{len(runs)} runs: " + ", ".join(paths))
    print()
    print("| scenario | subject | p50 ns/op per run | × malloc per run | median × malloc | mallocs/op (max) |")
    print("|---|---|---|---|---|---|")
    for scenario in scenarios:
        for subject in SUBJECTS:
            times = [time(run, scenario, subject) for run in runs]
            if not any(times):
                continue
            per_run = ratios(scenario, subject, "x_malloc")
            mallocs = [run.get(f"{scenario}.{subject}", {}).get("mallocs") for run in runs]
            mallocs = [m for m in mallocs if m is not None]
            print(
                f"| {scenario} | {subject} | {' '.join(str(t) if t else '–' for t in times)} "
                f"| {' '.join(f'{r:.2f}' for r in per_run)} "
                f"| {statistics.median(per_run):.2f} | {max(mallocs) if mallocs else '–'} |"
            )
    print()
    print("| target | per run | median | met in |")
    print("|---|---|---|---|")
    for scenario, subject, kind, bound in TARGETS:
        values = ratios(scenario, subject, kind)
        if not values:
            continue
        if kind == "x_malloc":
            label, met = f"{scenario} {subject} ≤ {bound}x malloc", [v <= bound for v in values]
        else:
            label, met = f"{scenario} {subject} ≥ {bound}x faster than seed", [v >= bound for v in values]
        print(
            f"| {label} | {' '.join(f'{v:.2f}' for v in values)} | {statistics.median(values):.2f} "
            f"| {sum(met)} of {len(values)} |"
        )
    allocating = [
        f"{name} ({result['mallocs']})"
        for run in runs
        for name, result in run.items()
        if name.split(".")[1] in POOLED and result.get("mallocs", 0) != 0
    ]
    print(f"| 0 mallocs/op for {', '.join(POOLED)} | | | {'every run' if not allocating else 'NOT: ' + ', '.join(allocating)} |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
