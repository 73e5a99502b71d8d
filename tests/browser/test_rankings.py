"""/rankings in a real browser: both charts drawn with their traces; the index, country and
trend controls (used from the keyboard) redraw the charts and rewrite the URL; a copied URL
restores the view; bad query values fall back with a message; on a phone nothing scrolls
sideways and no text of the charts runs into another."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser
DEFAULT_QUERY = "?index=gfp&countries=AZE,ARM&source=all&trend=show"

DEFAULT_TRACES = [
    "Azerbaijan: trend 95% band",
    "Azerbaijan: fitted trend",
    "Azerbaijan",
    "Armenia: trend 95% band",
    "Armenia: fitted trend",
    "Armenia",
    "fitted trend (shaded: 95% band)",
    "reports differ (bar: range of reported ranks)",
]

# The boxes of the text plotly drew in a graph: legend, axis titles, tick labels and
# annotations, with the graph's own box.
_TEXT_BOXES_JS = """id => {
    const root = document.getElementById(id);
    const box = el => { const r = el.getBoundingClientRect();
        return {left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                text: el.textContent}; };
    const all = sel => [...root.querySelectorAll(sel)].map(box).filter(b => b.right > b.left);
    return {
        graph: box(root.querySelector('.main-svg')),
        legend: all('.legend .bg'),
        titles: all('.g-xtitle text, .g-ytitle text'),
        ticks: all('.xtick text, .ytick text'),
        notes: all('.annotation-text-g text'),
        scroll: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
    };
}"""


def overlap(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and (a["top"] < b["bottom"] and b["top"] < a["bottom"])
    )


def text_boxes(page, graph_id: str) -> dict:
    page.locator(f"#{graph_id} .js-plotly-plot .main-svg").first.wait_for()
    return page.evaluate(_TEXT_BOXES_JS, graph_id)


def assert_readable(page, graph_id: str) -> dict:
    """No sideways scroll; every text inside the graph; legend, axis titles, tick labels and
    annotations clear of each other (tick labels of one axis may sit side by side)."""
    boxes = text_boxes(page, graph_id)
    assert boxes["scroll"][0] <= boxes["scroll"][1], boxes["scroll"]
    graph = boxes["graph"]
    texts = boxes["legend"] + boxes["titles"] + boxes["ticks"] + boxes["notes"]
    for t in texts:
        assert graph["left"] - 1 <= t["left"] and t["right"] <= graph["right"] + 1, t
        assert graph["top"] - 1 <= t["top"] and t["bottom"] <= graph["bottom"] + 1, t
    groups = [boxes["legend"], boxes["titles"], boxes["ticks"], boxes["notes"]]
    for i, group in enumerate(groups):
        for other in groups[i + 1 :]:
            for a in group:
                for b in other:
                    assert not overlap(a, b), (a, b)
    for group in (boxes["ticks"], boxes["notes"], boxes["titles"]):
        for k, a in enumerate(group):
            for b in group[k + 1 :]:
                assert not overlap(a, b), (a, b)
    return boxes


class TestRankingsPage:
    def test_default_view_draws_both_charts(self, live_server, page, ui):
        page.goto(live_server + "/rankings")
        caption = ui.caption("rankings-trend", "Azerbaijan -0.05 ranks a year")
        assert "(95% CI -1.11 to +1.02, 9 editions)" in caption
        assert "Armenia +1.55 ranks a year (95% CI -1.15 to +4.26, 9 editions)" in caption
        assert "rank 1 is the top of the list" in caption
        drawn = ui.plot("chart-rankings-trend")
        assert [t["name"] for t in drawn["traces"]] == DEFAULT_TRACES
        aze = drawn["traces"][2]
        # no 2019 edition of Global Firepower: the line breaks there
        assert aze["x"] == list(range(2016, 2026))
        assert aze["y"][3] is None
        assert aze["y"][0] == 64 and aze["y"][4] == pytest.approx(63.667, abs=1e-3)
        labels = page.locator("#chart-rankings-trend .annotation-text-g text").all_text_contents()
        assert sorted(labels) == ["Armenia", "Azerbaijan"]
        assert drawn["ytitle"] == "Rank (1 = strongest)"
        assert drawn["xtitle"] == "Edition (report year)"
        assert drawn["yrange"][0] > drawn["yrange"][1]  # reversed: rank 1 at the top
        gap = ui.plot("chart-rank-gap")
        assert [(t["name"], t["type"]) for t in gap["traces"]] == [
            ("Armenia's rank minus Azerbaijan's", "bar")
        ]
        assert gap["traces"][0]["y"][0] == 10
        assert (
            "in 9 of 9 Global Firepower editions" in page.locator("#caption-rank-gap").inner_text()
        )
        assert "Trend News Agency" in page.locator("#sources-rankings-trend").inner_text()
        assert page.console_errors == []

    def test_index_and_countries_update_charts_and_url(self, live_server, page, ui):
        ui.open_settled(live_server + "/rankings", DEFAULT_QUERY)
        ui.caption("rankings-trend", "Azerbaijan -0.05 ranks a year")
        ui.pick("rankings-index", "gmi")
        caption = ui.caption("rankings-trend", "Global Militarisation Index")
        assert "Azerbaijan -0.32 ranks a year (95% CI -2.26 to +1.62, 5 editions)" in caption
        page.wait_for_function("() => location.search.includes('index=gmi')")
        assert ui.plot("chart-rankings-trend")["ytitle"] == "Rank (1 = most militarised)"
        ui.caption("rank-gap", "Global Militarisation Index editions")

        ui.toggle("rankings-countries", "geo")
        caption = ui.caption("rankings-trend", "Georgia: no Global Militarisation Index rank")
        page.wait_for_function("() => location.search.includes('countries=AZE,ARM,GEO')")
        assert ui.names("chart-rankings-trend")[:6] == DEFAULT_TRACES[:6]

        ui.toggle("rankings-countries", "arm")  # deselect
        ui.caption("rank-gap", "Georgia is not ranked in the Global Militarisation Index")
        page.wait_for_function("() => location.search.includes('countries=AZE,GEO')")
        assert ui.names("chart-rankings-trend") == [
            "Azerbaijan: trend 95% band",
            "Azerbaijan: fitted trend",
            "Azerbaijan",
            "fitted trend (shaded: 95% band)",
        ]
        # nothing to draw: the message alone, no empty chart box and no downloads
        assert page.locator("#block-rank-gap .chart-empty").is_visible()
        assert not page.locator("#chart-rank-gap").is_visible()
        assert not page.locator("#block-rank-gap .chart-exports").is_visible()

        ui.toggle("rankings-countries", "geo")  # one country left: no gap to show
        ui.caption("rank-gap", "choose at least two")
        page.wait_for_function(
            "() => location.search.endsWith('countries=AZE&source=all&trend=show')"
        )
        assert page.console_errors == []

    def test_copied_url_restores_the_view(self, live_server, page, ui):
        page.goto(live_server + "/rankings?index=gmi&countries=ARM,AZE")
        ui.caption("rankings-trend", "Armenia -0.04 ranks a year")
        assert ui.shown("rankings-index") == "Global Militarisation Index"
        chosen = page.locator("#rankings-countries-value .dash-dropdown-value-item")
        assert chosen.all_inner_texts() == ["Armenia (ARM)", "Azerbaijan (AZE)"]
        assert ui.names("chart-rankings-trend")[:3] == [
            "Armenia: trend 95% band",
            "Armenia: fitted trend",
            "Armenia",
        ]
        assert ui.names("chart-rank-gap") == ["Azerbaijan's rank minus Armenia's"]
        assert page.console_errors == []

    def test_bad_query_value_falls_back_with_a_message(self, live_server, page, ui):
        # Wait for Dash's first controls callback to come back (it rewrites the query): the
        # messages about the original query must survive it.
        ui.open_settled(
            live_server + "/rankings?index=sipri&countries=AZE,XYZ&year=2020", DEFAULT_QUERY
        )
        text = ui.messages("rankings")
        assert "index: 'sipri' is not one of gfp, gmi; showing gfp" in text
        assert "countries: XYZ not among" in text and "showing AZE,ARM" in text
        assert "year: unknown parameter" in text
        ui.caption("rankings-trend", "Azerbaijan -0.05 ranks a year")
        assert ui.names("chart-rankings-trend") == DEFAULT_TRACES
        assert ui.names("chart-rank-gap") == ["Armenia's rank minus Azerbaijan's"]
        assert ui.shown("rankings-index") == "Global Firepower"
        chosen = page.locator("#rankings-countries-value .dash-dropdown-value-item")
        assert chosen.all_inner_texts() == ["Azerbaijan (AZE)", "Armenia (ARM)"]
        assert page.console_errors == []

    def test_trend_control_hides_and_shows_the_trend(self, live_server, page, ui):
        ui.open_settled(live_server + "/rankings", DEFAULT_QUERY)
        ui.caption("rankings-trend", "Azerbaijan -0.05 ranks a year")
        assert ui.shown("rankings-trend") == "Show trend"
        ui.pick("rankings-trend", "hide")
        ui.caption("rankings-trend", "The fitted trend is hidden")
        page.wait_for_function("() => location.search.endsWith('trend=hide')")
        assert ui.names("chart-rankings-trend") == [
            "Azerbaijan",
            "Armenia",
            "reports differ (bar: range of reported ranks)",
        ]
        assert ui.shown("rankings-trend") == "Hide trend"
        # the downloads carry the choice
        href = page.locator("#block-rankings-trend a[href*='.csv']").first.get_attribute("href")
        assert "trend=hide" in href
        ui.pick("rankings-trend", "show")
        ui.caption("rankings-trend", "Azerbaijan -0.05 ranks a year")
        assert ui.names("chart-rankings-trend") == DEFAULT_TRACES
        assert page.console_errors == []

    @pytest.mark.parametrize("width", [390, 1400])
    @pytest.mark.parametrize("query", ["", "?index=gmi&countries=AZE,ARM,GEO"])
    def test_nothing_overlaps_at_phone_and_desktop_width(self, live_server, page, ui, width, query):
        page.set_viewport_size({"width": width, "height": 844 if width < 500 else 900})
        page.goto(live_server + "/rankings" + query)
        ui.caption("rankings-trend", "ranks a year")
        for graph in ("chart-rankings-trend", "chart-rank-gap"):
            boxes = assert_readable(page, graph)
            assert len(boxes["ticks"]) >= 4
        trend = text_boxes(page, "chart-rankings-trend")
        # the legend (the keys) sits above the plot, the axis title below it
        xtitle = next(t for t in trend["titles"] if "Edition" in t["text"])
        assert all(box["bottom"] < xtitle["top"] for box in trend["legend"])
        # at most about six year ticks on a phone
        years = [t for t in trend["ticks"] if t["text"].isdigit() and len(t["text"]) == 4]
        if width < 500:
            assert len(years) <= 6
        assert page.console_errors == []
