"""The export routes: index, downloads, embed page, briefing; and their answers to bad input."""

from __future__ import annotations

import csv
import io

import pytest

from dashboard.charts import load_charts, render
from dashboard.export import to_csv, to_html, to_json
from tests.export.conftest import SLUGS, defaults, png_size


def _iso3() -> list[str]:
    with open("datasets/countries.csv", newline="", encoding="utf-8") as f:
        return sorted(row["iso3"] for row in csv.DictReader(f))


def test_index_lists_every_chart_with_its_parameters(client):
    response = client.get("/chart/index.json")
    assert response.status_code == 200
    charts = {c["slug"]: c for c in response.get_json()["charts"]}
    assert set(charts) == set(load_charts())
    force = charts["force-ratio"]
    assert (force["title"], force["page"]) == ("Force ratio against doctrine", "/force-ratio")
    params = {p["name"]: p for p in force["params"]}
    assert list(params) == ["a", "b", "year", "measure", "terrain", "share_a", "share_b"]
    assert params["a"]["allowed"] == params["b"]["allowed"] == _iso3()
    assert params["a"]["labels"][params["a"]["allowed"].index("AZE")] == "Azerbaijan (AZE)"
    # the measure is the best the pair has that year unless given; named in words
    assert params["measure"]["default"] is None
    assert params["measure"]["allowed"] == [
        "wartime_strength",
        "active",
        "total_military",
        "reserve",
    ]
    assert params["measure"]["labels"][:3] == [
        "wartime strength",
        "active personnel",
        "total armed forces",
    ]
    assert (params["a"]["default"], params["b"]["default"]) == ("AZE", "ARM")
    assert params["terrain"] == {
        "name": "terrain",
        "label": "Terrain",
        "kind": "choice",
        "default": "general",
        "allowed": ["general", "mountain"],
        "labels": ["General (3:1 for a prepared defence)", "Mountains (6:1)"],  # in words
    }
    assert (params["year"]["min"], params["year"]["max"], params["year"]["default"]) == (
        1816,
        2030,
        2020,
    )
    trend = {p["name"]: p for p in charts["rankings-trend"]["params"]}
    assert trend["countries"]["default"] == ["AZE", "ARM"]
    for chart in charts.values():
        assert chart["formats"]["png"] == f"/chart/{chart['slug']}.png"
        for p in chart["params"]:
            assert "default" in p and ("allowed" in p or "min" in p)


@pytest.mark.parametrize("slug", SLUGS)
def test_downloads_are_the_export_functions_bytes(client, slug):
    rendered = render(slug, defaults(slug))
    for ext, expected, mimetype in (
        ("csv", to_csv(rendered), "text/csv"),
        ("html", to_html(rendered), "text/html"),
        ("json", to_json(rendered), "application/json"),
    ):
        response = client.get(f"/chart/{slug}.{ext}")
        assert response.status_code == 200, response.data
        assert response.mimetype == mimetype
        assert response.data == expected
        assert response.headers["Content-Disposition"] == f'attachment; filename="{slug}.{ext}"'


def test_download_is_named_after_the_parameters_given(client):
    response = client.get("/chart/force-ratio.csv?a=AZE&b=ARM&terrain=mountain")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="force-ratio_a-AZE_b-ARM_terrain-mountain.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.data.decode(), newline="")))
    assert [(r["attacker"], r["defender"], r["terrain"]) for r in rows] == [
        ("AZE", "ARM", "mountain")
    ]
    # Case and order of the query do not matter; the name uses the canonical values.
    other = client.get("/chart/force-ratio.csv?terrain=MOUNTAIN&b=arm&a=aze")
    assert other.data == response.data
    assert other.headers["Content-Disposition"] == response.headers["Content-Disposition"]


def test_image_routes(client, chromium):
    png = client.get("/chart/rank-gap.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert png_size(png.data) == (1200, 675)
    assert png.headers["Content-Disposition"] == 'attachment; filename="rank-gap.png"'
    assert png_size(client.get("/chart/rank-gap.png?width=640&height=480&scale=2").data) == (
        1280,
        960,
    )
    # equipment-counts has a `scale` parameter of its own: the image one is image_scale.
    counts = client.get("/chart/equipment-counts.png?scale=log&image_scale=2&width=400")
    assert counts.status_code == 200, counts.data
    assert png_size(counts.data) == (800, 1350)
    svg = client.get("/chart/force-ratio.svg?terrain=mountain")
    assert svg.mimetype == "image/svg+xml" and b"Force ratio against doctrine" in svg.data
    pdf = client.get("/chart/force-ratio.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("url", "status", "named"),
    [
        ("/chart/no-such-chart.csv", 404, "no-such-chart"),
        ("/chart/no-such-chart.png", 404, "no-such-chart"),
        ("/chart/no-such-chart", 404, "no-such-chart"),
        ("/chart/force-ratio.xlsx", 404, "force-ratio.xlsx"),
        ("/chart/force-ratio.csv?colour=red", 400, "colour"),
        ("/chart/force-ratio.csv?a=XXX", 400, "a"),
        ("/chart/force-ratio.csv?year=abc", 400, "year"),
        ("/chart/force-ratio.csv?year=1800", 400, "year"),
        ("/chart/force-ratio.csv?share_a=0", 400, "share_a"),
        ("/chart/force-ratio.csv?terrain=swamp", 400, "terrain"),
        ("/chart/force-ratio.csv?a=AZE&a=ARM", 400, "a"),
        ("/chart/rankings-trend.json?countries=AZE,XXX", 400, "countries"),
        ("/chart/force-ratio.csv?width=800", 400, "width"),
        ("/chart/force-ratio.png?width=100", 400, "width"),
        ("/chart/force-ratio.png?width=4001", 400, "width"),
        ("/chart/force-ratio.png?height=5000", 400, "height"),
        ("/chart/force-ratio.png?height=199", 400, "height"),
        ("/chart/force-ratio.png?scale=5", 400, "scale"),
        ("/chart/force-ratio.png?scale=0.4", 400, "scale"),
        ("/chart/force-ratio.svg?width=abc", 400, "width"),
        ("/chart/force-ratio.pdf?scale=nan", 400, "scale"),
        ("/chart/equipment-counts.png?image_scale=5", 400, "image_scale"),
        ("/chart/equipment-counts.png?scale=5", 400, "scale"),
        ("/chart/force-ratio?a=XXX", 400, "a"),
        ("/chart/force-ratio?width=800", 400, "width"),
        ("/briefing.pptx", 400, "charts"),
        ("/briefing.pptx?charts=force-ratio,no-such-chart", 404, "no-such-chart"),
        ("/briefing.pptx?charts=force-ratio&terrain=swamp", 400, "terrain"),
        ("/briefing.pptx?charts=force-ratio&colour=red", 400, "colour"),
    ],
)
def test_bad_requests_answer_plainly_naming_the_problem(client, url, status, named):
    response = client.get(url)
    assert response.status_code == status, response.data
    assert response.mimetype == "text/plain"
    body = response.data.decode()
    assert named in body
    assert "Traceback" not in body


def test_embed_page(client):
    response = client.get("/chart/force-ratio?a=ARM&b=AZE&terrain=mountain")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert response.headers["Content-Security-Policy"].endswith("; frame-ancestors *")
    page = response.data.decode()
    rendered = render(
        "force-ratio", {**defaults("force-ratio"), "a": "ARM", "b": "AZE"} | {"terrain": "mountain"}
    )
    for text in (rendered.chart.title, rendered.caption, rendered.source_line):
        assert text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in page
    assert 'href="/force-ratio?a=ARM&amp;b=AZE&amp;year=2020&amp;terrain=mountain' in page
    assert '<script src="plotly.min.js?v=' in page
    # The script the page names is served by the app, relative to /chart/<slug>.
    script = client.get("/chart/plotly.min.js")
    assert script.status_code == 200 and b"plotly.js v" in script.data[:200]


@pytest.mark.parametrize(
    ("value", "header"),
    [
        ("https://intranet.example", "frame-ancestors https://intranet.example"),
        (
            "'self' https://a.example  https://b.example",
            "frame-ancestors 'self' https://a.example https://b.example",
        ),
        ("'none'", "frame-ancestors 'none'"),
        ("https://a.example; script-src *", "frame-ancestors https://a.example"),
        ("  ", "frame-ancestors *"),
    ],
)
def test_embed_frame_ancestors_from_the_environment(client, monkeypatch, value, header):
    monkeypatch.setenv("MILBAL_FRAME_ANCESTORS", value)
    response = client.get("/chart/rank-gap")
    # The policy's other directives are tested in tests/serving; framing is its last.
    policy = response.headers["Content-Security-Policy"]
    assert policy.split("; ")[-1] == header
    assert "script-src *" not in policy


def test_briefing_route(client, chromium):
    from pptx import Presentation

    response = client.get("/briefing.pptx?charts=force-ratio,rank-gap&terrain=mountain")
    assert response.status_code == 200, response.data
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="briefing_charts-force-ratio-rank-gap.pptx"'
    )
    deck = Presentation(io.BytesIO(response.data))
    assert len(deck.slides) == 4


# Arabic-Indic 30 and fullwidth 20 among them
@pytest.mark.parametrize(
    "text", ["\u0663\u0660", "\uff12\uff10", "1_0", "1e1", "inf", "nan", "0x10", "5%"]
)
def test_number_parameters_take_ascii_decimal_digits_only(client, text):
    """float() takes other scripts' digits, underscores, exponents, inf and nan: a URL's
    number parameter does not (issue 16); the answer names the parameter."""
    from urllib.parse import quote

    response = client.get(f"/chart/force-ratio.csv?share_a={quote(text)}")
    assert response.status_code == 400
    assert "share_a" in response.get_data(as_text=True)
    assert "digits 0-9" in response.get_data(as_text=True)


def test_plain_decimals_still_parse(client):
    assert client.get("/chart/force-ratio.csv?share_a=50.5").status_code == 200
    assert client.get("/chart/force-ratio.csv?share_a=+7.").status_code == 200
