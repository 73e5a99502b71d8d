"""/compare in a real browser: the table with its source marks; the amber flag on cells where
sources disagree is visible and opens (by click or by Enter) the list of every source's value;
the controls (keyboard) rewrite the table and the URL; a copied URL restores the view; a bad
query value falls back with a message."""

from __future__ import annotations

import pytest

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
        assert "year: 'abc' is not a number; showing 2020" in text
        assert "side: unknown parameter" in text
        assert value(page, "gfp-rank", "a") == "63-64"
        assert value(page, "gfp-rank", "b") == "111-112"
        assert ui.shown("compare-a") == "Azerbaijan (AZE)"
        assert ui.shown("compare-year") == "2020"
        assert page.console_errors == []
