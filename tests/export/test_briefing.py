"""The PowerPoint briefing: opened with python-pptx, one picture slide per chart between a title
slide and a sources slide; parameters parsed strictly per chart."""

from __future__ import annotations

import datetime as dt
import io
import struct

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from dashboard.charts import load_charts, render
from dashboard.cite import split_ids
from dashboard.export.briefing import UnknownChart, build_briefing
from dashboard.params import ParamError
from validation import load_catalog

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _texts(slide) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


def _pictures(slide) -> list:
    return [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]


def _png_size(blob: bytes) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk."""
    return struct.unpack(">II", blob[16:24])


def _defaults(slug: str) -> dict:
    return {p.name: p.default for p in load_charts()[slug].params}


@pytest.fixture(scope="module")
def every_chart(chromium):
    """The deck of every registered chart at its defaults, and the progress calls it made."""
    slugs = list(load_charts())
    calls = []
    deck = build_briefing(slugs, {}, progress=lambda i, n, slug: calls.append((i, n, slug)))
    return slugs, Presentation(io.BytesIO(deck)), calls


class TestDeckOfEveryChart:
    def test_title_slide_then_one_slide_per_chart_then_sources(self, every_chart):
        slugs, deck, _ = every_chart
        assert len(deck.slides) == len(slugs) + 2
        assert deck.slide_width * 9 == deck.slide_height * 16  # 16:9 (13.333 x 7.5 in)
        titles = [slide.shapes.title.text for slide in deck.slides]
        assert titles[-1] == "Sources"

    def test_each_chart_slide_has_its_title_one_png_and_its_sources(self, every_chart):
        slugs, deck, _ = every_chart
        charts = load_charts()
        for slug, slide in zip(slugs, list(deck.slides)[1:-1], strict=True):
            assert slide.shapes.title.text == charts[slug].title
            pictures = _pictures(slide)
            assert len(pictures) == 1, slug
            image = pictures[0].image
            assert image.content_type == "image/png"
            assert image.blob.startswith(PNG_SIGNATURE)
            width, height = _png_size(image.blob)
            assert width >= 1200 and width / height == pytest.approx(16 / 9, rel=0.01)
            # the picture keeps the image's proportions on the slide
            assert pictures[0].width / pictures[0].height == pytest.approx(16 / 9, rel=0.01)
            source_line = render(slug, _defaults(slug)).source_line
            assert source_line
            assert any(source_line in text for text in _texts(slide)), slug

    def test_footnote_names_the_essay_for_the_force_ratio(self, every_chart):
        slugs, deck, _ = every_chart
        slide = list(deck.slides)[1 + slugs.index("force-ratio")]
        footnote = [t for t in _texts(slide) if t.startswith("Source")]
        assert len(footnote) == 1
        assert "Rustamzade" in footnote[0] and "Mearsheimer" in footnote[0]

    def test_sources_slide_lists_every_cited_source_with_its_licence(self, every_chart):
        slugs, deck, _ = every_chart
        catalog = load_catalog()
        sources = catalog["sources"].set_index("source_id")
        cited: set[str] = set()
        for slug in slugs:
            data = load_charts()[slug].data(catalog, _defaults(slug))
            cited |= set(split_ids(data["source_id"]))
        assert len(cited) >= 3
        text = "\n".join(_texts(list(deck.slides)[-1]))
        for sid in cited:
            assert sources.loc[sid, "title"] in text, sid
        lines = text.splitlines()
        for sid in cited:
            title, licence = sources.loc[sid, "title"], sources.loc[sid, "licence"]
            line = next(line for line in lines if line.startswith(title))
            assert f"Licence: {licence}" in line, sid
        assert len([line for line in lines if "Licence:" in line]) == len(cited)

    def test_title_slide_gives_the_date_and_every_chart_with_its_values(self, every_chart):
        slugs, deck, _ = every_chart
        text = "\n".join(_texts(deck.slides[0]))
        today = dt.date.today()
        assert today.strftime("%B") in text and str(today.year) in text
        for slug in slugs:
            assert load_charts()[slug].title in text
        assert "Terrain: general" in text and "Country A (attacker): AZE" in text

    def test_progress_is_reported_for_each_chart_in_order(self, every_chart):
        slugs, _, calls = every_chart
        n = len(slugs)
        assert calls == [(i, n, slug) for i, slug in enumerate(slugs, start=1)]


class TestParameters:
    def test_each_chart_takes_its_own_parameters_from_the_query(self, chromium):
        query = {"a": "arm", "b": "AZE", "terrain": "mountain", "share_b": "60"}
        deck = Presentation(io.BytesIO(build_briefing(["force-ratio", "equipment-ratio"], query)))
        assert len(deck.slides) == 4
        lines = "\n".join(_texts(deck.slides[0])).splitlines()
        force = next(line for line in lines if line.startswith("Force ratio against doctrine"))
        equipment = next(line for line in lines if line.startswith("Equipment ratio"))
        assert "Country A (attacker): ARM" in force and "Terrain: mountain" in force
        assert "Share of B committed (%): 60" in force
        assert "Country A (attacker): ARM" in equipment and "Terrain" not in equipment

    def test_unknown_chart_is_named(self):
        with pytest.raises(UnknownChart, match="no-such-chart"):
            build_briefing(["force-ratio", "no-such-chart"], {})
        assert issubclass(UnknownChart, LookupError)

    def test_unknown_parameter_is_named(self):
        with pytest.raises(ParamError, match="colour"):
            build_briefing(["force-ratio"], {"colour": "red"})

    def test_parameter_of_a_chart_not_chosen_is_unknown(self):
        with pytest.raises(ParamError, match="terrain"):
            build_briefing(["equipment-ratio"], {"terrain": "mountain"})

    def test_bad_value_is_named(self):
        with pytest.raises(ParamError, match="share_b: '500' is outside 1-100"):
            build_briefing(["force-ratio"], {"share_b": "500"})

    def test_no_chart_is_an_error(self):
        with pytest.raises(ParamError, match="charts"):
            build_briefing([], {})


def test_hostile_source_title_is_plain_text_on_the_slides(hostile, chromium):
    """Markup and formulas in a source title are carried as the text they are."""
    title = '@SUM(1+1) <img src=x onerror="window.__pwned=2">Drones and Special Forces'
    deck = Presentation(io.BytesIO(build_briefing(["force-ratio"], {})))
    footnote = next(t for t in _texts(deck.slides[1]) if t.startswith("Source"))
    assert title in footnote
    assert any(line.startswith(title + ". ") for line in _texts(deck.slides[-1])[-1].splitlines())
