"""Screenshots of the main pages for the README, taken from the running app on its embedded data
(no import): `scripts/screenshots` (or `.venv/bin/python scripts/screenshots.py [OUT]`).

Starts `milbal serve` on a free port of 127.0.0.1 with an empty data folder, opens each page in
Debian's headless Chromium once Dash has drawn it, and writes docs/screenshots/<name>.png (the
top of the page, as a visitor first sees it; the phone shot at 390 px)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"

# name -> (path and query, viewport width, viewport height)
SHOTS = {
    "overview": ("/", 1280, 900),
    "compare": ("/compare?a=IND&b=PAK", 1280, 1100),
    "force-ratio": ("/force-ratio", 1280, 900),
    "equipment": ("/equipment", 1280, 1100),
    "rankings": ("/rankings", 1280, 900),
    "history": ("/history", 1280, 1000),
    "world": ("/world", 1280, 900),
    "phone-compare": ("/compare?a=GRC&b=TUR", 390, 844),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(data_dir: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "dashboard.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "MILBAL_DATA_DIR": data_dir},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("milbal serve did not answer within 90 s")


def drawn(page) -> None:
    """Wait until Dash has drawn the page and plotly every chart on it."""
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        "() => document.querySelector('#page h1') && "
        "[...document.querySelectorAll('.js-plotly-plot')].every(p => p.querySelector('.main-svg'))"
    )
    page.wait_for_timeout(500)  # plotly's transitions


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as data_dir:
        proc, url = serve(data_dir)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                for name, (path, width, height) in SHOTS.items():
                    page = browser.new_page(viewport={"width": width, "height": height})
                    page.set_default_timeout(90_000)
                    page.goto(url + path)
                    drawn(page)
                    page.screenshot(path=out / f"{name}.png")
                    page.close()
                    print(f"{out / name}.png")
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
