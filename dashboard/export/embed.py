"""The embeddable page of one chart (/chart/<slug>): the chart at its own height (less where the
frame is smaller), its title, caption and source line, and a link to the full view. plotly.js
comes from this app. frame_height says how tall an iframe shows it all without empty space."""

from __future__ import annotations

import functools
import hashlib
import html
import json
import math

from dashboard.charts import Rendered
from dashboard.export.figures import full_view_query, plotly_js, script_json
from dashboard.geo import ASSET_FOLDER, is_geo
from dashboard.style import FONT, plotly_config

# Relative to /chart/<slug>, so it also works when the app is served under a prefix.
PLOTLY_JS_URL = "plotly.min.js"

# Where a map's plotly.js reads the world outlines: this app's asset (dashboard.geo).
TOPOJSON_URL = "../assets/" + ASSET_FOLDER


@functools.cache
def plotly_js_version() -> str:
    """A digest of the plotly.js served: the embed page names it in the script's URL, which
    the browser may then keep for good (a new plotly.js is a new URL)."""
    return hashlib.sha256(plotly_js()).hexdigest()[:16]


def plotly_js_url() -> str:
    return f"{PLOTLY_JS_URL}?v={plotly_js_version()}"


EMBED_STYLE = """
html, body { height: 100%%; margin: 0; }
body { font-family: %s; color: #1a1a1a; display: flex; flex-direction: column;
  padding: 8px 12px; box-sizing: border-box; }
h1 { font-size: 17px; margin: 0 0 4px; }
#chart { flex: 1 1 auto; min-height: %dpx; max-height: %dpx; }
.caption { font-size: 13px; margin: 6px 0 2px; }
.sources { color: #444; font-size: 11px; margin: 0 0 2px; }
.full-view { font-size: 12px; }
"""
# What a figure without a height of its own is drawn at (plotly's default), and the least a
# chart shrinks to in a small frame.
DEFAULT_CHART_HEIGHT, MIN_CHART_HEIGHT = 450, 220
# For frame_height: the frame's width assumed (a column of a report), the characters of the
# caption (13 px) and of the source line (11 px) per line at that width, their line heights,
# and the rest of the page (padding, title, link, gaps), in pixels.
FRAME_WIDTH, CAPTION_CHARS, SOURCE_CHARS = 700, 95, 120
CAPTION_LINE, SOURCE_LINE, FRAME_REST = 18, 15, 80


def chart_height(figure: dict) -> int:
    """The height the chart is drawn at on its page (its layout's, else plotly's default)."""
    return int(figure.get("layout", {}).get("height") or DEFAULT_CHART_HEIGHT)


def frame_height(rendered: Rendered) -> int:
    """Pixels an iframe of the embed page needs at about FRAME_WIDTH wide to show the chart at
    its own height with the title, caption, source line and link, and no empty space: the
    height for the snippet's iframe (the force ratio's is about 370, a chart of 450 about 620)."""
    caption = math.ceil(len(rendered.caption) / CAPTION_CHARS) * CAPTION_LINE
    sources = math.ceil(len(rendered.source_line) / SOURCE_CHARS) * SOURCE_LINE
    return chart_height(rendered.figure) + caption + sources + FRAME_REST


def embed_page(rendered: Rendered, query: str | None = None) -> str:
    """The page for an iframe. `query` ('?a=AZE&b=ARM...') is appended to the chart's page for
    the link to the full view; by default the query of rendered.params. All text is escaped."""
    e = html.escape
    chart = rendered.chart
    if query is None:
        query = full_view_query(rendered)
    query = query.strip()
    if query and not query.startswith("?"):
        query = "?" + query
    layout = {k: v for k, v in rendered.figure.get("layout", {}).items() if k not in ("width",)}
    # The chart takes the room the texts leave, up to its own height: a tall frame leaves the
    # space below the texts, not between the chart's parts (a small frame shrinks it).
    height = chart_height(rendered.figure)
    style = EMBED_STYLE % (FONT, min(MIN_CHART_HEIGHT, height), height)
    layout.pop("height", None)
    layout["autosize"] = True
    figure = {**rendered.figure, "layout": layout}
    config = plotly_config()
    if is_geo(figure):
        config["topojsonURL"] = TOPOJSON_URL
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(chart.title)}</title>
<style>{style}</style>
<script src="{e(plotly_js_url())}"></script>
</head>
<body>
<h1>{e(chart.title)}</h1>
<div id="chart"></div>
<p class="caption">{e(rendered.caption)}</p>
<p class="sources">{e(rendered.source_line)}</p>
<a class="full-view" href="{e(chart.page + query)}" target="_blank" rel="noopener">
Open the full view</a>
<script>
var figure = {script_json(figure)};
Plotly.newPlot("chart", figure.data, figure.layout, {json.dumps(config)});
</script>
</body>
</html>
"""
