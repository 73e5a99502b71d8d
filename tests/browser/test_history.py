"""/history in a real browser: on first start (CDB90 is built in, nothing imported) the charts
draw with their traces, the claims list its evidence with downloads, no console
error, and nothing is requested from any host but 127.0.0.1; on tables without CDB90 the page
says how to import it in one command."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

from tests.conftest import _serve

pytestmark = pytest.mark.browser

FIT_TRACES = [
    "rugged terrain: 95% band",
    "rugged terrain: fitted chance",
    "other terrain: 95% band",
    "other terrain: fitted chance",
    "rugged terrain: share won (size: battles)",
    "other terrain: share won (size: battles)",
    "TDI battles 1600-1900",
    "TDI Civil War battles",
    "TDI divisions 1904-91",
    "TDI divisions Europe 1944",
    "TDI campaigns",
]
CHARTS = (
    "history-fit",
    "history-coefficients",
    "history-predictions",
    "history-casualties",
    "claims-ranks",
)


@pytest.fixture(scope="module")
def case_server(case_datasets, tmp_path_factory) -> Iterator[str]:
    """The dashboard on the 2020 case's own tables, without the built-in world tables."""
    yield from _serve(tmp_path_factory, {"MILBAL_DATASETS_DIR": str(case_datasets)})


def only_localhost(page) -> None:
    hosts = {urlparse(u).hostname for u in page.requested if u.startswith("http")}
    assert hosts == {"127.0.0.1"}, page.requested
    assert not [u for u in page.requested if not u.startswith(("http://127.0.0.1", "data:"))]


def test_without_cdb90_the_page_says_how_to_import_it(case_server, page, ui):
    page.goto(case_server + "/history")
    box = page.locator("#history-import")
    box.wait_for()
    assert "CDB90 is not imported" in box.inner_text()
    assert page.locator("#history-import-command").inner_text() == (
        "milbal import cdb90 PATH/TO/cdb90"
    )
    caption = ui.caption("history-fit", "milbal import cdb90 PATH/TO/cdb90")
    assert "No data for this selection" in caption
    # nothing to draw: the message alone, no empty chart box and no downloads
    assert not page.locator("#chart-history-fit").is_visible()
    assert not page.locator("#block-history-fit .chart-exports").is_visible()
    # the rank claim needs no import
    assert ui.names("chart-claims-ranks") == ["published figures (other sources)", "essay"] * 2
    assert "Evidence needs CDB90" in page.locator("#claim-mountain").inner_text()
    page.wait_for_load_state("networkidle")
    assert page.console_errors == []
    only_localhost(page)


def test_on_first_start_the_charts_draw(live_server, page, ui):
    page.goto(live_server + "/history")
    ui.caption("history-fit", "fitted on 621 CDB90 battles")
    assert page.locator("#history-import").count() == 0
    fit = ui.plot("chart-history-fit")
    assert [t["name"] for t in fit["traces"]] == FIT_TRACES
    assert fit["xtitle"].startswith("Force ratio")
    observed = fit["traces"][4]
    assert all(0 <= y <= 1 for y in observed["y"])
    assert ui.names("chart-history-coefficients") == ["estimate with 95% CI"]
    assert len(ui.traces("chart-history-coefficients")[0]["y"]) == 4
    predictions = ui.traces("chart-history-predictions")
    assert [t["name"] for t in predictions] == ["rugged terrain", "other terrain"]
    assert predictions[0]["x"] == ["3:1", "6:1"]
    assert ui.names("chart-history-casualties") == ["attacker wins with fewer attacker casualties"]
    claims = page.locator("#history-claims > li")
    assert claims.count() == 4  # doctrine's own claim, then the essay's three
    assert "at 6:1 is" in page.locator("#claim-mountain-p6").inner_text()
    assert (
        "attacker victories on rugged terrain"
        in page.locator("#claim-casualties-counts").inner_text()
    )
    for slug in ("history-predictions", "history-casualties", "claims-ranks"):
        href = page.locator(f"#claim-download-{slug}").get_attribute("href")
        assert href == f"/chart/{slug}.csv"
    page.wait_for_load_state("networkidle")
    assert page.console_errors == []
    only_localhost(page)


def test_claim_download_serves_the_evidence(live_server, page):
    response = page.request.get(live_server + "/chart/history-casualties.csv")
    assert response.status == 200
    text = response.text()
    assert "attacker_fewer" in text and "rugged" in text


@pytest.mark.parametrize("width", [390, 1400])
def test_nothing_overlaps_at_phone_and_desktop_width(live_server, page, ui, width):
    from tests.browser.test_rankings import assert_readable

    page.set_viewport_size({"width": width, "height": 844 if width < 500 else 900})
    page.goto(live_server + "/history")
    ui.caption("history-fit", "fitted on 621 CDB90 battles")
    for slug in CHARTS:
        assert_readable(page, f"chart-{slug}")
    labels = page.locator("#chart-claims-ranks .annotation-text-g text").all_text_contents()
    assert "essay 5, published 2" in labels
    assert "Global Firepower" in labels and "Global Militarisation Index" in labels
    assert page.console_errors == []


def test_the_controls_refit_on_another_sample(live_server, page, ui):
    """Era 1900 on: the sample line, the captions and the downloads follow (counts as in
    tests/indicators/test_history_robustness.py, by hand from the files); the URL keeps it."""
    page.goto(live_server + "/history")
    ui.caption("history-fit", "fitted on 621 CDB90 battles")
    note = page.locator("#history-note")
    assert note.inner_text().startswith("Sample: 621 of CDB90's 660 battles")
    ui.choose("history-era", "1900 on")
    ui.caption("history-fit", "fitted on 382 CDB90 battles")
    assert "239 outside the era (1900 on)" in note.inner_text()
    assert "n = 382" in ui.caption("history-predictions", "n = 382")
    assert "era=1900-on" in page.url
    page.wait_for_function(
        "() => document.querySelector('#download-history-coefficients-csv')"
        ".getAttribute('href').includes('era=1900-on')"
    )
    ui.choose("history-split", "Any not flat (G or R) against flat")
    ui.caption("history-fit", "rugged or rolling terrain")
    names = [t["name"] for t in ui.traces("chart-history-fit")]
    assert "flat or unrecorded terrain: fitted chance" in names
    # the doctrine claim stays on the standard sample
    assert "0.64 (95% CI 0.54 to 0.74)" in page.locator("#claim-doctrine-evidence").inner_text()
    assert page.console_errors == []
