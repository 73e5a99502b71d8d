"""/force-ratio in a real browser: controls redraw the charts and rewrite the URL; a copied URL
restores the view; a bad query value falls back with a message."""

from __future__ import annotations

import pytest

from tests.browser.test_equipment import clipped, overlapping, text_boxes

pytestmark = pytest.mark.browser
DEFAULT_QUERY = (
    "?a=AZE&b=ARM&year=2020&measure=wartime_strength&terrain=general&share_a=100&share_b=100"
)


class TestForceRatioPage:
    def test_default_view_draws_the_essay_interval(self, live_server, page, ui):
        page.goto(live_server + "/force-ratio")
        caption = ui.caption("force-ratio", "ratio 2.00-2.33")
        assert "(mid 2.16)" in caption
        traces = ui.traces("chart-force-ratio")
        assert [t["name"] for t in traces] == ["force ratio"]
        assert traces[0]["x"][0] == pytest.approx(135 / 62.5)
        eq = ui.traces("chart-equipment-ratio")
        assert eq[0]["type"] == "bar"
        assert sum(len(t["x"]) for t in eq) == 9  # 10 categories, Armenia has no fighters
        assert "Rustamzade" in page.locator("#sources-force-ratio").inner_text()
        assert page.console_errors == []

    def test_terrain_and_slider_update_chart_and_url(self, live_server, page, ui):
        ui.open_settled(live_server + "/force-ratio", DEFAULT_QUERY)
        ui.caption("force-ratio", "ratio 2.00-2.33")
        page.locator("#force-ratio-terrain").click()
        page.get_by_role("option", name="mountain").click()
        caption = ui.caption("force-ratio", "6:1 rule for mountain terrain")
        assert "would need 2.6 to 3.0 times its strength" in caption
        assert "terrain=mountain" in page.url
        # keyboard: focus B's slider handle and step down from 100 % to 60 %
        handle = page.locator("#force-ratio-share_b [role=slider]")
        handle.focus()
        for _ in range(40):
            page.keyboard.press("ArrowLeft")
        caption = ui.caption("force-ratio", "(60%: 36,000-39,000)")
        assert "ratio 3.33-3.89" in caption  # 130-140k against 36-39k
        page.wait_for_function("() => location.search.includes('share_b=60')")
        assert page.console_errors == []

    def test_copied_url_restores_the_view(self, live_server, page, ui):
        url = (
            live_server
            + "/force-ratio?a=AZE&b=ARM&year=2020&terrain=mountain&share_a=50&share_b=80"
        )
        page.goto(url)
        caption = ui.caption("force-ratio", "(50% committed: 65,000-70,000)")
        assert "(80%: 48,000-52,000)" in caption
        assert ui.shown("force-ratio-terrain") == "Mountains (6:1)"

    def test_bad_query_value_falls_back_with_a_message(self, live_server, page, ui):
        # Wait for Dash's first controls callback to come back (it rewrites the query): the
        # messages about the original query must survive it.
        ui.open_settled(live_server + "/force-ratio?a=XYZ&share_b=500&colour=red", DEFAULT_QUERY)
        text = ui.messages("force-ratio")
        assert "a: 'XYZ' is not one of" in text and "showing AZE" in text
        assert "share_b: '500' is outside 1-100" in text
        assert "colour: unknown parameter" in text
        ui.caption("force-ratio", "ratio 2.00-2.33")
        assert ui.shown("force-ratio-a") == "Azerbaijan (AZE)"
        assert page.console_errors == []

    def test_a_year_the_pair_lacks_falls_back_with_a_message(self, live_server, page, ui):
        # Georgia and Armenia: personnel from the World Bank and COW up to 2016, none in 2020
        ui.open_settled(
            live_server + "/force-ratio?a=GEO&b=ARM&year=2020",
            "?a=GEO&b=ARM&year=2016&measure=total_military&terrain=general&share_a=100&share_b=100",
        )
        text = ui.messages("force-ratio")
        assert (
            "year: Georgia (GEO) and Armenia (ARM) have no personnel figures in common for 2020; "
            "showing 2016"
        ) in text
        ui.caption("force-ratio", "Total armed forces: Georgia")
        assert page.console_errors == []


def rule_labels(page, graph_id: str) -> dict[str, dict]:
    """The rules' labels as drawn: text -> font weight and box."""
    page.locator(f"#{graph_id} .js-plotly-plot .main-svg").first.wait_for()
    return page.evaluate(
        """id => Object.fromEntries([...document.getElementById(id)
              .querySelectorAll('.annotation-text')]
            .filter(t => t.textContent.includes(':1 '))
            .map(t => [t.textContent, {bold: !!t.querySelector('tspan[style*="bold"]')}]))""",
        graph_id,
    )


class TestOnAPhone:
    @pytest.mark.parametrize("path", ["/force-ratio", "/"])
    def test_labels_neither_overlap_nor_are_cut_at_390_px(self, live_server, page, ui, path):
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(live_server + path)
        ui.caption("force-ratio", "ratio 2.00-2.33")
        for graph in ("chart-force-ratio", "chart-equipment-ratio")[: 2 if path != "/" else 1]:
            drawn = text_boxes(page, graph)
            texts = [b["text"] for b in drawn["boxes"]]
            assert "3:1 prepared defence" in texts and "6:1 mountains" in texts
            assert overlapping(drawn["boxes"]) == [], graph
            assert clipped(drawn) == [], graph
        texts = [b["text"] for b in text_boxes(page, "chart-force-ratio")["boxes"]]
        assert "2.0-2.3 : 1" in texts  # 130-140k against 60-65k
        assert "Force ratio, Azerbaijan : Armenia" in texts  # the axis title, whole
        widths = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
        assert widths[0] <= widths[1]
        assert page.console_errors == []

    def test_the_chosen_terrains_rule_is_bold(self, live_server, page, ui):
        ui.open_settled(live_server + "/force-ratio", DEFAULT_QUERY)
        labels = rule_labels(page, "chart-force-ratio")
        assert labels["3:1 prepared defence"]["bold"] and not labels["6:1 mountains"]["bold"]
        page.locator("#force-ratio-terrain").click()
        page.get_by_role("option", name="Mountains").click()
        ui.caption("force-ratio", "6:1 rule for mountain terrain")
        page.wait_for_function(
            """() => [...document.querySelectorAll('#chart-force-ratio .annotation-text')]
                  .some(t => t.textContent === '6:1 mountains'
                             && t.querySelector('tspan[style*="bold"]'))"""
        )
        labels = rule_labels(page, "chart-force-ratio")
        assert labels["6:1 mountains"]["bold"] and not labels["3:1 prepared defence"]["bold"]
