"""/ in a real browser: the 2020 case at a glance, with source marks that show disagreement."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


class TestOverview:
    def test_cards_show_the_case_with_sources(self, live_server, page):
        page.goto(live_server + "/")
        manpower = page.locator("#overview-manpower")
        manpower.wait_for()
        text = manpower.inner_text()
        assert "130,000-140,000" in text and "60,000-65,000" in text
        assert "ratio 2.00-2.33" in page.locator("#caption-force-ratio").inner_text()
        opening = page.locator("#overview-opening").inner_text()
        assert "up to 30 %" in opening and "up to 60 %" in opening
        assert page.console_errors == []

    def test_amber_mark_where_sources_disagree_lists_every_report(self, live_server, page):
        page.goto(live_server + "/")
        gfp = page.locator("#overview-gfp")
        gfp.wait_for()
        assert "63-64" in gfp.inner_text() and "111-112" in gfp.inner_text()
        marks = gfp.locator(".source-mark.conflict")
        assert marks.count() == 2
        assert marks.first.evaluate("m => m.firstChild.textContent").startswith("⚑ GFP 2020 +")
        title = marks.first.locator(".cite-tip").text_content()
        assert title.startswith("Sources disagree")
        assert "63: Trend News Agency" in title and "64: AzerNews" in title
        assert "64: Agil Rustamzade; Anar Valiyev" in title
        # the manpower figures come from one source each: a plain mark
        assert page.locator("#overview-manpower .source-mark.conflict").count() == 0

    def test_card_links_to_its_page_with_the_selection(self, live_server, page):
        page.goto(live_server + "/?a=AZE&b=ARM&year=2020")
        page.locator("#overview-to-force").click()
        page.wait_for_url("**/force-ratio?**")
        page.locator("#force-ratio-terrain").wait_for()
        assert "a=AZE" in page.url and "b=ARM" in page.url

    def test_bad_query_value_falls_back_with_a_message(self, live_server, page):
        page.goto(live_server + "/?year=abc")
        assert "year: 'abc' is not a number" in page.locator("#overview-messages").inner_text()
        assert "130,000-140,000" in page.locator("#overview-manpower").inner_text()
