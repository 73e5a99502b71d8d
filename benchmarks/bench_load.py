"""Time load + validation of every embedded table against a bare pandas.read_csv of the same
files, in one run. Budget: load + validation under 0.3 s.

    uv run python benchmarks/bench_load.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import pandas as pd

from validation.catalog import datasets_dir, load_catalog
from validation.schemas import MODELS

BUDGET_S = 0.3


def _time(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    paths = [datasets_dir() / f"{name}.csv" for name in MODELS]

    def bare() -> None:
        for path in paths:
            pd.read_csv(path)

    def validated() -> None:
        load_catalog.cache_clear()
        load_catalog()

    validated()  # warm imports and pandera's schema construction once, as a running app would
    base = _time(bare, args.repeat)
    ours = _time(validated, args.repeat)
    rows = sum(len(t) for t in load_catalog().tables.values())
    b, o = statistics.median(base), statistics.median(ours)
    print(f"tables: {len(paths)}, rows: {rows}, repeats: {args.repeat}")
    print(f"bare pandas.read_csv:       median {b * 1000:7.1f} ms")
    print(f"load_catalog (validated):   median {o * 1000:7.1f} ms  (max {max(ours) * 1000:.1f} ms)")
    print(f"ratio validated / bare:     {o / b:7.1f}x")
    verdict = "within" if o < BUDGET_S else "OVER"
    print(f"budget {BUDGET_S * 1000:.0f} ms: {verdict}")
    return 0 if o < BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
