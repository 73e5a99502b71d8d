"""/force-ratio in a real browser: controls redraw the charts and rewrite the URL; a copied URL
restores the view; a bad query value falls back with a message."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def graph_traces(page, graph_id: str) -> list[dict]:
    """The traces plotly drew in a dcc.Graph, read from the page (name, type, x)."""
    page.locator(f"#{graph_id} .js-plotly-plot .main-svg").first.wait_for()
    return page.evaluate(
        """id => document.getElementById(id).querySelector('.js-plotly-plot')
               .data.map(t => ({name: t.name, type: t.type, x: t.x}))""",
        graph_id,
    )


def wait_for_caption(page, slug: str, text: str) -> str:
    locator = page.locator(f"#caption-{slug}")
    locator.filter(has_text=text).wait_for()
    return locator.inner_text()


class TestForceRatioPage:
    def test_default_view_draws_the_essay_interval(self, live_server, page):
        page.goto(live_server + "/force-ratio")
        caption = wait_for_caption(page, "force-ratio", "ratio 2.00-2.33")
        assert "(mid 2.16)" in caption
        traces = graph_traces(page, "chart-force-ratio")
        assert [t["name"] for t in traces] == ["force ratio"]
        assert traces[0]["x"][0] == pytest.approx(135 / 62.5)
        eq = graph_traces(page, "chart-equipment-ratio")
        assert eq[0]["type"] == "bar" and len(eq[0]["x"]) == 9  # 10 categories, ARM has no fighters
        assert "Rustamzade" in page.locator("#sources-force-ratio").inner_text()
        assert page.console_errors == []

    def test_terrain_and_slider_update_chart_and_url(self, live_server, page):
        page.goto(live_server + "/force-ratio")
        wait_for_caption(page, "force-ratio", "ratio 2.00-2.33")
        page.locator("#force-ratio-terrain").click()
        page.get_by_role("option", name="mountain").click()
        caption = wait_for_caption(page, "force-ratio", "6:1 rule for mountain terrain")
        assert "would need 2.6 to 3.0 times its strength" in caption
        assert "terrain=mountain" in page.url
        # keyboard: focus B's slider handle and step down from 100 % to 60 %
        handle = page.locator("#force-ratio-share_b [role=slider]")
        handle.focus()
        for _ in range(40):
            page.keyboard.press("ArrowLeft")
        caption = wait_for_caption(page, "force-ratio", "(60%: 36,000-39,000)")
        assert "ratio 3.33-3.89" in caption  # 130-140k against 36-39k
        page.wait_for_function("() => location.search.includes('share_b=60')")
        assert page.console_errors == []

    def test_copied_url_restores_the_view(self, live_server, page, browser):
        url = (
            live_server
            + "/force-ratio?a=AZE&b=ARM&year=2020&terrain=mountain&share_a=50&share_b=80"
        )
        page.goto(url)
        caption = wait_for_caption(page, "force-ratio", "(50% committed: 65,000-70,000)")
        assert "(80%: 48,000-52,000)" in caption
        assert page.locator("#force-ratio-terrain").inner_text().strip() == "mountain"

    def test_bad_query_value_falls_back_with_a_message(self, live_server, page):
        page.goto(live_server + "/force-ratio?a=XYZ&share_b=500&colour=red")
        text = page.locator("#force-ratio-messages").inner_text()
        assert "a: 'XYZ' is not one of" in text and "showing AZE" in text
        assert "share_b: '500' is outside 1-100" in text
        assert "colour: unknown parameter" in text
        wait_for_caption(page, "force-ratio", "ratio 2.00-2.33")
        assert page.console_errors == []

    def test_missing_data_shows_a_message_not_an_error(self, live_server, page):
        page.goto(live_server + "/force-ratio?a=GEO&b=ARM")
        caption = page.locator("#caption-force-ratio").inner_text()
        assert "No data for this selection" in caption and "GEO" in caption
        assert page.console_errors == []
