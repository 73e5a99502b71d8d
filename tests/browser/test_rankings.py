"""/rankings in a real browser: both charts drawn with their traces; the index and country
controls (used from the keyboard) redraw the charts and rewrite the URL; a copied URL restores
the view; bad query values fall back with a message."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser
DEFAULT_QUERY = "?index=gfp&countries=AZE,ARM&source=all"

DEFAULT_TRACES = [
    "AZE trend 95% CI",
    "AZE trend",
    "AZE",
    "ARM trend 95% CI",
    "ARM trend",
    "ARM",
    "reports differ (bar: range of reported ranks)",
]


class TestRankingsPage:
    def test_default_view_draws_both_charts(self, live_server, page, ui):
        page.goto(live_server + "/rankings")
        caption = ui.caption("rankings-trend", "AZE -0.05 ranks/year")
        assert "(95% CI -1.11 to +1.02, n=9)" in caption
        assert "ARM +1.55 ranks/year (95% CI -1.15 to +4.26, n=9)" in caption
        assert "a lower rank number is higher on the list" in caption
        drawn = ui.plot("chart-rankings-trend")
        assert [t["name"] for t in drawn["traces"]] == DEFAULT_TRACES
        aze = drawn["traces"][2]
        assert aze["x"] == [2016, 2017, 2018, 2020, 2021, 2022, 2023, 2024, 2025]
        assert aze["y"][0] == 64 and aze["y"][3] == pytest.approx(63.667, abs=1e-3)
        assert drawn["ytitle"] == "Rank (1 = strongest)"
        assert drawn["xtitle"] == "Edition (report year)"
        assert drawn["yrange"][0] > drawn["yrange"][1]  # reversed: rank 1 at the top
        gap = ui.plot("chart-rank-gap")
        assert [(t["name"], t["type"]) for t in gap["traces"]] == [
            ("ARM rank minus AZE rank", "bar")
        ]
        assert gap["traces"][0]["y"][0] == 10
        assert (
            "in 9 of 9 Global Firepower editions" in page.locator("#caption-rank-gap").inner_text()
        )
        assert "Trend News Agency" in page.locator("#sources-rankings-trend").inner_text()
        assert page.console_errors == []

    def test_index_and_countries_update_charts_and_url(self, live_server, page, ui):
        ui.open_settled(live_server + "/rankings", DEFAULT_QUERY)
        ui.caption("rankings-trend", "AZE -0.05 ranks/year")
        ui.pick("rankings-index", "gmi")
        caption = ui.caption("rankings-trend", "Global Militarisation Index")
        assert "AZE -0.32 ranks/year (95% CI -2.26 to +1.62, n=5)" in caption
        page.wait_for_function("() => location.search.includes('index=gmi')")
        assert ui.plot("chart-rankings-trend")["ytitle"] == "Rank (1 = most militarised)"
        ui.caption("rank-gap", "Global Militarisation Index editions")

        ui.toggle("rankings-countries", "geo")
        caption = ui.caption("rankings-trend", "GEO: no gmi rank")
        page.wait_for_function("() => location.search.includes('countries=AZE,ARM,GEO')")
        assert ui.names("chart-rankings-trend")[:6] == DEFAULT_TRACES[:6]

        ui.toggle("rankings-countries", "arm")  # deselect
        ui.caption("rank-gap", "GEO has no rows in the gmi rankings")
        page.wait_for_function("() => location.search.includes('countries=AZE,GEO')")
        assert ui.names("chart-rankings-trend") == ["AZE trend 95% CI", "AZE trend", "AZE"]
        assert ui.names("chart-rank-gap") == []

        ui.toggle("rankings-countries", "geo")  # one country left: no gap to show
        ui.caption("rank-gap", "choose at least two")
        page.wait_for_function("() => location.search.endsWith('countries=AZE&source=all')")
        assert page.console_errors == []

    def test_copied_url_restores_the_view(self, live_server, page, ui):
        page.goto(live_server + "/rankings?index=gmi&countries=ARM,AZE")
        ui.caption("rankings-trend", "ARM -0.04 ranks/year")
        assert ui.shown("rankings-index") == "gmi"
        chosen = page.locator("#rankings-countries-value .dash-dropdown-value-item")
        assert chosen.all_inner_texts() == ["ARM", "AZE"]
        assert ui.names("chart-rankings-trend")[:3] == [
            "ARM trend 95% CI",
            "ARM trend",
            "ARM",
        ]
        assert ui.names("chart-rank-gap") == ["AZE rank minus ARM rank"]
        assert page.console_errors == []

    def test_bad_query_value_falls_back_with_a_message(self, live_server, page, ui):
        # Wait for Dash's first controls callback to come back (it rewrites the query): the
        # messages about the original query must survive it.
        ui.open_settled(
            live_server + "/rankings?index=sipri&countries=AZE,XYZ&year=2020", DEFAULT_QUERY
        )
        text = ui.messages("rankings")
        assert "index: 'sipri' is not one of gfp, gmi; showing gfp" in text
        assert "countries: XYZ not among" in text and "showing AZE,ARM" in text
        assert "year: unknown parameter" in text
        ui.caption("rankings-trend", "AZE -0.05 ranks/year")
        assert ui.names("chart-rankings-trend") == DEFAULT_TRACES
        assert ui.names("chart-rank-gap") == ["ARM rank minus AZE rank"]
        assert ui.shown("rankings-index") == "gfp"
        chosen = page.locator("#rankings-countries-value .dash-dropdown-value-item")
        assert chosen.all_inner_texts() == ["AZE", "ARM"]
        assert page.console_errors == []
