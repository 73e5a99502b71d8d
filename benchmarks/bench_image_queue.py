"""Heavy image requests against `milbal serve` over HTTP on 127.0.0.1 (issue 16): an image over
the pixel limit, a small PNG asked while large ones are queued, identical large PNGs at once.

    .venv/bin/python benchmarks/bench_image_queue.py [--large 24] [--prod]

Reported: the over-limit request's status and time; with --large distinct 16 MP PNGs asked at
once, how long a 201 px PNG asked 0.5 s later takes, and how the large ones were answered (200,
or 503 with Retry-After once QUEUE_DEPTH wait); five identical 16 MP PNGs at once: their cache
headers (one drawn, four given its bytes) and the time. Exit code 1 when the small PNG is not
answered 200 or takes longer than BUDGET_S.
"""

from __future__ import annotations

import argparse
import http.client
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _process import free_port, stop
from bench_callbacks import start

BUDGET_S = 2.0
CHART = "/chart/rankings-trend.png"


def fetch(port: int, path: str) -> tuple[int, str, float]:
    """(status, X-Milbal-Cache or Retry-After, seconds) of one GET on its own connection."""
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        note = response.getheader("X-Milbal-Cache") or response.getheader("Retry-After")
        return response.status, note or "", time.perf_counter() - t0
    finally:
        conn.close()


def at_once(port: int, paths: list[str]) -> list[tuple[int, str, float]]:
    results: list[tuple[int, str, float]] = [(0, "", 0.0)] * len(paths)

    def work(i: int) -> None:
        results[i] = fetch(port, paths[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(paths))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=int, default=24, help="16 MP PNGs asked at once")
    parser.add_argument("--prod", action="store_true", help="gunicorn, as `serve --prod`")
    args = parser.parse_args()
    port = free_port()
    cmd = [sys.executable, "-m", "dashboard.cli", "serve", "--port", str(port)]
    proc, _ = start([*cmd, "--prod"] if args.prod else cmd, port)
    try:
        fetch(port, f"{CHART}?width=300&height=300")  # Chromium started, the chart drawn once
        status, _, took = fetch(port, f"{CHART}?width=4000&height=4000&scale=4")
        print(f"4000x4000 at scale 4: {status} in {took * 1000:.0f} ms")

        large = [f"{CHART}?width=4000&height={4000 - i}" for i in range(args.large)]
        small: list[tuple[int, str, float]] = []
        timer = threading.Timer(0.5, lambda: small.append(fetch(port, f"{CHART}?width=201")))
        t0 = time.perf_counter()
        timer.start()
        answers = at_once(port, large)
        timer.join()
        wall = time.perf_counter() - t0
        counts = Counter(status for status, _, _ in answers)
        slowest = max(took for status, _, took in answers if status == 200)
        print(
            f"{args.large} large PNGs at once: {dict(counts)} in {wall:.1f} s "
            f"(slowest 200: {slowest:.1f} s)"
        )
        small_status, _, small_s = small[0]
        print(f"201 px PNG asked 0.5 s later: {small_status} in {small_s * 1000:.0f} ms")

        t0 = time.perf_counter()
        same = at_once(port, [f"{CHART}?width=3999&height=3999"] * 5)
        notes = sorted(note for _, note, _ in same)
        print(f"5 identical 16 MP PNGs: {notes} in {time.perf_counter() - t0:.1f} s")
    finally:
        stop(proc)
    return 0 if small_status == 200 and small_s <= BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
