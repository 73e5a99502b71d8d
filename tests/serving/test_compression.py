"""Responses travel compressed (brotli or gzip, as the browser accepts; MILBAL_COMPRESS=0 turns
it off) and files whose URL names their content are cached for a year; the rest revalidate.
The Content-Security-Policy and the hashes of inline scripts are those of the uncompressed page.
A page loaded in Chromium draws its chart and weighs under the 2.5 MB budget (issue 15)."""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
import urllib.request

import brotli
import pytest

from dashboard.export.embed import plotly_js_version
from dashboard.export.figures import plotly_js
from dashboard.routes import COMPRESS_ENV, IMMUTABLE, REVALIDATE, StaticCompressCache
from tests.serving.conftest import prod_servers
from tests.serving.test_headers import ROUTER_CALLBACK

BUDGET_BYTES = 2_500_000
DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}


def decoded(response) -> bytes:
    encoding = response.headers.get("Content-Encoding")
    return DECODE[encoding](response.data) if encoding else response.data


# Dash's index and callbacks carry an id made afresh for each response.
_END_ID = re.compile(rb'"end_?[iI]d":\s*"[^"]*"')


def same_but_ids(one: bytes, other: bytes) -> bool:
    return _END_ID.sub(b"", one) == _END_ID.sub(b"", other)


@pytest.fixture(scope="module")
def index_urls(client) -> list[str]:
    """The scripts and styles the index names (not its preloads: dashboard.factory's
    CHART_SCRIPTS, named as Dash's chunk loader asks for them, without a version)."""
    page = client.get("/").get_data(as_text=True)
    page = re.sub(r'<link rel="preload"[^>]*>', "", page)
    return re.findall(r'(?:src|href)="(/(?:_dash-component-suites|assets)/[^"]+)"', page)


def suite_url(urls: list[str], part: str) -> str:
    return next(u for u in urls if part in u)


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_scripts_pages_callbacks_and_csv_travel_compressed(client, index_urls, encoding):
    requests = [
        ("get", "/chart/plotly.min.js", None),
        ("get", "/_dash-component-suites/plotly/package_data/plotly.min.js", None),
        ("get", suite_url(index_urls, "dash_core_components."), None),
        ("get", suite_url(index_urls, "milbal.css"), None),
        ("get", "/", None),
        ("get", "/force-ratio?terrain=mountain", None),
        ("get", "/chart/force-ratio?a=AZE&b=ARM", None),
        ("get", "/chart/force-ratio.csv?a=AZE&b=ARM", None),
        ("get", "/data/countries.csv", None),
        ("get", "/assets/geo/world_110m.json", None),
        ("post", "/_dash-update-component", ROUTER_CALLBACK),
    ]
    for method, url, body in requests:
        plain = getattr(client, method)(url, json=body)
        packed = getattr(client, method)(url, json=body, headers={"Accept-Encoding": encoding})
        assert plain.status_code == packed.status_code == 200, url
        assert "Content-Encoding" not in plain.headers, url
        assert packed.headers.get("Content-Encoding") == encoding, url
        assert "Accept-Encoding" in packed.headers["Vary"], url
        assert len(packed.data) < len(plain.data) * 0.6, url
        assert same_but_ids(decoded(packed), plain.data), url


def test_plotly_js_compresses_to_under_a_third(client):
    response = client.get("/chart/plotly.min.js", headers={"Accept-Encoding": "gzip, br"})
    assert response.headers["Content-Encoding"] == "br"  # preferred when both are offered
    assert len(response.data) < len(plotly_js()) / 3
    assert decoded(response) == plotly_js()


def test_a_browser_that_asks_for_nothing_gets_plain_bytes(client):
    response = client.get("/chart/plotly.min.js", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in response.headers
    assert response.data == plotly_js()


def test_fingerprinted_files_are_kept_a_year(client, index_urls):
    assert IMMUTABLE.startswith("public, max-age=31536000")
    suites = [u for u in index_urls if u.startswith("/_dash-component-suites/")]
    assets = [u for u in index_urls if u.startswith("/assets/")]
    assert suites and assets
    for url in suites + assets:
        assert re.search(r"\.v\d+_\d+_\d+m\d+|\?m=\d", url), url  # the URL names the version
        response = client.get(url, headers={"Accept-Encoding": "br"})
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == IMMUTABLE, url


def test_the_embed_page_names_its_plotly_js_by_digest(client):
    page = client.get("/chart/force-ratio").get_data(as_text=True)
    src = re.search(r'<script src="(plotly\.min\.js\?v=[0-9a-f]+)"', page).group(1)
    assert src == f"plotly.min.js?v={plotly_js_version()}"
    named = client.get("/chart/" + src, headers={"Accept-Encoding": "br"})
    assert named.headers["Cache-Control"] == IMMUTABLE
    assert decoded(named) == plotly_js()
    assert client.get("/chart/plotly.min.js?v=old").headers["Cache-Control"] == REVALIDATE


@pytest.mark.parametrize(
    "url",
    [
        "/assets/geo/world_110m.json",
        "/chart/plotly.min.js",
        "/_dash-component-suites/plotly/package_data/plotly.min.js",  # Dash loads it by name
    ],
)
@pytest.mark.parametrize("encoding", ["br", "gzip", "identity"])
def test_files_named_without_a_version_revalidate(client, url, encoding):
    first = client.get(url, headers={"Accept-Encoding": encoding})
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == REVALIDATE
    etag = first.headers["ETag"]
    again = client.get(url, headers={"Accept-Encoding": encoding, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""


def test_compression_keeps_the_policy_and_its_script_hashes(client):
    for url in ("/", "/chart/force-ratio?terrain=mountain"):
        response = client.get(url, headers={"Accept-Encoding": "br"})
        assert response.headers["Content-Encoding"] == "br"
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        page = decoded(response).decode()
        inline = re.findall(r"<script>(.*?)</script>", page, re.S)
        assert inline, url
        for body in inline:
            digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in policy, url


def test_the_cache_of_compressed_bodies_keeps_static_files_only():
    cache = StaticCompressCache()
    cache.set("br;static:/chart/plotly.min.js", b"x")
    cache.set("br;", b"page")  # a page or a callback: compressed afresh each time
    assert cache.get("br;static:/chart/plotly.min.js") == b"x"
    assert cache.get("br;") is None
    for n in range(StaticCompressCache.MAX_ENTRIES + 10):
        cache.set(f"br;static:/_dash-component-suites/made-up-{n}.js", b"y")
    assert len(cache._store) == StaticCompressCache.MAX_ENTRIES


def test_compression_can_be_turned_off(monkeypatch):
    from dashboard.factory import create_app

    monkeypatch.setenv(COMPRESS_ENV, "0")
    plain = create_app().server.test_client()
    response = plain.get("/chart/plotly.min.js", headers={"Accept-Encoding": "br, gzip"})
    assert "Content-Encoding" not in response.headers
    assert response.data == plotly_js()


def test_prod_serves_compressed_cacheable_files(tmp_path):
    """gunicorn serves the same Flask app: compressed and cacheable alike."""
    with prod_servers(tmp_path, ("--workers", "1")) as (server,):
        with urllib.request.urlopen(server.url + "/", timeout=60) as response:
            page = response.read().decode()
        suite = re.search(r'src="(/_dash-component-suites/[^"]*dash_renderer[^"]*)"', page)
        for url in (suite.group(1), "/chart/plotly.min.js", "/force-ratio"):
            request = urllib.request.Request(server.url + url, headers={"Accept-Encoding": "br"})
            with urllib.request.urlopen(request, timeout=60) as response:
                assert response.headers["Content-Encoding"] == "br", url
                body = brotli.decompress(response.read())
            assert body, url
            if "dash_renderer" in url:
                assert response.headers["Cache-Control"] == IMMUTABLE
        assert server.stop() == 0


@pytest.mark.browser
def test_a_page_draws_compressed_within_the_budget(live_server, page):
    """/force-ratio in a fresh context: its chart drawn, every text file compressed, and the
    bytes on the wire (Chromium's count, CDP) under 2.5 MB."""
    cdp = page.context.new_cdp_session(page)
    wire, encodings = [], {}
    cdp.on("Network.loadingFinished", lambda e: wire.append(e["encodedDataLength"]))

    def received(event):
        headers = {k.lower(): v for k, v in event["response"]["headers"].items()}
        encodings[event["response"]["url"]] = headers.get("content-encoding")

    cdp.on("Network.responseReceived", received)
    cdp.send("Network.enable")
    page.set_default_timeout(90_000)
    page.goto(live_server + "/force-ratio")
    page.locator("#page .js-plotly-plot .main-svg").first.wait_for()
    page.wait_for_load_state("networkidle")
    assert page.console_errors == []
    plotly = [u for u in encodings if u.endswith("plotly.min.js")]
    assert plotly and all(encodings[u] == "br" for u in plotly)
    assert encodings[live_server + "/force-ratio"] == "br"
    assert 0 < sum(wire) < BUDGET_BYTES


def test_a_large_compressed_file_gives_the_compressors_memory_back(monkeypatch):
    """Kept once per file: the first time a large body is kept, the freed buffers of its
    compressor go back to the system (dashboard.memory); small ones and repeats do not."""
    import dashboard.routes

    calls = []
    monkeypatch.setattr(dashboard.routes, "release_free_memory", lambda: calls.append(1))
    cache = StaticCompressCache()
    cache.set("br;static:plotly.min.js", b"x" * (StaticCompressCache.LARGE + 1))
    cache.set("br;static:plotly.min.js", b"x" * (StaticCompressCache.LARGE + 1))
    cache.set("br;static:small.js", b"x" * 100)
    assert calls == [1]


def test_glibc_is_found_where_it_is_the_c_library():
    import platform

    from dashboard.memory import _libc, limit_malloc_arenas, release_free_memory

    assert (_libc() is not None) == (platform.libc_ver()[0] == "glibc")
    limit_malloc_arenas()
    release_free_memory()
