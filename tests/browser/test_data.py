"""/data in a real browser: every table with its row count and a working download; every source
with its licence."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from validation import datasets_dir
from validation.schemas import MODELS

pytestmark = pytest.mark.browser


def _rows_by_csv_module(name: str, folder=None) -> int:
    """Row count by an independent route: Python's csv module, not pandas or the validator."""
    path = (folder or datasets_dir()) / f"{name}.csv"
    if not path.exists():
        return 0
    with path.open(newline="", encoding="utf-8-sig") as f:
        return sum(1 for _ in csv.DictReader(f))


def _world_rows(name: str) -> int:
    """Rows the built-in world datasets (datasets/world/*/) add to a table."""
    return sum(_rows_by_csv_module(name, f) for f in (datasets_dir() / "world").iterdir())


class TestCatalogue:
    def test_lists_every_table_with_its_row_count_and_status(self, live_server, page):
        page.goto(live_server + "/data")
        page.wait_for_selector("#data-tables tbody tr")
        world_only = ["capabilities", "battles"]
        assert page.locator("#data-tables tbody tr").count() == len(MODELS) + len(world_only)
        total = built_in = 0
        for name in [*MODELS, *world_only]:
            cells = page.locator(f"#data-table-{name} td")
            assert cells.nth(0).inner_text() == name
            rows = _rows_by_csv_module(name) + _world_rows(name)
            assert int(cells.nth(2).inner_text()) == rows, name
            assert cells.nth(4).inner_text() == "valid"
            total += rows
            built_in += _world_rows(name)
            if _world_rows(name):
                assert "built in from" in cells.nth(7).inner_text()
        summary = page.locator("#data-summary").inner_text()
        assert f"{total:,} rows ({built_in:,} built in from public datasets" in summary
        assert page.console_errors == []

    def test_a_table_only_the_world_datasets_have_downloads(self, live_server, page):
        response = page.request.get(live_server + "/data/battles.csv")
        assert response.status == 200
        lines = response.text().splitlines()
        assert len(lines) - 1 == _world_rows("battles") == 660

    def test_download_gives_the_table_file(self, live_server, page, tmp_path):
        """The file's rows and columns as validated (numbers as numbers: 130000 may come as
        130000.0), written by the CSV writer of every download."""
        page.goto(live_server + "/data")
        with page.expect_download() as info:
            page.locator("#data-download-manpower").click()
        saved = tmp_path / "manpower.csv"
        info.value.save_as(saved)
        assert info.value.suggested_filename == "manpower.csv"
        pd.testing.assert_frame_equal(
            pd.read_csv(saved), pd.read_csv(datasets_dir() / "manpower.csv"), check_dtype=False
        )

    def test_every_source_with_its_licence(self, live_server, page):
        page.goto(live_server + "/data")
        rows = page.locator("#data-sources tbody tr")
        rows.first.wait_for()
        assert rows.count() == _rows_by_csv_module("sources") + _world_rows("sources")
        licence = page.locator("#data-source-sipri-2021 td").nth(3).inner_text()
        assert "SIPRI" in licence

    def test_unknown_table_download_is_404(self, live_server, page):
        response = page.request.get(live_server + "/data/secrets.csv")
        assert response.status == 404
        assert "unknown table 'secrets'" in response.text()
