"""/attrition in a real browser: the three charts drawn with their traces; the side and source
controls (used from the keyboard) redraw them and rewrite the URL; a copied URL restores the
view; a bad query value falls back with a message."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.browser

CHARTS = ("chart-attrition-timeline", "chart-opening-shares", "chart-attrition-losses")
DEFAULT_QUERY = "?side=all&source=all"


def open_settled(page, url: str, query: str = DEFAULT_QUERY) -> None:
    """Open the page and wait for the controls callback Dash runs once after drawing it (it
    rewrites the query and redraws the charts): interaction before it could be undone by it."""
    page.goto(url)
    page.wait_for_function("q => location.search === q", arg=query)


def hold_control_callbacks(page, prefix: str) -> list:
    """Hold back the page's controls callback (requests whose inputs are the page's controls)
    until the test releases them, so what the layout drew can be read first."""
    held: list = []

    def handle(route):
        inputs = json.loads(route.request.post_data or "{}").get("inputs", [])
        if inputs and all(str(i.get("id", "")).startswith(prefix) for i in inputs):
            held.append(route)
        else:
            route.continue_()

    page.route("**/_dash-update-component*", handle)
    return held


def release(page, held: list) -> None:
    """Let the held controls callback through, once the page has sent it."""
    for _ in range(250):
        if held:
            break
        page.wait_for_timeout(20)  # route handlers run while Playwright waits
    assert held, "the page sent no controls callback"
    for route in held:
        route.continue_()
    page.unroute("**/_dash-update-component*")


def plot(page, graph_id: str) -> dict:
    """What plotly drew in a dcc.Graph: traces (name, type, x, y, hovertext) and axis settings."""
    page.locator(f"#{graph_id} .js-plotly-plot .main-svg").first.wait_for()
    return page.evaluate(
        """id => {
            const div = document.getElementById(id).querySelector('.js-plotly-plot');
            const l = div.layout;
            return {
                traces: div.data.map(t => ({name: t.name, type: t.type, x: t.x, y: t.y,
                                            hovertext: t.hovertext})),
                xtitle: l.xaxis.title?.text, ytitle: l.yaxis.title?.text,
                ytype: l.yaxis.type, yrange: l.yaxis.range,
            };
        }""",
        graph_id,
    )


def names(page, graph_id: str) -> list[str]:
    return [t["name"] for t in plot(page, graph_id)["traces"]]


def wait_for_caption(page, slug: str, text: str) -> str:
    locator = page.locator(f"#caption-{slug}")
    locator.filter(has_text=text).wait_for()
    return locator.inner_text()


def focused_option(page) -> str | None:
    return page.evaluate("() => document.activeElement.value")


def pick(page, control_id: str, option: str) -> None:
    """Keyboard only: open the dropdown, arrow down to the option, select it. Focus moves a
    moment after each key press, so wait for it to move before pressing again."""
    page.locator(f"#{control_id}").focus()
    page.keyboard.press("Enter")
    page.locator("[role=listbox]").wait_for()
    page.wait_for_function("() => document.activeElement.type === 'radio'")
    for _ in range(10):
        current = focused_option(page)
        if current == option:
            break
        page.keyboard.press("ArrowDown")
        page.wait_for_function("v => document.activeElement.value !== v", arg=current)
    assert focused_option(page) == option
    page.keyboard.press("Enter")


class TestAttritionPage:
    def test_default_view_draws_three_charts(self, live_server, page):
        page.goto(live_server + "/attrition")
        wait_for_caption(page, "attrition-timeline", "31 figures and 19 dated events")
        timeline = plot(page, "chart-attrition-timeline")
        assert [t["name"] for t in timeline["traces"]] == ["events", "AZE", "ARM"]
        events = timeline["traces"][0]
        assert len(events["x"]) == 19 and events["x"][0] == "2020-09-27"
        assert timeline["xtitle"] == "Date (2020)"
        arm = timeline["traces"][2]
        horadiz = arm["hovertext"][arm["y"].index("ARM servicemen: losses")]
        assert "600-700 persons" in horadiz and "rv-essay" in horadiz

        shares = plot(page, "chart-opening-shares")
        assert [(t["name"], t["type"]) for t in shares["traces"]] == [("ARM", "bar")]
        assert shares["traces"][0]["y"] == [30, 60]
        assert shares["ytitle"] == "Share destroyed (%)" and shares["yrange"] == [0, 100]
        assert page.locator("#chart-opening-shares text.bartext").first.text_content() == (
            "up to 30 %"
        )

        losses = plot(page, "chart-attrition-losses")
        assert [t["name"] for t in losses["traces"]] == ["AZE", "ARM"]
        assert losses["ytype"] == "log"
        assert losses["ytitle"] == "Count (persons or items, log scale)"
        assert "Oryx" in page.locator("#sources-attrition-losses").inner_text()
        assert page.console_errors == []

    def test_side_and_source_update_charts_and_url(self, live_server, page):
        open_settled(page, live_server + "/attrition")
        wait_for_caption(page, "attrition-timeline", "31 figures and 19 dated events")
        pick(page, "attrition-side", "AZE")
        wait_for_caption(page, "attrition-timeline", "(Azerbaijan, all sources)")
        page.wait_for_function("() => location.search.includes('side=AZE')")
        assert names(page, "chart-attrition-timeline") == ["events", "AZE"]
        assert names(page, "chart-attrition-losses") == ["AZE"]
        caption = wait_for_caption(page, "opening-shares", "No data for this selection")
        assert "only for ARM" in caption
        assert names(page, "chart-opening-shares") == []

        pick(page, "attrition-source", "other")
        caption = wait_for_caption(page, "attrition-timeline", "sources other than the essay")
        assert caption.startswith("8 figures and 0 dated events")
        page.wait_for_function("() => location.search === '?side=AZE&source=other'")
        assert names(page, "chart-attrition-timeline") == ["AZE"]
        losses = plot(page, "chart-attrition-losses")["traces"][0]
        assert all("wikipedia" in h or "oryx" in h for h in losses["hovertext"])
        assert page.console_errors == []

    def test_copied_url_restores_the_view(self, live_server, page):
        open_settled(
            page, live_server + "/attrition?side=ARM&source=essay", "?side=ARM&source=essay"
        )
        wait_for_caption(page, "attrition-timeline", "(Armenia, the essay only)")
        assert page.locator("#attrition-side").inner_text().strip() == "ARM"
        assert page.locator("#attrition-source").inner_text().strip() == "essay"
        assert names(page, "chart-attrition-timeline") == ["events", "ARM"]
        assert names(page, "chart-opening-shares") == ["ARM"]
        losses = plot(page, "chart-attrition-losses")["traces"]
        assert [t["name"] for t in losses] == ["ARM"]
        assert "servicemen: losses" in losses[0]["x"]
        assert page.console_errors == []

    def test_bad_query_value_falls_back_with_a_message(self, live_server, page):
        held = hold_control_callbacks(page, "attrition-")
        page.goto(live_server + "/attrition?side=RUS&source=blog&a=AZE")
        text = page.locator("#attrition-messages").inner_text()
        assert "side: 'RUS' is not one of all, AZE, ARM; showing all" in text
        assert "source: 'blog' is not one of all, essay, other; showing all" in text
        assert "a: unknown parameter" in text
        wait_for_caption(page, "attrition-timeline", "31 figures and 19 dated events")
        assert page.locator("#attrition-side").inner_text().strip() == "all"
        release(page, held)
        page.wait_for_function("q => location.search === q", arg=DEFAULT_QUERY)
        for graph in CHARTS:
            assert names(page, graph)
        assert page.console_errors == []
