"""/world in a real browser: the map draws the outlines from this app only (once per page
load), follows the indicator and year controls (map, table and URL; the table, drawn in the
browser from the answer's rows, holds what the CSV route says and reads as the server draws
it), a copied URL restores it, the hover names every source, a click offers "compare
with...", the exported HTML draws the map with the network cut, the PNG has the default size,
and the page fits a 390 px screen."""

from __future__ import annotations

import csv
import io
import json
import urllib.request
from urllib.parse import urlsplit

import pytest

from dashboard.charts import render
from dashboard.charts.world import fmt_value
from tests.export.conftest import png_size

pytestmark = pytest.mark.browser
DEFAULT_QUERY = "?indicator=total_military&year=2016&scale=auto"
GRAPH = "chart-world-map"
TOPOJSON = "/assets/geo/world_110m.json"
# What plotly drew: the coloured countries (outlines and dots) and the number of outlines.
_DRAWN_JS = """() => {
    const div = document.querySelector('#chart-world-map .js-plotly-plot');
    const coloured = div.data[0].locations;
    const dots = div.data.filter(t => t.name === 'small countries (dots)')
                         .flatMap(t => t.customdata);
    return {coloured, dots,
            paths: document.querySelectorAll('#chart-world-map path.choroplethlocation').length};
}"""


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:
        assert response.status == 200
        return response.read()


def _outside(urls: list[str]) -> list[str]:
    return [
        u
        for u in urls
        if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).hostname != "127.0.0.1"
    ]


def _drawn(page) -> dict:
    page.locator(f"#{GRAPH} path.choroplethlocation").first.wait_for()
    return page.evaluate(_DRAWN_JS)


def _expected(indicator: str, year: int):
    return render("world-map", {"indicator": indicator, "year": year, "scale": "auto"}).data


def _table_countries(page) -> list[str]:
    return page.eval_on_selector_all(
        "#world-table tbody tr", "rows => rows.map(r => r.id.replace('world-row-', ''))"
    )


def _table_rows(page) -> list[list[str]]:
    """Each row of the table as read: its country code (from its id) and its cells' text."""
    return page.eval_on_selector_all(
        "#world-table tbody tr",
        """rows => rows.map(r => [r.id.replace('world-row-', ''),
                                  ...Array.from(r.children).map(c => c.textContent)])""",
    )


def _csv_rows(live_server: str, query: str) -> list[list[str]]:
    """The table's rows as the CSV route gives the map's data: code, rank, 'name (code)' (said
    to be off the map where it is) and the value (with the range across sources where they
    differ)."""
    text = _get(live_server + "/chart/world-map.csv" + query).decode("utf-8")
    rows = []
    for r in csv.DictReader(io.StringIO(text)):
        low, value, high = (float(r[c]) for c in ("low", "value", "high"))
        shown = fmt_value(value) + (f" ({fmt_value(low)}-{fmt_value(high)})" if high > low else "")
        name = f"{r['country_name']} ({r['country']})"
        name += " (not on the map)" if r["drawn_as"] == "not placed" else ""
        rows.append([r["country"], r["position"], name, shown])
    return rows


def test_map_draws_outlines_from_this_app_only(live_server, page, ui):
    ui.open_settled(live_server + "/world", DEFAULT_QUERY)
    drawn = _drawn(page)
    data = _expected("total_military", 2016)
    placed = data[data["drawn_as"] != "not placed"]
    assert set(drawn["coloured"]) | set(drawn["dots"]) == set(placed["country"])
    # every outline drawn: the coloured countries and the grey ones without figures
    assert drawn["paths"] == 167 == len(drawn["coloured"]) + 4
    page.wait_for_load_state("networkidle")
    assert _outside(page.requested) == []
    assert [urlsplit(u).path for u in page.requested].count(TOPOJSON) == 1
    assert page.console_errors == []


def test_indicator_and_year_update_map_table_and_url(live_server, page, ui):
    answers: list[bytes] = []
    page.on(
        "response",
        lambda r: "_dash-update-component" in r.url and answers.append(r.body()),
    )
    ui.open_settled(live_server + "/world", DEFAULT_QUERY)
    ui.choose("world-indicator", "Composite Index of National Capability (CINC)")
    ui.wait_for_query("?indicator=cinc&year=2016&scale=auto")
    expected = _csv_rows(live_server, "?indicator=cinc&year=2016&scale=auto")
    page.locator("#world-table caption").filter(has_text="(CINC), 2016").wait_for()
    assert [r[:4] for r in _table_rows(page)] == expected
    ui.caption("world-map", "Composite Index of National Capability (CINC) in 2016")
    drawn = _drawn(page)
    placed = _expected("cinc", 2016)
    placed = placed[placed["drawn_as"] != "not placed"]
    assert set(drawn["coloured"]) | set(drawn["dots"]) == set(placed["country"])
    # the year, from the keyboard: one year back
    page.locator("#world-year [role=slider]").focus()
    page.keyboard.press("ArrowLeft")
    ui.wait_for_query("?indicator=cinc&year=2015&scale=auto")
    ui.caption("world-map", "in 2015")
    page.locator("#world-table caption").filter(has_text="2015").wait_for()
    expected = _csv_rows(live_server, "?indicator=cinc&year=2015&scale=auto")
    assert [r[:4] for r in _table_rows(page)] == expected
    assert page.locator("#download-world-map-csv").get_attribute("href") == (
        "/chart/world-map.csv?indicator=cinc&year=2015&scale=auto"
    )
    # the outlines came once, with the page: no answer of a callback carries them; after a
    # control change the table came as its rows, not as components
    assert [urlsplit(u).path for u in page.requested].count(TOPOJSON) == 1
    assert answers and all(b'"arcs"' not in body for body in answers)
    changes = [body for body in answers if b'"rows-of-world-table":{"data":' in body]
    assert len(changes) == 2 and all(b'"Tbody"' not in body for body in changes)
    # drawn by the browser, the table reads as the server draws it with the page
    drawn_here = page.inner_html("#world-table")
    ui.open_settled(
        live_server + "/world?indicator=cinc&year=2015&scale=auto",
        "?indicator=cinc&year=2015&scale=auto",
    )
    assert page.inner_html("#world-table") == drawn_here
    assert page.locator("#world-table th[scope=col]").count() == 4
    assert page.locator("#world-table tbody th[scope=row]").count() == len(expected)
    assert _outside(page.requested) == []
    assert page.console_errors == []


def test_hover_names_every_source(live_server, page, ui):
    """Each country's hover is a template naming the sources' words in the trace's meta:
    plotly.js shows them whole."""
    ui.open_settled(live_server + "/world", DEFAULT_QUERY)
    _drawn(page)
    box = page.evaluate(
        """() => {
        const china = Array.from(
            document.querySelectorAll('#chart-world-map path.choroplethlocation')
        ).find(p => p.__data__ && p.__data__.loc === 'CHN');
        const r = china.getBoundingClientRect();
        return [r.x + r.width / 2, r.y + r.height / 2];
    }"""
    )
    page.mouse.move(*box)
    label = page.locator("#chart-world-map .hoverlayer .hovertext")
    label.wait_for()
    lines = label.locator("tspan.line").all_text_contents()
    data = _expected("total_military", 2016).set_index("country")
    reported = data.loc["CHN", "reported"].split("; ")
    assert lines == [
        "China (CHN)",
        "2,514,000 persons",
        "range 2,333,000-2,695,000 (the middle of the sources' span)",
        f"1 of {len(data)} countries with figures",
        "Sources:",
        *[f"· {r}" for r in reported],
    ]
    assert page.console_errors == []


def test_copied_url_restores_the_view(live_server, page, ui):
    query = "?indicator=gfp_rank&year=2020&scale=linear"
    ui.open_settled(live_server + "/world" + query, query)
    assert ui.shown("world-indicator") == "Global Firepower rank (1 = strongest)"
    assert ui.shown("world-scale") == "Linear"
    assert page.locator("#world-year [role=slider]").get_attribute("aria-valuenow") == "2020"
    assert _table_countries(page) == ["AZE", "ARM"]
    ui.caption("world-map", "linear scale")
    assert set(_drawn(page)["coloured"]) == {"AZE", "ARM"}
    assert page.console_errors == []


def test_a_click_on_the_map_offers_compare_with(live_server, page, ui):
    ui.open_settled(live_server + "/world", DEFAULT_QUERY)
    _drawn(page)
    # plotly's click event, as a click on India's outline raises it
    page.evaluate(
        """() => document.querySelector('#chart-world-map .js-plotly-plot')
                 .emit('plotly_click', {points: [{location: 'IND'}]})"""
    )
    link = page.locator("#world-compare-link")
    link.wait_for()
    assert link.get_attribute("href") == "/compare?a=IND"
    assert "India (IND)" in page.locator("#world-selection").inner_text()
    link.click()
    page.wait_for_url("**/compare?a=IND*")
    page.locator("#compare-table").wait_for()
    # and from the table: a country's name is the link
    ui.open_settled(live_server + "/world", DEFAULT_QUERY)
    row_link = page.locator("#world-row-CHN a")
    assert row_link.get_attribute("href") == "/compare?a=CHN"
    assert page.console_errors == []


def test_exported_html_draws_the_map_with_the_network_cut(live_server, page, tmp_path):
    path = tmp_path / "world.html"
    path.write_bytes(_get(live_server + "/chart/world-map.html" + DEFAULT_QUERY))
    blocked: list[str] = []

    def only_files(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_files)
    page.goto(path.as_uri())
    page.locator(".js-plotly-plot path.choroplethlocation").first.wait_for()
    paths = page.evaluate("() => document.querySelectorAll('path.choroplethlocation').length")
    assert paths == 167
    assert blocked == []
    assert page.console_errors == []


def test_png_download_is_1200_by_675(live_server, page, ui):
    ui.open_settled(live_server + "/world", DEFAULT_QUERY)
    href = page.locator("#download-world-map-png").get_attribute("href")
    assert href == "/chart/world-map.png" + DEFAULT_QUERY
    assert png_size(_get(live_server + href)) == (1200, 675)


def test_page_fits_a_phone(live_server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(live_server + "/world" + DEFAULT_QUERY)
        page.locator(f"#{GRAPH} path.choroplethlocation").first.wait_for()
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390
        box = page.locator(f"#{GRAPH} .main-svg").first.bounding_box()
        assert box["width"] <= 390
    finally:
        context.close()


def test_index_lists_the_map(live_server):
    index = json.loads(_get(live_server + "/chart/index.json"))
    chart = next(c for c in index["charts"] if c["slug"] == "world-map")
    assert chart["page"] == "/world"
    assert [p["name"] for p in chart["params"]] == ["indicator", "year", "scale"]
