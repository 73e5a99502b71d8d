"""Cold start (issue 15): a page with charts asks for the scripts that draw them in its index
(<link rel=preload>), at the very URLs dcc.Graph's loader asks for later, so that each travels
once and early."""

from __future__ import annotations

import re

import pytest

from dashboard.factory import CHART_SCRIPTS

PRELOAD = re.compile(r'<link rel="preload" as="script" href="([^"]+)">')


@pytest.mark.parametrize("path", ["/", "/force-ratio", "/world", "/history"])
def test_a_page_with_charts_preloads_the_scripts_that_draw_them(client, path):
    page = client.get(path).get_data(as_text=True)
    assert PRELOAD.findall(page) == list(CHART_SCRIPTS)
    for src in CHART_SCRIPTS:
        assert client.get(src).status_code == 200, src


@pytest.mark.parametrize("path", ["/data", "/no-such-page"])
def test_a_page_without_charts_preloads_nothing(client, path):
    assert PRELOAD.findall(client.get(path).get_data(as_text=True)) == []


@pytest.mark.browser
def test_each_preloaded_script_travels_once(live_server, page):
    """Preloaded at the URL the chunk loader uses: Chromium fetches each script once (a
    preload at another URL would be a second download of plotly.js, 1.3 MB)."""
    page.set_default_timeout(90_000)
    page.goto(live_server + "/force-ratio")
    page.locator("#page .js-plotly-plot .main-svg").first.wait_for()
    page.wait_for_load_state("networkidle")
    assert page.console_errors == []
    for src in CHART_SCRIPTS:
        name = src.rsplit("/", 1)[1]
        fetched = [u for u in page.requested if u.split("?")[0].endswith("/" + name)]
        assert fetched == [live_server + src], (name, fetched)
