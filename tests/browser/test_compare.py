"""/compare in a real browser: the table with its source marks; the amber flag on cells where
sources disagree is visible and opens (by click or by Enter) the list of every source's value;
the controls (keyboard) rewrite the table and the URL; a copied URL restores the view; a bad
query value falls back with a message."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.browser
DEFAULT_QUERY = "?a=AZE&b=ARM&year=2020"


def open_settled(page, url: str, query: str = DEFAULT_QUERY) -> None:
    """Open the page and wait for the controls callback Dash runs once after drawing it (it
    rewrites the query and redraws the table): interaction before it could be undone by it."""
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


def value(page, key: str, side: str) -> str:
    return page.locator(f"#compare-{key}-{side} .value").inner_text()


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


class TestComparePage:
    def test_default_table_with_sources_and_flags(self, live_server, page):
        open_settled(page, live_server + "/compare")
        table = page.locator("#compare-table")
        table.wait_for()
        headers = table.locator("thead th").all_inner_texts()
        assert headers == ["Indicator", "Unit", "Azerbaijan (AZE)", "Armenia (ARM)"]
        assert value(page, "gfp-rank", "a") == "63-64"
        assert value(page, "gfp-rank", "b") == "111-112"
        assert value(page, "manpower-wartime_strength", "a") == "130,000-140,000"
        assert value(page, "gmi-rank", "a") == "3" and value(page, "gmi-rank", "b") == "2-5"
        mark = page.locator("#compare-manpower-wartime_strength-a abbr")
        assert mark.inner_text() == "rv-essay"
        assert "Rustamzade" in mark.get_attribute("title")
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

    def test_flag_is_visible_and_a_click_opens_every_source(self, live_server, page):
        open_settled(page, live_server + "/compare")
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

    def test_enter_on_the_flag_opens_it(self, live_server, page):
        open_settled(page, live_server + "/compare")
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

    def test_controls_update_table_and_url(self, live_server, page):
        open_settled(page, live_server + "/compare")
        pick(page, "compare-b", "GEO")
        page.locator("#compare-table thead").filter(has_text="Georgia (GEO)").wait_for()
        page.wait_for_function("() => location.search === '?a=AZE&b=GEO&year=2020'")
        assert value(page, "sipri-milex_current_usd_m", "b") == "292.2"
        assert value(page, "gfp-rank", "b") == "-"
        assert page.locator("#compare-gfp-rank-b details").count() == 0

        year = page.locator("#compare-year")
        year.focus()
        page.keyboard.press("Control+A")
        page.keyboard.type("2023")
        page.keyboard.press("Enter")
        page.locator("#compare-row-gfp-rank").filter(has_text="2023 edition").wait_for()
        page.wait_for_function("() => location.search === '?a=AZE&b=GEO&year=2023'")
        assert value(page, "gfp-rank", "a") == "57"
        assert value(page, "equipment-tanks", "a") == "920"
        assert page.console_errors == []

    def test_copied_url_restores_the_view(self, live_server, page):
        open_settled(page, live_server + "/compare?a=ARM&b=AZE&year=2021", "?a=ARM&b=AZE&year=2021")
        assert page.locator("#compare-a").inner_text().strip() == "ARM"
        assert page.locator("#compare-b").inner_text().strip() == "AZE"
        assert page.locator("#compare-year").input_value() == "2021"
        assert page.locator("#compare-table thead th").all_inner_texts()[2] == "Armenia (ARM)"
        assert value(page, "gfp-rank", "a") == "100" and value(page, "gfp-rank", "b") == "64"
        assert value(page, "manpower-total_military", "b") == "450,000"
        assert page.console_errors == []

    def test_bad_query_value_falls_back_with_a_message(self, live_server, page):
        held = hold_control_callbacks(page, "compare-")
        page.goto(live_server + "/compare?a=XYZ&year=abc&side=AZE")
        text = page.locator("#compare-messages").inner_text()
        assert "a: 'XYZ' is not one of" in text and "showing AZE" in text
        assert "year: 'abc' is not a number; showing 2020" in text
        assert "side: unknown parameter" in text
        assert value(page, "gfp-rank", "a") == "63-64"
        assert page.locator("#compare-a").inner_text().strip() == "AZE"
        page.wait_for_function("() => document.querySelector('#compare-year').value === '2020'")
        release(page, held)
        page.wait_for_function("q => location.search === q", arg=DEFAULT_QUERY)
        assert value(page, "gfp-rank", "a") == "63-64"
        assert page.console_errors == []
