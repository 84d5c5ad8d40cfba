"""Benchmark the city simulator and print a markdown section for docs/benchmarks.md.

    python scripts/bench_simulate.py                      # 5,000 subscribers x 14 days
    python scripts/bench_simulate.py --subscribers 500 --days 3 --keep /tmp/city

Reports wall-clock time per stage, rows and files per interface kind, planted faults and peak
memory (resource.getrusage: the maximum resident set size of this process).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from lifecircle.simulate import simulate_city


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def run(subscribers: int, days: int, start: date, seed: int, workdir: Path) -> str:
    marks: list[tuple[float, str, int]] = []
    t0 = time.perf_counter()
    summary = simulate_city(workdir / "landing", workdir / "truth", subscribers=subscribers, days=days, start=start,
                            seed=seed, progress=lambda stage, rows: marks.append((time.perf_counter() - t0, stage, rows)))
    wall = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_mb = usage.ru_maxrss / 1024  # kilobytes on Linux

    # Per-day signalling progress marks are folded into one "signaling files" stage.
    stages: dict[str, float] = {}
    last = 0.0
    for t, stage, _ in marks:
        name = "signaling files" if stage.startswith("signaling 2") else stage
        stages[name] = stages.get(name, 0.0) + t - last
        last = t
    events = summary.rows["signaling"]
    lines = [
        f"## City simulator (`lifecircle simulate`, {subscribers:,} subscribers x {days} days)",
        "",
        f"Measured with `python scripts/bench_simulate.py --subscribers {subscribers} --days {days} --seed {seed}` "
        f"on {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.machine()}.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| wall-clock | {wall:.1f} s |",
        f"| CPU time (user + sys) | {usage.ru_utime + usage.ru_stime:.1f} s |",
        f"| peak memory (max RSS) | {peak_mb:,.0f} MB |",
        f"| landing size | {_size(workdir / 'landing') / 2**20:,.1f} MB (signalling gzip level 1) |",
        f"| truth size | {_size(workdir / 'truth') / 2**20:,.1f} MB |",
        f"| signalling records per subscriber per day | {events / subscribers / days:.0f} |",
        "",
        "| stage | seconds |",
        "|---|---|",
        *[f"| {name} | {sec:.1f} |" for name, sec in stages.items()],
        "",
        "| kind | files | valid distinct rows | injected duplicates | faulty lines |",
        "|---|---|---|---|---|",
        *[f"| {kind} | {summary.files[kind]} | {summary.rows[kind]:,} | {summary.duplicates.get(kind, 0):,} | "
          f"{sum(summary.faults.get(kind, {}).values()):,} |" for kind in summary.files],
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--subscribers", type=int, default=5000)
    ap.add_argument("--days", type=int, default=14)
    ap.add_argument("--start", type=date.fromisoformat, default=date(2026, 11, 1))
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", type=Path, help="write here and keep the output (default: a temporary folder)")
    args = ap.parse_args(argv)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="lifecircle-bench-"))
    try:
        print(run(args.subscribers, args.days, args.start, args.seed, workdir))
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
