"""Time load + validation of every embedded table (the built-in world tables included) against a
bare pandas.read_csv of the same files, in one run; and the load the app pays at start, which
reads the catalog checked once per content back from the cache (validation.cache).
Budget: the start-up load under 0.3 s.

    .venv/bin/python benchmarks/bench_load.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

import pandas as pd

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
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    # our own empty cache and no imports: what a fresh clone has
    os.environ["MILBAL_CACHE_DIR"] = tempfile.mkdtemp(prefix="milbal-bench-cache-")
    os.environ["MILBAL_DATA_DIR"] = tempfile.mkdtemp(prefix="milbal-bench-data-")
    from validation.catalog import datasets_dir, load_catalog, read_and_validate

    paths = sorted(p for p in datasets_dir().rglob("*.csv"))

    def bare() -> None:
        for path in paths:
            pd.read_csv(path)

    def validated() -> None:
        read_and_validate()

    def at_start() -> None:
        load_catalog.cache_clear()
        load_catalog()

    validated()  # warm imports and pandera's schema construction once, as a running app would
    base = _time(bare, args.repeat)
    ours = _time(validated, args.repeat)
    at_start()  # the first start checks and keeps the catalog; later starts read it back
    cached = _time(at_start, args.repeat * 4)
    rows = sum(len(t) for t in load_catalog().tables.values())
    b, o, c = statistics.median(base), statistics.median(ours), statistics.median(cached)
    print(f"files: {len(paths)}, rows: {rows}, repeats: {args.repeat}")
    print(f"bare pandas.read_csv:              median {b * 1000:8.1f} ms")
    print(f"read + validate every table:       median {o * 1000:8.1f} ms  ({o / b:.1f}x bare)")
    print(f"load at start (checked, cached):   median {c * 1000:8.1f} ms  ({c / b:.2f}x bare)")
    verdict = "within" if c < BUDGET_S else "OVER"
    print(f"budget {BUDGET_S * 1000:.0f} ms for the load at start: {verdict}")
    return 0 if c < BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
