"""Page weight: the bytes on the wire of the first load of every page (and an embed page) in
headless Chromium, compressed as the app serves them against the same pages uncompressed
(MILBAL_COMPRESS=0), in one run; and a second load in the same browser context, to show what
the browser's cache keeps.

    .venv/bin/python benchmarks/bench_page_weight.py [--prod] [--pages /,/world]

Each first load is a fresh browser context (an empty cache). Bytes are Chromium's own count
(CDP Network.loadingFinished encodedDataLength: headers and body as received), summed over
every request of the load, which lasts until every chart on the page is drawn and the network
has been idle for 0.5 s. The warm load visits the page again in the same context: what it
still fetches, and how many requests the cache answered.
Budget (issue 15): the first load of every page at most 2.5 MB compressed; exit code 1 if a
page is over. --prod also serves the compressed pages with `milbal serve --prod` (gunicorn).
Needs Chromium at /usr/bin/chromium and Playwright.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from _process import free_port  # benchmarks/, the script's folder
from _process import stop as stop_process

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
BUDGET_BYTES = 2_500_000
PAGES = (
    "/",
    "/compare",
    "/force-ratio",
    "/rankings",
    "/equipment",
    "/attrition",
    "/history",
    "/world",
    "/data",
    "/chart/force-ratio",
)
# Drawn (as tests/browser/test_accessibility.py waits): the page's heading (or the embed's
# chart) is there, Dash is not loading, and every visible chart has plotly's drawing in it.
CHARTS_DRAWN = """() => {
    if (!document.querySelector('#page h1') && !document.querySelector('#chart')) return false;
    if (document.querySelector('._dash-loading, .dash-graph--pending')) return false;
    const embed = document.querySelector('#chart');
    if (embed && !embed.querySelector('.main-svg')) return false;
    return [...document.querySelectorAll('.chart-block .chart-figure')].every(f => {
        const graph = f.querySelector('.dash-graph');
        return graph && (graph.offsetParent === null || graph.querySelector('.main-svg'));
    });
}"""


@dataclass
class Server:
    name: str
    url: str
    proc: subprocess.Popen


def start(name: str, prod: bool, compress: bool, log_dir: Path) -> Server:
    """`milbal serve [--prod]` on 127.0.0.1 and a free port; MILBAL_COMPRESS as asked."""
    port = free_port()
    cmd = [sys.executable, "-m", "dashboard.cli", "serve", "--port", str(port)]
    if prod:
        cmd += ["--prod", "--workers", "2"]
    env = {**os.environ, "MILBAL_COMPRESS": "1" if compress else "0"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    log = (log_dir / f"{name.replace(' ', '-')}.log").open("w")
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    return Server(name, f"http://127.0.0.1:{port}", proc)


def wait_ready(server: Server, deadline_s: float = 120) -> None:
    deadline = time.monotonic() + deadline_s
    while True:
        if server.proc.poll() is not None:
            raise SystemExit(f"{server.name}: the server exited early")
        try:
            with urllib.request.urlopen(server.url + "/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"{server.name}: no answer within {deadline_s:.0f} s")
        time.sleep(0.2)


def stop(server: Server) -> None:
    stop_process(server.proc)


@dataclass
class Load:
    """One page load as Chromium's network events tell it."""

    requests: int = 0  # responses received
    wire_bytes: int = 0  # encodedDataLength summed
    from_cache: int = 0  # requests the browser's cache answered (disk or memory)
    revalidated: int = 0  # 304 Not Modified
    encodings: dict[str, int] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)  # per request, for --verbose


def measure(context, url: str, timeout_ms: float = 90_000) -> Load:
    """Load `url` in a new page of `context`, until its charts are drawn; its Load."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    load = Load()
    cached: set[str] = set()
    urls: dict[str, str] = {}
    encoded: dict[str, str] = {}

    def finished(event: dict) -> None:
        size = int(event.get("encodedDataLength", 0))
        load.wire_bytes += size
        rid = event["requestId"]
        how = "cache" if rid in cached else encoded.get(rid, "?")
        load.lines.append(f"{size:>10}  {how:<8} {urls.get(rid, rid)[:110]}")

    def received(event: dict) -> None:
        response = event["response"]
        load.requests += 1
        urls[event["requestId"]] = response.get("url", "")
        if response.get("fromDiskCache") or response.get("fromPrefetchCache"):
            cached.add(event["requestId"])
        headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
        encoding = headers.get("content-encoding", "identity")
        encoded[event["requestId"]] = encoding
        load.encodings[encoding] = load.encodings.get(encoding, 0) + 1

    def raw(event: dict) -> None:  # the status as received: a revalidated file shows 200
        if event.get("statusCode") == 304:
            load.revalidated += 1

    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.responseReceived", received)
    cdp.on("Network.responseReceivedExtraInfo", raw)
    cdp.on("Network.requestServedFromCache", lambda e: cached.add(e["requestId"]))
    cdp.send("Network.enable")
    page.goto(url, wait_until="load", timeout=timeout_ms)
    page.wait_for_function(CHARTS_DRAWN, timeout=timeout_ms, polling=100)
    page.wait_for_load_state("networkidle", timeout=timeout_ms)
    load.from_cache = len(cached)
    cdp.detach()
    page.close()
    return load


def mb(n: float) -> str:
    return f"{n / 1e6:.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prod", action="store_true", help="also measure `milbal serve --prod`")
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated paths")
    parser.add_argument("--verbose", action="store_true", help="list every request")
    args = parser.parse_args()
    pages = [p for p in args.pages.split(",") if p]
    from playwright.sync_api import sync_playwright

    log_dir = Path(tempfile.mkdtemp(prefix="milbal-bench-weight-"))
    # our own empty data folder: what a fresh clone serves
    os.environ.setdefault("MILBAL_DATA_DIR", tempfile.mkdtemp(prefix="milbal-bench-data-"))
    wanted = [("compressed", False, True), ("uncompressed", False, False)]
    if args.prod:
        wanted.append(("prod compressed", True, True))
    servers = [start(name, prod, compress, log_dir) for name, prod, compress in wanted]
    results: dict[tuple[str, str], tuple[Load, Load]] = {}
    try:
        for server in servers:
            wait_ready(server)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"],
            )
            # interleaved: each page on every server before the next page
            for path in pages:
                for server in servers:
                    context = browser.new_context(viewport={"width": 1400, "height": 900})
                    cold = measure(context, server.url + path)
                    warm = measure(context, server.url + path)
                    context.close()
                    results[(server.name, path)] = (cold, warm)
                    if args.verbose:
                        for label, load in (("cold", cold), ("warm", warm)):
                            print(f"--- {server.name} {path} {label}")
                            print("\n".join(load.lines))
            browser.close()
    finally:
        for server in servers:
            stop(server)

    print(f"first load (cold cache) and second load (same context), budget {mb(BUDGET_BYTES)} MB")
    head = (
        f"{'page':<20}{'server':<17}{'requests':>9}{'MB wire':>9}{'/budget':>8}{'/uncomp':>8}"
        f"  {'warm: req':>9}{'cached':>7}{'304':>5}{'MB wire':>9}  encodings (cold)"
    )
    print(head)
    print("-" * len(head))
    over = []
    totals: dict[str, int] = {}
    for path in pages:
        base = results[("uncompressed", path)][0].wire_bytes
        for server in servers:
            cold, warm = results[(server.name, path)]
            totals[server.name] = totals.get(server.name, 0) + cold.wire_bytes
            encodings = " ".join(f"{k}:{v}" for k, v in sorted(cold.encodings.items()))
            print(
                f"{path:<20}{server.name:<17}{cold.requests:>9}{mb(cold.wire_bytes):>9}"
                f"{cold.wire_bytes / BUDGET_BYTES:>8.2f}{cold.wire_bytes / base:>8.2f}"
                f"  {warm.requests:>9}{warm.from_cache:>7}{warm.revalidated:>5}"
                f"{mb(warm.wire_bytes):>9}  {encodings}"
            )
            if "uncompressed" not in server.name and cold.wire_bytes > BUDGET_BYTES:
                over.append(f"{server.name} {path}")
    print()
    base_total = totals["uncompressed"]
    for name, total in totals.items():
        print(
            f"all {len(pages)} pages, {name}: {mb(total)} MB on the wire "
            f"({total / base_total:.2f}x uncompressed)"
        )
    if over:
        print(f"OVER the {mb(BUDGET_BYTES)} MB budget: {', '.join(over)}")
        return 1
    print(f"every page within the {mb(BUDGET_BYTES)} MB budget compressed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
