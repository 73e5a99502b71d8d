"""The upload on /data in a real browser: a file is checked by its kind's importer, the summary
and a preview show, the rows stay in this tab's session only, a broken or oversized file shows
the precise message, and nothing ever reaches MILBAL_DATA_DIR."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).resolve().parents[1] / "data"
GMI_SMALL = FIXTURES / "gmi" / "gmi_small.csv"
WDI_SMALL = FIXTURES / "wdi" / "armed-forces-personnel_small.csv"
FILE_INPUT = "#data-upload input[type=file]"


def data_dir_files() -> list[str]:
    folder = Path(os.environ["MILBAL_DATA_DIR"])
    return sorted(str(p) for p in folder.rglob("*")) if folder.exists() else []


def session_rows(page) -> dict | None:
    raw = page.evaluate("() => sessionStorage.getItem('data-upload-store')")
    return None if raw is None else json.loads(raw)


def open_data(page, url: str) -> None:
    page.goto(url + "/data")
    page.locator(FILE_INPUT).wait_for(state="attached")


class TestUpload:
    def test_summary_preview_and_session_only(self, live_server, page, browser):
        open_data(page, live_server)
        page.set_input_files(FILE_INPUT, str(GMI_SMALL))
        summary = page.locator("#data-upload-summary")
        summary.wait_for()
        text = summary.inner_text()
        assert text.startswith("gmi_small.csv (gmi, sha256 ")
        assert "rankings 6 rows, gmi_indicators 17 rows" in text
        assert "not imported" in text
        assert "1 rows without gmi_rank" in page.locator("#data-upload-notes").inner_text()
        assert page.locator("#data-upload-preview-rankings tbody tr").count() == 6
        stored = session_rows(page)
        assert stored["kind"] == "gmi"
        assert len(stored["tables"]["rankings"]["data"]) == 6
        assert page.console_errors == []
        assert data_dir_files() == []

        other = browser.new_context()
        try:
            elsewhere = other.new_page()
            open_data(elsewhere, live_server)
            assert session_rows(elsewhere) is None
            assert elsewhere.locator("#data-upload-summary").count() == 0
        finally:
            other.close()

    def test_another_kind_from_the_keyboard(self, live_server, page, ui):
        open_data(page, live_server)
        ui.pick("data-upload-kind", "wdi")
        page.set_input_files(FILE_INPUT, str(WDI_SMALL))
        summary = page.locator("#data-upload-summary")
        summary.wait_for()
        assert "(wdi, sha256" in summary.inner_text()
        assert "manpower 3 rows" in summary.inner_text()
        notes = page.locator("#data-upload-notes").inner_text()
        assert "2 rows skipped whose Code is not an ISO3 country code" in notes
        assert data_dir_files() == []

    def test_broken_file_shows_file_line_column(self, live_server, page, tmp_path):
        broken = tmp_path / "gmi_broken.csv"
        lines = GMI_SMALL.read_text().splitlines(keepends=True)
        lines[3] = lines[3].replace("120", "lots")
        broken.write_text("".join(lines))
        open_data(page, live_server)
        page.set_input_files(FILE_INPUT, str(GMI_SMALL))
        page.locator("#data-upload-summary").wait_for()
        page.set_input_files(FILE_INPUT, str(broken))
        message = page.locator("#data-upload-message")
        message.wait_for()
        assert message.inner_text().strip() == (
            "gmi_broken.csv:4: gmi_score: lots: not a finite number"
        )
        assert page.locator("#data-upload-summary").count() == 0
        page.wait_for_function("() => sessionStorage.getItem('data-upload-store') === 'null'")
        assert data_dir_files() == []

    def test_oversized_file_is_refused_in_the_browser(self, live_server, page, tmp_path):
        big = tmp_path / "big.csv"
        big.write_bytes(b"iso3,name\n" + b"AZE,Azerbaijan\n" * (21 * 1024 * 1024 // 15))
        open_data(page, live_server)
        page.set_input_files(FILE_INPUT, str(big))
        refusal = page.locator("#data-upload-refusal")
        refusal.filter(has_text="file too large").wait_for()
        assert refusal.inner_text().startswith("big.csv: file too large (21.0 MB)")
        assert "the upload limit is 20 MB" in refusal.inner_text()
        assert session_rows(page) is None
        assert data_dir_files() == []
