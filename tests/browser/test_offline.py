"""Every page, in a real browser: no console error, and no request to any host but 127.0.0.1
(every request the page makes is recorded)."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser

PAGES = [
    "/",
    "/compare",
    "/force-ratio",
    "/rankings",
    "/equipment",
    "/attrition",
    "/world",
    "/data",
]


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_only_from_localhost(live_server, page, path):
    page.goto(live_server + path)
    page.locator("#page h1").first.wait_for()
    page.wait_for_load_state("networkidle")
    hosts = {urlparse(u).hostname for u in page.requested if u.startswith("http")}
    assert hosts == {"127.0.0.1"}, page.requested
    assert not [u for u in page.requested if not u.startswith(("http://127.0.0.1", "data:"))]
    assert page.console_errors == []


def test_unknown_path_says_so(live_server, page):
    page.goto(live_server + "/no-such-page")
    assert page.locator("#page h1").inner_text() == "Page not found"
    assert page.console_errors == []
