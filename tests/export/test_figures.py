"""Images (through kaleido and Chromium), standalone HTML and JSON of every chart."""

from __future__ import annotations

import html
import json
import re
import threading
from html.parser import HTMLParser
from xml.etree import ElementTree

import pytest

from dashboard.charts import render
from dashboard.export import export_figure, to_html, to_image, to_json
from tests.export.conftest import SLUGS, defaults, png_size

SVG = "{http://www.w3.org/2000/svg}"


class Tags(HTMLParser):
    """The start tags of a page with their attributes, and the text of its scripts."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def svg_text(content: bytes) -> str:
    root = ElementTree.fromstring(content)
    return " ".join(" ".join(el.itertext()) for el in root.iter(f"{SVG}text"))


@pytest.mark.parametrize("slug", SLUGS)
def test_png_has_the_requested_size(slug, chromium):
    rendered = render(slug, defaults(slug))
    assert png_size(to_image(rendered, "png")) == (1200, 675)
    assert png_size(to_image(rendered, "png", 1200, 675, 2)) == (2400, 1350)
    assert png_size(to_image(rendered, "png", 800, 600, 0.5)) == (400, 300)


@pytest.mark.parametrize("size", [(200, 200), (4000, 200), (200, 4000), (4000, 4000)])
def test_png_at_the_extremes_of_the_allowed_sizes(size, chromium):
    for slug in ("attrition-losses", "rankings-trend"):
        rendered = render(slug, defaults(slug))
        assert png_size(to_image(rendered, "png", *size)) == size


@pytest.mark.parametrize("slug", SLUGS)
def test_svg_parses_and_shows_title_caption_and_sources(slug, chromium):
    rendered = render(slug, defaults(slug))
    content = to_image(rendered, "svg")
    root = ElementTree.fromstring(content)
    assert root.tag == f"{SVG}svg"
    assert (root.get("width"), root.get("height")) == ("1200", "675")
    text = svg_text(content)
    assert rendered.chart.title in text
    # The notes are wrapped over lines; their words all appear, in order.
    words = re.findall(r"\w+", text)
    for note in (rendered.caption, rendered.source_line):
        wanted = re.findall(r"\w+", note)
        position = 0
        for word in wanted:
            position = words.index(word, position) + 1


@pytest.mark.parametrize("slug", SLUGS)
def test_pdf(slug, chromium):
    content = to_image(render(slug, defaults(slug)), "pdf")
    assert content.startswith(b"%PDF")
    assert content.rstrip().endswith(b"%%EOF")


def test_image_rejects_bad_format_and_size():
    rendered = render("force-ratio", defaults("force-ratio"))
    for args, name in (
        (("gif",), "format"),
        (("png", 100, 675), "width"),
        (("png", 1200, 5000), "height"),
        (("png", 1200, 675, 5), "scale"),
    ):
        with pytest.raises(ValueError, match=f"^{name}:"):
            to_image(rendered, *args)


def test_images_from_several_threads_are_each_their_own(chromium):
    """One kaleido server serves every thread; each caller gets its own image back."""
    sizes = [(300 + 40 * i, 200 + 30 * i) for i in range(6)]
    results: dict[int, tuple[int, int]] = {}
    rendered = render("rank-gap", defaults("rank-gap"))

    def work(i: int) -> None:
        results[i] = png_size(to_image(rendered, "png", *sizes[i]))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(sizes))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert results == dict(enumerate(sizes))


def test_export_figure_adds_text_and_keeps_the_chart():
    rendered = render("equipment-counts", defaults("equipment-counts"))
    before = json.dumps(rendered.figure, sort_keys=True, default=str)
    figure = export_figure(rendered, 1200, 675)
    assert json.dumps(rendered.figure, sort_keys=True, default=str) == before  # not mutated
    layout = figure["layout"]
    assert (layout["width"], layout["height"]) == (1200, 675)
    assert layout["paper_bgcolor"] == layout["plot_bgcolor"] == "#ffffff"
    assert layout["title"]["text"] == rendered.chart.title
    notes = layout["annotations"][-1]["text"].replace("<br>", " ")
    assert html.unescape(notes) == f"{rendered.caption} {rendered.source_line}"
    # Country colours as on the page.
    assert [t["marker"]["color"] for t in figure["data"]] == [
        t["marker"]["color"] for t in rendered.figure["data"]
    ]
    margin = layout["margin"]
    assert margin["t"] > 14 + 24 and margin["b"] > 15 * 2 + 60


@pytest.mark.parametrize("slug", SLUGS)
def test_html_is_standalone_with_title_caption_and_sources(slug):
    rendered = render(slug, defaults(slug))
    page = to_html(rendered).decode("utf-8")
    tags = Tags(page)
    sources = [attrs.get("src") for tag, attrs in tags.tags if tag == "script"]
    # plotly.js, (for a map) the world outlines, and the figure: all inline
    geo = any(t["type"] in ("choropleth", "scattergeo") for t in rendered.figure["data"])
    assert sources == [None] * (3 if geo else 2)
    assert not re.search(r"""src\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert "Plotly.newPlot" in tags.scripts[-1]
    assert "plotly.js v" in tags.scripts[0][:200]
    if geo:
        assert tags.scripts[1].startswith("(window.PlotlyGeoAssets")
    for text in (rendered.chart.title, rendered.caption, rendered.source_line):
        assert html.escape(text) in page
    figure = json.loads(re.search(r"var figure = (.*);\n", tags.scripts[-1]).group(1))
    assert figure["data"] == json.loads(to_json(rendered))["data"]


@pytest.mark.parametrize("slug", SLUGS)
def test_json_is_the_figure(slug):
    rendered = render(slug, defaults(slug))
    figure = json.loads(to_json(rendered))
    assert set(figure) >= {"data", "layout"}
    assert len(figure["data"]) == len(rendered.figure["data"])
    assert [t.get("name") for t in figure["data"]] == [
        t.get("name") for t in rendered.figure["data"]
    ]
