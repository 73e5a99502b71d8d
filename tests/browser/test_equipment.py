"""/equipment in a real browser: counts side by side and the equipment ratio below; the scale and
year controls (from the keyboard) redraw the charts and rewrite the URL; a copied URL restores the
view; bad query values fall back with a message; on a phone's width nothing scrolls sideways and
the categories are read in words."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser
DEFAULT_QUERY = "?a=AZE&b=ARM&year=2020&scale=linear&source=all"
# The categories in words, as equipment.meta.yaml has them.
TANKS, MLRS = "Tanks", "Rocket launchers (MLRS)"

# What plotly drew on the count axis (the bars are horizontal: counts along x).
_X_AXIS_JS = """id => {
    const l = document.getElementById(id).querySelector('.js-plotly-plot').layout;
    return {type: l.xaxis.type, title: l.xaxis.title?.text};
}"""

# The boxes of a drawn chart's texts (tick labels, annotations, legend), and the chart's width.
_TEXT_BOXES_JS = """id => {
    const root = document.getElementById(id);
    const svg = root.querySelector('.main-svg').getBoundingClientRect();
    const boxes = [...root.querySelectorAll('.ytick text, .xtick text, .annotation-text, '
                                            + '.legendtext, .g-xtitle text')]
        .map(t => { const b = t.getBoundingClientRect();
                    return {text: t.textContent, left: b.left, right: b.right,
                            top: b.top, bottom: b.bottom}; })
        .filter(b => b.right > b.left);
    return {boxes, left: svg.left, right: svg.right};
}"""


def count(drawn: dict, country: str, category: str) -> float:
    trace = next(t for t in drawn["traces"] if t["name"] == country)
    return trace["x"][trace["y"].index(category)]


def count_axis(page, graph_id: str = "chart-equipment-counts") -> dict:
    return page.evaluate(_X_AXIS_JS, graph_id)


def text_boxes(page, graph_id: str) -> dict:
    page.locator(f"#{graph_id} .js-plotly-plot .main-svg").first.wait_for()
    return page.evaluate(_TEXT_BOXES_JS, graph_id)


def overlapping(boxes: list[dict]) -> list[tuple[str, str]]:
    """Pairs of texts whose boxes overlap (by more than a pixel each way)."""
    pairs = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if min(a["right"], b["right"]) - max(a["left"], b["left"]) > 1 and (
                min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > 1
            ):
                pairs.append((a["text"], b["text"]))
    return pairs


def clipped(drawn: dict) -> list[str]:
    """Texts that run past the chart's left or right edge."""
    return [
        b["text"]
        for b in drawn["boxes"]
        if b["left"] < drawn["left"] - 1 or b["right"] > drawn["right"] + 1
    ]


class TestEquipmentPage:
    def test_default_view_draws_counts_and_ratio(self, live_server, page, ui):
        page.goto(live_server + "/equipment")
        caption = ui.caption("equipment-counts", "tanks: 570 against 110")
        assert "Azerbaijan has more in 9 and Armenia in 1 of the 10 categories" in caption
        drawn = ui.plot("chart-equipment-counts")
        assert [(t["name"], t["type"]) for t in drawn["traces"]] == [
            ("Azerbaijan", "bar"),
            ("Armenia", "bar"),
        ]
        assert count(drawn, "Azerbaijan", TANKS) == 570 and count(drawn, "Armenia", TANKS) == 110
        assert count_axis(page) == {"type": "linear", "title": "Count (items)"}
        ratio = ui.plot("chart-equipment-ratio")
        assert [t["name"] for t in ratio["traces"]] == [
            "Azerbaijan holds more",
            "Armenia holds more",
        ]
        # 10 categories, Armenia has no fighters: 9 bars, 8 to the right and 1 to the left
        assert [len(t["y"]) for t in ratio["traces"]] == [8, 1]
        assert "World military power" in page.locator("#sources-equipment-counts").inner_text()
        assert page.console_errors == []

    def test_scale_and_year_update_charts_and_url(self, live_server, page, ui):
        ui.open_settled(live_server + "/equipment", DEFAULT_QUERY)
        ui.caption("equipment-counts", "tanks: 570 against 110")
        assert ui.shown("equipment-scale") == "Linear"
        ui.pick("equipment-scale", "log")
        ui.caption("equipment-counts", "Zero counts have no bar on a log scale")
        page.wait_for_function("() => location.search.includes('scale=log')")
        ui.plot("chart-equipment-counts")
        assert count_axis(page)["type"] == "log"

        ui.choose("equipment-year", "2023")
        caption = ui.caption("equipment-counts", "tanks: 920 against 519")
        assert "of the 7 categories" in caption
        page.wait_for_function("() => location.search.includes('year=2023')")
        assert page.url.endswith("/equipment?a=AZE&b=ARM&year=2023&scale=log&source=all")
        drawn = ui.plot("chart-equipment-counts")
        assert count(drawn, "Armenia", MLRS) == 174 and count_axis(page)["type"] == "log"
        ui.caption("equipment-ratio", "Azerbaijan against Armenia, 2023")
        assert page.console_errors == []

    def test_copied_url_restores_the_view(self, live_server, page, ui):
        page.goto(live_server + "/equipment?a=GEO&b=ARM&year=2020&scale=log")
        caption = ui.caption("equipment-counts", "tanks: 143 against 110")
        assert caption.startswith("Equipment counts of Georgia and Armenia in 2020")
        assert ui.shown("equipment-a") == "Georgia (GEO)"
        assert ui.shown("equipment-scale") == "Logarithmic (1, 10, 100, 1,000)"
        drawn = ui.plot("chart-equipment-counts")
        assert [t["name"] for t in drawn["traces"]] == ["Georgia", "Armenia"]
        assert count_axis(page)["type"] == "log"
        ui.caption("equipment-ratio", "Equipment of Georgia against Armenia, 2020")
        assert page.console_errors == []

    def test_bad_query_value_falls_back_with_a_message(self, live_server, page, ui):
        # Wait for Dash's first controls callback to come back (it rewrites the query): the
        # messages about the original query must survive it.
        ui.open_settled(
            live_server + "/equipment?scale=cubic&year=1800&terrain=mountain", DEFAULT_QUERY
        )
        text = ui.messages("equipment")
        assert "scale: 'cubic' is not one of linear, log; showing linear" in text
        assert "year: '1800' is outside 1816-2030; showing 2020" in text
        assert "terrain: unknown parameter" in text
        ui.caption("equipment-counts", "tanks: 570 against 110")
        drawn = ui.plot("chart-equipment-counts")
        assert count_axis(page)["type"] == "linear"
        assert count(drawn, "Azerbaijan", TANKS) == 570 and count(drawn, "Armenia", TANKS) == 110
        assert ui.shown("equipment-scale") == "Linear"
        assert ui.shown("equipment-year") == "2020"
        assert page.console_errors == []

    def test_a_year_the_pair_lacks_falls_back_with_a_message(self, live_server, page, ui):
        ui.open_settled(
            live_server + "/equipment?a=AZE&b=GEO&year=2019",
            "?a=AZE&b=GEO&year=2020&scale=linear&source=all",
        )
        assert (
            "year: Azerbaijan (AZE) and Georgia (GEO) have no equipment counts in common for "
            "2019; showing 2020"
        ) in ui.messages("equipment")
        ui.caption("equipment-counts", "Equipment counts of Azerbaijan and Georgia in 2020")
        assert page.console_errors == []


class TestOnAPhone:
    def test_nothing_scrolls_sideways_overlaps_or_is_cut_at_390_px(self, live_server, page, ui):
        page.set_viewport_size({"width": 390, "height": 844})
        ui.open_settled(
            live_server + "/equipment?scale=log", DEFAULT_QUERY.replace("linear", "log")
        )
        ui.caption("equipment-counts", "tanks: 570 against 110")
        for graph in ("chart-equipment-counts", "chart-equipment-ratio"):
            drawn = text_boxes(page, graph)
            texts = [b["text"] for b in drawn["boxes"]]
            assert any(t.startswith("Self-propelled") for t in texts), texts
            assert not any("_" in t for t in texts), texts
            assert overlapping(drawn["boxes"]) == [], graph
            assert clipped(drawn) == [], graph
        widths = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
        assert widths[0] <= widths[1]
        # the log axis reads 1, 10, 100, 1,000
        ticks = [b["text"] for b in text_boxes(page, "chart-equipment-counts")["boxes"]]
        assert {"1", "10", "100", "1,000"} <= set(ticks)
        assert page.console_errors == []
