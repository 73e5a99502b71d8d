"""Security headers on every response: pages, Dash's own endpoints, downloads, chart routes,
errors. The CSP allows this app's own files only, and the inline scripts it serves by hash."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from dashboard.export.routes import content_security_policy, inline_script_hashes

ROUTER_CALLBACK = {
    "output": "page.children",
    "outputs": {"id": "page", "property": "children"},
    "inputs": [{"id": "url", "property": "pathname", "value": "/compare"}],
    "state": [{"id": "url", "property": "search", "value": "?a=AZE&b=ARM"}],
    "changedPropIds": ["url.pathname"],
}


def directives(response) -> dict[str, list[str]]:
    """The response's CSP as directive -> sources."""
    policy = response.headers["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        assert name not in parsed, f"{name} twice in {policy}"
        parsed[name] = sources
    return parsed


def assert_secure(response, frame: list[str] | None = None) -> dict[str, list[str]]:
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    csp = directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"][0] == "'self'"
    assert all(s.startswith("'sha256-") for s in csp["script-src"][1:]), csp["script-src"]
    assert csp["style-src"] == ["'self'", "'unsafe-inline'"]
    assert csp["img-src"] == ["'self'", "data:", "blob:"]
    assert csp["connect-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == (frame or ["'self'"])
    # Nothing from outside: no host, scheme wildcard or eval anywhere but framing.
    sources = [s for name, v in csp.items() if name != "frame-ancestors" for s in v]
    assert not [s for s in sources if "." in s or s in ("*", "http:", "https:")], sources
    assert "'unsafe-eval'" not in sources
    return csp


def scripts_of(page: str) -> list[str]:
    """The bodies of the inline scripts a browser runs in `page` (no src, no JSON block)."""
    page = re.sub(r"<!--.*?-->", "", page, flags=re.S)
    return [
        body
        for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
        if "src=" not in attributes and "application/json" not in attributes
    ]


def sha256_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


class TestEveryResponse:
    @pytest.mark.parametrize(
        "path", ["/", "/compare?a=AZE&b=ARM", "/force-ratio", "/rankings", "/data", "/history"]
    )
    def test_pages(self, client, path):
        response = client.get(path)
        assert response.status_code == 200
        assert_secure(response)
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN"

    @pytest.mark.parametrize(
        "path", ["/_dash-layout", "/_dash-dependencies", "/chart/index.json", "/data/manpower.csv"]
    )
    def test_dash_endpoints_and_downloads(self, client, path):
        response = client.get(path)
        assert response.status_code == 200
        assert_secure(response)

    def test_callback(self, client):
        response = client.post("/_dash-update-component", json=ROUTER_CALLBACK)
        assert response.status_code == 200
        assert b"Compare two countries" in response.data
        assert_secure(response)

    @pytest.mark.parametrize(
        "path, status",
        [
            ("/chart/no-such-chart.csv", 404),
            ("/chart/no-such-chart", 404),
            ("/data/no-such-table.csv", 404),
            ("/assets/no-such-file.css", 404),
            ("/chart/force-ratio.csv?terrain=moon", 400),
            ("/chart/force-ratio.png?width=1", 400),
        ],
    )
    def test_errors(self, client, path, status):
        response = client.get(path)
        assert response.status_code == status
        assert_secure(response)

    def test_chart_export(self, client):
        response = client.get("/chart/force-ratio.csv?terrain=mountain")
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert_secure(response)


class TestIndexScripts:
    def test_every_inline_script_of_the_index_is_allowed_and_nothing_else(self, client):
        response = client.get("/")
        bodies = scripts_of(response.get_data(as_text=True))
        assert any("new DashRenderer" in b for b in bodies)
        allowed = directives(response)["script-src"][1:]
        assert sorted(allowed) == sorted({sha256_source(b) for b in bodies})

    def test_no_unsafe_inline_for_scripts(self, client):
        assert "'unsafe-inline'" not in directives(client.get("/"))["script-src"]


class TestEmbedPage:
    def test_framing_follows_the_setting_and_its_script_is_allowed(self, client, monkeypatch):
        monkeypatch.setenv("MILBAL_FRAME_ANCESTORS", "https://news.example.org 'self'")
        response = client.get("/chart/force-ratio?terrain=mountain")
        assert response.status_code == 200
        csp = assert_secure(response, frame=["https://news.example.org", "'self'"])
        (body,) = scripts_of(response.get_data(as_text=True))
        assert "Plotly.newPlot" in body
        assert csp["script-src"] == ["'self'", sha256_source(body)]
        assert "X-Frame-Options" not in response.headers

    def test_any_site_may_frame_it_by_default(self, client, monkeypatch):
        monkeypatch.delenv("MILBAL_FRAME_ANCESTORS", raising=False)
        assert_secure(client.get("/chart/force-ratio"), frame=["*"])

    def test_a_header_cannot_be_injected_through_the_setting(self, client, monkeypatch):
        monkeypatch.setenv("MILBAL_FRAME_ANCESTORS", "'self'; script-src *")
        csp = directives(client.get("/chart/force-ratio"))
        assert csp["frame-ancestors"] == ["'self'"]
        assert "*" not in csp["script-src"]


class TestInlineScriptHashes:
    def test_skips_src_json_and_commented_scripts(self):
        page = (
            '<script src="/a.js"></script><script type="application/json">{"a": 1}</script>'
            "<!--[if IE]><script>alert(1)</script><![endif]-->"
            '<script id="r" type="application/javascript">var r = 1;</script>'
        )
        assert inline_script_hashes(page) == (sha256_source("var r = 1;"),)

    def test_policy_lists_the_scripts_given(self):
        policy = content_security_policy("'self'", ["'sha256-abc='"])
        assert "script-src 'self' 'sha256-abc='" in policy
        assert policy.endswith("frame-ancestors 'self'")
