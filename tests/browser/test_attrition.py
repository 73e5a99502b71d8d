"""/attrition in a real browser: the three charts drawn with their traces; the side and source
controls (used from the keyboard) redraw them and rewrite the URL; a copied URL restores the
view; a bad query value falls back with a message."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

DEFAULT_QUERY = "?side=all&source=all"


class TestAttritionPage:
    def test_default_view_draws_three_charts(self, live_server, page, ui):
        page.goto(live_server + "/attrition")
        ui.caption("attrition-timeline", "31 figures and 19 dated events")
        timeline = ui.plot("chart-attrition-timeline")
        assert [t["name"] for t in timeline["traces"]] == ["events", "AZE", "ARM"]
        events = timeline["traces"][0]
        assert len(events["x"]) == 19 and events["x"][0] == "2020-09-27"
        assert timeline["xtitle"] == "Date (2020)"
        arm = timeline["traces"][2]
        horadiz = arm["hovertext"][arm["y"].index("ARM servicemen: losses")]
        assert "600-700 persons" in horadiz and "rv-essay" in horadiz

        shares = ui.plot("chart-opening-shares")
        assert [(t["name"], t["type"]) for t in shares["traces"]] == [("ARM", "bar")]
        assert shares["traces"][0]["y"] == [30, 60]
        assert shares["ytitle"] == "Share destroyed (%)" and shares["yrange"] == [0, 100]
        assert page.locator("#chart-opening-shares text.bartext").first.text_content() == (
            "up to 30 %"
        )

        losses = ui.plot("chart-attrition-losses")
        assert [t["name"] for t in losses["traces"]] == ["AZE", "ARM"]
        assert losses["ytype"] == "log"
        assert losses["ytitle"] == "Count (persons or items, log scale)"
        assert "Oryx" in page.locator("#sources-attrition-losses").inner_text()
        assert page.console_errors == []

    def test_side_and_source_update_charts_and_url(self, live_server, page, ui):
        ui.open_settled(live_server + "/attrition", DEFAULT_QUERY)
        ui.caption("attrition-timeline", "31 figures and 19 dated events")
        ui.pick("attrition-side", "AZE")
        ui.caption("attrition-timeline", "(Azerbaijan, all sources)")
        page.wait_for_function("() => location.search.includes('side=AZE')")
        assert ui.names("chart-attrition-timeline") == ["events", "AZE"]
        assert ui.names("chart-attrition-losses") == ["AZE"]
        caption = ui.caption("opening-shares", "No data for this selection")
        assert "only for ARM" in caption
        assert ui.names("chart-opening-shares") == []

        ui.pick("attrition-source", "other")
        caption = ui.caption("attrition-timeline", "sources other than the essay")
        assert caption.startswith("8 figures and 0 dated events")
        page.wait_for_function("() => location.search === '?side=AZE&source=other'")
        assert ui.names("chart-attrition-timeline") == ["AZE"]
        losses = ui.plot("chart-attrition-losses")["traces"][0]
        assert all("wikipedia" in h or "oryx" in h for h in losses["hovertext"])
        assert page.console_errors == []

    def test_copied_url_restores_the_view(self, live_server, page, ui):
        ui.open_settled(live_server + "/attrition?side=ARM&source=essay", "?side=ARM&source=essay")
        ui.caption("attrition-timeline", "(Armenia, the essay only)")
        assert ui.shown("attrition-side") == "ARM"
        assert ui.shown("attrition-source") == "essay"
        assert ui.names("chart-attrition-timeline") == ["events", "ARM"]
        assert ui.names("chart-opening-shares") == ["ARM"]
        losses = ui.plot("chart-attrition-losses")["traces"]
        assert [t["name"] for t in losses] == ["ARM"]
        assert "servicemen: losses" in losses[0]["x"]
        assert page.console_errors == []

    def test_bad_query_value_falls_back_with_a_message(self, live_server, page, ui):
        # Wait for Dash's first controls callback to come back (it rewrites the query): the
        # messages about the original query must survive it.
        ui.open_settled(live_server + "/attrition?side=RUS&source=blog&a=AZE", DEFAULT_QUERY)
        text = ui.messages("attrition")
        assert "side: 'RUS' is not one of all, AZE, ARM; showing all" in text
        assert "source: 'blog' is not one of all, essay, other; showing all" in text
        assert "a: unknown parameter" in text
        ui.caption("attrition-timeline", "31 figures and 19 dated events")
        assert ui.shown("attrition-side") == "all"
        assert ui.shown("attrition-source") == "all"
        assert ui.names("chart-attrition-timeline") == ["events", "AZE", "ARM"]
        assert ui.names("chart-opening-shares") == ["ARM"]
        assert ui.names("chart-attrition-losses") == ["AZE", "ARM"]
        assert page.console_errors == []
