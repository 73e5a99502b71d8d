"""Any pair in a real browser, on the embedded data plus hand-made World Bank and COW files
(pairs_server): /force-ratio?a=IND&b=PAK draws a ratio by the measure the pair has, the measure
control offers only measures that exist, typing in a country picker filters it by name, A = B
is refused with a message, and / follows its pickers."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser
IND_PAK = "?a=IND&b=PAK&year=2016&measure=total_military&terrain=general&share_a=100&share_b=100"


class TestForceRatioForAnyPair:
    def test_india_against_pakistan_draws_a_ratio_with_its_measure_named(
        self, pairs_server, page, ui
    ):
        ui.open_settled(pairs_server + "/force-ratio?a=IND&b=PAK", IND_PAK)
        caption = ui.caption("force-ratio", "Total armed forces: India")
        # 1.4-2.8 million against 0.6-0.9 million: WDI and COW spanned on each side
        assert "(100% committed: 1,400,000-2,800,000) against Pakistan" in caption
        assert "ratio 1.56-4.67 (mid 2.80)" in caption
        assert ui.traces("chart-force-ratio")[0]["x"][0] == pytest.approx(2.8)
        assert ui.shown("force-ratio-measure") == "total armed forces"
        assert ui.shown("force-ratio-a") == "India (IND)"
        assert ui.messages("force-ratio") == ""
        assert page.console_errors == []

    def test_the_measure_control_offers_only_measures_that_exist(self, pairs_server, page, ui):
        ui.open_settled(pairs_server + "/force-ratio?a=IND&b=PAK", IND_PAK)
        assert ui.listed("force-ratio-measure") == ["total armed forces"]
        page.keyboard.press("Escape")
        query = "?a=AZE&b=ARM&year=2018&measure=active&terrain=general&share_a=100&share_b=100"
        ui.open_settled(pairs_server + "/force-ratio?year=2018", query)
        assert ui.listed("force-ratio-measure") == ["active personnel", "total armed forces"]
        page.get_by_role("option", name="total armed forces").click()
        ui.caption("force-ratio", "Total armed forces: Azerbaijan")
        page.wait_for_function("() => location.search.includes('measure=total_military')")
        assert page.console_errors == []

    def test_typing_in_country_a_filters_the_list_by_name(self, pairs_server, page, ui):
        query = IND_PAK.replace("a=IND", "a=AZE").replace("b=PAK", "b=ARM")
        ui.open_settled(pairs_server + "/force-ratio?a=AZE&b=ARM&year=2016", query)
        options = ui.listed("force-ratio-a", "Ind")
        assert "India (IND)" in options and "Pakistan (PAK)" not in options
        page.get_by_role("option", name="India (IND)").click()
        ui.caption("force-ratio", "Total armed forces: India")
        page.wait_for_function("() => location.search.startsWith('?a=IND&b=ARM')")
        assert page.console_errors == []

    def test_the_same_country_twice_is_refused_with_a_message(self, pairs_server, page, ui):
        ui.open_settled(pairs_server + "/force-ratio?a=IND&b=PAK", IND_PAK)
        ui.listed("force-ratio-b", "Ind")
        page.get_by_role("option", name="India (IND)").click()
        page.locator("#force-ratio-messages").filter(has_text="choose two").wait_for()
        assert "a, b: both are India (IND)" in ui.messages("force-ratio")
        assert "choose two different countries" in ui.caption("force-ratio", "both")
        assert page.console_errors == []

    def test_a_year_outside_the_data_falls_back_with_a_message(self, pairs_server, page, ui):
        ui.open_settled(pairs_server + "/force-ratio?a=IND&b=PAK&year=2020", IND_PAK)
        assert (
            "year: India (IND) and Pakistan (PAK) have no personnel figures in common for "
            "2020; showing 2016"
        ) in ui.messages("force-ratio")
        assert ui.listed("force-ratio-year") == ["2016", "2015"]


class TestOverviewForAnyPair:
    def test_pickers_redraw_the_cards_and_the_url(self, pairs_server, page, ui):
        ui.open_settled(pairs_server + "/?a=IND&b=PAK", "?a=IND&b=PAK&year=2016")
        assert page.locator("h1").inner_text() == "India and Pakistan, 2016"
        manpower = page.locator("#overview-manpower").inner_text()
        assert "Manpower: total armed forces" in manpower and "600,000-900,000" in manpower
        ui.listed("overview-year")
        page.get_by_role("option", name="2015").click()
        ui.wait_for_query("?a=IND&b=PAK&year=2015")
        page.locator("h1").filter(has_text="2015").wait_for()
        assert "930,000" in page.locator("#overview-manpower").inner_text()
        assert "ratio 2.90" in ui.caption("force-ratio", "2015")
        assert page.console_errors == []
