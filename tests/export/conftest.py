"""Fixtures of the export tests: every chart drawn at its defaults, the app's test client, a
check for Chromium, and the app switched in-process to the hostile datasets. CDB90, which the
history charts need, is built in (datasets/world/), so every chart has its data everywhere."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.charts import load_charts
from tests.conftest import missing

CHROMIUM = Path("/usr/bin/chromium")
SLUGS = sorted(load_charts())


def defaults(slug: str) -> dict:
    return {p.name: p.default for p in load_charts()[slug].params}


def png_size(content: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk, which the format puts first."""
    assert content[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert content[12:16] == b"IHDR"
    return struct.unpack(">II", content[16:24])


@pytest.fixture(scope="session")
def chromium() -> None:
    if not CHROMIUM.exists():
        missing("Chromium not found at /usr/bin/chromium (apt-get install chromium)")


@pytest.fixture(scope="session")
def client():
    from dashboard.factory import create_app

    return create_app().server.test_client()


def clear_caches() -> None:
    """Everything cached from one datasets directory (catalog, rendered charts, names and
    citations), so that the next call reads the directory MILBAL_DATASETS_DIR names."""
    from dashboard import charts, cite
    from dashboard.charts import common
    from dashboard.pages import overview
    from validation import load_catalog

    load_catalog.cache_clear()
    charts._render.cache_clear()
    overview._content.cache_clear()
    common._names.cache_clear()
    cite._embedded_citations.cache_clear()


@pytest.fixture
def hostile(hostile_datasets, monkeypatch) -> Iterator[Path]:
    """The process reading hostile_datasets for the length of one test."""
    clear_caches()
    monkeypatch.setenv("MILBAL_DATASETS_DIR", str(hostile_datasets))
    try:
        yield hostile_datasets
    finally:
        monkeypatch.delenv("MILBAL_DATASETS_DIR")
        clear_caches()
