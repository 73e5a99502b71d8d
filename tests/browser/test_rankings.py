"""/rankings in a real browser: both charts drawn with their traces; the index and country
controls (used from the keyboard) redraw the charts and rewrite the URL; a copied URL restores
the view; bad query values fall back with a message."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

DEFAULT_TRACES = [
    "AZE trend 95% CI",
    "AZE trend",
    "AZE",
    "ARM trend 95% CI",
    "ARM trend",
    "ARM",
    "reports differ (bar: range of reported ranks)",
]


def plot(page, graph_id: str) -> dict:
    """What plotly drew in a dcc.Graph: trace name/type/x/y and the axis settings."""
    page.locator(f"#{graph_id} .js-plotly-plot .main-svg").first.wait_for()
    return page.evaluate(
        """id => {
            const div = document.getElementById(id).querySelector('.js-plotly-plot');
            const l = div.layout;
            return {
                traces: div.data.map(t => ({name: t.name, type: t.type, x: t.x, y: t.y})),
                ytitle: l.yaxis.title?.text, yrange: l.yaxis.range,
                yautorange: l.yaxis.autorange, xtitle: l.xaxis.title?.text,
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
    """Keyboard only, single choice: open the list, arrow down to the option, select it."""
    page.locator(f"#{control_id}").focus()
    page.keyboard.press("Enter")
    page.locator("[role=listbox]").wait_for()
    page.wait_for_function("() => document.activeElement.type === 'radio'")
    for _ in range(10):
        if focused_option(page) == option:
            break
        page.keyboard.press("ArrowDown")
    assert focused_option(page) == option
    page.keyboard.press("Enter")


def toggle(page, control_id: str, text: str) -> None:
    """Keyboard only, several choices: open the list, search, toggle the match, close."""
    page.locator(f"#{control_id}").focus()
    page.keyboard.press("Enter")
    page.locator("[role=listbox]").wait_for()
    page.wait_for_function("() => document.activeElement.type === 'search'")
    page.keyboard.type(text)
    page.locator("[role=option]").filter(has_text=text.upper()).wait_for()
    page.wait_for_function("() => document.querySelectorAll('[role=option]').length === 1")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.locator("[role=listbox]").wait_for(state="detached")


def hold_page_callback(page, messages_id: str) -> list:
    """Hold back the page callback's first request (see the test using it) and return the list
    the held routes collect; call route.continue_() on each to let them through."""
    held: list = []

    def handler(route):
        if messages_id in (route.request.post_data or "") and not held:
            held.append(route)
        else:
            route.continue_()

    page.route("**/_dash-update-component*", handler)
    return held


def release(page, held: list) -> None:
    """Let the held page callback through, once it has been sent."""
    for _ in range(200):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the page callback did not fire"
    held[0].continue_()
    page.unroute("**/_dash-update-component*")


class TestRankingsPage:
    def test_default_view_draws_both_charts(self, live_server, page):
        page.goto(live_server + "/rankings")
        caption = wait_for_caption(page, "rankings-trend", "AZE -0.05 ranks/year")
        assert "(95% CI -1.11 to +1.02, n=9)" in caption
        assert "ARM +1.55 ranks/year (95% CI -1.15 to +4.26, n=9)" in caption
        assert "a lower rank number is higher on the list" in caption
        drawn = plot(page, "chart-rankings-trend")
        assert [t["name"] for t in drawn["traces"]] == DEFAULT_TRACES
        aze = drawn["traces"][2]
        assert aze["x"] == [2016, 2017, 2018, 2020, 2021, 2022, 2023, 2024, 2025]
        assert aze["y"][0] == 64 and aze["y"][3] == pytest.approx(63.667, abs=1e-3)
        assert drawn["ytitle"] == "Rank (1 = strongest)"
        assert drawn["xtitle"] == "Edition (report year)"
        assert drawn["yrange"][0] > drawn["yrange"][1]  # reversed: rank 1 at the top
        gap = plot(page, "chart-rank-gap")
        assert [(t["name"], t["type"]) for t in gap["traces"]] == [
            ("ARM rank minus AZE rank", "bar")
        ]
        assert gap["traces"][0]["y"][0] == 10
        assert (
            "in 9 of 9 Global Firepower editions" in page.locator("#caption-rank-gap").inner_text()
        )
        assert "Trend News Agency" in page.locator("#sources-rankings-trend").inner_text()
        assert page.console_errors == []

    def test_index_and_countries_update_charts_and_url(self, live_server, page):
        page.goto(live_server + "/rankings")
        wait_for_caption(page, "rankings-trend", "AZE -0.05 ranks/year")
        pick(page, "rankings-index", "gmi")
        caption = wait_for_caption(page, "rankings-trend", "Global Militarisation Index")
        assert "AZE -0.32 ranks/year (95% CI -2.26 to +1.62, n=5)" in caption
        page.wait_for_function("() => location.search.includes('index=gmi')")
        assert plot(page, "chart-rankings-trend")["ytitle"] == "Rank (1 = most militarised)"
        wait_for_caption(page, "rank-gap", "Global Militarisation Index editions")

        toggle(page, "rankings-countries", "geo")
        caption = wait_for_caption(page, "rankings-trend", "GEO: no gmi rank")
        page.wait_for_function("() => location.search.includes('countries=AZE,ARM,GEO')")
        assert names(page, "chart-rankings-trend")[:6] == DEFAULT_TRACES[:6]

        toggle(page, "rankings-countries", "arm")  # deselect
        wait_for_caption(page, "rank-gap", "GEO has no rows in the gmi rankings")
        page.wait_for_function("() => location.search.includes('countries=AZE,GEO')")
        assert names(page, "chart-rankings-trend") == ["AZE trend 95% CI", "AZE trend", "AZE"]
        assert names(page, "chart-rank-gap") == []

        toggle(page, "rankings-countries", "geo")  # one country left: no gap to show
        wait_for_caption(page, "rank-gap", "choose at least two")
        page.wait_for_function("() => location.search.endsWith('countries=AZE')")
        assert page.console_errors == []

    def test_copied_url_restores_the_view(self, live_server, page):
        page.goto(live_server + "/rankings?index=gmi&countries=ARM,AZE")
        wait_for_caption(page, "rankings-trend", "ARM -0.04 ranks/year")
        assert page.locator("#rankings-index").inner_text().strip() == "gmi"
        chosen = page.locator("#rankings-countries-value .dash-dropdown-value-item")
        assert chosen.all_inner_texts() == ["ARM", "AZE"]
        assert names(page, "chart-rankings-trend")[:3] == [
            "ARM trend 95% CI",
            "ARM trend",
            "ARM",
        ]
        assert names(page, "chart-rank-gap") == ["AZE rank minus ARM rank"]
        assert page.console_errors == []

    def test_bad_query_value_falls_back_with_a_message(self, live_server, page):
        # The page callback outputs url.search, which is in the app shell before the page is, so
        # Dash fires it once as the controls appear and it redraws the messages from the (already
        # fallen-back) controls: empty. Hold that request while reading what the page showed.
        held = hold_page_callback(page, "rankings-messages")
        page.goto(live_server + "/rankings?index=sipri&countries=AZE,XYZ&year=2020")
        page.locator("#rankings-messages p").first.wait_for()
        text = page.locator("#rankings-messages").inner_text()
        assert "index: 'sipri' is not one of gfp, gmi; showing gfp" in text
        assert "countries: XYZ not among" in text and "showing AZE,ARM" in text
        assert "year: unknown parameter" in text
        wait_for_caption(page, "rankings-trend", "AZE -0.05 ranks/year")
        assert names(page, "chart-rankings-trend") == DEFAULT_TRACES
        assert page.locator("#rankings-index").inner_text().strip() == "gfp"
        release(page, held)
        page.wait_for_function("() => location.search === '?index=gfp&countries=AZE,ARM'")
        assert page.console_errors == []
