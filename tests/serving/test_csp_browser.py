"""Every page, and the embed page, loads and draws in Chromium under the Content-Security-
Policy: no violation (recorded from the page's securitypolicyviolation events) and no console
error (a blocked script or style logs one)."""

from __future__ import annotations

import pytest

from dashboard.factory import load_pages

pytestmark = pytest.mark.browser

PAGES = [m.PATH for m in load_pages()]
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
    e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.fixture
def csp_page(page):
    page.add_init_script(RECORD_VIOLATIONS)
    return page


def drawn_without_violation(page) -> None:
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__csp") == []
    assert page.console_errors == []


@pytest.mark.parametrize("path", PAGES)
def test_page_draws_under_the_policy(live_server, csp_page, path):
    response = csp_page.goto(live_server + path)
    assert "script-src 'self' 'sha256-" in response.headers["content-security-policy"]
    csp_page.locator("#page h1").first.wait_for()
    graphs = csp_page.locator("#page .dash-graph")
    if graphs.count():
        csp_page.locator("#page .js-plotly-plot .main-svg").first.wait_for()
    drawn_without_violation(csp_page)


def test_embed_page_draws_under_its_policy(live_server, csp_page):
    response = csp_page.goto(live_server + "/chart/force-ratio?terrain=mountain")
    assert "frame-ancestors *" in response.headers["content-security-policy"]
    csp_page.locator("#chart .main-svg").first.wait_for()
    drawn_without_violation(csp_page)


def test_an_injected_inline_script_is_blocked(live_server, csp_page):
    """The policy is in force: a script added without its hash does not run, and the
    browser reports the violation."""
    csp_page.goto(live_server + "/")
    csp_page.locator("#page h1").first.wait_for()
    csp_page.evaluate(
        """() => { const s = document.createElement('script');
                   s.textContent = 'window.__ran = 1'; document.body.appendChild(s); }"""
    )
    csp_page.wait_for_function("window.__csp.length > 0")
    assert csp_page.evaluate("window.__ran") is None
    assert csp_page.evaluate("window.__csp")[0].startswith("script-src")
