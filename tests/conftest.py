"""Shared fixtures: the reference data folder, a running dashboard, headless Chromium."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_configure(config) -> None:
    """Tests never see a user's imports: MILBAL_DATA_DIR is an empty temporary folder for the
    whole session (set before any server starts, so `milbal serve` inherits it). Tests that
    import something use their own folder."""
    folder = tempfile.mkdtemp(prefix="milbal-test-data-")
    config._milbal_data_dir = (folder, os.environ.get("MILBAL_DATA_DIR"))
    os.environ["MILBAL_DATA_DIR"] = folder
    # and the checked catalogs (validation.cache) are kept in the session's own folder
    cache = tempfile.mkdtemp(prefix="milbal-test-cache-")
    config._milbal_cache_dir = (cache, os.environ.get("MILBAL_CACHE_DIR"))
    os.environ["MILBAL_CACHE_DIR"] = config._milbal_cache_dir[0]


def pytest_unconfigure(config) -> None:
    folder, before = getattr(config, "_milbal_data_dir", (None, None))
    if folder is None:
        return
    cache, cache_before = config._milbal_cache_dir
    for name, previous in (("MILBAL_DATA_DIR", before), ("MILBAL_CACHE_DIR", cache_before)):
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous
    shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)


def missing(reason: str) -> None:
    """Skip where an outside resource is absent on a user's machine; in CI, fail instead."""
    if IN_CI:
        pytest.fail(f"{reason} (required under CI=true)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The public reference datasets (MILBAL_REFERENCE_DIR, default ../shared/reference/data)."""
    path = Path(
        os.environ.get("MILBAL_REFERENCE_DIR", ROOT.parent / "shared" / "reference" / "data")
    )
    if not (path / "MANIFEST.md").is_file():
        missing(f"reference data not found at {path}; set MILBAL_REFERENCE_DIR")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(tmp_path_factory, env: dict[str, str] | None = None) -> Iterator[str]:
    """`milbal serve` in a subprocess on 127.0.0.1 and a free port, with `env` added to the
    environment; yields its base URL. Its output goes to a file: an unread pipe would fill up
    and stall the server."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("server") / "milbal-serve.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "dashboard.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
    )
    deadline = time.monotonic() + 60
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"milbal serve exited early:\n{log_path.read_text()}")
            try:
                with urllib.request.urlopen(url + "/", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("milbal serve did not answer within 60 s")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


PAIRS = ROOT / "tests" / "data" / "pairs"


@pytest.fixture(scope="session")
def pairs_data_dir(tmp_path_factory) -> Path:
    """A data directory with hand-made World Bank and COW personnel figures imported (as
    `milbal import` stores them): India, Pakistan and Indonesia, total armed forces only.
    2016: India 2,800,000 (WDI) and 1,400,000 (COW), Pakistan 900,000 and 600,000; 2015: India
    2,700,000, Pakistan 930,000 (WDI only). Read-only: copy it to change it."""
    from validation.importers.store import import_path

    folder = tmp_path_factory.mktemp("pairs-data")
    import_path("wdi", PAIRS / "armed-forces-personnel_pairs.csv", folder)
    import_path("nmc", PAIRS / "nmc_pairs.csv", folder)
    return folder


@pytest.fixture(scope="session")
def pairs_server(tmp_path_factory, pairs_data_dir) -> Iterator[str]:
    """The dashboard on the embedded data and pairs_data_dir; yields its base URL."""
    yield from _serve(tmp_path_factory, {"MILBAL_DATA_DIR": str(pairs_data_dir)})


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[str]:
    """The dashboard on the embedded data, served on 127.0.0.1; yields its base URL."""
    yield from _serve(tmp_path_factory)


# Labels an attacker might slip into a dataset: a spreadsheet formula, a script tag, an
# event handler. Every output must show them as text (and neutralise formulas in CSV).
HOSTILE_NAMES = {
    "AZE": '=HYPERLINK("http://example.invalid","Azerbaijan")',
    "ARM": "<script>window.__pwned=1</script>Armenia",
}
HOSTILE_TITLES = {
    "rv-essay": '@SUM(1+1) <img src=x onerror="window.__pwned=2">Drones and Special Forces',
}


def _rewrite_csv(path: Path, key: str, column: str, values: dict[str, str]) -> None:
    """Replace `column` in the rows whose `key` is in `values`, keeping every other cell as
    written (the csv module, not pandas, so that numbers keep their form)."""
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, list(reader)
    missing_keys = set(values) - {row[key] for row in rows}
    assert not missing_keys, f"{path.name} has no {key} {missing_keys}"
    for row in rows:
        row[column] = values.get(row[key], row[column])
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


# The countries of the hand-typed tables of the 2020 case (countries.csv before the world tables).
CASE_COUNTRIES = ("AZE", "ARM", "GEO", "TUR", "IRN", "RUS")


@pytest.fixture(scope="session")
def case_datasets(tmp_path_factory) -> Path:
    """datasets/ without the built-in world tables: the hand-typed tables of the 2020 case and
    their six countries. Tests of what an import adds (new countries, CDB90 battles) run on it."""
    path = tmp_path_factory.mktemp("case-datasets")
    for pattern in ("*.csv", "*.meta.yaml"):
        for source in (ROOT / "datasets").glob(pattern):
            shutil.copy2(source, path / source.name)
    with (path / "countries.csv").open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, [r for r in reader if r["iso3"] in CASE_COUNTRIES]
    with (path / "countries.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def on_case_datasets(case_datasets, monkeypatch) -> Iterator[Path]:
    """Point the catalog at `case_datasets` for one test (caches cleared before and after)."""
    from dashboard import charts
    from validation import load_catalog

    monkeypatch.setenv("MILBAL_DATASETS_DIR", str(case_datasets))
    load_catalog.cache_clear()
    charts._render.cache_clear()
    yield case_datasets
    load_catalog.cache_clear()
    charts._render.cache_clear()


@pytest.fixture(scope="session")
def hostile_datasets(tmp_path_factory) -> Path:
    """A copy of datasets/ whose country names and one source title hold a formula, a script
    tag and an event handler (HOSTILE_NAMES, HOSTILE_TITLES). Point the app at it with
    MILBAL_DATASETS_DIR; in-process, clear validation.load_catalog's cache (and
    dashboard.charts._render's) before and after."""
    path = tmp_path_factory.mktemp("hostile-datasets")
    for pattern in ("*.csv", "*.meta.yaml"):
        for source in (ROOT / "datasets").glob(pattern):
            shutil.copy2(source, path / source.name)
    _rewrite_csv(path / "countries.csv", "iso3", "name", HOSTILE_NAMES)
    _rewrite_csv(path / "sources.csv", "source_id", "title", HOSTILE_TITLES)
    return path


@pytest.fixture(scope="session")
def hostile_server(tmp_path_factory, hostile_datasets) -> Iterator[str]:
    """The dashboard on hostile_datasets, served on 127.0.0.1; yields its base URL."""
    yield from _serve(tmp_path_factory, {"MILBAL_DATASETS_DIR": str(hostile_datasets)})


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright (no browser download)."""
    if not CHROMIUM.exists():
        missing("Chromium not found at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    """A fresh page that records console errors and every requested URL."""
    context = browser.new_context()
    pg = context.new_page()
    pg.console_errors = []
    pg.requested = []
    pg.on("console", lambda msg: msg.type == "error" and pg.console_errors.append(msg.text))
    pg.on("pageerror", lambda exc: pg.console_errors.append(str(exc)))
    pg.on("request", lambda req: pg.requested.append(req.url))
    yield pg
    context.close()


BLOCKING_DEADLINE_S = 20


@pytest.fixture
def blocking_deadline():
    """Fail, rather than hang, a test whose code blocks (on a named pipe's open, say): SIGALRM
    after BLOCKING_DEADLINE_S seconds."""

    def expired(signum, frame):
        raise TimeoutError(f"blocked for {BLOCKING_DEADLINE_S} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(BLOCKING_DEADLINE_S)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)
