"""/equipment in a real browser: counts side by side and the equipment ratio below; the scale and
year controls (from the keyboard) redraw the charts and rewrite the URL; a copied URL restores the
view; bad query values fall back with a message."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser
DEFAULT_QUERY = "?a=AZE&b=ARM&year=2020&scale=linear&source=all"


def count(drawn: dict, country: str, category: str) -> float:
    trace = next(t for t in drawn["traces"] if t["name"] == country)
    return trace["y"][trace["x"].index(category)]


class TestEquipmentPage:
    def test_default_view_draws_counts_and_ratio(self, live_server, page, ui):
        page.goto(live_server + "/equipment")
        caption = ui.caption("equipment-counts", "tanks: 570 against 110")
        assert "AZE has more in 9 and ARM in 1 of the 10 categories" in caption
        drawn = ui.plot("chart-equipment-counts")
        assert [(t["name"], t["type"]) for t in drawn["traces"]] == [("AZE", "bar"), ("ARM", "bar")]
        assert count(drawn, "AZE", "tanks") == 570 and count(drawn, "ARM", "tanks") == 110
        assert drawn["ytitle"] == "Count (items)" and drawn["ytype"] == "linear"
        ratio = ui.plot("chart-equipment-ratio")
        assert ratio["traces"][0]["type"] == "bar" and len(ratio["traces"][0]["x"]) == 9
        assert "World military power" in page.locator("#sources-equipment-counts").inner_text()
        assert page.console_errors == []

    def test_scale_and_year_update_charts_and_url(self, live_server, page, ui):
        ui.open_settled(live_server + "/equipment", DEFAULT_QUERY)
        ui.caption("equipment-counts", "tanks: 570 against 110")
        assert ui.shown("equipment-scale") == "linear"
        ui.pick("equipment-scale", "log")
        ui.caption("equipment-counts", "Zero counts have no bar on a log scale")
        page.wait_for_function("() => location.search.includes('scale=log')")
        assert ui.plot("chart-equipment-counts")["ytype"] == "log"

        ui.choose("equipment-year", "2023")
        caption = ui.caption("equipment-counts", "tanks: 920 against 519")
        assert "of the 7 categories" in caption
        page.wait_for_function("() => location.search.includes('year=2023')")
        assert page.url.endswith("/equipment?a=AZE&b=ARM&year=2023&scale=log&source=all")
        drawn = ui.plot("chart-equipment-counts")
        assert count(drawn, "ARM", "mlrs") == 174 and drawn["ytype"] == "log"
        ui.caption("equipment-ratio", "Azerbaijan against Armenia, 2023")
        assert page.console_errors == []

    def test_copied_url_restores_the_view(self, live_server, page, ui):
        page.goto(live_server + "/equipment?a=GEO&b=ARM&year=2020&scale=log")
        caption = ui.caption("equipment-counts", "tanks: 143 against 110")
        assert caption.startswith("Equipment counts of Georgia and Armenia in 2020")
        assert ui.shown("equipment-a") == "Georgia (GEO)"
        assert ui.shown("equipment-scale") == "log"
        drawn = ui.plot("chart-equipment-counts")
        assert [t["name"] for t in drawn["traces"]] == ["GEO", "ARM"] and drawn["ytype"] == "log"
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
        assert drawn["ytype"] == "linear"
        assert count(drawn, "AZE", "tanks") == 570 and count(drawn, "ARM", "tanks") == 110
        assert ui.shown("equipment-scale") == "linear"
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
