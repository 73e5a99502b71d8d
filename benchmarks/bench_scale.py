"""A generated World Bank bulk file of 200 countries x 35 years x 60 indicators (420,000 values)
imported through the normal path, then validated and served, all measured in one run.

    .venv/bin/python benchmarks/bench_scale.py [--states 60] [--rounds 3]

In a temporary folder (removed at the end): write the file (made-up countries with
user-assigned ISO3 codes from QMA upward, which no country has; 3 of the 60 indicators are the
military ones milbal keeps, so manpower and spending grow too), run `milbal import wdi FILE` in a
subprocess with MILBAL_DATA_DIR set to a temporary folder (time, peak memory: ru_maxrss of that
child), then load_catalog() with the import in a subprocess (time and peak memory; the same with
embedded data only for comparison), then each page's callback p95 over distinct states (3 rounds,
the drawn-state caches emptied before each with /bench/forget) on a server with the imported data
against a server with embedded data only, one after the other, the same states on both.

Budget: each page's p95 within 3x its embedded-data p95; every process's peak memory under 1 GB.
Exit code 1 if a budget is missed.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_callbacks import (
    BENCH_APP,
    ROOT,
    callback_for,
    free_port,
    get,
    p95,
    payload,
    post,
    states_for,
    time_posts,
)

COUNTRIES, YEARS, INDICATORS = 200, range(1989, 2024), 60
KNOWN = {
    "MS.MIL.TOTL.P1": ("Armed forces personnel, total", 1_000, 1_500_000),
    "MS.MIL.XPND.GD.ZS": ("Military expenditure (% of GDP)", 0.3, 9.0),
    "MS.MIL.XPND.CD": ("Military expenditure (current US$)", 1e7, 5e11),
}
BUDGET_P95, BUDGET_MB = 3.0, 1024
VALIDATE = """
import json, time
from validation.catalog import load_catalog
from validation.importers import wdi, store  # the modules a load needs, imported untimed
t0 = time.perf_counter()
catalog = load_catalog()
seconds = time.perf_counter() - t0
rows = {name: len(frame) for name, frame in catalog.tables.items()}
print(json.dumps({"seconds": seconds, "rows": rows, "imported": list(catalog.imported)}))
"""


def made_up_codes(n: int, taken: set[str]) -> list[str]:
    """ISO3 codes from QMA upward (ISO 3166 leaves QM-QZ to users: no country has one)."""
    codes = []
    for second in "MNOPQRSTUVWXYZ":
        for third in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
            code = f"Q{second}{third}"
            if code not in taken:
                codes.append(code)
            if len(codes) == n:
                return codes
    raise SystemExit(f"not {n} made-up codes")


def generate(path: Path, seed: int = 11) -> int:
    """Write the bulk file; returns the number of values."""
    from validation.catalog import datasets_dir

    with (datasets_dir() / "countries.csv").open(newline="", encoding="utf-8") as f:
        taken = {row["iso3"] for row in csv.DictReader(f)}
    rng = random.Random(seed)
    indicators = list(KNOWN.items()) + [
        (f"BENCH.IND.{i:02d}", (f"Bench indicator {i:02d}", -50.0, 1e6))
        for i in range(1, INDICATORS - len(KNOWN) + 1)
    ]
    values = 0
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\n")
        out.writerow(
            ["Country Name", "Country Code", "Indicator Name", "Indicator Code", *YEARS, ""]
        )
        for code in made_up_codes(COUNTRIES, taken):
            for indicator, (name, lo, hi) in indicators:
                cells = [f"{rng.uniform(lo, hi):.6g}" for _ in YEARS]
                values += len(cells)
                out.writerow([f"Testland {code}", code, name, indicator, *cells, ""])
    return values


def run_measured(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run a child to its end: (seconds, peak resident MB of that child, its stdout)."""
    with tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{text[-3000:]}")
    return seconds, usage.ru_maxrss / 1024, text


def serve(
    script: str, env: dict[str, str], deadline_s: float = 180
) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, script, str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < deadline_s:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            if get(port, "/") == 200 and get(port, "/_dash-layout") == 200:
                return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit(f"server did not start within {deadline_s} s")


def shut(proc: subprocess.Popen) -> float:
    """Stop a server; its peak resident MB."""
    proc.terminate()
    deadline = time.perf_counter() + 10
    while time.perf_counter() < deadline:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return usage.ru_maxrss / 1024
        time.sleep(0.05)
    proc.kill()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss / 1024


def page_p95s(
    script: str, env: dict[str, str], pages, states: dict, rounds: int
) -> tuple[dict, float]:
    """page -> (p50, p95, n) over the distinct states, rounds with /bench/forget; server MB."""
    proc, port = serve(script, env)
    out = {}
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/_dash-dependencies")
        deps = json.loads(conn.getresponse().read())
        conn.close()
        trivial_cb = callback_for(deps, "bench-trivial")
        time_posts(port, [payload(trivial_cb, {"in": i}, "bench-trivial-") for i in range(20)])
        for module in pages:
            prefix = f"{module.PAGE}-"
            cb = callback_for(deps, prefix)
            if cb is None:
                continue
            bodies = [payload(cb, s, prefix) for s in states[module.PAGE]]
            times: list[float] = []
            for _ in range(rounds):
                post(port, "/bench/forget")
                times += time_posts(port, bodies)
            out[module.PAGE] = (statistics.median(times), p95(times), len(times))
    finally:
        memory = shut(proc)
    return out, memory


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--states", type=int, default=60, help="distinct states per page")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="milbal-scale-"))
    failures: list[str] = []
    try:
        empty, data = tmp / "embedded-only", tmp / "data"
        empty.mkdir()
        base_env = {**os.environ, "MILBAL_DATA_DIR": str(empty)}
        env = {**os.environ, "MILBAL_DATA_DIR": str(data)}
        # The pages' states, from the embedded catalog, sent to both servers alike.
        os.environ["MILBAL_DATA_DIR"] = str(empty)
        from dashboard.factory import load_pages

        pages = [m for m in load_pages() if hasattr(m, "PARAMS") and hasattr(m, "PAGE")]
        states = {m.PAGE: states_for(m.PARAMS, args.states) for m in pages}

        bulk = tmp / "WDIData_bench.csv"
        t0 = time.perf_counter()
        values = generate(bulk)
        size = bulk.stat().st_size / 1024 / 1024
        print(
            f"generated {bulk.name}: {COUNTRIES} countries x {len(YEARS)} years x {INDICATORS} "
            f"indicators = {values} values, {size:.1f} MB in {time.perf_counter() - t0:.1f} s"
        )
        memory: dict[str, float] = {}
        seconds, memory["import"], _ = run_measured(
            [sys.executable, "-m", "dashboard.cli", "import", "wdi", str(bulk)], env
        )
        record = json.loads((data / "wdi-bulk" / "record.json").read_text(encoding="utf-8"))
        print(f"import (milbal import wdi):  {seconds:6.2f} s, peak {memory['import']:6.0f} MB")
        print(f"  rows stored: {record['rows']}, countries: {record['countries']}")
        check = [sys.executable, "-c", textwrap.dedent(VALIDATE)]
        base_s, memory["validate, embedded"], base_text = run_measured(check, base_env)
        val_s, memory["validate, imported"], val_text = run_measured(check, env)
        base_rows = json.loads(base_text.splitlines()[-1])
        ours = json.loads(val_text.splitlines()[-1])
        if ours["imported"] != ["wdi-bulk"]:
            raise SystemExit(f"the catalog did not take the import: {ours['imported']}")
        print(
            f"validation (load_catalog): {ours['seconds']:6.2f} s "
            f"({val_s:.2f} s with Python start-up), peak {memory['validate, imported']:6.0f} MB; "
            f"embedded only {base_rows['seconds']:.2f} s ({base_s:.2f} s), "
            f"{memory['validate, embedded']:.0f} MB"
        )
        total = sum(ours["rows"].values())
        print(f"  rows loaded: {total} (embedded only {sum(base_rows['rows'].values())})")

        with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False, dir=tmp) as f:
            f.write(textwrap.dedent(BENCH_APP))
            script = f.name
        base, memory["server, embedded"] = page_p95s(script, base_env, pages, states, args.rounds)
        big, memory["server, imported"] = page_p95s(script, env, pages, states, args.rounds)
        print(
            f"{'page':<14}{'n':>5}{'embedded p95':>14}{'imported p95':>14}{'ratio':>8}{'budget':>8}"
        )
        for page, (_, p95_base, n) in base.items():
            _, p95_big, _ = big[page]
            ratio = p95_big / p95_base
            flag = "" if ratio <= BUDGET_P95 else "  OVER"
            if flag:
                failures.append(f"{page} p95")
            print(
                f"{page:<14}{n:>5}{p95_base * 1e3:>11.1f} ms{p95_big * 1e3:>11.1f} ms"
                f"{ratio:>8.2f}{BUDGET_P95:>7.1f}x{flag}"
            )
        print("peak memory (ru_maxrss):")
        for name, mb in memory.items():
            flag = "" if mb < BUDGET_MB else "  OVER"
            if flag:
                failures.append(f"{name} memory")
            print(f"  {name:<20}{mb:>7.0f} MB{flag}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(
        f"budget: p95 within {BUDGET_P95:g}x, memory under {BUDGET_MB} MB: "
        + ("within" if not failures else "OVER: " + ", ".join(failures))
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
