"""Labels holding a spreadsheet formula, a script tag or an event handler (the hostile test
datasets) stay inert text in every export and are neutralised in CSV."""

from __future__ import annotations

import csv
import io
import re
from xml.etree import ElementTree

import pytest

from dashboard.charts import render
from dashboard.export import embed_page, to_csv, to_html, to_image
from dashboard.export.tables import FORMULA_START
from tests.export.conftest import SLUGS, defaults
from tests.export.test_figures import SVG, Tags

HYPERLINK = '=HYPERLINK("http://example.invalid","Azerbaijan")'
SCRIPT = "<script>window.__pwned=1</script>Armenia"
TITLE = '@SUM(1+1) <img src=x onerror="window.__pwned=2">Drones and Special Forces'


def _cells(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))


def test_hostile_data_reaches_the_charts(hostile):
    rendered = render("force-ratio", defaults("force-ratio"))
    assert SCRIPT in rendered.caption and HYPERLINK in rendered.caption
    assert TITLE in rendered.source_line


@pytest.mark.parametrize("slug", SLUGS)
def test_csv_neutralises_formulas(hostile, slug):
    content = to_csv(render(slug, defaults(slug)))
    rows = _cells(content)
    for row in rows[1:]:
        for cell in row:
            if cell.startswith(FORMULA_START):
                # Only plain numbers may start with a sign.
                assert re.fullmatch(r"[+-]?[\d.]+([eE][+-]?\d+)?", cell), (slug, cell)


def test_csv_names_column_holds_the_neutralised_formula(hostile):
    rows = _cells(to_csv(render("equipment-counts", defaults("equipment-counts"))))
    header = rows[0]
    names = {row[header.index("country")]: row[header.index("country_name")] for row in rows[1:]}
    assert names == {"AZE": "'" + HYPERLINK, "ARM": SCRIPT}
    sources = {row[header.index("source")] for row in rows[1:]}
    assert all(not s.startswith(FORMULA_START) for s in sources)


def test_csv_source_column_keeps_the_title_as_text(hostile):
    rows = _cells(to_csv(render("opening-shares", defaults("opening-shares"))))
    header = rows[0]
    sources = [row[header.index("source")] for row in rows[1:]]
    assert any(TITLE in s for s in sources)
    assert all(not s.startswith(FORMULA_START) for s in sources)


def _assert_inert(page: str, scripts: int) -> None:
    assert "<script>window.__pwned" not in page
    assert "<img" not in page.lower()
    tags = Tags(page)
    assert [t for t, _ in tags.tags].count("script") == scripts
    for tag, attrs in tags.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert tag != "img"
    # The figure's JSON has every '<' escaped, so no label can close its script element.
    assert "<" not in tags.scripts[-1]


@pytest.mark.parametrize("slug", SLUGS)
def test_html_export_is_inert(hostile, slug):
    rendered = render(slug, defaults(slug))
    page = to_html(rendered).decode("utf-8")
    # plotly.js and the figure; a map has the world outlines (geometry only) as a third
    geo = any(t["type"] in ("choropleth", "scattergeo") for t in rendered.figure["data"])
    _assert_inert(page, scripts=3 if geo else 2)


@pytest.mark.parametrize("slug", SLUGS)
def test_embed_page_is_inert(hostile, slug):
    page = embed_page(render(slug, defaults(slug)))
    _assert_inert(page, scripts=2)


def test_hostile_text_shows_escaped(hostile, client):
    page = client.get("/chart/force-ratio").data.decode()
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;Armenia" in page
    assert "&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;" in page
    _assert_inert(page, scripts=2)
    html_export = client.get("/chart/force-ratio.html").data.decode()
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;Armenia" in html_export
    _assert_inert(html_export, scripts=2)


def test_svg_shows_the_labels_as_text(hostile, chromium):
    content = to_image(render("force-ratio", defaults("force-ratio")), "svg")
    root = ElementTree.fromstring(content)
    for element in root.iter():
        assert not element.tag.endswith("}script")
        assert not element.tag.endswith("}foreignObject")
        assert not any(name.startswith("on") for name in element.attrib)
    # The labels are drawn as the text they are (the markup escapes them).
    text = " ".join(" ".join(el.itertext()) for el in root.iter(f"{SVG}text"))
    assert SCRIPT in text and HYPERLINK in text and TITLE in text
    assert b"&#60;script&#62;window.__pwned=1" in content
