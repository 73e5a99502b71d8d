"""The home page in a real browser: lists every embedded dataset with its row count, offline."""

from __future__ import annotations

import csv
from urllib.parse import urlparse

import pytest

from validation import datasets_dir
from validation.schemas import MODELS

pytestmark = pytest.mark.browser


def _rows_by_csv_module(name: str) -> int:
    """Row count by an independent route: Python's csv module, not pandas or the validator."""
    with (datasets_dir() / f"{name}.csv").open(newline="", encoding="utf-8-sig") as f:
        return sum(1 for _ in csv.DictReader(f))


class TestHomePage:
    def test_lists_every_dataset_with_its_row_count(self, live_server, page):
        page.goto(live_server + "/")
        page.wait_for_selector("#home-datasets tbody tr")
        rows = page.locator("#home-datasets tbody tr")
        assert rows.count() == len(MODELS)
        for name in MODELS:
            cells = page.locator(f"#home-table-{name} td")
            assert cells.nth(0).inner_text() == name
            assert int(cells.nth(2).inner_text()) == _rows_by_csv_module(name)
        total = sum(_rows_by_csv_module(n) for n in MODELS)
        assert f"{total} rows" in page.locator("#home-summary").inner_text()
        assert page.console_errors == []

    def test_loads_nothing_from_outside_localhost(self, live_server, page):
        page.goto(live_server + "/")
        page.wait_for_selector("#home-datasets tbody tr")
        page.wait_for_load_state("networkidle")
        hosts = {
            urlparse(u).hostname for u in page.requested if urlparse(u).scheme in ("http", "https")
        }
        assert hosts == {"127.0.0.1"}, page.requested
