"""Every public file imported, then every page at its defaults and for India against Pakistan: no
page says "no data", "several sources" or "unknown country" (what a user saw after importing
before the world tables and the several-sources intervals)."""

from __future__ import annotations

import csv
import io
import json
import re
import urllib.request
from collections.abc import Iterator

import pytest

from tests.conftest import _serve
from validation.importers.registry import DATASETS
from validation.importers.store import import_path, records

pytestmark = [pytest.mark.browser, pytest.mark.reference]

PAGES = [
    "/",
    "/compare",
    "/force-ratio",
    "/rankings",
    "/equipment",
    "/attrition",
    "/history",
    "/world",
]
PAIR_PAGES = ["/", "/compare", "/force-ratio", "/equipment"]
BAD = re.compile(r"no data|several sources|unknown country", re.IGNORECASE)
# The world map's legend has a "no data" entry for the countries without a figure: there, only
# the chart's own refusal counts.
WORLD_BAD = re.compile(r"no data for this|several sources|unknown country", re.IGNORECASE)


@pytest.fixture(scope="module")
def everything_imported(tmp_path_factory, reference_dir) -> Iterator[str]:
    """A server whose data folder holds an import of every file of the public registry."""
    data = tmp_path_factory.mktemp("every-import")
    for dataset in DATASETS:
        path = reference_dir / (dataset.folder or dataset.files[0].name)
        import_path(dataset.kind, path, data)
    stored = records(data)
    # the openly licensed single files are built in already: importing them adds nothing (the
    # CDB90 folder holds more files than the four pinned ones, so it is imported anew)
    assert set(stored) >= {d.key for d in DATASETS if not d.embedded}
    assert not set(stored) & {"wdi-personnel", "wdi-milex-share-gdp", "nmc"}
    yield from _serve(tmp_path_factory, {"MILBAL_DATA_DIR": str(data)})


def _settled_text(page, url: str) -> str:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.locator("#_pages_content, main, body").first.wait_for()
    for graph in page.locator(".js-plotly-plot").all():
        graph.locator(".main-svg").first.wait_for()
    return page.locator("body").inner_text()


class TestEveryPageAfterEveryImport:
    @pytest.mark.parametrize("path", PAGES)
    def test_defaults(self, everything_imported, page, path):
        text = _settled_text(page, everything_imported + path)
        bad = WORLD_BAD if path == "/world" else BAD
        assert not bad.findall(text), (path, bad.findall(text))
        assert page.console_errors == []

    @pytest.mark.parametrize("path", PAIR_PAGES)
    def test_india_against_pakistan(self, everything_imported, page, path):
        # the pair's own default year: the latest its figures have
        text = _settled_text(page, f"{everything_imported}{path}?a=IND&b=PAK")
        assert not BAD.findall(text), (path, BAD.findall(text))
        assert "India" in text and "Pakistan" in text
        assert page.console_errors == []


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_world_map_draws_every_indicator_it_offers(everything_imported):
    """Every indicator /world offers after the imports (GMI, SIPRI, GFP among them) has a map at
    its latest year: the CSV of what is drawn has rows, one per country."""
    status, body = _get(f"{everything_imported}/chart/index.json")
    assert status == 200
    (world,) = [c for c in json.loads(body)["charts"] if c["slug"] == "world-map"]
    (indicator,) = [p for p in world["params"] if p["name"] == "indicator"]
    offered = indicator["allowed"]
    assert {"gmi_rank", "gfp_rank", "milex_constant2019_usd_m", "cinc"} <= set(offered)
    for code in offered:
        status, body = _get(f"{everything_imported}/chart/world-map.csv?indicator={code}")
        assert status == 200, (code, body[:300])
        rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
        assert rows, code
        assert len({r["country"] for r in rows}) == len(rows), code
