"""/compare in a real browser: the table with its source marks; the amber flag on cells where
sources disagree is visible and opens (by click or by Enter) the list of every source's value;
the controls (keyboard) rewrite the table and the URL; a copied URL restores the view; a bad
query value falls back with a message."""

from __future__ import annotations

import itertools

import pytest

from tests.dashboard.test_balance_charts import publisher_measures, reader_codes

pytestmark = pytest.mark.browser
DEFAULT_QUERY = "?a=AZE&b=ARM&year=2020"


def value(page, key: str, side: str) -> str:
    return page.locator(f"#compare-{key}-{side} .value").inner_text()


class TestComparePage:
    def test_default_table_with_sources_and_flags(self, live_server, page, ui):
        ui.open_settled(live_server + "/compare", DEFAULT_QUERY)
        table = page.locator("#compare-table")
        table.wait_for()
        headers = table.locator("thead th").all_inner_texts()
        assert headers == ["Indicator", "Unit", "Azerbaijan (AZE)", "Armenia (ARM)"]
        assert value(page, "gfp-rank", "a") == "63-64"
        assert value(page, "gfp-rank", "b") == "111-112"
        assert value(page, "manpower-wartime_strength", "a") == "130,000-140,000"
        assert value(page, "gmi-rank", "a") == "3" and value(page, "gmi-rank", "b") == "2-5"
        mark = page.locator("#compare-manpower-wartime_strength-a .source-mark")
        # the mark names the source in words; its tip (hover or focus) cites it, with its id
        assert mark.evaluate("m => m.firstChild.textContent") == "Rustamzade & Valiyev"
        tip = mark.locator(".cite-tip").text_content()
        assert "Drones and Special Forces" in tip and tip.endswith("; id rv-essay")
        flagged = {
            key: page.locator(f"#compare-{key} details.conflict").count()
            for key in (
                "row-gfp-rank",
                "row-gmi-rank",
                "row-sipri-milex_share_gdp_pct",
                "row-manpower-wartime_strength",
                "row-equipment-tanks",
            )
        }
        assert flagged == {
            "row-gfp-rank": 2,
            "row-gmi-rank": 1,
            "row-sipri-milex_share_gdp_pct": 2,
            "row-manpower-wartime_strength": 0,
            "row-equipment-tanks": 0,
        }
        assert page.console_errors == []

    def test_flag_is_visible_and_a_click_opens_every_source(self, live_server, page, ui):
        ui.open_settled(live_server + "/compare", DEFAULT_QUERY)
        details = page.locator("#compare-gfp-rank-a details.conflict")
        summary = details.locator("summary")
        summary.wait_for()
        assert summary.is_visible() and summary.inner_text().strip() == "⚑ sources disagree"
        colour = summary.evaluate("e => getComputedStyle(e).backgroundColor")
        assert colour == "rgb(255, 240, 214)"  # amber background
        items = details.locator("li")
        assert not items.first.is_visible()
        summary.click()
        items.first.wait_for(state="visible")
        assert details.evaluate("e => e.open")
        listed = items.all_inner_texts()
        assert len(listed) == 3
        for text, (number, sid) in zip(
            listed,
            [("63", "gfp-2020-trend"), ("64", "gfp-2020-azernews"), ("64", "rv-essay")],
            strict=True,
        ):
            assert text.startswith(number) and sid in text
        assert "Trend News Agency" in listed[0] and "AzerNews" in listed[1]
        assert "Rustamzade" in listed[2]
        assert page.console_errors == []

    def test_enter_on_the_flag_opens_it(self, live_server, page, ui):
        ui.open_settled(live_server + "/compare", DEFAULT_QUERY)
        details = page.locator("#compare-gmi-rank-b details.conflict")
        summary = details.locator("summary")
        summary.focus()
        page.keyboard.press("Enter")
        details.locator("li").first.wait_for(state="visible")
        listed = details.locator("li").all_inner_texts()
        assert [t.split()[0] for t in listed] == ["2", "5"]
        assert "gmi-2020-bicc-summary" in listed[0] and "rv-essay" in listed[1]
        page.keyboard.press("Enter")
        details.locator("li").first.wait_for(state="hidden")

    def test_controls_update_table_and_url(self, live_server, page, ui):
        ui.open_settled(live_server + "/compare", DEFAULT_QUERY)
        ui.pick("compare-b", "GEO")
        page.locator("#compare-table thead").filter(has_text="Georgia (GEO)").wait_for()
        page.wait_for_function("() => location.search === '?a=AZE&b=GEO&year=2020'")
        assert value(page, "sipri-milex_current_usd_m", "b") == "292.2"
        assert value(page, "gfp-rank", "b") == "-"
        assert page.locator("#compare-gfp-rank-b details").count() == 0

        # the years offered are those both countries have
        years = ui.listed("compare-year")  # latest first; the world tables reach 2016
        assert years[0] == "2020" and "2016" in years and "1980" not in years
        page.keyboard.press("Escape")

        ui.open_settled(live_server + "/compare", DEFAULT_QUERY)
        ui.choose("compare-year", "2023")
        page.locator("#compare-row-gfp-rank").filter(has_text="2023 edition").wait_for()
        page.wait_for_function("() => location.search === '?a=AZE&b=ARM&year=2023'")
        assert value(page, "gfp-rank", "a") == "57"
        assert value(page, "equipment-tanks", "a") == "920"
        assert page.console_errors == []

    def test_copied_url_restores_the_view(self, live_server, page, ui):
        ui.open_settled(live_server + "/compare?a=ARM&b=AZE&year=2021", "?a=ARM&b=AZE&year=2021")
        assert ui.shown("compare-a") == "Armenia (ARM)"
        assert ui.shown("compare-b") == "Azerbaijan (AZE)"
        assert ui.shown("compare-year") == "2021"
        assert page.locator("#compare-table thead th").all_inner_texts()[2] == "Armenia (ARM)"
        assert value(page, "gfp-rank", "a") == "100" and value(page, "gfp-rank", "b") == "64"
        assert value(page, "manpower-total_military", "b") == "450,000"
        assert page.console_errors == []

    def test_bad_query_value_falls_back_with_a_message(self, live_server, page, ui):
        # Wait for Dash's first controls callback to come back (it rewrites the query): the
        # messages about the original query must survive it.
        ui.open_settled(live_server + "/compare?a=XYZ&year=abc&side=AZE", DEFAULT_QUERY)
        text = ui.messages("compare")
        assert "a: 'XYZ' is not one of" in text and "showing AZE" in text
        assert "year: 'abc' is not a number (digits 0-9); showing 2020" in text
        assert "side: unknown parameter" in text
        assert value(page, "gfp-rank", "a") == "63-64"
        assert value(page, "gfp-rank", "b") == "111-112"
        assert ui.shown("compare-a") == "Azerbaijan (AZE)"
        assert ui.shown("compare-year") == "2020"
        assert page.console_errors == []


# The balance profile as plotly holds it in the page, and the texts it drew (what a reader sees).
_PROFILE_JS = """id => {
    const div = document.getElementById(id).querySelector('.js-plotly-plot');
    const t = div.data[0];
    return {
        x: t.x, y: t.y, plus: t.error_x.array, minus: t.error_x.arrayminus,
        xtype: div.layout.xaxis.type, range: div.layout.xaxis.range,
        lines: div.layout.shapes.filter(s => s.xref === 'x').map(s => s.x0),
        texts: [...div.querySelectorAll('text')].map(e => e.textContent),
    };
}"""
RANKS = ("gfp-rank", "gfp-score", "gmi-rank")  # lower is stronger: the ratio is B over A


def interval(text: str) -> tuple[float, float, float]:
    """(low, mid, high) of a table cell: '130,000-140,000' or '570'."""
    ends = [float(x.replace(",", "")) for x in text.split("-")]
    low, high = ends[0], ends[-1]
    return low, (low + high) / 2, high


def hand_ratios(page, keys: list[str]) -> dict[str, tuple[float, float, float]]:
    """The ratio of each row, worked out here from the numbers the table shows."""
    out = {}
    for key in keys:
        a, b = (interval(value(page, key, side)) for side in ("a", "b"))
        if key in RANKS:
            a, b = b, a
        out[key] = (a[0] / b[2], a[1] / b[1], a[2] / b[0])
    return out


def check_profile(page, ui, keys: list[str], labels: list[str]) -> dict:
    ui.caption("balance-profile", "indicator")
    page.locator("#chart-balance-profile .js-plotly-plot .main-svg").first.wait_for()
    drawn = page.evaluate(_PROFILE_JS, "chart-balance-profile")
    assert drawn["y"] == keys
    expected = hand_ratios(page, keys)
    for i, key in enumerate(keys):
        low, mid, high = expected[key]
        assert drawn["x"][i] == pytest.approx(mid, rel=2e-3), key
        assert drawn["x"][i] + drawn["plus"][i] == pytest.approx(high, rel=2e-3), key
        assert drawn["x"][i] - drawn["minus"][i] == pytest.approx(low, rel=2e-3), key
    assert drawn["xtype"] == "log" and drawn["range"][0] == pytest.approx(-drawn["range"][1])
    assert sorted(round(x, 4) for x in drawn["lines"]) == [0.1667, 0.3333, 1, 3, 6]
    for text in ("1:1", "3:1", "6:1", "1:3", "1:6", *labels):
        assert text in drawn["texts"], text
    assert not [t for t in drawn["texts"] if "_" in t]  # no codes such as sp_artillery
    return drawn


class TestBalanceCharts:
    def test_profile_of_azerbaijan_and_armenia_2020(self, live_server, page, ui):
        ui.open_settled(live_server + "/compare", DEFAULT_QUERY)
        keys = [
            "manpower-wartime_strength",
            "manpower-available_manpower",
            "manpower-population",
            "gfp-rank",
            "gfp-score",
            "gmi-rank",
            "sipri-milex_current_usd_m",
            "sipri-milex_share_gdp_pct",
            "equipment-tanks",
            "equipment-afv",
            "equipment-sp_artillery",
            "equipment-towed_artillery",
            "equipment-mlrs",
            "equipment-aircraft_total",
            "equipment-attack_aircraft",
            "equipment-helicopters",
            "equipment-attack_helicopters",
        ]  # fighters: Armenia has none, a note instead of a point
        drawn = check_profile(
            page,
            ui,
            keys,
            ["Wartime strength", "Self-propelled artillery", "Fighters: Armenia has none"],
        )
        # by hand from the essay's ranges: 130,000-140,000 against 60,000-65,000
        assert drawn["x"][0] == pytest.approx(2.16)
        # the table stays below the charts
        chart_y = page.locator("#block-balance-over-time").bounding_box()["y"]
        assert page.locator("#compare-table").bounding_box()["y"] > chart_y
        caption = ui.caption("balance-profile", "Tanks 5.2:1")
        assert "Attack helicopters 1:1.2" in caption
        over_time = ui.caption("balance-over-time", "1991 to 2025")
        assert "The dotted line marks 2020" in over_time
        assert page.console_errors == []

    def test_profile_of_india_and_pakistan_2016(self, live_server, page, ui):
        query = "?a=IND&b=PAK&year=2016"
        ui.open_settled(live_server + "/compare" + query, query)
        drawn = check_profile(
            page,
            ui,
            [
                "manpower-total_military",
                "manpower-population",
                "sipri-milex_current_usd_m",
                "sipri-milex_share_gdp_pct",
            ],
            [
                "Total armed forces",
                "Population",
                "Military spending, share of GDP",
                "India stronger ▶",
            ],
        )
        # COW's population, 1,324,171 against 193,203 thousand, and its spending, 51,052
        # against 7,471 USD m: both beyond 6:1
        assert drawn["x"][1] == pytest.approx(1_324_171 / 193_203, rel=1e-4) and drawn["x"][1] > 6
        assert drawn["x"][2] == pytest.approx(51_052 / 7_471, rel=1e-4) and drawn["x"][2] > 6
        assert "2 reach 6:1" in ui.caption("balance-profile", "India against Pakistan")
        assert page.console_errors == []

    def test_controls_redraw_the_charts_and_their_links(self, live_server, page, ui):
        ui.open_settled(live_server + "/compare", DEFAULT_QUERY)
        ui.pick("compare-b", "GEO")
        ui.caption("balance-profile", "Azerbaijan against Georgia, 2020")
        ui.caption("balance-over-time", "Azerbaijan and Georgia")
        href = page.locator("#download-balance-profile-csv").get_attribute("href")
        assert href == "/chart/balance-profile.csv?a=AZE&b=GEO&year=2020"
        marks = page.evaluate(
            "() => document.querySelector('#chart-balance-over-time .js-plotly-plot')"
            ".layout.shapes.map(s => s.x0)"
        )
        assert set(marks) == {2020}
        assert page.console_errors == []


# Where plotly drew the parts of a chart, as boxes {left, top, right, bottom} in the page: the
# whole block, the figure, each panel's plot area, the legend and each of its entries' texts,
# the x axes' tick labels and the annotations' texts.
_PARTS_JS = """slug => {
    const box = e => { const r = e.getBoundingClientRect();
                       return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
    const block = document.getElementById('block-' + slug);
    const graph = document.getElementById('chart-' + slug);
    const all = sel => Array.from(graph.querySelectorAll(sel));
    const legend = graph.querySelector('g.legend');
    return {
        block: box(block), svg: box(graph.querySelector('.main-svg')),
        panels: all('.draglayer .nsewdrag').map(box),
        legend: legend ? box(legend) : null,
        entries: all('g.legend text.legendtext').map(e => [e.textContent, box(e)]),
        xticks: all('g.xtick text').map(box).filter(b => b.right > b.left),
        notes: all('g.annotation-text-g text').map(e => [e.textContent, box(e)]),
    };
}"""


def _inside(inner: dict, outer: dict) -> bool:
    return (
        inner["left"] >= outer["left"] - 0.5
        and inner["right"] <= outer["right"] + 0.5
        and inner["top"] >= outer["top"] - 0.5
        and inner["bottom"] <= outer["bottom"] + 0.5
    )


def _apart(boxes: list[dict]) -> bool:
    """No two of the boxes, ordered left to right on one row, overlap."""
    rows: dict[int, list[dict]] = {}
    for b in boxes:
        rows.setdefault(round(b["top"]), []).append(b)
    return all(
        a["right"] <= b["left"] + 0.5
        for row in rows.values()
        for a, b in itertools.pairwise(sorted(row, key=lambda b: b["left"]))
    )


class TestBalanceChartsOnAPhone:
    """At 390 px (and 1400 px) the two charts of /compare fit their blocks: nothing clipped,
    no labels on top of each other, the over-time legend above its panels in people's words
    (the /compare table's own width is the table's business, not these charts')."""

    @pytest.mark.parametrize("width", [390, 1400])
    @pytest.mark.parametrize("query", ["?a=IND&b=PAK&year=2016", "?a=AZE&b=ARM&year=2020"])
    def test_charts_fit_and_read(self, live_server, page, ui, width, query):
        page.set_viewport_size({"width": width, "height": 900})
        ui.open_settled(live_server + "/compare" + query, query)
        ui.caption("balance-over-time", "every year with figures")
        for slug in ("balance-profile", "balance-over-time"):
            page.locator(f"#chart-{slug} .js-plotly-plot .main-svg").first.wait_for()
        profile = page.evaluate(_PARTS_JS, "balance-profile")
        over_time = page.evaluate(_PARTS_JS, "balance-over-time")
        for parts in (profile, over_time):
            assert parts["block"]["left"] >= 0 and parts["block"]["right"] <= width
            assert _inside(parts["svg"], parts["block"])
            assert _apart(parts["xticks"])
            assert all(_inside(b, parts["svg"]) for _, b in parts["notes"])
        # the profile's row labels and rule marks stay inside the figure
        assert len(profile["notes"]) > 5
        # the legend stands above every panel, each entry whole inside the figure
        legend, panels = over_time["legend"], over_time["panels"]
        assert len(panels) == 3
        assert legend["bottom"] <= min(p["top"] for p in panels) + 0.5
        assert all(_inside(b, over_time["svg"]) for _, b in over_time["entries"])
        names = [name for name, _ in over_time["entries"]]
        # the personnel lines in their publishers' words, read here from the metadata
        own = publisher_measures()
        assert f"{own['World Bank']} (World Bank)" in names
        assert f"{own['COW']} (COW)" in names
        assert not reader_codes({"legend": names, "notes": [t for t, _ in over_time["notes"]]})
        assert not reader_codes({"notes": [t for t, _ in profile["notes"]]})
        assert page.console_errors == []
