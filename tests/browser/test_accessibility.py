"""What a reader with a screen reader, a keyboard or a phone meets on every page: axe-core's
WCAG 2.1 A/AA rules (its own script, from the axe-playwright-python package, injected into the
page: nothing is fetched), titles, language, headings, landmarks, names of controls, toolbars
and citations by keyboard, and no sideways scrolling at 390 px."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path
from urllib.parse import urlsplit

import axe_playwright_python
import pytest

pytestmark = pytest.mark.browser

AXE_JS = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
ROOT = Path(__file__).resolve().parents[2]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Every page (with the query that draws the most on it), and the embed pages.
PAGES = {
    "/": "Overview - milbal",
    "/compare": "Compare - milbal",
    "/force-ratio": "Force ratio - milbal",
    "/rankings": "Rankings - milbal",
    "/equipment": "Equipment - milbal",
    "/attrition": "Attrition - milbal",
    "/history": "History - milbal",
    "/world": "World - milbal",
    "/data": "Data - milbal",
}
EMBEDS = ("/chart/force-ratio", "/chart/equipment-ratio", "/chart/world-map")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 900}


@pytest.fixture(autouse=True)
def _patient(page) -> None:
    """plotly.js (4.8 MB) and /world's ~1,200 elements take seconds on a busy machine."""
    page.set_default_timeout(90_000)


# Drawn: the page's heading (or the embed's chart) is there, Dash is not loading, and every
# chart block's graph (the embed's chart) has plotly's drawing in it, unless it is hidden
# (a chart with nothing to draw).
DRAWN_JS = """() => {
    if (!document.querySelector('#page h1') && !document.querySelector('#chart')) return false;
    if (document.querySelector('._dash-loading, .dash-graph--pending')) return false;
    const embed = document.querySelector('#chart');
    if (embed && !embed.querySelector('.main-svg')) return false;
    return [...document.querySelectorAll('.chart-block .chart-figure')].every(f => {
        const graph = f.querySelector('.dash-graph');
        return graph && (graph.offsetParent === null || graph.querySelector('.main-svg'));
    });
}"""


# Parts Dash loads on demand after the page's first drawing, to wait for before checking.
LATE_PARTS = {"/data": "#data-upload input[type=file]"}


def _open(page, url: str) -> None:
    """Open a page and wait until Dash has drawn it (or the embed page its chart), plotly
    every chart on it, and the parts it loads on demand are there."""
    page.goto(url)
    page.wait_for_function(DRAWN_JS)
    late = LATE_PARTS.get(urlsplit(url).path)
    if late:
        page.locator(late).wait_for(state="attached")


def _serious(page) -> list[str]:
    page.evaluate(AXE_JS)
    violations = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}}).then(r => r.violations)",
        WCAG_TAGS,
    )
    return [
        f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']} {v['help']}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("path", [*PAGES, *EMBEDS])
def test_axe_finds_no_serious_violation_and_a_phone_needs_no_sideways_scroll(
    live_server, page, path
):
    page.set_viewport_size(DESKTOP)
    _open(page, live_server + path)
    assert _serious(page) == [], "at 1400 px"
    if path in PAGES:
        _check_structure(page, PAGES[path])
    page.set_viewport_size(PHONE)
    _open(page, live_server + path)  # drawn afresh for the phone, as a phone would
    assert _serious(page) == [], "at 390 px"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]


def _check_structure(page, title: str) -> None:
    """Its own title, English, one banner, menu and main, headings in order from one H1."""
    assert page.title() == title
    assert page.evaluate("() => document.documentElement.lang") == "en"
    for role in ("banner", "navigation", "main"):
        assert page.get_by_role(role).count() == 1, role
    levels = page.evaluate(
        "() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]"
        ".filter(h => h.offsetParent !== null).map(h => +h.tagName[1])"
    )
    assert levels[0] == 1 and levels.count(1) == 1, levels
    jumps = [(a, b) for a, b in itertools.pairwise(levels) if b > a + 1]
    assert jumps == [], levels


def test_the_title_follows_the_page_after_navigation(live_server, page):
    _open(page, live_server + "/")
    page.get_by_role("navigation").get_by_role("link", name="Force ratio").click()
    page.wait_for_function("() => document.title === 'Force ratio - milbal'")
    page.get_by_role("navigation").get_by_role("link", name="World").click()
    page.wait_for_function("() => document.title === 'World - milbal'")


def test_the_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_page(live_server, page):
    _open(page, live_server + "/force-ratio")
    page.keyboard.press("Tab")
    skip = page.evaluate("() => document.activeElement.innerText")
    assert skip == "Skip to the page's content"
    assert page.evaluate("() => document.activeElement.getBoundingClientRect().top") >= 0
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.id === 'page'")
    page.keyboard.press("Tab")
    # the next stop is the page's first control, not the nine links of the site's menu
    assert page.evaluate("() => document.activeElement.id") == "force-ratio-a"


def test_controls_are_named_by_their_visible_labels(live_server, page):
    _open(page, live_server + "/force-ratio")
    for label in page.locator(".control label").all_inner_texts():
        # Chromium's accessible name of the control: the label, then its value
        named = page.get_by_role("button", name=label).or_(page.get_by_role("slider", name=label))
        assert named.count() >= 1, label
    assert page.get_by_role("button", name="Country A (attacker) Azerbaijan").count() == 1
    assert page.get_by_role("slider", name="Share of A committed").count() == 1


def test_a_chart_toolbar_is_one_tab_stop_and_arrow_keys_move_in_it(live_server, page):
    _open(page, live_server + "/history")
    bars = page.locator(".modebar")
    assert bars.count() >= 4
    stops = page.evaluate(
        "() => [...document.querySelectorAll('.modebar')].map(b => "
        "[...b.querySelectorAll('.modebar-btn')].filter(x => x.tabIndex >= 0).length)"
    )
    assert stops == [1] * bars.count()
    first = bars.first.locator(".modebar-btn[tabindex='0']")
    first.focus()
    before = page.evaluate("() => document.activeElement.dataset.title")
    # the toolbar shows (fades in) while focus is in it
    page.wait_for_function(
        "() => getComputedStyle(document.activeElement.closest('.modebar-group')).opacity === '1'"
    )
    page.keyboard.press("ArrowRight")
    after = page.evaluate("() => document.activeElement.dataset.title")
    assert after != before and page.evaluate(
        "() => document.activeElement.classList.contains('modebar-btn')"
    )
    # no button that would upload the chart, nor one duplicating the downloads below it
    titles = page.locator(".modebar-btn").evaluate_all("bs => bs.map(b => b.dataset.title)")
    assert not any("Share" in t or "Download plot" in t for t in titles)


def test_a_citation_shows_when_its_mark_is_focused(live_server, page):
    _open(page, live_server + "/compare?a=AZE&b=ARM&year=2020")
    mark = page.locator("#compare-gfp-rank-a .source-mark").first
    tip = mark.locator(".cite-tip")
    assert tip.bounding_box()["width"] <= 1  # hidden until asked for
    mark.focus()
    box = tip.bounding_box()
    assert box["width"] > 100 and box["height"] > 10
    text = tip.inner_text()
    source_id = text.rsplit("; id ", 1)[1]
    with (ROOT / "datasets" / "sources.csv").open(newline="", encoding="utf-8") as f:
        source = next(r for r in csv.DictReader(f) if r["source_id"] == source_id)
    assert source["title"] in text
    # the mark itself names publisher and edition, not the source's id
    assert mark.evaluate("m => m.firstChild.textContent") == f"GFP {source['published'][:4]}"


def test_focus_ring_and_flag_colours_meet_contrast_minimums(live_server, page):
    _open(page, live_server + "/compare?a=AZE&b=ARM&year=2020")
    link = page.locator(".chart-exports a").first
    link.focus()
    ring = page.evaluate("() => getComputedStyle(document.activeElement).outlineColor")
    assert _contrast(ring, "rgb(255, 255, 255)") >= 3.0
    flag = page.locator(".conflict-flag").first
    colours = flag.evaluate("f => [getComputedStyle(f).color, getComputedStyle(f).backgroundColor]")
    assert _contrast(*colours) >= 4.5


def test_a_chart_with_nothing_to_draw_shows_one_message_and_no_downloads(live_server, page):
    # Iceland has no armed forces and no equipment counts: neither chart can be drawn
    _open(page, live_server + "/force-ratio?a=ISL&b=LUX")
    for slug in ("force-ratio", "equipment-ratio"):
        block = page.locator(f"#block-{slug}")
        assert block.locator(".chart-empty").is_visible()
        assert not block.locator(".dash-graph").is_visible()
        assert not block.locator(".chart-exports").is_visible()
    assert "milbal fetch gfp" in page.locator("#block-equipment-ratio .chart-empty").inner_text()
    # a country with data brings the chart back
    page.goto(live_server + "/force-ratio?a=AZE&b=ARM")
    page.locator("#block-force-ratio .chart-exports").wait_for()
    assert page.locator("#block-force-ratio .chart-empty").count() == 0


def _contrast(fg: str, bg: str) -> float:
    """WCAG contrast ratio of two CSS rgb()/rgba() colours (alpha ignored)."""

    def luminance(css: str) -> float:
        parts = css[css.index("(") + 1 : css.index(")")].split(",")
        channels = []
        for v in parts[:3]:
            c = float(v) / 255
            channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
        r, g, b = channels
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)
