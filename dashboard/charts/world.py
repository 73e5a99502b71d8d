"""A world map of any country-year indicator the catalogue holds, for one year.

Countries are coloured on a sequential, colour-blind-safe scale (viridis), linear or log;
countries without a figure are grey, with their own legend entry. Where several sources give
a figure, the colour is the middle of their span (indicators.world.indicator_values) and the
hover and the table give the span and every source. Outlines come from the topojson shipped
in dashboard/assets/geo (see dashboard.geo); countries too small for them are dots.
"""

from __future__ import annotations

import html
import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from dashboard.charts import Chart, derived, register
from dashboard.charts.common import YEAR, columns, country_name, measure_words, source_choice_labels
from dashboard.geo import location_of
from dashboard.params import Param
from dashboard.style import FONT, base_layout
from indicators.common import IndicatorError, column_arrays, plain_frame_of, row_positions
from indicators.world import (
    PER_1000,
    WorldIndicator,
    indicator_rows,
    indicator_years,
    ranked_values,
    world_indicators,
)
from validation import Catalog, load_catalog

TABLES = ("manpower", "spending", "capabilities", "rankings")
DEFAULT_INDICATOR = "total_military"
DEFAULT_YEAR = 2016  # the last year of COW's NMC and most World Bank series
NO_DATA_COLOUR = "#c8c8c8"
BORDER_COLOUR = "#ffffff"
DOT_LINE = "#333333"
# Viridis: sequential, perceptually uniform and readable with the common colour-vision
# deficiencies; it holds no grey, so "no data" stands apart.
COLOUR_SCALE = "Viridis"
# "auto" draws a log scale when the largest value is more than this many times the smallest.
LOG_SPREAD = 100
NOT_PLACED = "not placed"
DRAWN_AS = {"outline": "outline", "dot": "dot", "none": NOT_PLACED}
# A hover without the trace's name beside it: what '<extra></extra>' does at the end of a
# template, once a trace instead of once a country (~40 bytes a country as Dash sends it).
NO_TRACE_NAME = {"namelength": 0}
# A range of figures is written as its low and high joined by an en dash.
EN_DASH = "\u2013"
# The colour bar lies across the foot of the figure, below the map (whose domain starts above
# it, so the bar never covers land: Tierra del Fuego and Antarctica's edge are the map's
# southern end), at this share of the plot's height and of its width, with at most this many
# labels (a 390 px screen has room for four).
BAR_BAND = 0.15
BAR_LEN = 0.7
BAR_LABELS = 4

# code -> (name, unit) in people's words; personnel measures take the manpower metadata's.
NAMES = {
    "milex_current_usd_m": ("Military spending (current US dollars)", "USD m, current prices"),
    "milex_constant2019_usd_m": (
        "Military spending (constant 2019 US dollars)",
        "USD m, constant 2019 prices",
    ),
    "milex_share_gdp_pct": ("Military spending, share of GDP", "% of GDP"),
    "defence_budget_usd_m": ("Defence budget (Global Firepower)", "USD m"),
    "cinc": ("Composite Index of National Capability (CINC)", "share of world capabilities"),
    "gfp_score": ("Global Firepower PowerIndex (lower is stronger)", "PowerIndex"),
    "gfp_rank": ("Global Firepower rank (1 = strongest)", "rank"),
    "gmi_score": ("Global Militarisation Index score", "GMI points (0-1000)"),
    "gmi_rank": ("Global Militarisation Index rank (1 = most militarised)", "rank"),
    "gmi_revised_score": (
        "Global Militarisation Index score (BICC's revised series)",
        "GMI points",
    ),
    "gmi_revised_rank": (
        "Global Militarisation Index rank, revised series (1 = most militarised)",
        "rank",
    ),
}


def _tables(catalog: Catalog) -> dict[str, pd.DataFrame]:
    """The tables the indicators read; a catalog without one (a hand-made test catalog) has
    none of its indicators."""
    out = {}
    for name in TABLES:
        try:
            out[name] = catalog[name]
        except KeyError:
            continue
    return out


def _indicators(catalog: Catalog) -> dict[str, WorldIndicator]:
    """code -> indicator, for every indicator the catalogue has figures for (built once per
    set of tables)."""
    tables = _tables(catalog)
    return derived(
        "world-indicators",
        tuple(tables.values()),
        lambda: {i.code: i for i in world_indicators(tables)},
    )


def indicator_codes(catalog: Catalog) -> tuple[str, ...]:
    return tuple(_indicators(catalog))


def indicator_name(code: str) -> str:
    """An indicator in people's words ('Total armed forces per 1,000 inhabitants')."""
    return _name_and_unit(code)[0]


def indicator_unit(code: str) -> str:
    return _name_and_unit(code)[1]


def _name_and_unit(code: str) -> tuple[str, str]:
    if code in NAMES:
        return NAMES[code]
    words = measure_words(load_catalog())
    if code.endswith(PER_1000):
        measure = code.removesuffix(PER_1000)
        name = words.get(measure, measure.replace("_", " "))
        return f"{name[:1].upper()}{name[1:]} per 1,000 inhabitants", "per 1,000 inhabitants"
    name = words.get(code, code.replace("_", " "))
    return f"{name[:1].upper()}{name[1:]}", "persons"


def _rows(catalog: Catalog, code: str) -> pd.DataFrame:
    """Every source's figure of one indicator (built once per table)."""
    indicator = _indicators(catalog)[code]
    tables = _tables(catalog)
    table = tables[indicator.table]
    return derived(f"world-rows-{code}", (table,), lambda: indicator_rows(tables, indicator))


def indicator_years_of(catalog: Catalog, code: str) -> tuple[int, ...]:
    """The years an indicator has figures for, latest first (the same tuple per table)."""
    if code not in _indicators(catalog):
        return ()
    rows = _rows(catalog, code)
    return derived(f"world-years-{code}", (rows,), lambda: indicator_years(rows))


def _indicator_labels(catalog: Catalog) -> dict[str, str]:
    return {code: indicator_name(code) for code in indicator_codes(catalog)}


INDICATOR = Param(
    "indicator",
    "Indicator",
    "choice",
    DEFAULT_INDICATOR,
    indicator_codes,
    labels=_indicator_labels,
    words=indicator_name,
)
MAP_YEAR = replace(
    YEAR,
    default=DEFAULT_YEAR,
    offered=lambda catalog, values: indicator_years_of(catalog, values["indicator"]),
    unavailable="{indicator} has no figures for {value}",
)
SCALE_WORDS = {
    "auto": "Automatic",
    "linear": "Linear",
    "log": "Log",
}
SCALE = Param(
    "scale", "Colour scale", "choice", "auto", tuple(SCALE_WORDS), labels=lambda c: SCALE_WORDS
)


def fmt_value(x: float) -> str:
    """A figure as the hover and the table show it: thousands separated, one decimal from
    100, two below 100, three significant digits below 1 (CINC shares)."""
    if x != x:
        return "-"
    if x == 0:
        return "0"
    if float(x).is_integer():
        return f"{x:,.0f}"
    if abs(x) >= 100:
        return f"{x:,.1f}".removesuffix(".0")
    if abs(x) >= 1:
        return f"{x:.2f}".rstrip("0").rstrip(".")
    return f"{x:.3g}"


def with_unit(x: float, unit: str) -> str:
    """'2,514,000 persons', 'rank 63.5'."""
    return f"rank {fmt_value(x)}" if unit == "rank" else f"{fmt_value(x)} {unit}"


def world_map_data(catalog, p: Mapping[str, Any]) -> pd.DataFrame:
    """One row per country with a figure for the indicator in the year, in ranked order:
    position (1 = highest, or lowest for ranks and the GFP PowerIndex), the value the colour
    shows (the middle of the sources' span where they differ), low and high, how many sources
    and what each reports, and how the map draws the country (outline, dot, not placed).
    What the hover and the page's table say of each country is kept with it (country_texts)."""
    code, year = p["indicator"], p["year"]
    indicators = _indicators(catalog)
    if code not in indicators:
        raise IndicatorError(f"indicator: no figures for {code} in the catalogue")
    rows = _rows(catalog, code)
    if len(row_positions(rows, year=year)) == 0:
        years = indicator_years_of(catalog, code)
        shown = ", ".join(map(str, years[:8])) + (", ..." if len(years) > 8 else "")
        raise IndicatorError(
            f"year: {indicator_name(code)} has no figures for {year}; years with figures: {shown}"
        )
    values = ranked_values(rows, year, indicators[code].lower_first)
    countries = values["country"]
    texts, reported = _texts(catalog, rows, values)
    n = len(countries)
    data = plain_frame_of(  # ~0.1 ms where pandas' constructor takes ~0.5 ms
        {
            "position": values["position"],
            "country": countries,
            "indicator": np.full(n, indicator_name(code), dtype=object),
            "year": np.full(n, year),
            "value": values["value"],
            "low": values["low"],
            "high": values["high"],
            "unit": np.full(n, indicator_unit(code), dtype=object),
            "n_sources": values["n_sources"],
            "reported": np.array(reported, dtype=object),
            "drawn_as": np.array([DRAWN_AS[location_of(c)] for c in countries], dtype=object),
            "source_id": np.array(values["source_id"], dtype=object),
        }
    )
    _remember_texts(data, texts)
    return data


@dataclass(frozen=True)
class CountryTexts:
    """What the hover and the page's table say of each country of a map's data, in its ranked order
    (object arrays): the name, the value, the span across sources (low and high joined by an en
    dash, or '' where they agree) and each source's figure as the table gives it ('[1] 2,695,000;
    [2] 2,333,000'), the sources numbered where they first appear down the ranking; `sources` holds
    their words in that order. Report by report, each country's together from
    `starts`: the number of its source (from 0) and its figure."""

    names: np.ndarray
    values: np.ndarray
    spans: np.ndarray
    keyed: np.ndarray
    sources: list[str]
    numbers: np.ndarray
    figures: np.ndarray
    starts: np.ndarray


def _texts(
    catalog: Catalog, rows: pd.DataFrame, values: Mapping[str, Any]
) -> tuple[CountryTexts, list[str]]:
    """CountryTexts of ranked_values, and each country's `reported`: 'World Bank 2016 (CSV):
    2,981,050; COW (dataset): 1,346,000' (a range as low and high joined by an en dash). With numpy
    over object arrays: a Python pass per row and per country costs ~3x as much, ~200 countries a
    state."""
    words, sources = _source_words(catalog, rows)
    taken = values["rows_at"]
    which = sources[taken]
    arrays = column_arrays(rows)
    lo, hi = (arrays[c][taken].astype(float) for c in ("low", "high"))
    low, value, high = values["low"], values["value"], values["high"]
    lo_w, hi_w, low_w, value_w, high_w = _written(lo, hi, low, value, high)
    figures = np.where(hi > lo, lo_w + EN_DASH + hi_w, lo_w)
    starts = values["bounds"][:-1]
    reported = _joined(words[which] + ": " + figures, starts, "; ")
    texts = CountryTexts(
        names=np.array([country_name(c) for c in values["country"].tolist()], object),
        values=value_w,
        spans=np.where(high > low, low_w + EN_DASH + high_w, ""),
        **_keyed(words, which, figures, starts),
    )
    return texts, reported.tolist()


def _source_words(catalog: Catalog, rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The words of each source (id, or ids joined by ';') of an indicator's rows, and each
    row's source as a position in them (once per table)."""
    labels = source_choice_labels(catalog)

    def build() -> tuple[np.ndarray, np.ndarray]:
        sids, which = np.unique(column_arrays(rows)["source_id"], return_inverse=True)
        said = [" + ".join(labels.get(s, s) for s in sid.split(";")) for sid in sids.tolist()]
        return np.array(said, dtype=object), which

    return derived("world-source-words", (rows, labels), build)


def _keyed(
    words: np.ndarray, which: np.ndarray, figures: np.ndarray, starts: np.ndarray
) -> dict[str, Any]:
    """CountryTexts' keyed, sources, numbers, figures and starts from each report's source,
    as a position `which` in `words`, and its figure (each country's reports together from
    `starts`). Sources with the same words are one."""
    distinct, same = np.unique(words, return_inverse=True)
    said = same[which]
    present, first = np.unique(said, return_index=True)
    order = present[np.argsort(first, kind="stable")]  # numbered where they first appear
    number = np.zeros(len(distinct), dtype=int)
    number[order] = np.arange(len(order))
    keys = np.array([f"[{n + 1}] " for n in number.tolist()], dtype=object)
    return {
        "keyed": _joined(keys[said] + figures, starts, "; "),
        "sources": distinct[order].tolist(),
        "numbers": number[said],
        "figures": figures,
        "starts": starts,
    }


def _written(*columns: np.ndarray) -> list[np.ndarray]:
    """fmt_value of every value of the columns, as object arrays: each value written once,
    whole numbers (most figures) by one format call each."""
    distinct, which = np.unique(np.concatenate(columns), return_inverse=True)
    with np.errstate(invalid="ignore"):
        whole = (np.mod(distinct, 1) == 0) & (distinct != 0)  # not NaN, infinite or 0
    written = np.empty(len(distinct), dtype=object)
    written[whole] = list(map("{:,.0f}".format, distinct[whole].tolist()))
    written[~whole] = [fmt_value(x) for x in distinct[~whole].tolist()]
    return np.split(written[which], np.cumsum([len(c) for c in columns])[:-1])


def _joined(parts: np.ndarray, starts: np.ndarray, sep: str) -> np.ndarray:
    """The parts of each group (from each of `starts` to the next) joined by `sep`."""
    last = np.zeros(len(parts), dtype=bool)
    last[starts[1:] - 1] = True
    last[-1] = True
    return np.add.reduceat(np.where(last, parts, parts + sep), starts)


def country_texts(data: pd.DataFrame) -> CountryTexts:
    """CountryTexts of a map's data (the figure and the page's table both read them): as
    world_map_data made them with the frame, or read back from its columns."""
    with _TEXTS_LOCK:
        hit = _TEXTS.get(id(data))
    if hit is not None and hit[0] is data:
        return hit[1]
    cols = columns(data)
    labels, figures, starts = [], [], []
    for reported in cols["reported"].tolist():
        starts.append(len(labels))
        for report in reported.split("; "):
            label, _, figure = report.rpartition(": ")
            labels.append(label)
            figures.append(figure)
    low, value, high = (cols[c].astype(float) for c in ("low", "value", "high"))
    low_w, value_w, high_w = _written(low, value, high)
    words, which = np.unique(np.array(labels, dtype=object), return_inverse=True)
    texts = CountryTexts(
        names=np.array([country_name(c) for c in cols["country"].tolist()], object),
        values=value_w,
        spans=np.where(high > low, low_w + EN_DASH + high_w, ""),
        **_keyed(words, which, np.array(figures, dtype=object), np.array(starts)),
    )
    _remember_texts(data, texts)
    return texts


def _remember_texts(data: pd.DataFrame, texts: CountryTexts) -> None:
    """Keep `texts` with the frame they describe (by identity, with the frame itself, so an id
    is never mistaken for another's), for the last few frames: like the frame's column arrays
    (indicators.common.column_arrays), they live as long as a drawn map is at hand."""
    with _TEXTS_LOCK:
        _TEXTS.pop(id(data), None)
        while len(_TEXTS) >= _TEXTS_KEPT:
            _TEXTS.pop(next(iter(_TEXTS)))
        _TEXTS[id(data)] = (data, texts)


_TEXTS: dict[int, tuple[pd.DataFrame, CountryTexts]] = {}
_TEXTS_KEPT = 16
_TEXTS_LOCK = threading.Lock()


# --- the figure ---------------------------------------------------------------------------


def uses_log(values: np.ndarray, scale: str) -> bool:
    """Whether the colours follow log10 of the values: 'log', or 'auto' when the largest
    value is more than LOG_SPREAD times the smallest above 0 (values of 0 or less then take
    the lowest colour)."""
    if scale == "linear":
        return False
    positive = values[values > 0]
    if scale == "log":
        return len(positive) > 0
    return len(positive) > 1 and positive.max() > LOG_SPREAD * positive.min()


def _nice_step(span: float) -> float:
    raw = span / 4 if span > 0 else 1.0
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def colour_ticks(lo: float, hi: float, log: bool) -> list[float]:
    """Values to label on the colour bar, between lo and hi: powers of ten (with 2 and 5
    between them when they are few) on a log scale, round steps on a linear one."""
    if log:
        first, last = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
        ticks = [10.0**k for k in range(first, last + 1)]
        if sum(lo <= t <= hi for t in ticks) < 3:
            ticks = [m * 10.0**k for k in range(first, last + 1) for m in (1, 2, 5)]
    else:
        step = _nice_step(hi - lo)
        ticks = [k * step for k in range(math.floor(lo / step), math.ceil(hi / step) + 1)]
    inside = [t for t in ticks if lo <= t <= hi]
    if log:
        return inside or [lo, hi]
    # the ends labelled too (the first and last place of a ranking), unless a round value
    # stands close by
    close = (hi - lo) / 8
    return sorted(
        {lo, hi} | {t for t in inside if t - lo > close and hi - t > close} if hi > lo else {lo}
    )


def thinned(ticks: list[float], most: int) -> list[float]:
    """At most `most` of the ticks (most >= 2): every other (or every third...) from the first,
    and the last in place of the one taken before it where that one is not the last (it then
    stands less than a step from the last: their labels could collide)."""
    last = len(ticks) - 1
    if last < most:
        return ticks
    kept = list(range(0, last + 1, math.ceil(last / (most - 1))))
    kept[-1] = last
    return [ticks[i] for i in kept]


def _colour_values(values: np.ndarray, log: bool, lower_first: bool) -> tuple[np.ndarray, float]:
    """The numbers the colour scale maps (log10 on a log scale, where values of 0 or less
    take the lowest colour), negated where a lower figure stands first so that the first
    country is at the high end of the bar in the same colour as the largest value elsewhere;
    and the value the lowest colour stands for."""
    floor = float(values[values > 0].min()) if log else float(values.min())
    shown = np.log10(np.maximum(values, floor)) if log else values.astype(float)
    return (-shown if lower_first else shown), floor


# The words every country's hover repeats, in the trace's meta, which each country's template
# names as %{meta[i]} (after them the sources' words): as Dash sends an answer, each '<', '>'
# and '/' takes 6 bytes, and these were ~40% of the hovers' bytes.
HOVER_WORDS = (
    "</b><br>",
    "<br>range ",
    " (the middle of the sources' span)",
    "<br>",
    " of {total} countries with figures<br>",
    "Source: ",
    "Sources:<br>· ",
    "<br>· ",
)
_SAID = {words: f"%{{meta[{i}]}}" for i, words in enumerate(HOVER_WORDS)}


def _hovers(data: pd.DataFrame, unit: str) -> tuple[np.ndarray, list[str]]:
    """Each country's hover, as a plotly hovertemplate per country (an object array), and the
    trace's meta: HOVER_WORDS and the sources' words, which the templates name as
    %{meta[i]}. A source's words are most of a hover (the World Bank's run to 100 characters) and
    ~190 countries repeat the same few: once a trace, the answer carries them once. The hover reads
    'China (CHN) / 2,514,000 persons / range 2,333,000 (en dash) 2,695,000 (the middle of the
    sources' span) / 1 of 190 countries with figures / Sources: / · World Bank (...): 2,695,000 / ·
    COW 2016 (...): 2,333,000', a line each."""
    texts = country_texts(data)
    cols = columns(data)
    said = _SAID
    total = len(texts.names)
    shown = "rank " + texts.values if unit == "rank" else texts.values + f" {html.escape(unit)}"
    middle = np.where(cols["n_sources"] > 1, said[" (the middle of the sources' span)"], "")
    spread = np.where(texts.spans != "", said["<br>range "] + texts.spans + middle, "")
    first = len(HOVER_WORDS)  # the sources' words follow in the meta
    cite = np.array([f"%{{meta[{first + n}]}}: " for n in range(len(texts.sources))], object)
    reports = _joined(cite[texts.numbers] + texts.figures, texts.starts, said["<br>· "])
    one = np.diff(np.r_[texts.starts, len(texts.figures)]) == 1
    hovers = (
        "<b>"
        + _hover_names(cols["country"].tolist())
        + said["</b><br>"]
        + shown
        + spread
        + said["<br>"]
        + cols["position"].astype(str).astype(object)
        + said[" of {total} countries with figures<br>"]
        + np.where(one, said["Source: "], said["Sources:<br>· "])
        + reports
    )
    words = [w.replace("{total}", str(total)) for w in HOVER_WORDS]
    return hovers, words + [html.escape(label) for label in texts.sources]


def _hover_names(codes: list[str]) -> np.ndarray:
    """'China (CHN)' per country, escaped for a hover (once per countries table)."""

    def named(code: str) -> str:
        return html.escape(f"{country_name(code)} ({code})")

    countries = load_catalog()["countries"]
    known = derived(
        "world-hover-names", (countries,), lambda: {c: named(c) for c in countries["iso3"]}
    )
    return np.array([known.get(c) or named(c) for c in codes], dtype=object)


def _no_data_codes(placed: set[str], kind: str) -> list[str]:
    return [c for c in _codes_drawn_as(kind) if c not in placed]


def _codes_drawn_as(kind: str) -> tuple[str, ...]:
    """The catalogue's countries the map draws as `kind` ('outline' or 'dot'), in its order
    (once per countries table)."""
    countries = load_catalog()["countries"]
    return derived(
        f"world-codes-{kind}",
        (countries,),
        lambda: tuple(c for c in countries["iso3"] if location_of(c) == kind),
    )


def world_map_figure(data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    cols = columns(data)
    code, year = p["indicator"], p["year"]
    lower_first = _indicators(load_catalog())[code].lower_first
    values = cols["value"].astype(float)
    log = uses_log(values, p["scale"])
    colour, floor = _colour_values(values, log, lower_first)
    cmin, cmax = float(colour.min()), float(colour.max())
    if cmin == cmax:
        cmin, cmax = cmin - 1, cmax + 1
    top = float(values[values > 0].max()) if log else float(values.max())
    ticks = colour_ticks(floor, top, log) if log else colour_ticks(float(values.min()), top, False)
    ticks = thinned(ticks, BAR_LABELS)
    tickvals = [(-1 if lower_first else 1) * (math.log10(t) if log else t) for t in ticks]
    unit = str(cols["unit"][0]) if len(values) else ""
    hover, sources = _hovers(data, unit)
    drawn = cols["drawn_as"]
    outline, dot = drawn == "outline", drawn == "dot"
    scale = {
        "colorscale": COLOUR_SCALE,
        "cmin": cmin,
        "cmax": cmax,
    }
    colourbar = {
        # across the foot of the figure, in a band of its own below the map (BAR_BAND): on a
        # phone a bar beside the map would take a third of its width, and over the map it
        # covered Tierra del Fuego
        "title": {"text": html.escape(unit) + (" (log scale)" if log else ""), "side": "top"},
        "orientation": "h",
        "tickvals": tickvals,
        "ticktext": [fmt_value(t) for t in ticks],
        "tickangle": 0,
        "len": BAR_LEN,
        "thickness": 12,
        "x": 0.5,
        "xanchor": "center",
        "y": 0.0,
        "yanchor": "bottom",
        "ypad": 0,
    }
    traces: list[dict] = [
        {
            "type": "choropleth",
            "name": indicator_name(code),
            "locationmode": "ISO-3",
            "locations": cols["country"][outline].tolist(),
            "z": np.round(colour[outline], 6).tolist(),
            "zmin": cmin,
            "zmax": cmax,
            "colorscale": COLOUR_SCALE,
            "marker": {"line": {"color": BORDER_COLOUR, "width": 0.5}},
            "colorbar": colourbar,
            "hovertemplate": hover[outline].tolist(),
            "meta": sources,
            "hoverlabel": NO_TRACE_NAME,
            "showlegend": False,
        }
    ]
    if dot.any():
        traces.append(
            {
                "type": "scattergeo",
                "name": "small countries (dots)",
                "mode": "markers",
                "lon": [_centroid(c)[0] for c in cols["country"][dot]],
                "lat": [_centroid(c)[1] for c in cols["country"][dot]],
                "marker": {
                    "color": np.round(colour[dot], 6).tolist(),
                    **scale,
                    "size": 8,
                    "line": {"color": DOT_LINE, "width": 0.8},
                },
                "customdata": cols["country"][dot].tolist(),
                "hovertemplate": hover[dot].tolist(),
                "meta": sources,
                "hoverlabel": NO_TRACE_NAME,
                "showlegend": True,
            }
        )
    placed = set(cols["country"])
    missing_outlines = _no_data_codes(placed, "outline")
    missing_dots = _no_data_codes(placed, "dot")
    no_data_hover = f"<b>%{{text}}</b><br>no figure for {year}<extra></extra>"
    traces.append(
        {
            "type": "choropleth",
            "name": "no data",
            "legendgroup": "no-data",
            "locationmode": "ISO-3",
            "locations": missing_outlines,
            "z": [0] * len(missing_outlines),
            "colorscale": [[0, NO_DATA_COLOUR], [1, NO_DATA_COLOUR]],
            "showscale": False,
            "marker": {"line": {"color": BORDER_COLOUR, "width": 0.5}},
            "text": [html.escape(country_name(c)) for c in missing_outlines],
            "hovertemplate": no_data_hover,
            "showlegend": True,
        }
    )
    if missing_dots:
        traces.append(
            {
                "type": "scattergeo",
                "name": "no data",
                "legendgroup": "no-data",
                "mode": "markers",
                "lon": [_centroid(c)[0] for c in missing_dots],
                "lat": [_centroid(c)[1] for c in missing_dots],
                "marker": {
                    "color": NO_DATA_COLOUR,
                    "size": 6,
                    "line": {"color": "#777777", "width": 0.6},
                },
                "text": [html.escape(country_name(c)) for c in missing_dots],
                "customdata": missing_dots,
                "hovertemplate": no_data_hover,
                "showlegend": False,
            }
        )
    return {
        "data": traces,
        "layout": base_layout(
            height=520,
            margin={"l": 0, "r": 0, "t": 10, "b": 10},
            geo={
                "domain": {"x": [0, 1], "y": [BAR_BAND, 1]},
                "projection": {"type": "natural earth"},
                "resolution": 110,
                "showframe": False,
                "showcoastlines": False,
                "showcountries": False,
                "showland": True,
                "landcolor": NO_DATA_COLOUR,
                "showlakes": False,
                "showocean": False,
                "bgcolor": "#ffffff",
                "lataxis": {"range": [-57, 84]},
            },
            # shown with one entry too: "no data" must always be explained; above the map
            # (the top margin grows to hold it)
            showlegend=True,
            legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1, "yanchor": "bottom"},
            hoverlabel={"font": {"family": FONT}, "align": "left"},
        ),
    }


def _centroid(iso3: str) -> tuple[float, float]:
    from dashboard.geo import small_state_centroids

    return small_state_centroids()[iso3]


def world_map_caption(data: pd.DataFrame, p: Mapping[str, Any]) -> str:
    cols = columns(data)
    code, year = p["indicator"], p["year"]
    lower_first = _indicators(load_catalog())[code].lower_first
    values = cols["value"].astype(float)
    n = len(values)
    total = len(load_catalog()["countries"])
    unit = str(cols["unit"][0])
    text = (
        f"{indicator_name(code)} in {year}: {n} of the catalogue's {total} countries have "
        f"a figure; the other {total - n} are grey."
    )
    dots = int((cols["drawn_as"] == "dot").sum())
    if dots:
        text += f" {dots} too small for the map's outlines are drawn as dots."
    unplaced = [country_name(c) for c in cols["country"][cols["drawn_as"] == NOT_PLACED]]
    if unplaced:
        text += f" Not on the map (no outline or centroid): {', '.join(unplaced)} (in the table)."
    first, last = 0, n - 1
    head = "First" if lower_first else "Highest"
    text += (
        f" {head}: {country_name(cols['country'][first])} ({with_unit(float(values[first]), unit)})"
    )
    if n > 1:
        tail = "last" if lower_first else "lowest"
        last_name = country_name(cols["country"][last])
        text += f"; {tail}: {last_name} ({with_unit(float(values[last]), unit)})."
    else:
        text += "."
    log = uses_log(values, p["scale"])
    if log:
        why = (
            f" (automatic: the largest value is over {LOG_SPREAD} times the smallest above 0)"
            if p["scale"] == "auto"
            else ""
        )
        text += f" Colours follow a log scale{why}."
        if (values <= 0).any():
            text += " Values of 0 take the lowest colour."
    else:
        text += " Colours follow a linear scale."
    if lower_first:
        text += " Lower is stronger: the first place is at the right end of the colour bar."
    differ = int(((cols["n_sources"] > 1) & (cols["high"] > cols["low"])).sum())
    if differ:
        text += (
            f" Sources differ for {differ} countr{'ies' if differ != 1 else 'y'}: the colour is "
            "the middle of their span; the hover and the table give the span and every source."
        )
    return text


register(
    Chart(
        slug="world-map",
        title="World map of an indicator",
        page="/world",
        params=(INDICATOR, MAP_YEAR, SCALE),
        data=world_map_data,
        figure=world_map_figure,
        caption=world_map_caption,
    )
)
