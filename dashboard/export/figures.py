"""A chart as a figure to take away: images through kaleido and the system Chromium, a standalone
HTML page, the plotly JSON. Images carry the title, the caption and the source line, so a slide
or a report needs nothing added."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import functools
import html
import json
import os
import re
import shutil
import signal
import tempfile
import textwrap
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import plotly
from plotly.io.json import to_json_plotly

from dashboard.charts import Rendered
from dashboard.geo import GEO_DIR, geo_assets_script, is_geo
from dashboard.params import to_query
from dashboard.style import FONT, plotly_config

IMAGE_FORMATS = ("png", "svg", "pdf")
DEFAULT_WIDTH, DEFAULT_HEIGHT, DEFAULT_SCALE = 1200, 675, 1.0
WIDTH_RANGE = HEIGHT_RANGE = (200, 4000)
SCALE_RANGE = (0.5, 4.0)
# Seconds to wait for one image, and for Chromium to start.
# The most pixels an image may have (width x height x scale²): 4000 x 4000 at scale 1, 2000 x
# 2000 at scale 2, about 1 s to draw here; Chromium takes minutes over 256 megapixels, if it
# finishes at all.
MAX_PIXELS = 16_000_000
# Images of at most this many pixels (1200 x 675 up to scale 2, a briefing's slides) have a lane
# and a browser of their own, so that they never wait behind large ones.
SMALL_PIXELS = 4_000_000
# Images that may wait for one lane's browser; the next is refused at once (503), to be asked
# again after RETRY_AFTER_S.
QUEUE_DEPTH = 16
RETRY_AFTER_S = 10
# Seconds one image may take (both its draws: well within gunicorn's request timeout, 60 s):
# a browser that overruns it is killed and replaced. Seconds for Chromium to start, and to
# close when asked.
RENDER_TIMEOUT, START_TIMEOUT, CLOSE_TIMEOUT = 20, 30, 10

# Pixel layout of the text drawn into an exported figure.
PAD, GAP = 14, 8
TITLE_SIZE, TITLE_LINE = 18, 24
NOTE_SIZE, NOTE_LINE = 11, 15
LEGEND_ROW = 21
# Liberation Sans averages about half an em a character; wrap with a little to spare.
CHAR_EM = 0.5
NOTE_COLOUR = "#444444"


class ExportError(RuntimeError):
    """An image could not be made (Chromium missing, crashed or too slow)."""


class RenderOverrun(ExportError):
    """An image took longer than RENDER_TIMEOUT; its browser was killed and is replaced."""


class ImageQueueFull(ExportError):
    """Too many images wait to be drawn; `retry_after` seconds is when to ask again."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _plotly_js_path() -> Path:
    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


@functools.cache
def plotly_js() -> bytes:
    """The plotly.js bundled with plotly.py (what the HTML export inlines and the embed page
    loads)."""
    return _plotly_js_path().read_bytes()


# --- the figure with its title, caption and sources drawn in -------------------------------


def _wrap(text: str, width_px: float, size: int) -> list[str]:
    chars = max(12, int(width_px / (size * CHAR_EM)))
    return textwrap.wrap(text, chars, break_long_words=True, break_on_hyphens=False) or []


def _fit(lines: list[str], room: int) -> list[str]:
    """At most `room` lines, the last one ending in an ellipsis when some were cut."""
    if len(lines) <= room:
        return lines
    if room <= 0:
        return []
    return [*lines[: room - 1], lines[room - 1].rstrip(" .;,") + " …"]


def _legend_shown(figure: dict) -> bool:
    shown = figure.get("layout", {}).get("showlegend")
    if shown is not None:
        return bool(shown)
    entries = [t for t in figure.get("data", []) if t.get("showlegend", True) is not False]
    return len(entries) > 1


def _legend_height(figure: dict, width_px: float) -> int:
    """A guess at the height of the horizontal legend (to_image measures it): about 20 px a
    row; grouped entries stand in columns (one per group), other entries flow and wrap."""
    entries = [t for t in figure.get("data", []) if t.get("showlegend", True) is not False]
    if not entries:
        return 0
    groups: dict[str, list[float]] = {}
    for i, trace in enumerate(entries):
        entry = 40 + len(str(trace.get("name", ""))) * 13 * CHAR_EM
        groups.setdefault(trace.get("legendgroup") or f"#{i}", []).append(entry)
    rows, used, tallest = 0, 0.0, 0
    for group in groups.values():
        if used and used + max(group) > width_px:
            rows, used, tallest = rows + tallest, 0.0, 0
        used += max(group)
        tallest = max(tallest, len(group))
    return 20 * (rows + tallest) + 6


def _label(text: str) -> str:
    """Text for a plotly label: plotly reads labels as a little HTML, so escape it (plotly shows
    the entities as the characters they stand for)."""
    return html.escape(text, quote=False)


@dataclass(frozen=True)
class Measure:
    """What plotly drew under the plot of a figure at one size: the depth (px) of the x axis
    (tick labels and title) and the height of the legend."""

    axis: int
    legend: int


# Measures taken by to_image: (id(rendered), width, height) -> (rendered, measure); the
# rendered object is kept and compared, so an id is never mistaken for another's.
_MEASURES: dict[tuple[int, int, int], tuple[Rendered, Measure]] = {}
_MEASURES_KEPT = 512


_MEASURES_LOCK = threading.Lock()  # the two lanes draw at once


def _known(rendered: Rendered, width: int, height: int) -> Measure | None:
    hit = _MEASURES.get((id(rendered), width, height))
    return hit[1] if hit is not None and hit[0] is rendered else None


def _remember(rendered: Rendered, width: int, height: int, measure: Measure) -> None:
    with _MEASURES_LOCK:
        if len(_MEASURES) >= _MEASURES_KEPT:
            _MEASURES.pop(next(iter(_MEASURES)))
        _MEASURES[(id(rendered), width, height)] = (rendered, measure)


def export_figure(
    rendered: Rendered,
    width: int = DEFAULT_WIDTH,
    height: int = DEFAULT_HEIGHT,
    measure: Measure | None = None,
) -> dict:
    """The chart's figure at width x height px with its title at the top and its caption and
    source line under it, in small type wrapped to the width; margins keep them clear of the
    plot, axes and legend. A new dict: the shared rendered.figure is not changed.

    measure: the room the x axis and the legend take; by default what to_image measured for
    this figure and size, else the chart's bottom margin and a guess at the legend."""
    figure = rendered.figure
    layout = dict(figure.get("layout", {}))
    margin = {"l": 70, "r": 30, "t": 30, "b": 60, **layout.get("margin", {})}
    text_width = width - 2 * PAD
    measure = measure or _known(rendered, width, height)

    title = _fit(_wrap(rendered.chart.title, text_width, TITLE_SIZE), 2)
    legend = _legend_shown(figure)
    if measure is None:
        measure = Measure(margin["b"], _legend_height(figure, text_width) if legend else 0)
    legend_h = measure.legend
    axis_h = max(measure.axis, margin["b"])
    caption = _wrap(rendered.caption, text_width, NOTE_SIZE)
    sources = _wrap(rendered.source_line, text_width, NOTE_SIZE)

    def room() -> int:
        """Height left for the notes when the plot keeps a quarter of the image."""
        top = PAD + TITLE_LINE * len(title) + GAP + margin["t"]
        bottom = PAD + GAP + (legend_h + GAP if legend else 0) + axis_h
        return height - top - bottom - max(40, height // 4)

    # In a small image the legend goes first, then a second title line, then the space the
    # chart keeps above its plot; the notes fill what is left, the caption giving way before
    # the sources, with an ellipsis where they were cut.
    if room() < NOTE_LINE and legend:
        legend, legend_h = False, 0
    if room() < NOTE_LINE and len(title) > 1:
        title = _fit(title, 1)
    if room() < NOTE_LINE:
        margin["t"] = min(margin["t"], 10)
    lines = max(0, room() // NOTE_LINE)
    keep_caption = 1 if caption and lines >= 2 else 0
    sources = _fit(sources, max(0, min(len(sources), lines - keep_caption)))
    caption = _fit(caption, max(0, lines - len(sources)))
    notes = caption + sources
    notes_h = NOTE_LINE * len(notes)
    top = PAD + TITLE_LINE * len(title) + GAP + margin["t"]
    bottom = PAD + (notes_h + GAP if notes else 0) + (legend_h + GAP if legend else 0) + axis_h

    annotations = list(layout.get("annotations", []))
    if notes:
        annotations.append(
            {
                "text": "<br>".join(_label(line) for line in notes),
                "showarrow": False,
                "xref": "paper",
                "yref": "paper",
                # Anchored on the right margin, which automargin leaves alone (long axis labels
                # widen the left one), and as wide as the image less the padding.
                "x": 1,
                "xanchor": "right",
                "xshift": margin["r"] - PAD,
                "width": text_width,
                "align": "left",
                "y": 0,
                "yanchor": "bottom",
                "yshift": -(bottom - PAD),
                "font": {"size": NOTE_SIZE, "color": NOTE_COLOUR, "family": FONT},
            }
        )
    layout.update(
        width=width,
        height=height,
        autosize=False,
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        margin={**margin, "t": top, "b": bottom},
        annotations=annotations,
        showlegend=legend,
        title={
            "text": "<br>".join(_label(line) for line in title),
            "xref": "container",
            "yref": "container",
            "x": PAD / width,
            "xanchor": "left",
            "y": 1 - PAD / height,
            "yanchor": "top",
            "font": {"size": TITLE_SIZE, "family": FONT, "color": "#1a1a1a"},
        },
    )
    if legend:
        layout["legend"] = {
            **layout.get("legend", {}),
            "orientation": "h",
            "xref": "container",
            "yref": "container",
            "x": PAD / width,
            "xanchor": "left",
            "y": (PAD + (notes_h + GAP if notes else 0)) / height,
            "yanchor": "bottom",
        }
    return {**figure, "layout": layout}


def _measuring_figure(rendered: Rendered, width: int, height: int) -> dict:
    """The export figure with its bottom margin cut to the chart's own and the legend moved to
    the top: plotly then widens the bottom margin exactly as far as the x axis needs."""
    figure = export_figure(rendered, width, height)
    layout = dict(figure["layout"])
    chart_b = {"b": 60, **rendered.figure.get("layout", {}).get("margin", {})}["b"]
    layout["margin"] = {**layout["margin"], "b": chart_b}
    if layout.get("showlegend"):
        layout["legend"] = {**layout["legend"], "y": 1, "yanchor": "top"}
    return {**figure, "layout": layout}


# --- kaleido: a browser per lane, started on first use -----------------------------------


@dataclass
class _Browser:
    loop: asyncio.AbstractEventLoop
    thread: threading.Thread
    kaleido: Any

    def alive(self) -> bool:
        process = getattr(self.kaleido, "subprocess", None)
        return self.thread.is_alive() and process is not None and process.poll() is None


@functools.cache
def _geo_assets_file() -> Path:
    """A script file that hands plotly.js the shipped world outlines (geo_assets_script), for
    kaleido's page, which loads scripts by path; written once per process to a temporary
    folder removed at exit."""
    folder = Path(tempfile.mkdtemp(prefix="milbal-geo-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "geo-assets.js"
    path.write_text(geo_assets_script(), encoding="utf-8")
    return path


def _start_browser(name: str) -> _Browser:
    import kaleido
    from kaleido import PageGenerator

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name=f"milbal-kaleido-{name}", daemon=True)
    thread.start()

    async def open_browser():
        # plotly.js from the local package and no MathJax: kaleido's defaults would load them
        # from a CDN; the world outlines handed to plotly.js in a script of the page (see
        # dashboard.geo), so that a map fetches nothing. The sandbox stays off
        # (choreographer's default), which Chromium needs when run as root. A proxy nobody
        # listens on keeps Chromium itself off the network. No kaleido time limit: _calc
        # keeps RENDER_TIMEOUT itself, and replaces the browser when it is overrun.
        page = PageGenerator(
            plotly=str(_plotly_js_path()), mathjax=False, others=[str(_geo_assets_file())]
        )
        instance = kaleido.Kaleido(
            n=1, timeout=None, page_generator=page, proxy_server="http://127.0.0.1:9"
        )
        await instance.open()
        return instance

    try:
        instance = asyncio.run_coroutine_threadsafe(open_browser(), loop).result(START_TIMEOUT)
    except Exception as exc:
        loop.call_soon_threadsafe(loop.stop)
        raise ExportError(f"cannot start Chromium for image export: {exc}") from exc
    return _Browser(loop, thread, instance)


def _close_browser(browser: _Browser, timeout: float) -> None:
    """kaleido's own close (Chromium asked to quit, its temporary files removed), then the
    browser's event loop stopped."""
    if not browser.thread.is_alive():
        return
    with contextlib.suppress(Exception):  # nothing more to do with a browser on its way out
        asyncio.run_coroutine_threadsafe(browser.kaleido.close(), browser.loop).result(timeout)
    with contextlib.suppress(RuntimeError):  # the loop already closed
        browser.loop.call_soon_threadsafe(browser.loop.stop)


def _kill_browser(browser: _Browser) -> None:
    """Kill a browser at once (its page may be stuck in a draw that would never end, and would
    not answer a polite close): its process group, which Chromium leads, else its process.
    kaleido's close then tidies up after it in the background."""
    process = getattr(browser.kaleido, "subprocess", None)
    if process is not None:
        with contextlib.suppress(ProcessLookupError):
            if os.getpgid(process.pid) == process.pid:
                os.killpg(process.pid, signal.SIGKILL)
            else:
                process.kill()
    closing = threading.Thread(
        target=_close_browser, args=(browser, CLOSE_TIMEOUT), name="milbal-kaleido-close"
    )
    closing.daemon = True  # never holds up the process's exit
    closing.start()


class _Lane:
    """A browser and the images waiting for it, drawn one at a time, first come first served.
    When `depth` (QUEUE_DEPTH) images wait already, the next is refused at once
    (ImageQueueFull)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.depth = QUEUE_DEPTH  # see limit_waiting
        self._turns = threading.Condition()
        self._waiting: deque[object] = deque()
        self._busy = False
        self._browser: _Browser | None = None

    @contextlib.contextmanager
    def turn(self) -> Iterator[None]:
        """Wait for this lane's browser, then hold it for the block."""
        ticket = object()
        with self._turns:
            if len(self._waiting) >= self.depth:
                raise ImageQueueFull(
                    f"image export is busy: {len(self._waiting)} {self.name} images are waiting "
                    f"to be drawn; try again in {RETRY_AFTER_S} s",
                    RETRY_AFTER_S,
                )
            self._waiting.append(ticket)
            try:
                while self._busy or self._waiting[0] is not ticket:
                    self._turns.wait()
            finally:
                self._waiting.remove(ticket)
                self._turns.notify_all()
            self._busy = True
        try:
            yield
        finally:
            with self._turns:
                self._busy = False
                self._turns.notify_all()

    def browser(self) -> _Browser:
        """This lane's browser, started on first use and again after it died. Only the holder
        of the turn calls it."""
        if self._browser is None or not self._browser.alive():
            self.discard()
            self._browser = _start_browser(self.name)
        return self._browser

    def discard(self) -> None:
        """Kill this lane's browser; the next image starts another."""
        browser, self._browser = self._browser, None
        if browser is not None:
            _kill_browser(browser)

    def stop(self) -> None:
        """Close this lane's browser politely (at exit)."""
        browser, self._browser = self._browser, None
        if browser is not None:
            _close_browser(browser, CLOSE_TIMEOUT)


_LANES: dict[str, _Lane] = {}
_DEPTHS = {"small": QUEUE_DEPTH, "large": QUEUE_DEPTH}


def _new_lanes() -> None:
    """Lanes of their own for a new process: a forked worker inherits no browser, no thread and
    no waiting request of its parent (only the depths set by limit_waiting)."""
    _LANES.clear()
    for name in ("small", "large"):
        _LANES[name] = _Lane(name)
        _LANES[name].depth = _DEPTHS[name]


def limit_waiting(lane: str, depth: int) -> None:
    """At most `depth` images waiting in a lane, in this process and the workers it forks
    later. Under gunicorn each waiting request holds one of its worker's few threads: the large
    lane may hold some of them, and pages and small images keep the rest."""
    _DEPTHS[lane] = depth
    _LANES[lane].depth = depth


_new_lanes()
os.register_at_fork(after_in_child=_new_lanes)


def stop_server() -> None:
    """Close the browsers this process started."""
    for lane in _LANES.values():
        lane.stop()


atexit.register(stop_server)


def pixels(width: float, height: float, scale: float) -> float:
    """What an image costs to draw: width x height x scale², the pixels of a PNG."""
    return width * height * scale * scale


def check_size(
    width: float,
    height: float,
    scale: float,
    names: tuple[str, ...] = ("width", "height", "scale"),
) -> None:
    """ValueError naming width, height or scale when outside the allowed ranges, or all three
    when the image would have more than MAX_PIXELS (`names` are the names the caller gave
    them)."""
    for name, value, (lo, hi) in zip(
        names, (width, height, scale), (WIDTH_RANGE, HEIGHT_RANGE, SCALE_RANGE), strict=True
    ):
        if not lo <= value <= hi:
            raise ValueError(f"{name}: {value:g} is outside {lo:g}-{hi:g}")
    cost = pixels(width, height, scale)
    if cost > MAX_PIXELS:
        raise ValueError(
            f"{', '.join(names)}: {width:g} x {height:g} at scale {scale:g} is "
            f"{cost / 1e6:.1f} megapixels (width x height x scale²); the limit is "
            f"{MAX_PIXELS / 1e6:g} megapixels, e.g. 4000 x 4000 at scale 1 or 2000 x 2000 at "
            "scale 2"
        )


def _calc(browser: _Browser, figure: dict, opts: dict, deadline: float) -> bytes:
    # The outlines are in the page already; were they not, plotly.js would look for them in
    # the package's folder, never on a CDN.
    drawn = browser.kaleido.calc_fig(figure, opts, topojson=GEO_DIR.as_uri() + "/")
    future = asyncio.run_coroutine_threadsafe(drawn, browser.loop)
    try:
        return future.result(max(0.0, deadline - time.monotonic()))
    except TimeoutError as exc:
        future.cancel()
        raise RenderOverrun(
            f"image export took longer than {RENDER_TIMEOUT:g} s and was stopped; a smaller "
            "width, height or scale draws faster"
        ) from exc


_SVG = "{http://www.w3.org/2000/svg}"


def _measured(svg: bytes, height: int) -> Measure | None:
    """The room under the plot (height less the bottom edge of the lowest plot area: plotly's
    clip path of a y axis spans its plot area, and a chart of stacked panels has one y axis a
    panel) and the legend's height (its background), from an SVG plotly drew."""
    try:
        root = ElementTree.fromstring(svg)
    except ElementTree.ParseError:
        return None
    axis = legend = None
    for clip in root.iter(f"{_SVG}clipPath"):
        rect = clip.find(f"{_SVG}rect")
        is_y = re.fullmatch(r"clip\w+?y\d*", clip.get("id", ""))
        if clip.get("class") == "axesclip" and is_y and rect is not None:
            depth = height - float(rect.get("y", 0)) - float(rect.get("height", 0))
            axis = depth if axis is None else min(axis, depth)
    for group in root.iter(f"{_SVG}g"):
        if group.get("class") == "legend":
            background = group.find(f"{_SVG}rect")
            if background is not None:
                legend = float(background.get("height", 0))
            break
    if axis is None:
        return None
    return Measure(axis=round(axis), legend=round(legend or 0))


def _bare_figure(rendered: Rendered, width: int, height: int) -> dict:
    """The figure with its title only and fixed margins: for an image too small for the rest
    (plotly fails when the axes would leave no room for the plot)."""
    figure = export_figure(rendered, width, height, Measure(axis=0, legend=0))
    layout = dict(figure["layout"])
    layout["annotations"] = list(rendered.figure.get("layout", {}).get("annotations", []))
    layout["showlegend"] = False
    layout["margin"] = {**layout["margin"], "b": min(layout["margin"]["b"], height // 4)}
    for key, value in list(layout.items()):
        if re.fullmatch(r"[xy]axis\d*", key) and isinstance(value, dict):
            layout[key] = {**value, "automargin": False}
    return {**figure, "layout": layout}


def _draw(
    lane: _Lane, rendered: Rendered, fmt: str, width: int, height: int, scale: float
) -> bytes:
    """The image drawn by the lane's browser, within RENDER_TIMEOUT for both draws.

    Plotly widens the bottom margin for long axis labels but does not stack the legend and the
    notes under them, so the first export of a figure at a size draws it once as SVG to measure
    the room the axis and the legend take (kept for the next export), then draws it for good."""
    from kaleido.errors import KaleidoError

    browser = lane.browser()
    deadline = time.monotonic() + RENDER_TIMEOUT
    opts = {"format": fmt, "width": width, "height": height, "scale": scale}
    try:
        if _known(rendered, width, height) is None:
            svg = _calc(
                browser,
                _measuring_figure(rendered, width, height),
                {**opts, "scale": 1, "format": "svg"},
                deadline,
            )
            measure = _measured(svg, height)
            if measure is not None:
                _remember(rendered, width, height, measure)
        return _calc(browser, export_figure(rendered, width, height), opts, deadline)
    except KaleidoError:
        try:
            return _calc(browser, _bare_figure(rendered, width, height), opts, deadline)
        except ExportError:
            raise
        except Exception as exc:
            raise ExportError(f"image export failed: {type(exc).__name__}: {exc}") from exc
    except ExportError:
        raise
    except Exception as exc:
        raise ExportError(f"image export failed: {type(exc).__name__}: {exc}") from exc


def to_image(
    rendered: Rendered,
    fmt: str,
    width: int = DEFAULT_WIDTH,
    height: int = DEFAULT_HEIGHT,
    scale: float = DEFAULT_SCALE,
) -> bytes:
    """The chart as PNG, SVG or PDF of width x height (times scale for PNG pixels), drawn by
    Chromium. Safe to call from several threads: images up to SMALL_PIXELS are drawn by one
    browser, larger ones by another, each one image at a time, so a small image never waits
    behind a large one. Raises ValueError for a bad format or size; ExportError when Chromium
    fails, RenderOverrun when it takes longer than RENDER_TIMEOUT (the browser is then
    replaced), ImageQueueFull when QUEUE_DEPTH images wait already."""
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"format: {fmt!r} is not one of {', '.join(IMAGE_FORMATS)}")
    check_size(width, height, scale)
    width, height = int(width), int(height)
    lane = _LANES["small" if pixels(width, height, scale) <= SMALL_PIXELS else "large"]
    with lane.turn():
        try:
            return _draw(lane, rendered, fmt, width, height, scale)
        except RenderOverrun:
            lane.discard()
            raise


# --- HTML and JSON ------------------------------------------------------------------------


def script_json(value: Any) -> str:
    """JSON safe to place inside a <script> element: '<', '>', '&' and the two JavaScript line
    separators are escaped, so no text in the data can close the element."""
    text = to_json_plotly(value)
    for char, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escaped)
    return text


def settings_line(rendered: Rendered) -> str:
    """'Country A (attacker): AZE · Year: 2020 · ...' for the chart's parameters."""
    chart = rendered.chart
    return " · ".join(
        f"{p.label}: {p.format(rendered.params[p.name])}"
        for p in chart.params
        if p.name in rendered.params
    )


def full_view_query(rendered: Rendered) -> str:
    return to_query(rendered.chart.params, rendered.params)


HTML_STYLE = """
body { font-family: %s; color: #1a1a1a; margin: 24px auto; max-width: 1100px; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 4px; }
.settings { color: #555; font-size: 13px; margin: 0 0 12px; }
.caption { font-size: 14px; margin: 12px 0 4px; }
.sources { color: #444; font-size: 12px; margin: 0; }
"""


def to_html(rendered: Rendered) -> bytes:
    """One standalone page that opens offline: plotly.js inline, the chart, its title,
    settings, caption and source line. All text is escaped; nothing is loaded from elsewhere."""
    e = html.escape
    figure = {**rendered.figure, "layout": dict(rendered.figure.get("layout", {}))}
    height = int(figure["layout"].get("height") or 450)
    figure["layout"].pop("width", None)
    figure["layout"]["autosize"] = True
    config = plotly_config()
    # A map's outlines go in the file: plotly.js would fetch them from a CDN.
    geo = f"\n<script>{geo_assets_script()}</script>" if is_geo(figure) else ""
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(rendered.chart.title)}</title>
<style>{HTML_STYLE % FONT}</style>
</head>
<body>
<h1>{e(rendered.chart.title)}</h1>
<p class="settings">{e(settings_line(rendered))}</p>
<div id="chart" style="height: {height}px"></div>
<p class="caption">{e(rendered.caption)}</p>
<p class="sources">{e(rendered.source_line)}</p>
<script>{plotly_js().decode("utf-8")}</script>{geo}
<script>
var figure = {script_json(figure)};
Plotly.newPlot("chart", figure.data, figure.layout, {json.dumps(config)});
</script>
</body>
</html>
"""
    return page.encode("utf-8")


def to_json(rendered: Rendered) -> bytes:
    """The plotly figure (data and layout) as JSON."""
    return to_json_plotly(rendered.figure).encode("utf-8")
