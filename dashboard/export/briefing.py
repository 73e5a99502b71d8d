"""A PowerPoint briefing of registered charts: a title slide with the selection and the date,
one slide per chart (title, image, source footnote) and a closing slide of every source cited
with its licence. Every slide image comes from the chart's one definition, through to_image."""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd
from pptx import Presentation
from pptx.util import Emu, Inches, Pt

from dashboard.charts import Rendered, load_charts, render
from dashboard.export import NoData, no_data_reason, to_image
from dashboard.params import ParamError, parse_query, settle_unstated
from validation import load_catalog

# 16:9 at PowerPoint's own widescreen size (13.333 x 7.5 in).
SLIDE_W, SLIDE_H = Emu(12192000), Emu(6858000)
MARGIN = Inches(0.5)
# Slide images: 16:9 like the slide, drawn at 1.5x so a projector shows them sharp.
IMAGE_W, IMAGE_H, IMAGE_SCALE = 1200, 675, 1.5
# Layouts of python-pptx's default template.
LAYOUT_TITLE, LAYOUT_TITLE_ONLY, LAYOUT_BLANK = 0, 5, 6
# The route passes its whole query; the chart list is not a chart parameter.
RESERVED = ("charts",)

Progress = Callable[[int, int, str], None]


class UnknownChart(LookupError):
    """A slug that names no registered chart (a route answers 404)."""


def build_briefing(
    slugs: Sequence[str],
    query: Mapping[str, str],
    progress: Progress | None = None,
    left_out: Callable[[str], None] | None = None,
) -> bytes:
    """The deck for these charts, each drawn with the values of its own parameters in `query`
    (parsed strictly: a bad value or a key no chart takes raises ParamError naming it).
    progress(i, n, slug) is called as chart i of n (from 1) has its slide.

    A chart with no data for its parameters gets no slide (an empty chart is not a result):
    the title and sources slides say which was left out and why, and left_out(note) is called
    with each note. NoData when none has data."""
    drawn, empty = [], []
    for rendered in _selection(slugs, query):
        reason = no_data_reason(rendered)
        if reason is None:
            drawn.append(rendered)
        else:
            empty.append(f"{rendered.chart.title} ({rendered.chart.slug}): {reason}")
    if not drawn:
        raise NoData(f"no chart has data for these parameters: {'; '.join(empty)}")
    notes = [f"Left out, no data for these parameters: {note}" for note in empty]
    for note in notes if left_out is not None else ():
        left_out(note)
    deck = Presentation()
    deck.slide_width, deck.slide_height = SLIDE_W, SLIDE_H
    _title_slide(deck, drawn, notes)
    for i, rendered in enumerate(drawn, start=1):
        _chart_slide(deck, rendered)
        if progress is not None:
            progress(i, len(drawn), rendered.chart.slug)
    _sources_slide(deck, drawn, notes)
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def _selection(slugs: Sequence[str], query: Mapping[str, str]) -> list[Rendered]:
    """Every chart rendered for its parameters; all input is checked before any is drawn."""
    charts = load_charts()
    chosen = list(dict.fromkeys(s.strip() for s in slugs if s.strip()))
    if not chosen:
        raise ParamError(f"charts: no chart given; charts: {', '.join(charts)}")
    unknown = [s for s in chosen if s not in charts]
    if unknown:
        raise UnknownChart(f"unknown chart {', '.join(unknown)}; charts: {', '.join(charts)}")
    known = {p.name for slug in chosen for p in charts[slug].params}
    for key in query:
        if key not in known and key not in RESERVED:
            raise ParamError(
                f"{key}: unknown parameter for these charts; known: {', '.join(sorted(known))}"
            )
    catalog = load_catalog()
    values = []
    for slug in chosen:
        names = {p.name for p in charts[slug].params}
        own = {k: v for k, v in query.items() if k in names}
        parsed = parse_query(charts[slug].params, own, catalog, strict=True)[0]
        settle_unstated(charts[slug].params, parsed, own, catalog)
        values.append(parsed)
    return [render(slug, v) for slug, v in zip(chosen, values, strict=True)]


def _fitting_size(lines: Sequence[str], width: int, height: int, largest: int) -> int:
    """The largest font size (pt, down to 7) at which the lines fill no more than the box,
    estimated from an average glyph of half the size and a line of 1.2 times the size:
    python-pptx cannot measure text, and PowerPoint does not shrink it on opening."""
    for size in range(largest, 7, -1):
        per_line = max(1, int(width / Pt(size * 0.5)))
        rows = sum(max(1, math.ceil(len(line) / per_line)) for line in lines)
        if rows * Pt(size * 1.2) <= height:
            return size
    return 7


def _text_box(slide, left: int, top: int, width: int, height: int, lines: list[str], largest: int):
    box = slide.shapes.add_textbox(left, top, width, height)
    size = _fitting_size(lines, width, height, largest)
    frame = box.text_frame
    frame.word_wrap = True
    for i, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.text = line
        paragraph.font.size = Pt(size)
    return box


def _place_title(slide, text: str, top: int = Inches(0.3), height: int = Inches(0.9)) -> None:
    title = slide.shapes.title
    title.left, title.top = MARGIN, top
    title.width, title.height = SLIDE_W - 2 * MARGIN, height
    title.text = text
    title.text_frame.paragraphs[0].font.size = Pt(30)


def _described(rendered: Rendered) -> str:
    """'Title — Label: value; Label: value' for the title slide."""
    chart = rendered.chart
    values = "; ".join(f"{p.label}: {p.format(rendered.params[p.name])}" for p in chart.params)
    return f"{chart.title} — {values}" if values else chart.title


def _title_slide(deck, selection: list[Rendered], notes: Sequence[str] = ()) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[LAYOUT_TITLE])
    _place_title(slide, "Military balance briefing", top=Inches(0.8), height=Inches(1.2))
    subtitle = slide.placeholders[1]
    subtitle.left, subtitle.top = MARGIN, Inches(2.0)
    subtitle.width, subtitle.height = SLIDE_W - 2 * MARGIN, Inches(0.7)
    charts = f"{len(selection)} chart{'s' * (len(selection) != 1)}"
    subtitle.text = f"{dt.date.today():%d %B %Y} · {charts} · milbal"
    lines = [_described(r) for r in selection] + list(notes)
    _text_box(slide, MARGIN, Inches(2.9), SLIDE_W - 2 * MARGIN, Inches(4.2), lines, 16)


def _chart_slide(deck, rendered: Rendered) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[LAYOUT_TITLE_ONLY])
    _place_title(slide, rendered.chart.title)
    png = to_image(rendered, "png", width=IMAGE_W, height=IMAGE_H, scale=IMAGE_SCALE)
    top, bottom = Inches(1.25), Inches(6.55)
    height = bottom - top
    width = Emu(int(height * IMAGE_W / IMAGE_H))
    slide.shapes.add_picture(io.BytesIO(png), (SLIDE_W - width) // 2, top, width, height)
    note = rendered.source_line or f"No source: {rendered.caption}"
    _text_box(slide, MARGIN, Inches(6.6), SLIDE_W - 2 * MARGIN, Inches(0.8), [note], 12)


def _source_entry(sid: str, sources: pd.DataFrame) -> str:
    """'Title. Author; Publisher, year. Licence: ...' for one source id."""
    rows = sources[sources["source_id"] == sid]
    if rows.empty:
        return f"{sid} (not in the sources table)"
    row = rows.iloc[0]

    def field(name: str) -> str:
        value: Any = row.get(name)
        return "" if value is None or pd.isna(value) else str(value).strip()

    who = "; ".join(part for part in (field("author"), field("publisher")) if part)
    year = field("published")[:4]
    credit = ", ".join(part for part in (who, year) if part)
    licence = field("licence") or "not stated"
    return f"{field('title')}. {credit + '. ' if credit else ''}Licence: {licence}"


def _sources_slide(deck, selection: list[Rendered], notes: Sequence[str] = ()) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[LAYOUT_TITLE_ONLY])
    _place_title(slide, "Sources")
    ids = list(dict.fromkeys(sid for r in selection for sid in r.source_ids))
    sources = load_catalog()["sources"]
    lines = [_source_entry(sid, sources) for sid in ids] or ["No sources cited."]
    lines += list(notes)
    _text_box(slide, MARGIN, Inches(1.3), SLIDE_W - 2 * MARGIN, Inches(5.9), lines, 14)
