"""Concurrent load on pages, page callbacks and chart routes over real HTTP on 127.0.0.1, and
the real callbacks' throughput as a share of a trivial callback's, on the same server in one run.

    .venv/bin/python benchmarks/bench_http_load.py [--clients 32] [--seconds 60] [--prod]

The app is bench_callbacks.py's BENCH_APP (milbal's app plus one trivial callback), served by
Flask's threaded server, or with --prod by gunicorn as `milbal serve --prod` runs it. The run is
split in three phases one after the other, each with every client: a mix (half the time) of
pages (GET / and /compare?...), page callbacks (POST /_dash-update-component, distinct states)
and chart routes (/chart/<slug>.csv and .json, a few .png); then the trivial callback only
(a quarter); then the page callbacks only (a quarter). Each client is a thread with its own
keep-alive http.client connection. Bounded: no request starts after its phase's end, every
request times out after --timeout s, and the whole run is abandoned (and failed) when it is
still going --timeout s after the last phase should have ended.

Reported: requests, errors (a non-2xx answer or an exception; must be zero), p50/p95 latency
per kind, and the callbacks' throughput as a share of the trivial callback's. Exit code 1 when
there is any error.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import sys
import tempfile
import textwrap
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_callbacks import (
    BENCH_APP,
    callback_for,
    free_port,
    payload,
    start,
    states_for,
    stop,
)

# Under --prod the same app is served by gunicorn, as `milbal serve --prod` serves it.
PROD_RUN = """
from dashboard.serving import ServeOptions, default_workers, serve_prod
workers = int(sys.argv[2]) or default_workers()
serve_prod(app.server, ServeOptions(port=int(sys.argv[1]), workers=workers))
"""
PAGES = ["/", "/compare?a=ARM&b=AZE&year=2021", "/compare?a=AZE&b=ARM", "/compare?a=ARM&b=GEO"]
# Shares of the mixed phase's requests.
MIX = {"page": 0.15, "callback": 0.45, "chart csv": 0.19, "chart json": 0.19, "chart png": 0.02}
JSON = {"Content-Type": "application/json"}


@dataclass
class Request:
    kind: str
    method: str
    path: str
    body: bytes | None = None


@dataclass
class Tally:
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, error: str | None) -> None:
        with self.lock:
            if error is None:
                self.times[kind].append(seconds)
            else:
                self.errors[kind].append(error)

    def count(self) -> int:
        return sum(map(len, self.times.values())) + sum(map(len, self.errors.values()))


def client(
    port: int, pick, deadline: float, timeout: float, tally: Tally, seed: int, stopped
) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        while time.perf_counter() < deadline and not stopped.is_set():
            req = pick(rng)
            t0 = time.perf_counter()
            error = None
            try:
                conn.request(req.method, req.path, body=req.body, headers=JSON if req.body else {})
                response = conn.getresponse()
                response.read()
                if not 200 <= response.status < 300:
                    error = f"{req.method} {req.path}: HTTP {response.status}"
            except (OSError, http.client.HTTPException) as exc:
                error = f"{req.method} {req.path}: {type(exc).__name__}: {exc}"
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
            tally.add(req.kind, time.perf_counter() - t0, error)
    finally:
        conn.close()


def phase(port: int, clients: int, seconds: float, timeout: float, pick) -> tuple[Tally, float]:
    """Every client for `seconds`; returns the tally and the phase's wall time."""
    tally = Tally()
    stopped = threading.Event()
    t0 = time.perf_counter()
    deadline = t0 + seconds
    threads = [
        threading.Thread(
            target=client,
            args=(port, pick, deadline, timeout, tally, i, stopped),
            daemon=True,
        )
        for i in range(clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(0.0, deadline + timeout - time.perf_counter()))
    stopped.set()
    hung = sum(t.is_alive() for t in threads)
    if hung:
        tally.errors["hard stop"].append(f"{hung} clients still waiting after the hard stop")
    return tally, time.perf_counter() - t0


def pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100)[q - 1]


def report(name: str, tally: Tally, wall: float) -> None:
    print(f"{name}: {tally.count()} requests in {wall:.1f} s ({tally.count() / wall:.0f}/s)")
    for kind in sorted(set(tally.times) | set(tally.errors)):
        ok, bad = tally.times.get(kind, []), tally.errors.get(kind, [])
        print(
            f"  {kind:<12}{len(ok) + len(bad):>8}{len(bad):>8}"
            f"{pct(ok, 50) * 1e3:>10.1f}{pct(ok, 95) * 1e3:>10.1f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60, help="whole run, all phases")
    parser.add_argument("--timeout", type=float, default=30, help="per request; hard stop")
    parser.add_argument("--states", type=int, default=60, help="distinct states per page")
    parser.add_argument("--prod", action="store_true", help="serve with gunicorn (--prod)")
    parser.add_argument("--workers", type=int, default=0, help="with --prod (0: per core)")
    args = parser.parse_args()

    from dashboard.charts import load_charts
    from dashboard.factory import load_pages

    pages = [m for m in load_pages() if hasattr(m, "PARAMS") and hasattr(m, "PAGE")]
    slugs = list(load_charts())
    code = textwrap.dedent(BENCH_APP)
    if args.prod:
        code = code.replace(
            'app.run(host="127.0.0.1", port=int(sys.argv[1]), threaded=True)',
            textwrap.dedent(PROD_RUN),
        )
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(code)
        script = f.name
    port = free_port()
    proc, _ = start([sys.executable, script, str(port), str(args.workers)], port, 120)
    errors = 0
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=args.timeout)
        conn.request("GET", "/_dash-dependencies")
        deps = json.loads(conn.getresponse().read())
        conn.close()
        trivial_cb = callback_for(deps, "bench-trivial")
        trivial = [
            Request("trivial", "POST", "/_dash-update-component", body)
            for body in (payload(trivial_cb, {"in": i}, "bench-trivial-") for i in range(500))
        ]
        callbacks = []
        for module in pages:
            cb = callback_for(deps, f"{module.PAGE}-")
            if cb is not None:
                callbacks += [
                    Request(
                        "callback",
                        "POST",
                        "/_dash-update-component",
                        payload(cb, s, f"{module.PAGE}-"),
                    )
                    for s in states_for(module.PARAMS, args.states)
                ]
        by_kind = {
            "page": [Request("page", "GET", p) for p in PAGES],
            "callback": callbacks,
            "chart csv": [Request("chart csv", "GET", f"/chart/{s}.csv") for s in slugs],
            "chart json": [Request("chart json", "GET", f"/chart/{s}.json") for s in slugs],
            "chart png": [Request("chart png", "GET", f"/chart/{s}.png") for s in slugs],
        }
        kinds, weights = list(MIX), list(MIX.values())

        def mixed(rng: random.Random) -> Request:
            return rng.choice(by_kind[rng.choices(kinds, weights)[0]])

        print(
            f"{'mode':<6}{'prod (gunicorn)' if args.prod else 'Flask threaded'}, "
            f"{args.clients} clients, {args.seconds:g} s, {len(callbacks)} callback states, "
            f"{len(slugs)} charts"
        )
        print(f"  {'kind':<12}{'requests':>8}{'errors':>8}{'p50 ms':>10}{'p95 ms':>10}")
        split = {"mix": args.seconds / 2, "trivial": args.seconds / 4, "real": args.seconds / 4}
        mix, wall_mix = phase(port, args.clients, split["mix"], args.timeout, mixed)
        report("mixed pages, callbacks, charts", mix, wall_mix)
        base, wall_base = phase(
            port, args.clients, split["trivial"], args.timeout, lambda r: r.choice(trivial)
        )
        report("trivial callback only", base, wall_base)
        real, wall_real = phase(
            port, args.clients, split["real"], args.timeout, lambda r: r.choice(callbacks)
        )
        report("page callbacks only", real, wall_real)
        for tally in (mix, base, real):
            errors += sum(map(len, tally.errors.values()))
            for kind, messages in tally.errors.items():
                for message in sorted(set(messages))[:5]:
                    print(f"  error ({kind}): {message}")
        base_rate = len(base.times["trivial"]) / wall_base
        real_rate = len(real.times["callback"]) / wall_real
        print(
            f"callback throughput: {real_rate:.1f}/s against trivial {base_rate:.1f}/s: "
            f"share {real_rate / base_rate:.2f}"
        )
    finally:
        stop(proc)
        Path(script).unlink()
    print(f"errors: {errors}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
