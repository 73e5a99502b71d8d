"""Fixtures of the export tests: every chart drawn at its defaults, the app's test client, a
check for Chromium, the app switched in-process to the hostile datasets, and the public CDB90
data imported for the charts that need it."""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.charts import load_charts
from tests.conftest import ROOT, missing

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


def _reference_cdb90() -> Path | None:
    path = Path(
        os.environ.get("MILBAL_REFERENCE_DIR", ROOT.parent / "shared" / "reference" / "data")
    )
    return path / "cdb90" if (path / "cdb90" / "battles.csv").is_file() else None


@pytest.fixture(scope="session")
def imported_data_dir(tmp_path_factory) -> Path | None:
    """A data folder with the public CDB90 data imported (for the charts that need an import),
    or None where the reference data is absent."""
    source = _reference_cdb90()
    if source is None:
        return None
    from validation.importers import store

    folder = tmp_path_factory.mktemp("data-cdb90")
    store.import_path("cdb90", source, folder)
    return folder


@pytest.fixture(scope="module", autouse=True)
def _with_imports(imported_data_dir) -> Iterator[None]:
    """Each export test module runs with CDB90 imported, so that every chart, the history
    charts too, is exported with its data; the session's empty data folder comes back after."""
    if imported_data_dir is None:
        yield
        return
    before = os.environ.get("MILBAL_DATA_DIR")
    os.environ["MILBAL_DATA_DIR"] = str(imported_data_dir)
    clear_caches()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("MILBAL_DATA_DIR", None)
        else:
            os.environ["MILBAL_DATA_DIR"] = before
        clear_caches()


@pytest.fixture(autouse=True)
def _needs_import(request, imported_data_dir) -> None:
    """A test of a chart that needs imported data, where the reference data is absent: skipped
    with a reason on a user's clone, a failure under CI=true."""
    slug = getattr(getattr(request.node, "callspec", None), "params", {}).get("slug")
    chart = load_charts().get(slug) if isinstance(slug, str) else None
    if chart is not None and chart.needs and imported_data_dir is None:
        missing(f"{slug} needs {', '.join(chart.needs)} from the CDB90 reference data")
