"""/world in a real browser: the map draws the outlines from this app only (once per page
load), follows the indicator and year controls (map, table and URL; the table, drawn in the
browser from the answer's rows, holds what the CSV route says and reads as the server draws
it), a copied URL restores it, the hover names every source, a click offers "compare
with...", the exported HTML draws the map with the network cut, the PNG has the default size,
and the page fits a 390 px screen."""

from __future__ import annotations

import csv
import io
import itertools
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


def _table_drawn(page) -> None:
    """Wait for the table: the browser draws it from its rows once the page is there."""
    page.locator("#world-table caption").wait_for()


def _table_countries(page) -> list[str]:
    _table_drawn(page)
    return page.eval_on_selector_all(
        "#world-table tbody tr", "rows => rows.map(r => r.id.replace('world-row-', ''))"
    )


def _table_rows(page) -> list[list[str]]:
    """Each row of the table as read: its country code (from its id) and its cells' text."""
    _table_drawn(page)
    return page.eval_on_selector_all(
        "#world-table tbody tr",
        """rows => rows.map(r => [r.id.replace('world-row-', ''),
                                  ...Array.from(r.children).map(c => c.textContent)])""",
    )


def _csv_rows(live_server: str, query: str) -> list[list[str]]:
    """The table's rows as the CSV route gives the map's data: code, rank, 'name (code)' (said
    to be off the map where it is) and the value (with the range across sources where they
    differ, its en dash held to its figures by word joiners)."""
    text = _get(live_server + "/chart/world-map.csv" + query).decode("utf-8")
    rows = []
    for r in csv.DictReader(io.StringIO(text)):
        low, value, high = (float(r[c]) for c in ("low", "value", "high"))
        dash = "\u2060\u2013\u2060"
        shown = fmt_value(value) + (
            f" ({fmt_value(low)}{dash}{fmt_value(high)})" if high > low else ""
        )
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
    # the outlines came once, with the page: no answer of a callback carries them; the table
    # came as its rows, not as components: with the page (its callback's first call), then
    # after each of the two changes
    assert [urlsplit(u).path for u in page.requested].count(TOPOJSON) == 1
    assert answers and all(b'"arcs"' not in body for body in answers)
    changes = [body for body in answers if b'"rows-of-world-table":{"data":' in body]
    assert len(changes) == 3 and all(b'"Tbody"' not in body for body in changes)
    assert all(b'"Tbody"' not in body and b'"Td"' not in body for body in answers)
    # drawn by the browser, the table reads as the server draws it with the page
    drawn_here = page.inner_html("#world-table")
    ui.open_settled(
        live_server + "/world?indicator=cinc&year=2015&scale=auto",
        "?indicator=cinc&year=2015&scale=auto",
    )
    _table_drawn(page)
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
        "range 2,333,000\u20132,695,000 (the middle of the sources' span)",
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
    # the table as a screen reader reads it: headed columns, each row headed by its country,
    # whose name is the link to /compare
    heads = page.eval_on_selector_all(
        "#world-table thead th[scope=col]", "hs => hs.map(h => h.textContent)"
    )
    assert heads == ["Rank", "Country", "Value (rank; range across sources)", "Each source"]
    first = page.locator("#world-row-AZE")
    assert first.locator("th[scope=row] a").get_attribute("href") == "/compare?a=AZE"
    assert _table_rows(page)[0] == [
        "AZE",
        "1",
        "Azerbaijan (AZE)",
        "63.5 (63\u2060\u2013\u206064)",
        "[1] 63; [2] 64; [3] 64",
    ]
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
    _table_drawn(page)
    row_link = page.locator("#world-row-CHN a")
    assert row_link.get_attribute("href") == "/compare?a=CHN"
    # a country the map cannot place is in the table, and says so
    assert page.locator("#world-row-TUV th").inner_text() == "Tuvalu (TUV) (not on the map)"
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


# Where plotly drew the map's land (every outline with a figure or without), its colour bar
# and its legend, as boxes {left, top, right, bottom} in the page.
_PLACES_JS = """() => {
    const box = e => { const r = e.getBoundingClientRect();
                       return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
    const graph = document.querySelector('#chart-world-map');
    const land = Array.from(graph.querySelectorAll('path.choroplethlocation'))
        .map(box).filter(b => b.right > b.left);
    return {land, bar: box(graph.querySelector('g.colorbar')),
            legend: box(graph.querySelector('g.legend')),
            svg: box(graph.querySelector('.main-svg')),
            labels: Array.from(graph.querySelectorAll('g.colorbar .cbaxis text')).map(box)};
}"""
# Every range in the table's cells ('2,333,000-2,695,000', an en dash between word joiners):
# how many lines its text takes where the browser laid it out.
_RANGE_LINES_JS = """() => {
    const out = [];
    const walker = document.createTreeWalker(
        document.querySelector('#world-table tbody'), NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (const m of node.data.matchAll(/[\\d.,]+\\u2060\\u2013\\u2060[\\d.,]+/g)) {
            range.setStart(node, m.index);
            range.setEnd(node, m.index + m[0].length);
            const tops = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top)));
            out.push([m[0], tops.size]);
        }
    }
    return out;
}"""


def _overlaps(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and (b["top"] < a["bottom"])
    )


@pytest.mark.parametrize("width", [390, 1400])
def test_colour_bar_and_legend_keep_off_the_land(live_server, page, ui, width):
    """The colour bar lies below every country's outline (it once covered Tierra del Fuego),
    its labels level and apart, and the legend above the map; nothing is clipped."""
    page.set_viewport_size({"width": width, "height": 900})
    ui.open_settled(live_server + "/world", DEFAULT_QUERY)
    _drawn(page)
    places = page.evaluate(_PLACES_JS)
    land, bar, legend, svg = places["land"], places["bar"], places["legend"], places["svg"]
    assert len(land) > 150
    assert not [b for b in land if _overlaps(b, bar)]
    assert bar["top"] >= max(b["bottom"] for b in land) - 1  # below the map
    assert legend["bottom"] <= min(b["top"] for b in land) + 1  # above the map
    for box in (bar, legend):
        assert svg["left"] <= box["left"] and box["right"] <= svg["right"]
        assert box["bottom"] <= svg["bottom"]
    labels = sorted(places["labels"], key=lambda b: b["left"])
    assert len(labels) >= 2
    assert all(a["right"] < b["left"] for a, b in itertools.pairwise(labels))
    assert all(b["bottom"] - b["top"] < 25 for b in labels)  # level, not turned on end
    assert page.console_errors == []


def test_page_fits_a_phone(live_server, page, ui):
    """At 390 px the page never scrolls sideways: the map fits and the ranked table scrolls
    inside its own box; no range of figures is split over two lines."""
    page.set_viewport_size({"width": 390, "height": 844})
    ui.open_settled(live_server + "/world", DEFAULT_QUERY)
    page.locator(f"#{GRAPH} path.choroplethlocation").first.wait_for()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390
    box = page.locator(f"#{GRAPH} .main-svg").first.bounding_box()
    assert box["width"] <= 390
    scroller = page.locator(".world-table-scroll")
    outer = scroller.bounding_box()
    assert outer["x"] >= 0 and outer["x"] + outer["width"] <= 390
    inner = scroller.evaluate("e => [e.scrollWidth, e.clientWidth, getComputedStyle(e).overflowX]")
    assert inner[2] == "auto" and inner[1] <= 390
    # the caption wraps to the box, in view while the rows scroll
    caption = page.locator("#world-table caption").bounding_box()
    assert caption["x"] >= 0 and caption["x"] + caption["width"] <= outer["x"] + outer["width"]
    ranges = page.evaluate(_RANGE_LINES_JS)
    data = _expected("total_military", 2016)
    # a range a country's value shows, and the ones its sources' figures show
    assert len(ranges) >= int((data["high"] > data["low"]).sum())
    assert [r for r in ranges if r[1] != 1] == []
    assert page.console_errors == []


def test_index_lists_the_map(live_server):
    index = json.loads(_get(live_server + "/chart/index.json"))
    chart = next(c for c in index["charts"] if c["slug"] == "world-map")
    assert chart["page"] == "/world"
    assert [p["name"] for p in chart["params"]] == ["indicator", "year", "scale"]
