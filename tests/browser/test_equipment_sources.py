"""/equipment in a real browser after `milbal import gfp` of the GFP 2020 workbook (the file the
embedded rows came from, imported into a temporary MILBAL_DATA_DIR through the store): every
category drawn, no "several sources" and no "no data"; a Source control in people's words whose
choice redraws the charts and rewrites the URL, and whose choices follow the year."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import _serve

pytestmark = [pytest.mark.browser, pytest.mark.reference]
DEFAULT_QUERY = "?a=AZE&b=ARM&year=2020&scale=linear&source=all"


@pytest.fixture(scope="module")
def gfp2020_server(reference_dir, tmp_path_factory) -> Iterator[str]:
    from validation.importers import store

    data = tmp_path_factory.mktemp("gfp2020-data")
    workbook = reference_dir / "gfp" / "gfp2020_world_military_power.xlsx"
    assert store.import_path("gfp", workbook, data).record["source_id"] == "import-gfp-2020"
    yield from _serve(tmp_path_factory, {"MILBAL_DATA_DIR": str(data)})


def options(page, control_id: str) -> list[str]:
    """The texts of a dropdown's options (opened and closed again with the keyboard)."""
    page.locator(f"#{control_id}").focus()
    page.keyboard.press("Enter")
    listbox = page.locator("[role=listbox]")
    listbox.wait_for()
    texts = [t.strip() for t in page.locator("[role=option]").all_inner_texts()]
    page.keyboard.press("Escape")
    listbox.wait_for(state="detached")
    return texts


NAVAL = "Naval vessels, all types"  # naval_total, in the words of equipment.meta.yaml


def categories(ui, country: str) -> list[str]:
    return next(t for t in ui.traces("chart-equipment-counts") if t["name"] == country)["y"]


def test_after_importing_gfp_2020_the_page_draws_and_the_source_control_works(
    gfp2020_server, page, ui
):
    ui.open_settled(gfp2020_server + "/equipment", DEFAULT_QUERY)
    ui.caption("equipment-counts", "tanks: 570 against 110")
    ui.caption("equipment-ratio", "At or above 3:1")
    text = page.locator("main").inner_text()
    assert "several sources" not in text.lower() and "no data" not in text.lower()
    assert NAVAL in categories(ui, "Azerbaijan")  # from the import only
    assert ui.shown("equipment-source") == "All sources"
    assert options(page, "equipment-source") == [
        "All sources",
        "GFP 2020 (workbook)",
        "GFP 2020 (workbook, imported)",
    ]

    ui.pick("equipment-source", "gfp-2020-xlsx")
    page.wait_for_function("() => location.search.includes('source=gfp-2020-xlsx')")
    assert page.url.endswith("/equipment?a=AZE&b=ARM&year=2020&scale=linear&source=gfp-2020-xlsx")
    page.locator("#sources-equipment-counts").filter(has_text="Source: ").wait_for()
    assert "Global Firepower 2020" not in page.locator("#sources-equipment-counts").inner_text()
    page.wait_for_function(
        """n => !document.querySelector('#chart-equipment-counts .js-plotly-plot')
                  .data[0].y.includes(n)""",
        arg=NAVAL,
    )
    assert NAVAL not in categories(ui, "Azerbaijan")
    href = page.locator("#download-equipment-counts-csv").get_attribute("href")
    assert href.endswith("source=gfp-2020-xlsx")
    assert ui.shown("equipment-source") == "GFP 2020 (workbook)"

    # 2018: the 2020 sources have nothing; the choice falls back to every source
    ui.choose("equipment-year", "2018")
    ui.caption("equipment-counts", "tanks: 520 against 229")
    page.wait_for_function("() => location.search.includes('year=2018&scale=linear&source=all')")
    page.locator("#equipment-source").filter(has_text="All sources").wait_for()
    assert options(page, "equipment-source") == ["All sources", "GFP 2018 (CSV)"]
    assert page.console_errors == []
