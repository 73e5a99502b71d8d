"""/attrition in a real browser: the three charts drawn with their traces and their row labels
in words; the side and source controls (used from the keyboard) redraw them and rewrite the URL;
a copied URL restores the view; a bad query value falls back with a message; at a phone's width
(390 px) nothing scrolls sideways, no label is clipped or overlaps another, and the plots use
the width."""

from __future__ import annotations

import csv

import pytest
import yaml

from validation import datasets_dir

pytestmark = pytest.mark.browser

DEFAULT_QUERY = "?side=all&source=all"
SLUGS = ("attrition-timeline", "opening-shares", "attrition-losses")


def _rows(name: str) -> list[dict[str, str]]:
    with (datasets_dir() / f"{name}.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


FIGURES = _rows("attrition")
EVENTS = _rows("events")
SHORT_LABELS = yaml.safe_load((datasets_dir() / "events.meta.yaml").read_text())["short_labels"]
LOSSES = [r for r in FIGURES if r["unit"] in ("persons", "items")]
WHOLE_WAR = ("2020-09-27", "2020-11-10")
# on the timeline: every figure but the counts of losses over the whole war
TIMELINE_FIGURES = [
    r for r in FIGURES if not (r in LOSSES and (r["date_start"], r["date_end"]) == WHOLE_WAR)
]

# The boxes of the texts plotly drew in one chart (row labels, ticks, legend, bar labels,
# axis titles) and of the chart itself, in page pixels.
_TEXT_BOXES_JS = """id => {
    const root = document.getElementById(id);
    const svg = root.querySelector('.main-svg').getBoundingClientRect();
    const sel = '.annotation-text, .legendtext, .xtick text, .ytick text, .x2tick text,'
        + ' .bartext, .xtitle, .ytitle, .x2title';
    const boxes = [...root.querySelectorAll(sel)]
        .filter(el => el.textContent.trim())
        .map(el => { const b = el.getBoundingClientRect();
                     return {text: el.textContent,
                             l: b.left, r: b.right, t: b.top, b: b.bottom}; });
    const plot = root.querySelector('.nsewdrag').getBoundingClientRect();
    return {boxes, svg: {l: svg.left, r: svg.right, t: svg.top, b: svg.bottom},
            plotWidth: plot.width};
}"""


def _overlapping(boxes: list[dict], slack: float = 1.0) -> list[tuple[str, str]]:
    out = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if (
                min(a["r"], b["r"]) - max(a["l"], b["l"]) > slack
                and min(a["b"], b["b"]) - max(a["t"], b["t"]) > slack
            ):
                out.append((a["text"], b["text"]))
    return out


def _annotations(page, graph_id: str) -> list[str]:
    return page.evaluate(
        "id => document.getElementById(id).querySelector('.js-plotly-plot')"
        ".layout.annotations.map(a => a.text)",
        graph_id,
    )


class TestAttritionPage:
    def test_default_view_draws_three_charts(self, live_server, page, ui):
        page.goto(live_server + "/attrition")
        ui.caption("attrition-timeline", f"{len(EVENTS)} dated events and")
        timeline = ui.plot("chart-attrition-timeline")
        assert [t["name"] for t in timeline["traces"]] == ["Events", "Azerbaijan", "Armenia"]
        events = timeline["traces"][0]
        assert sorted(events["x"]) == sorted(e["date"] for e in EVENTS)
        assert timeline["xtitle"] == "Date (2020)"
        labels = _annotations(page, "chart-attrition-timeline")
        for event in EVENTS:  # each event's short label, drawn on the page
            assert SHORT_LABELS[event["event_id"]] in labels
        drawn = page.locator("#chart-attrition-timeline .annotation-text").all_text_contents()
        assert set(SHORT_LABELS.values()) <= set(drawn)
        arm = timeline["traces"][2]
        horadiz = arm["hovertext"][arm["y"].index("Servicemen: losses, 600-700 persons")]
        assert "Armenia" in horadiz and "Rustamzade" in horadiz
        figures_drawn = sum(x is not None for t in timeline["traces"][1:] for x in t["x"]) // 2
        assert figures_drawn == len(TIMELINE_FIGURES)

        shares = ui.plot("chart-opening-shares")
        assert [(t["name"], t["type"]) for t in shares["traces"]] == [
            ("Armenia, up to (upper bound)", "bar")
        ]
        first_day = [
            float(r["high"])
            for r in FIGURES
            if r["measure"] == "destroyed_share" and r["date_end"] == "2020-09-27"
        ]
        assert shares["traces"][0]["y"] == first_day
        assert shares["ytitle"] == "Share destroyed (%)" and shares["yrange"] == [0, 100]
        assert page.locator("#chart-opening-shares text.bartext").first.text_content() == (
            "up to 30 %"
        )

        losses = ui.plot("chart-attrition-losses")
        dots = [t for t in losses["traces"] if t["name"] != "both sides"]
        assert {t["name"] for t in dots} == {"Azerbaijan", "Armenia"}
        assert sum(len(t["x"]) for t in dots) == len(LOSSES)
        assert losses["xtitle"] == "People: number of people (log scale)"
        rows = _annotations(page, "chart-attrition-losses")
        assert "Servicemen: killed" in rows and "Tanks: confirmed lost" in rows
        assert len(rows) == len(set(rows))  # one row per thing counted
        assert "Oryx" in page.locator("#sources-attrition-losses").inner_text()
        assert page.console_errors == []

    def test_side_and_source_update_charts_and_url(self, live_server, page, ui):
        ui.open_settled(live_server + "/attrition", DEFAULT_QUERY)
        ui.caption("attrition-timeline", "dated events")
        ui.pick("attrition-side", "AZE")
        ui.caption("attrition-timeline", "(Azerbaijan, all sources)")
        page.wait_for_function("() => location.search.includes('side=AZE')")
        assert ui.names("chart-attrition-timeline") == ["Events", "Azerbaijan"]
        assert {n for n in ui.names("chart-attrition-losses")} == {"Azerbaijan"}
        caption = ui.caption("opening-shares", "No data for this selection")
        assert "only for Armenia" in caption

        ui.pick("attrition-source", "other")
        page.wait_for_function("() => location.search === '?side=AZE&source=other'")
        caption = ui.caption("attrition-timeline", "No data for this selection")
        assert "choose 'All sources' or 'The essay only'" in caption
        ui.caption("attrition-losses", "sources other than the essay")
        losses = ui.traces("chart-attrition-losses")
        other = [r for r in LOSSES if r["side"] == "AZE" and r["source_id"] != "rv-essay"]
        assert sum(len(t["x"]) for t in losses if t["name"] == "Azerbaijan") == len(other)
        hovers = [h for t in losses if t["name"] == "Azerbaijan" for h in t["hovertext"]]
        assert all("Wikipedia" in h or "Oryx" in h for h in hovers)
        assert page.console_errors == []

    def test_copied_url_restores_the_view(self, live_server, page, ui):
        ui.open_settled(live_server + "/attrition?side=ARM&source=essay", "?side=ARM&source=essay")
        ui.caption("attrition-timeline", "(Armenia, the essay only)")
        assert ui.shown("attrition-side") == "Armenia"
        assert ui.shown("attrition-source") == "The essay only"
        assert ui.names("chart-attrition-timeline") == ["Events", "Armenia"]
        assert ui.names("chart-opening-shares") == ["Armenia, up to (upper bound)"]
        losses = ui.traces("chart-attrition-losses")
        assert {t["name"] for t in losses} == {"Armenia"}
        assert "Servicemen: losses, 7 Oct" in [y for t in losses for y in t["y"]]
        assert page.console_errors == []

    def test_bad_query_value_falls_back_with_a_message(self, live_server, page, ui):
        # Wait for Dash's first controls callback to come back (it rewrites the query): the
        # messages about the original query must survive it.
        ui.open_settled(live_server + "/attrition?side=RUS&source=blog&a=AZE", DEFAULT_QUERY)
        text = ui.messages("attrition")
        assert "side: 'RUS' is not one of all, AZE, ARM; showing all" in text
        assert "source: 'blog' is not one of all, essay, other; showing all" in text
        assert "a: unknown parameter" in text
        ui.caption("attrition-timeline", f"{len(EVENTS)} dated events")
        assert ui.shown("attrition-side") == "Both sides"
        assert ui.shown("attrition-source") == "All sources"
        assert ui.names("chart-attrition-timeline") == ["Events", "Azerbaijan", "Armenia"]
        assert ui.names("chart-opening-shares") == ["Armenia, up to (upper bound)"]
        assert {"Azerbaijan", "Armenia"} <= set(ui.names("chart-attrition-losses"))
        assert page.console_errors == []


@pytest.mark.parametrize("width", [390, 1400])
def test_labels_fit_and_never_overlap(live_server, page, ui, width):
    page.set_viewport_size({"width": width, "height": 844})
    page.goto(live_server + "/attrition")
    ui.caption("attrition-losses", "counts of people and equipment")
    # no sideways scroll
    assert page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    for slug in SLUGS:
        ui.plot(f"chart-{slug}")
        drawn = page.evaluate(_TEXT_BOXES_JS, f"chart-{slug}")
        svg = drawn["svg"]
        assert drawn["boxes"], slug
        for box in drawn["boxes"]:  # nothing clipped by the chart's edges
            assert svg["l"] - 1 <= box["l"] and box["r"] <= svg["r"] + 1, (slug, box)
            assert svg["t"] - 1 <= box["t"] and box["b"] <= svg["b"] + 1, (slug, box)
        assert _overlapping(drawn["boxes"]) == [], slug
        # the plot takes most of the chart's width (no wide margin of row labels)
        assert drawn["plotWidth"] >= 0.75 * (svg["r"] - svg["l"]), (slug, drawn["plotWidth"])
    # the legends lie above their plots
    for slug in SLUGS:
        legend = page.locator(f"#chart-{slug} .legend").bounding_box()
        plot = page.locator(f"#chart-{slug} .nsewdrag").first.bounding_box()
        assert legend["y"] + legend["height"] <= plot["y"] + 1, slug
    assert page.console_errors == []
