"""/equipment in a real browser: counts side by side and the equipment ratio below; the scale and
year controls (from the keyboard) redraw the charts and rewrite the URL; a copied URL restores the
view; bad query values fall back with a message."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def plot(page, graph_id: str) -> dict:
    """What plotly drew in a dcc.Graph: trace name/type/x/y and the count axis."""
    page.locator(f"#{graph_id} .js-plotly-plot .main-svg").first.wait_for()
    return page.evaluate(
        """id => {
            const div = document.getElementById(id).querySelector('.js-plotly-plot');
            return {
                traces: div.data.map(t => ({name: t.name, type: t.type, x: t.x, y: t.y})),
                ytitle: div.layout.yaxis.title?.text, ytype: div.layout.yaxis.type,
            };
        }""",
        graph_id,
    )


def count(drawn: dict, country: str, category: str) -> float:
    trace = next(t for t in drawn["traces"] if t["name"] == country)
    return trace["y"][trace["x"].index(category)]


def wait_for_caption(page, slug: str, text: str) -> str:
    locator = page.locator(f"#caption-{slug}")
    locator.filter(has_text=text).wait_for()
    return locator.inner_text()


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


class TestEquipmentPage:
    def test_default_view_draws_counts_and_ratio(self, live_server, page):
        page.goto(live_server + "/equipment")
        caption = wait_for_caption(page, "equipment-counts", "tanks: 570 against 110")
        assert "AZE has more in 9 and ARM in 1 of the 10 categories" in caption
        drawn = plot(page, "chart-equipment-counts")
        assert [(t["name"], t["type"]) for t in drawn["traces"]] == [("AZE", "bar"), ("ARM", "bar")]
        assert count(drawn, "AZE", "tanks") == 570 and count(drawn, "ARM", "tanks") == 110
        assert drawn["ytitle"] == "Count (items)" and drawn["ytype"] == "linear"
        ratio = plot(page, "chart-equipment-ratio")
        assert ratio["traces"][0]["type"] == "bar" and len(ratio["traces"][0]["x"]) == 9
        assert "World military power" in page.locator("#sources-equipment-counts").inner_text()
        assert page.console_errors == []

    def test_scale_and_year_update_charts_and_url(self, live_server, page):
        page.goto(live_server + "/equipment")
        wait_for_caption(page, "equipment-counts", "tanks: 570 against 110")
        page.locator("#equipment-scale").focus()
        page.keyboard.press("Enter")
        page.locator("[role=listbox]").wait_for()
        page.wait_for_function("() => document.activeElement.value === 'linear'")
        page.keyboard.press("ArrowDown")
        page.wait_for_function("() => document.activeElement.value === 'log'")
        page.keyboard.press("Enter")
        wait_for_caption(page, "equipment-counts", "Zero counts have no bar on a log scale")
        page.wait_for_function("() => location.search.includes('scale=log')")
        assert plot(page, "chart-equipment-counts")["ytype"] == "log"

        year = page.locator("#equipment-year")
        year.focus()
        page.keyboard.press("Control+A")
        page.keyboard.type("2023")
        page.keyboard.press("Enter")
        caption = wait_for_caption(page, "equipment-counts", "tanks: 920 against 519")
        assert "of the 7 categories" in caption
        page.wait_for_function("() => location.search.includes('year=2023')")
        assert page.url.endswith("/equipment?a=AZE&b=ARM&year=2023&scale=log")
        drawn = plot(page, "chart-equipment-counts")
        assert count(drawn, "ARM", "mlrs") == 174 and drawn["ytype"] == "log"
        wait_for_caption(page, "equipment-ratio", "Azerbaijan against Armenia, 2023")
        assert page.console_errors == []

    def test_copied_url_restores_the_view(self, live_server, page):
        page.goto(live_server + "/equipment?a=GEO&b=ARM&year=2020&scale=log")
        caption = wait_for_caption(page, "equipment-counts", "tanks: 143 against 110")
        assert caption.startswith("Equipment counts of Georgia and Armenia in 2020")
        assert page.locator("#equipment-a").inner_text().strip() == "GEO"
        assert page.locator("#equipment-scale").inner_text().strip() == "log"
        drawn = plot(page, "chart-equipment-counts")
        assert [t["name"] for t in drawn["traces"]] == ["GEO", "ARM"] and drawn["ytype"] == "log"
        wait_for_caption(page, "equipment-ratio", "Equipment of Georgia against Armenia, 2020")
        assert page.console_errors == []

    def test_bad_query_value_falls_back_with_a_message(self, live_server, page):
        # The page callback outputs url.search, which is in the app shell before the page is, so
        # Dash fires it once as the controls appear and it redraws the messages from the (already
        # fallen-back) controls: empty. Hold that request while reading what the page showed.
        held = hold_page_callback(page, "equipment-messages")
        page.goto(live_server + "/equipment?scale=cubic&year=1800&terrain=mountain")
        page.locator("#equipment-messages p").first.wait_for()
        text = page.locator("#equipment-messages").inner_text()
        assert "scale: 'cubic' is not one of linear, log; showing linear" in text
        assert "year: '1800' is outside 1990-2030; showing 2020" in text
        assert "terrain: unknown parameter" in text
        wait_for_caption(page, "equipment-counts", "tanks: 570 against 110")
        assert plot(page, "chart-equipment-counts")["ytype"] == "linear"
        assert page.locator("#equipment-year").input_value() == "2020"
        release(page, held)
        page.wait_for_function("() => location.search === '?a=AZE&b=ARM&year=2020&scale=linear'")
        assert page.console_errors == []

    def test_missing_data_shows_a_message_not_an_error(self, live_server, page):
        page.goto(live_server + "/equipment?a=AZE&b=GEO&year=2019")
        caption = page.locator("#caption-equipment-counts").inner_text()
        assert "No data for this selection" in caption and "AZE or GEO in 2019" in caption
        assert page.console_errors == []
