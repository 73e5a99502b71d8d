"""Validation of files with repeated keys against the same size of file without, all measured in
one run: `milbal validate`'s check (validate_paths) of generated manpower tables, and the GMI
importer's read of generated GMI files, of 10,000, 20,000 and 100,000 rows.

    .venv/bin/python benchmarks/bench_validate.py [--repeat 3] [--sizes 10000,20000,100000]

Each size is written three ways: every row's key distinct (the baseline), every row twice, and
one row in ten repeating a row above it; the rows are made of the embedded countries, measures
and a source id, so that references resolve. The three files of a size are timed in turn, once
per round (the machine's drift hits all three alike), and the median of the rounds is kept.
Seconds per 10,000 rows show whether the time grows in line with the rows.

Budget (issue 16): at the largest size, a file with repeated keys is checked within 1.5x the
time of its baseline, by `milbal validate` and by the importer. Exit code 1 if it is not. (Each
repeat was once compared with every row: 10,000 rows each written twice took 67 s to validate.)
"""

from __future__ import annotations

import argparse
import csv
import itertools
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout, not whichever the editable install points at

BUDGET = 1.5
VARIANTS = ("distinct", "every row twice", "1 in 10 repeated")
MANPOWER_HEADER = [
    "country",
    "year",
    "measure",
    "value",
    "low",
    "high",
    "qualifier",
    "source_id",
    "note",
]
GMI_HEADER = [
    "iso3",
    "name",
    "region",
    "year",
    "gmi_score",
    "milex_indicator",
    "personnel_indicator",
    "weapons_indicator",
    "gmi_rank",
]


def manpower_rows(source_id: str) -> Iterator[list[str]]:
    """Distinct manpower rows: every embedded country and measure, year by year from 1800."""
    from validation.catalog import datasets_dir
    from validation.schemas import MANPOWER_MEASURES

    with (datasets_dir() / "countries.csv").open(newline="", encoding="utf-8") as f:
        countries = [row["iso3"] for row in csv.DictReader(f)]
    for year in range(1800, 2101):
        for country in countries:
            for measure in MANPOWER_MEASURES:
                yield [country, str(year), measure, "1000", "", "", "exact", source_id, "bench"]


def gmi_rows() -> Iterator[list[str]]:
    """Distinct GMI rows: made-up three-letter codes, years 1990 to 2100."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for code in map("".join, itertools.product(letters, repeat=3)):
        for year in range(1990, 2101):
            rank = str(year - 1989)
            yield [code, f"Land {code}", "Bench region", str(year), "120", "1.1", "0.5", "1", rank]


def write(path: Path, header: list[str], rows: Iterator[list[str]], n: int, variant: str) -> Path:
    """`n` rows of `rows` as `variant` says: distinct (also ""), each written twice, or one row
    in ten a repeat of the row above it."""
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(header)
        if variant in ("distinct", ""):
            out.writerows(itertools.islice(rows, n))
        elif variant == "every row twice":
            for row in itertools.islice(rows, n // 2):
                out.writerows([row, row])
        else:
            for i, row in enumerate(itertools.islice(rows, n - n // 10)):
                out.writerows([row, row] if i % 9 == 0 else [row])
    return path


def measure(files: dict[str, Path], check: Callable[[Path], str], repeat: int) -> dict:
    """variant -> (median seconds, what the check said), the variants in turn once per round."""
    times: dict[str, list[float]] = {v: [] for v in files}
    said: dict[str, str] = {}
    for _ in range(repeat):
        for variant, path in files.items():
            start = time.perf_counter()
            said[variant] = check(path)
            times[variant].append(time.perf_counter() - start)
    return {v: (statistics.median(t), said[v]) for v, t in times.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="rounds (median)")
    parser.add_argument("--sizes", default="10000,20000,100000", help="rows, comma-separated")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    from validation.catalog import datasets_dir, load_directory, validate_paths
    from validation.importers import gmi
    from validation.importers.base import ImportRefused

    embedded, _ = load_directory(datasets_dir())
    source_id = str(embedded["sources"]["source_id"].iloc[0])

    def validate(path: Path) -> str:
        _, issues = validate_paths([path], "manpower", embedded)
        return f"{len(issues)} problems" if issues else "valid"

    def import_gmi(path: Path) -> str:
        try:
            gmi.read(path)
        except ImportRefused as exc:
            return f"refused, {len(exc.issues)} problems"
        return "read"

    routes = {
        "milbal validate (manpower)": (MANPOWER_HEADER, lambda: manpower_rows(source_id), validate),
        "importer (GMI file)": (GMI_HEADER, gmi_rows, import_gmi),
    }
    verdicts = []
    with tempfile.TemporaryDirectory(prefix="milbal-bench-validate-") as tmp:
        warm = write(Path(tmp) / "warm.csv", MANPOWER_HEADER, manpower_rows(source_id), 100, "")
        validate(warm)  # imports and pandera's schemas built once, as in a running command
        for route, (header, rows, check) in routes.items():
            print(f"{route}: median of {args.repeat} rounds")
            print(
                f"{'rows':>8}  {'file':<18}{'seconds':>9}{'s per 10k rows':>16}"
                f"{'vs distinct':>13}  outcome"
            )
            for n in sizes:
                files = {
                    v: write(Path(tmp) / f"{n}-{i}.csv", header, rows(), n, v)
                    for i, v in enumerate(VARIANTS)
                }
                medians = measure(files, check, args.repeat)
                base = medians["distinct"][0]
                for variant, (seconds, said) in medians.items():
                    print(
                        f"{n:>8,}  {variant:<18}{seconds:>9.2f}{seconds / n * 10_000:>16.3f}"
                        f"{seconds / base:>12.2f}x  {said}"
                    )
                    if n == sizes[-1] and variant != "distinct":
                        verdicts.append((route, variant, seconds / base))
            print()
    ok = all(ratio <= BUDGET for _, _, ratio in verdicts)
    worst = max(verdicts, key=lambda v: v[2])
    print(
        f"budget {BUDGET}x the distinct file's time at {sizes[-1]:,} rows: "
        f"{'within' if ok else 'OVER'} (worst: {worst[0]}, {worst[1]}, {worst[2]:.2f}x)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
