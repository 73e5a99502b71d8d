"""Exports in a real browser: the Download links give the route's bytes and follow the
controls; the embed page draws inside an iframe of another local page; the Embed snippet; and
hostile labels (a script tag, a formula, an event handler) stay text everywhere."""

from __future__ import annotations

import contextlib
import http.server
import re
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser
DEFAULT_QUERY = (
    "?a=AZE&b=ARM&year=2020&measure=wartime_strength&terrain=general&share_a=100&share_b=100"
)
EMBED_QUERY = (
    "?a=AZE&b=ARM&year=2020&measure=wartime_strength&terrain=mountain&share_a=100&share_b=100"
)
# What the hostile_datasets fixture writes into countries.csv and sources.csv.
HOSTILE_ARM = "<script>window.__pwned=1</script>Armenia"
HOSTILE_AZE = '=HYPERLINK("http://example.invalid","Azerbaijan")'
HOSTILE_TITLE = '@SUM(1+1) <img src=x onerror="window.__pwned=2">Drones and Special Forces'


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:
        assert response.status == 200
        return response.read()


def _only_local(urls: list[str]) -> list[str]:
    """The requested URLs that left 127.0.0.1 (data: and blob: URLs stay in the page)."""
    return [
        u
        for u in urls
        if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).hostname != "127.0.0.1"
    ]


@contextlib.contextmanager
def _host_page(html_text: str) -> Iterator[str]:
    """Serve one HTML page at / from 127.0.0.1 on another free port; yields its URL."""
    body = html_text.encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _plotted_x(frame) -> list:
    """The x values of the first trace plotly drew in this frame, once drawn."""
    frame.locator(".js-plotly-plot .main-svg").first.wait_for()
    return frame.evaluate("() => document.querySelector('.js-plotly-plot').data[0].x")


class TestDownloadLinks:
    def test_download_csv_delivers_the_routes_bytes(self, live_server, page, ui):
        ui.open_settled(live_server + "/force-ratio", DEFAULT_QUERY)
        link = page.locator("#download-force-ratio-csv")
        assert link.inner_text() == "Download CSV"
        assert link.get_attribute("download") is not None
        href = link.get_attribute("href")
        assert href == "/chart/force-ratio.csv" + DEFAULT_QUERY
        with page.expect_download() as info:
            link.click()
        download = info.value
        delivered = Path(download.path()).read_bytes()
        assert delivered == _get(live_server + href)
        assert download.suggested_filename.startswith("force-ratio_")
        assert download.suggested_filename.endswith(".csv")
        # the essay's interval for AZE against ARM: 130-140k against 60-65k
        text = delivered.decode()
        assert text.splitlines()[0].count(",") >= 3 and "130000" in text.replace(",", "")
        assert page.console_errors == []

    def test_every_format_link_points_at_its_route(self, live_server, page, ui):
        ui.open_settled(live_server + "/force-ratio", DEFAULT_QUERY)
        for label, ext in (("PNG", "png"), ("SVG", "svg"), ("PDF", "pdf"), ("HTML", "html")):
            link = page.locator(f"#download-force-ratio-{ext}")
            assert link.inner_text() == label
            assert link.get_attribute("href") == f"/chart/force-ratio.{ext}{DEFAULT_QUERY}"
        # the PNG answers with a PNG of the default size
        png = _get(live_server + page.locator("#download-force-ratio-png").get_attribute("href"))
        assert png.startswith(b"\x89PNG") and png[16:24] == (1200).to_bytes(4) + (675).to_bytes(4)

    def test_links_follow_the_controls(self, live_server, page, ui):
        ui.open_settled(live_server + "/force-ratio", DEFAULT_QUERY)
        page.locator("#force-ratio-terrain").click()
        page.get_by_role("option", name="mountain").click()
        ui.caption("force-ratio", "6:1 rule for mountain terrain")
        csv_link = page.locator("#download-force-ratio-csv")
        page.wait_for_function(
            "() => document.querySelector('#download-force-ratio-csv')"
            ".getAttribute('href').includes('terrain=mountain')"
        )
        assert csv_link.get_attribute("href") == "/chart/force-ratio.csv" + EMBED_QUERY
        assert page.locator("#download-force-ratio-html").get_attribute("href") == (
            "/chart/force-ratio.html" + EMBED_QUERY
        )
        # the equipment ratio takes no terrain: its links keep their own parameters only
        assert page.locator("#download-equipment-ratio-csv").get_attribute("href") == (
            "/chart/equipment-ratio.csv?a=AZE&b=ARM&year=2020&source=all"
        )
        mountain = _get(live_server + csv_link.get_attribute("href"))
        general = _get(live_server + "/chart/force-ratio.csv" + DEFAULT_QUERY)
        assert mountain != general
        assert page.console_errors == []


class TestEmbed:
    def test_snippet_is_shown_from_the_keyboard_and_holds_the_chart_url(
        self, live_server, page, ui
    ):
        ui.open_settled(live_server + "/force-ratio", DEFAULT_QUERY)
        box = page.locator("#embed-force-ratio")
        assert not box.is_visible()
        summary = page.locator("#block-force-ratio summary")
        summary.focus()
        page.keyboard.press("Enter")
        box.wait_for(state="visible")
        assert box.get_attribute("readonly") is not None
        snippet = box.input_value()
        src = f"{live_server}/chart/force-ratio{DEFAULT_QUERY}"
        assert snippet.startswith(f'<iframe src="{src}"')
        assert snippet.endswith("</iframe>")
        # the frame is as tall as the embed page needs at about 700 px wide: all of it shown,
        # little empty space below
        height = int(re.search(r'height="(\d+)"', snippet).group(1))
        frame = page.context.new_page()
        frame.set_viewport_size({"width": 700, "height": height})
        frame.goto(src)
        frame.locator("#chart .main-svg").first.wait_for()
        used = frame.evaluate(
            "() => Math.max(...[...document.body.children]"
            ".map(e => e.getBoundingClientRect().bottom))"
        )
        assert frame.evaluate("() => document.documentElement.scrollHeight") <= height
        assert height - 120 < used <= height, (used, height)
        frame.close()
        assert "Force ratio against doctrine" in _get(src).decode()  # the embed page, not Dash's
        # selectable: the whole snippet can be selected for copying
        box.focus()
        page.keyboard.press("Control+A")
        selected = page.evaluate(
            "() => { const t = document.activeElement;"
            " return t.value.substring(t.selectionStart, t.selectionEnd); }"
        )
        assert selected == snippet
        # the snippet follows the controls
        page.locator("#force-ratio-terrain").click()
        page.get_by_role("option", name="mountain").click()
        page.wait_for_function(
            "() => document.querySelector('#embed-force-ratio').value.includes('mountain')"
        )
        assert f"{live_server}/chart/force-ratio{EMBED_QUERY}" in box.input_value()

    def test_embed_page_draws_inside_an_iframe_of_another_local_page(self, live_server, page):
        src = f"{live_server}/chart/force-ratio{EMBED_QUERY}"
        host = (
            "<!doctype html><html><head><title>host</title></head><body>"
            f'<h1>A report</h1><iframe id="embedded" src="{src}" width="900" height="520">'
            "</iframe></body></html>"
        )
        with _host_page(host) as host_url:
            assert urlsplit(host_url).port != urlsplit(live_server).port
            page.goto(host_url)
            frame = page.frame_locator("#embedded")
            frame.locator(".js-plotly-plot .main-svg").first.wait_for()
            inner = next(f for f in page.frames if f.url.startswith(src))
            x = _plotted_x(inner)
            assert x[0] == pytest.approx(135 / 62.5)  # mid 135k against mid 62.5k
            text = inner.locator("body").inner_text()
            assert "Force ratio against doctrine" in text
            assert "Rustamzade" in text  # the source line
            assert "6:1 rule for mountain terrain" in text  # the caption
            link = inner.locator("a[href*='/force-ratio?']").first
            assert link.get_attribute("href").endswith("/force-ratio" + EMBED_QUERY)
        assert page.console_errors == []
        assert page.requested and _only_local(page.requested) == []


class TestHostileLabels:
    """Country names and a source title holding markup or formulas are shown as text."""

    def test_page_shows_markup_as_text(self, hostile_server, page, ui):
        page.goto(hostile_server + "/force-ratio")
        caption = ui.caption("force-ratio", "ratio 2.00-2.33")
        assert HOSTILE_ARM in caption and HOSTILE_AZE in caption
        sources = page.locator("#sources-force-ratio").inner_text()
        assert HOSTILE_TITLE in sources
        ui.plot("chart-force-ratio")
        assert page.evaluate("() => window.__pwned") is None
        assert page.locator("script:text('__pwned')").count() == 0
        assert page.locator("img[src=x]").count() == 0

    def test_world_table_shows_markup_as_text(self, hostile_server, page):
        """The table the browser draws from its rows (assets/world_table.js)."""
        page.goto(hostile_server + "/world")
        page.locator("#world-row-ARM").wait_for()
        assert page.locator("#world-row-ARM th a").inner_text() == f"{HOSTILE_ARM} (ARM)"
        assert page.locator("#world-row-AZE th a").inner_text() == f"{HOSTILE_AZE} (AZE)"
        assert page.evaluate("() => window.__pwned") is None
        assert page.locator("script:text('__pwned')").count() == 0
        assert page.locator("img[src=x]").count() == 0

    def test_compare_table_shows_markup_as_text(self, hostile_server, page):
        """The table the browser draws from the server's tree (assets/plain.js)."""
        page.goto(hostile_server + "/compare")
        heads = page.locator("#compare-table thead th")
        heads.first.wait_for()
        assert heads.all_inner_texts()[2:] == [f"{HOSTILE_AZE} (AZE)", f"{HOSTILE_ARM} (ARM)"]
        assert HOSTILE_ARM in page.locator("#compare-table caption").inner_text()
        assert page.evaluate("() => window.__pwned") is None
        assert page.locator("script:text('__pwned')").count() == 0
        assert page.locator("img[src=x]").count() == 0

    def test_embed_page_shows_markup_as_text(self, hostile_server, page):
        page.goto(f"{hostile_server}/chart/force-ratio{DEFAULT_QUERY}")
        page.locator(".js-plotly-plot .main-svg").first.wait_for()
        text = page.locator("body").inner_text()
        assert HOSTILE_ARM in text and "<script>" in text
        assert HOSTILE_TITLE in text
        assert page.evaluate("() => window.__pwned") is None
        assert page.locator("img[src=x]").count() == 0
        assert _only_local(page.requested) == []

    def test_html_export_opened_offline_shows_markup_as_text(self, hostile_server, page, tmp_path):
        """The downloaded file, opened from disk as a person would open it."""
        exported = tmp_path / "force-ratio.html"
        exported.write_bytes(_get(f"{hostile_server}/chart/force-ratio.html{DEFAULT_QUERY}"))
        page.goto(exported.as_uri())
        page.locator(".js-plotly-plot .main-svg").first.wait_for()
        text = page.locator("body").inner_text()
        assert HOSTILE_ARM in text and "<script>" in text
        assert HOSTILE_TITLE in text
        assert page.evaluate("() => window.__pwned") is None
        assert page.locator("img[src=x]").count() == 0
        assert all(urlsplit(u).scheme in ("file", "data", "blob") for u in page.requested)
