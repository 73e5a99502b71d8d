"""The balance of two countries, as /compare shows it: every indicator both have for a year as
the ratio A:B (the balance profile), and their personnel and spending over the years.

pair_indicators gathers what both charts and the /compare table read: one entry per indicator
with every source's figure for each side (and whether the sources disagree)."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from dashboard.charts import Chart, derived, register
from dashboard.charts.common import (
    capitalised,
    category_words,
    columns,
    country_name,
    measure_words,
    pair_pickers,
    pick,
    rounded,
    source_choice_labels,
)
from dashboard.cite import publisher_of
from dashboard.style import RULE_COLOURS, base_layout, country_colour, fmt_number
from indicators.balance import (
    STATUS_OK,
    STATUS_TEXT,
    balance_ratio_columns,
    ratio_words,
    source_line_columns,
)
from indicators.common import (
    IndicatorError,
    interval_of,
    join_sources,
    plain_frame_of,
    row_positions,
)
from indicators.conflicts import CONFLICT_FIELDS, flag_source_conflicts
from indicators.equipment import span_of
from validation import Catalog, load_catalog
from validation.vocabulary import MANPOWER_MEASURES

# Countries and years offered are those with a figure in any table the comparison reads.
PARAMS = pair_pickers(
    {"manpower": "year", "rankings": "edition", "spending": "year", "equipment": "year"},
    "figures",
)
# Fields of a value/low/high table any of which, reported differently, makes a conflict.
RANGE_FIELDS = ("value", "low", "high")
SPENDING_ROWS = (
    ("milex_current_usd_m", "Military spending", "USD m, current prices", "usd"),
    ("milex_share_gdp_pct", "Military spending, share of GDP", "% of GDP", "percent"),
)
# How the table and the hovers write each kind of figure.
FORMATS: dict[str, Callable[[float], str]] = {
    "number": fmt_number,
    "rank": lambda x: f"{x:.0f}",
    "score": lambda x: f"{x:.4f}",
    "usd": lambda x: f"{x:,.1f}",
    "percent": lambda x: f"{x:.2f}",
}

Report = tuple[str, float, float, float]  # (source_id, low, mid, high) of one source's figure
# Symbols in the figures' text (◀ ▶ ÷ ━) as HTML character references, which plotly.js draws
# as the characters: the page's answer then holds ASCII only, which Python decodes, escapes and
# encodes at a byte a character (one such character in a /compare answer costs ~0.1-0.3 ms).
LEFT, RIGHT, DIVIDED, BAR = "&#9664;", "&#9654;", "&#247;", "&#9473;"
# A range's dash: the character in the data (its CSV), its reference in the figures' text.
EN_DASH, EN_DASH_REF = "\u2013", "&#8211;"


class Indicator(NamedTuple):
    """One indicator of a pair and year: how the table and the profile name it, how to read
    it, and every source's figure for each side."""

    group: str
    key: str
    indicator: str  # the table's row heading
    label: str  # the profile's row label (under its group's heading)
    unit: str
    fmt: str
    stronger: str  # "higher" or "lower" (ranks): see indicators.balance
    a_reports: list[Report]
    b_reports: list[Report]
    a_conflicted: bool
    b_conflicted: bool


# --- gathering (shared with the /compare table) --------------------------------------------


def _conflicted_keys(frame: pd.DataFrame, table: str) -> frozenset:
    """(key..., field) of every cell that sources report differently, by flag_source_conflicts
    over the whole table. Kept per table object (catalog frames are shared and read-only): the
    flagging costs ~9 ms a table, too slow to repeat in every callback."""
    keys, _ = CONFLICT_FIELDS[table]

    def build() -> frozenset:
        flagged = flag_source_conflicts(frame, table)
        return frozenset(flagged[[*keys, "field"]].itertuples(index=False, name=None))

    return derived(f"conflicts-{table}", (frame,), build)


def _select(
    frame: pd.DataFrame, pair: tuple[str, str], year_column: str, year: int, fields: Sequence[str]
) -> list[tuple]:
    """The two countries' rows of one year as tuples of `fields`: each country's rows found
    by row_positions (grouped once per table), then its year picked among those few."""
    arrays = derived("compare-columns", (frame,), lambda: {c: frame[c].to_numpy() for c in frame})
    found = np.concatenate([row_positions(frame, country=c) for c in pair])
    found = found[arrays[year_column][found] == year]
    picked = [arrays[c][found] for c in fields]
    return list(zip(*picked, strict=True))


def _interval_reports(records: Iterable[tuple]) -> dict[tuple, list[Report]]:
    """(country, key) -> [(source_id, low, mid, high)], from (country, key, value, low, high,
    source_id) records, by the interval rule of indicators.common."""
    out: dict[tuple, list[Report]] = {}
    for country, key, value, low, high, sid in records:
        lo, mid, hi = interval_of(value, low, high)
        if lo == lo:
            out.setdefault((country, key), []).append((sid, lo, mid, hi))
    return out


def _point_reports(records: Iterable[tuple]) -> dict[tuple, list[Report]]:
    """(country, key) -> [(source_id, x, x, x)], from (country, key, x, source_id) records; a
    missing x is no report."""
    out: dict[tuple, list[Report]] = {}
    for country, key, x, sid in records:
        if not pd.isna(x):
            out.setdefault((country, key), []).append((sid, float(x), float(x), float(x)))
    return out


def _in_order(present: Iterable[str], preferred: Sequence[str]) -> list[str]:
    present = set(present)
    return [m for m in preferred if m in present] + sorted(present - set(preferred))


# The tables pair_indicators reads; its answers are kept per state while they stay the same,
# for the few states being drawn (the table and the profile of a state ask one after the other;
# what they draw is kept in their own caches).
PAIR_TABLES = ("manpower", "rankings", "spending", "equipment")
PAIRS_KEPT = 16
_PAIRS: dict[tuple, tuple[tuple[object, ...], list[Indicator]]] = {}
_PAIRS_LOCK = threading.Lock()


def pair_indicators(catalog: Catalog, a: str, b: str, year: int) -> list[Indicator]:
    """One Indicator per row of the /compare table for countries a and b in `year`: manpower
    (every measure the data has that year), GFP rank and PowerIndex and GMI rank of the year's
    edition, military spending (current USD and share of GDP, every source) and every equipment
    category of that year. An indicator neither country has keeps empty report lists (the
    rankings and spending rows are always listed).

    Kept per (a, b, year) while the catalog and its tables stay the same objects: the /compare
    table and the balance profile of one state read the same list (treat it as read-only);
    forget_pairs empties it with the other caches of drawn states."""
    key = (id(catalog), a, b, year)
    tables = (catalog, *(catalog[t] for t in PAIR_TABLES))
    with _PAIRS_LOCK:
        hit = _PAIRS.get(key)
    if hit is not None and all(x is y for x, y in zip(hit[0], tables, strict=True)):
        return hit[1]
    out = _pair_indicators(catalog, a, b, year)
    with _PAIRS_LOCK:
        while len(_PAIRS) >= PAIRS_KEPT:
            _PAIRS.pop(next(iter(_PAIRS)))  # the oldest
        _PAIRS[key] = (tables, out)
    return out


def forget_pairs() -> None:
    """Empty the kept pair_indicators (see forget_drawn_states in dashboard.components)."""
    with _PAIRS_LOCK:
        _PAIRS.clear()


def _pair_indicators(catalog: Catalog, a: str, b: str, year: int) -> list[Indicator]:
    pair = (a, b)
    out: list[Indicator] = []

    manpower = catalog["manpower"]
    mp = _select(
        manpower, pair, "year", year, ("country", "measure", "value", "low", "high", "source_id")
    )
    mp_reports = _interval_reports(mp)
    mp_flags = _conflicted_keys(manpower, "manpower")
    names = measure_words(catalog)
    for m in _in_order({r[1] for r in mp}, MANPOWER_MEASURES):
        words = names.get(m, m.replace("_", " "))
        conflicted = [any((c, year, m, f) in mp_flags for f in RANGE_FIELDS) for c in pair]
        out.append(
            Indicator(
                "Manpower",
                f"manpower-{m}",
                f"Manpower: {words}",
                capitalised(words),
                "persons",
                "number",
                "higher",
                mp_reports.get((a, m), []),
                mp_reports.get((b, m), []),
                *conflicted,
            )
        )

    rankings = catalog["rankings"]
    rk = _select(
        rankings,
        pair,
        "edition",
        year,
        ("index", "country", "rank", "score", "score_scale", "source_id"),
    )
    ranks = _point_reports((c, i, r, sid) for i, c, r, _, _, sid in rk)
    power = _point_reports(
        (c, i, x, sid) for i, c, _, x, scale, sid in rk if scale == "gfp_powerindex"
    )
    rk_flags = _conflicted_keys(rankings, "rankings")
    for key, heading, label, unit, fmt, reports, index, field in (
        (
            "gfp-rank",
            "GFP rank",
            "Global Firepower rank",
            "rank (1 = strongest)",
            "rank",
            ranks,
            "gfp",
            "rank",
        ),
        (
            "gfp-score",
            "GFP PowerIndex",
            "Global Firepower PowerIndex",
            "score (lower = stronger)",
            "score",
            power,
            "gfp",
            "score",
        ),
        (
            "gmi-rank",
            "GMI rank",
            "Global Militarisation Index rank",
            "rank (1 = most militarised)",
            "rank",
            ranks,
            "gmi",
            "rank",
        ),
    ):
        out.append(
            Indicator(
                "Rankings",
                key,
                f"{heading}, {year} edition",
                f"{label}, {year} edition",
                unit,
                fmt,
                "lower",
                reports.get((a, index), []),
                reports.get((b, index), []),
                *[(index, year, c, field) in rk_flags for c in pair],
            )
        )

    spending = catalog["spending"]
    sp = _point_reports(
        _select(spending, pair, "year", year, ("country", "measure", "value", "source_id"))
    )
    sp_flags = _conflicted_keys(spending, "spending")
    for measure, heading, unit, fmt in SPENDING_ROWS:
        label = f"{heading} (US$, current prices)" if fmt == "usd" else heading
        out.append(
            Indicator(
                "Military spending",
                f"sipri-{measure}",
                heading,
                label,
                unit,
                fmt,
                "higher",
                sp.get((a, measure), []),
                sp.get((b, measure), []),
                *[(c, year, measure, "value") in sp_flags for c in pair],
            )
        )

    equipment = catalog["equipment"]
    eq = _select(
        equipment, pair, "year", year, ("country", "category", "value", "low", "high", "source_id")
    )
    eq_reports = _interval_reports(eq)
    eq_flags = _conflicted_keys(equipment, "equipment")
    categories = derived("compare-categories", (equipment,), lambda: equipment["category"].unique())
    words = category_words(catalog)
    for cat in _in_order({r[1] for r in eq}, categories):
        name = capitalised(words.get(cat, cat.replace("_", " ")))
        conflicted = [any((c, year, cat, f) in eq_flags for f in RANGE_FIELDS) for c in pair]
        out.append(
            Indicator(
                "Equipment",
                f"equipment-{cat}",
                name,
                name,
                "items",
                "number",
                "higher",
                eq_reports.get((a, cat), []),
                eq_reports.get((b, cat), []),
                *conflicted,
            )
        )
    return out


# --- the balance profile --------------------------------------------------------------------

PROFILE_UNITS = "ratio A:B (ranks and GFP PowerIndex inverted: B:A)"
# The rules of thumb marked on the profile, each side of 1:1: (ratio, colour, dash, row of its
# label above the plot). 3:1 and 6:1 labels sit on different rows, so they never overlap.
RULE_MARKS = (
    (3.0, RULE_COLOURS["general"], "dash", 0),
    (6.0, RULE_COLOURS["mountain"], "dot", 1),
)
# Ticks of the ratio axis, by priority: those inside the range are shown, each at least
# TICK_ROOM of the axis's width from those before it (on a 390 px screen the axis is ~300 px:
# ~8 labels of 'x:y' fit).
RATIO_TICKS = (10, 100, 1000, 3, 30, 300, 6, 2)
TICK_ROOM = 1 / 8
# The axis spans at least 1:8 to 8:1 (both rules and some room), symmetric about 1:1.
MIN_HALF_SPAN = np.log10(8)
ROW_PX = 38  # height of a row (its label above its whisker) and of a group's heading
STRONGEST_LISTED = 3  # ratios the caption names for each side


def _words_of(reports: Sequence[Report], labels: Mapping[str, str], fmt: str) -> str:
    """'SIPRI 2021 (workbook): 5.39; SIPRI 2023 (...): 5.24' (a range as its low and high
    ends joined by an en dash)."""
    show = FORMATS[fmt]
    return "; ".join(
        f"{labels.get(sid, sid)}: {show(lo)}" + (f"{EN_DASH}{show(hi)}" if hi > lo else "")
        for sid, lo, _, hi in reports
    )


def balance_profile_data(catalog: Catalog, p: Mapping[str, Any]) -> pd.DataFrame:
    """Every indicator both countries have for the year (pair_indicators) with each side's
    interval over its sources (indicators.equipment.span_of) and the ratio A:B from
    indicators.balance.balance_ratios; each side's sources by id and in words."""
    a, b, year = p["a"], p["b"], p["year"]
    if a == b:
        raise IndicatorError(f"a and b are both {a}; choose two different countries")
    both = [i for i in pair_indicators(catalog, a, b, year) if i.a_reports and i.b_reports]
    if not both:
        raise IndicatorError(f"{a} and {b} have no indicator in common for {year}")
    labels = source_choice_labels(catalog)
    spans = [(span_of(list(i.a_reports)), span_of(list(i.b_reports))) for i in both]
    n = len(both)
    pairs = {
        "group": [i.group for i in both],
        "key": [i.key for i in both],
        "indicator": [i.label for i in both],
        "measured_in": [i.unit for i in both],
        "stronger": [i.stronger for i in both],
        "a": [a] * n,
        "b": [b] * n,
        "year": np.full(n, year),
        **{
            f"{side}_{end}": np.array([s[k][e] for s in spans], dtype=float)
            for k, side in enumerate(("a", "b"))
            for e, end in enumerate(("low", "mid", "high"))
        },
        "a_sources": [s[0][3] for s in spans],
        "b_sources": [s[1][3] for s in spans],
        "a_reported": [_words_of(i.a_reports, labels, i.fmt) for i in both],
        "b_reported": [_words_of(i.b_reports, labels, i.fmt) for i in both],
        "sources_differ": np.array([i.a_conflicted or i.b_conflicted for i in both]),
    }
    return plain_frame_of(
        {
            **balance_ratio_columns(pairs),
            "source_id": [join_sources(x[0][3], x[1][3]) for x in spans],
        }
    )


def _positions(
    cols: Mapping[str, np.ndarray],
) -> tuple[list[str], list[tuple[str, int]], list[int]]:
    """The categories of the hidden row axis, top to bottom (a heading per group, then its
    rows, by key), the (group, index) of each heading and the index of each row."""
    categories: list[str] = []
    headings: list[tuple[str, int]] = []
    rows: list[int] = []
    group = None
    for g, key in zip(cols["group"], cols["key"], strict=True):
        if g != group:
            group = g
            headings.append((g, len(categories)))
            categories.append(f"heading:{g}")
        rows.append(len(categories))
        categories.append(str(key))
    return categories, headings, rows


def _half_span(cols: Mapping[str, np.ndarray]) -> float:
    """Half the width of the ratio axis in decades, symmetric about 1:1, wide enough for every
    whisker and for 6:1 and 1:6 with some room."""
    ends = np.concatenate([cols["ratio_low"], cols["ratio_high"]]).astype(float)
    ends = ends[np.isfinite(ends) & (ends > 0)]
    widest = float(np.abs(np.log10(ends)).max()) if len(ends) else 0.0
    return float(max(MIN_HALF_SPAN, widest * 1.08))  # a plain float: orjson sends it as is


def _ticks(half: float) -> tuple[list[float], list[str]]:
    """1:1 and, by RATIO_TICKS' priority, the ratios (with their mirrors) inside the axis that
    keep TICK_ROOM of its width from every tick taken before."""
    taken = {0.0: 1.0}  # log10 of the ratio -> the ratio
    for r in RATIO_TICKS:
        x = float(np.log10(r))
        if x <= half * 0.98 and all(abs(x - t) >= 2 * half * TICK_ROOM for t in taken):
            taken.update({x: float(r), -x: 1 / r})
    shown = [taken[x] for x in sorted(taken)]
    return shown, [ratio_words(r, 0) if r != 1 else "1:1" for r in shown]


def _rule_marks(half: float) -> tuple[list[dict], list[dict]]:
    """Lines at 1:1, 3:1, 6:1 and their mirrors 1:3, 1:6, with labels above the plot (1:1 and
    the 3s on the first row, the 6s on the second)."""
    line = {"type": "line", "xref": "x", "yref": "paper", "y0": 0, "y1": 1}
    shapes = [{**line, "x0": 1, "x1": 1, "line": {"color": "#1a1a1a", "width": 2}}]
    notes = [_above(0.0, "1:1", "#1a1a1a", 0)]
    for ratio, colour, dash, row in RULE_MARKS:
        for r in (ratio, 1 / ratio):
            shapes.append(
                {**line, "x0": r, "x1": r, "line": {"color": colour, "width": 1.5, "dash": dash}}
            )
            notes.append(_above(np.log10(r), ratio_words(r, 0), colour, row))
    return shapes, notes


def _above(x_log: float, text: str, colour: str, row: int) -> dict:
    return {
        "x": float(x_log),  # annotations on a log axis take log10 of the value
        "xref": "x",
        "y": 1,
        "yref": "paper",
        "yanchor": "bottom",
        "yshift": 2 + 16 * row,
        "text": text,
        "showarrow": False,
        "font": {"color": colour, "size": 12},
    }


def _side_words(a: str, b: str) -> list[dict]:
    """Which side is which, in words, above the rule labels."""
    common = {"yref": "paper", "y": 1, "yanchor": "bottom", "yshift": 38, "showarrow": False}
    return [
        {**common, "xref": "paper", "x": 0, "xanchor": "left", "text": f"{LEFT} {b} stronger"},
        {**common, "xref": "paper", "x": 1, "xanchor": "right", "text": f"{a} stronger {RIGHT}"},
    ]


def _hover(cols: Mapping[str, np.ndarray], a: str, b: str) -> tuple[str, list[list[str]]]:
    """The hovertemplate of the profile's points and the customdata it reads, per point:
    label, ratio (with its interval), how it is taken, each side's figures by source. The
    markup and the country names are in the template once, not in every point's text."""
    template = (
        "<b>%{customdata[0]}</b><br>%{customdata[1]}, %{customdata[2]}<br>"
        f"{a}: %{{customdata[3]}}<br>{b}: %{{customdata[4]}}<extra></extra>"
    )
    how = {"lower": f"{b} {DIVIDED} {a} (lower is stronger)", "higher": f"{a} {DIVIDED} {b}"}
    data = []
    for row in zip(
        cols["indicator"],
        cols["stronger"],
        cols["ratio_low"],
        cols["ratio_mid"],
        cols["ratio_high"],
        cols["a_reported"],
        cols["b_reported"],
        strict=True,
    ):
        label, stronger, lo, mid, hi, a_rep, b_rep = row
        span = f" ({ratio_words(lo, 2)} to {ratio_words(hi, 2)})" if hi > lo else ""
        a_rep, b_rep = (r.replace(EN_DASH, EN_DASH_REF) for r in (a_rep, b_rep))
        data.append([label, f"{ratio_words(mid, 2)}{span}", how[stronger], a_rep, b_rep])
    return template, data


def balance_profile_figure(data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    a_name, b_name = country_name(p["a"]), country_name(p["b"])
    cols = columns(data)
    categories, headings, ys = _positions(cols)
    half = _half_span(cols)
    ok = cols["status"] == STATUS_OK
    drawn = pick(cols, ok)
    low, mid, high = (drawn[c].astype(float) for c in ("ratio_low", "ratio_mid", "ratio_high"))
    template, hover = _hover(drawn, a_name, b_name)
    colours = [
        country_colour(p["a"]) if m > 1 else country_colour(p["b"]) if m < 1 else "#555555"
        for m in mid
    ]
    trace = {
        "type": "scatter",
        "mode": "markers",
        "name": f"{a_name} : {b_name}",
        "x": rounded(mid, 4),
        "y": drawn["key"].tolist(),
        "marker": {"size": 11, "color": colours, "line": {"width": 1, "color": "#1a1a1a"}},
        "error_x": {
            "type": "data",
            "symmetric": False,
            "array": (high - mid).tolist(),
            "arrayminus": (mid - low).tolist(),
            "color": "#333333",
            "thickness": 2,
            "width": 6,
        },
        "hovertemplate": template,
        "customdata": hover,
    }
    shapes, notes = _rule_marks(half)
    notes += _side_words(a_name, b_name)
    for group, y in headings:
        notes.append(
            {
                "x": 0,
                "xref": "paper",
                "xanchor": "left",
                "y": y,
                "yref": "y",
                "text": f"<b>{group}</b>",
                "showarrow": False,
                "font": {"size": 13},
                "bgcolor": "#ffffff",
            }
        )
        shapes.append(
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "yref": "y",
                "y0": y - 0.5,
                "y1": y - 0.5,
                "line": {"color": "#bdbdbd", "width": 1},
            }
        )
    texts = {k: v.format(a=a_name, b=b_name) for k, v in STATUS_TEXT.items()}
    for label, y, status in zip(cols["indicator"], ys, cols["status"], strict=True):
        note = "" if status == STATUS_OK else f": {texts[status]}"
        notes.append(
            {
                "x": 0,
                "xref": "paper",
                "xanchor": "left",
                "y": float(y) - 0.5,
                "yref": "y",
                "yanchor": "top",
                "text": f"{label}{note}",
                "showarrow": False,
                "font": {"size": 12, "color": "#1a1a1a" if not note else "#555555"},
                # the rule lines pass behind the label, not through it
                "bgcolor": "rgba(255,255,255,0.85)",
            }
        )
    tickvals, ticktext = _ticks(half)
    bottom = len(categories) - 0.5
    return {
        "data": [trace],
        "layout": base_layout(
            height=170 + ROW_PX * len(categories),
            shapes=shapes,
            annotations=notes,
            showlegend=False,
            margin={"l": 20, "r": 20, "t": 60, "b": 60},
            xaxis={
                "type": "log",
                "range": [-half, half],
                "tickvals": tickvals,
                "ticktext": ticktext,
                "title": {
                    "text": f"{a_name} : {b_name} (log scale)<br><span style='font-size:11px'>"
                    f"ranks and PowerIndex inverted: right = {a_name} stronger</span>"
                },
                "zeroline": False,
            },
            yaxis={
                "type": "category",
                "categoryorder": "array",
                "categoryarray": categories,
                "range": [bottom, -0.5],
                "visible": False,
                "fixedrange": True,
            },
        ),
    }


def _named(cols: Mapping[str, np.ndarray], rows: np.ndarray) -> str:
    return "; ".join(
        f"{label} {ratio_words(float(m), 1)}"
        for label, m in zip(cols["indicator"][rows], cols["ratio_mid"][rows], strict=True)
    )


def balance_profile_caption(data: pd.DataFrame, p: Mapping[str, Any]) -> str:
    a, b, year = country_name(p["a"]), country_name(p["b"]), p["year"]
    cols = columns(data)
    mid = cols["ratio_mid"].astype(float)
    ok = cols["status"] == STATUS_OK
    favours = cols["favours"]
    n = len(mid)
    text = (
        f"{a} against {b}, {year}: the {n} indicator{'s' * (n != 1)} both have, each as the ratio "
        f"{a}:{b} (ranks and the GFP PowerIndex inverted, so that right of 1:1 always means "
        f"{a} stronger). {a} is ahead on {int((favours == 'a').sum())}, {b} on "
        f"{int((favours == 'b').sum())}"
    )
    even = int((favours == "even").sum())
    text += f", {even} even." if even else "."
    order = np.argsort(-np.abs(np.log(np.where(ok, mid, 1.0))), kind="stable")
    for side, who in (("a", a), ("b", b)):
        rows = np.array([i for i in order if ok[i] and favours[i] == side][:STRONGEST_LISTED])
        if len(rows):
            text += f" Widest in {who}'s favour: {_named(cols, rows)}."
    reached = [(r, int((ok & ((mid >= r) | (mid <= 1 / r))).sum())) for r, *_ in RULE_MARKS]
    counted = [f"{k or 'none'} reach{'es' * (k == 1)} {r:g}:1" for r, k in reached]
    text += f" Either way, {', '.join(counted)} (by the middle of each interval)."
    none = [
        f"{label} ({STATUS_TEXT[s].format(a=a, b=b)})"
        for label, s in zip(cols["indicator"], cols["status"], strict=True)
        if s != STATUS_OK
    ]
    if none:
        text += f" No ratio for {', '.join(none)}."
    differ = int(cols["sources_differ"].sum())
    if differ:
        text += (
            f" Sources disagree on {differ} indicator{'s' * (differ != 1)}: the whisker spans "
            "every source's figure."
        )
    return text


register(
    Chart(
        slug="balance-profile",
        title="Balance profile: every indicator as a ratio",
        page="/compare",
        params=PARAMS,
        data=balance_profile_data,
        figure=balance_profile_figure,
        caption=balance_profile_caption,
        units=PROFILE_UNITS,
    )
)


# --- the pair over time ---------------------------------------------------------------------


class Panel(NamedTuple):
    """One panel of the pair over time: the figures of one unit, never mixed with another."""

    key: str
    title: str
    words: str  # what the caption calls it
    axis: str  # the y-axis title: the unit
    unit: str  # as the CSV gives it
    table: str
    measures: tuple[str, ...]  # the first is the panel's own; lines of the others say theirs


PANELS = (
    Panel(
        "personnel",
        "Personnel",
        "personnel",
        "persons",
        "persons",
        "manpower",
        ("total_military", "active"),
    ),
    Panel(
        "spending_usd",
        "Military spending, current prices",
        "military spending in current US dollars",
        "US$ million",
        "usd_m",
        "spending",
        ("milex_current_usd_m", "defence_budget_usd_m"),
    ),
    Panel(
        "spending_share",
        "Military spending, share of GDP",
        "military spending as a share of GDP",
        "% of GDP",
        "percent",
        "spending",
        ("milex_share_gdp_pct",),
    ),
)
# Each publisher's own name for its personnel figure, where the catalogue's metadata states it:
# the World Bank's WDI indicator "Armed forces personnel, total" (MS.MIL.TOTL.P1, the title of
# its source), COW's "military personnel" (the description of the National Material
# Capabilities tables; its column milper) and GFP's "total military personnel" (the note on the
# GFP rows). They are different measures, all filed under total_military; other publishers'
# lines take the measure's words (measure_words).
PUBLISHER_MEASURES = {
    ("World Bank", "total_military"): "armed forces personnel",
    ("COW", "total_military"): "military personnel",
    ("GFP", "total_military"): "total military personnel",
}
# Publishers in the order the caption names them; others follow in the order met.
FAMILY_ORDER = ("World Bank", "COW", "SIPRI", "GFP")
SPENDING_WORDS = {
    "milex_current_usd_m": "military spending",
    "defence_budget_usd_m": "defence budget",
    "milex_share_gdp_pct": "military spending",
}
# A source told by its dash (and marker), by publisher; a publisher's sources that differ get
# lines of their own, drawn with the further dashes in turn.
FAMILY_STYLE = {
    "World Bank": ("solid", "circle"),
    "COW": ("dash", "square"),
    "SIPRI": ("dot", "diamond"),
    "GFP": ("dashdot", "triangle-up"),
}
# The dashes and markers of every other line, paired in turn: six dashes and seven markers make
# 42 pairs before one comes again (none of them a publisher's own).
OTHER_DASHES = ("longdash", "longdashdot", "6px,3px,1px,3px", "1px,3px", "9px,2px", "3px,6px")
OTHER_SYMBOLS = ("x", "star", "pentagon", "hexagon", "cross", "triangle-down", "diamond-wide")
OTHER_STYLES = tuple(
    (OTHER_DASHES[n % len(OTHER_DASHES)], OTHER_SYMBOLS[n % len(OTHER_SYMBOLS)])
    for n in range(len(OTHER_DASHES) * len(OTHER_SYMBOLS))
)
PANEL_PX, GAP = 250, 0.07
TITLE_PX = 24  # room above the first panel for its title (the legend is above that)


PAIR_ROW_FIELDS = (
    *("panel", "country", "series", "measure", "family", "source_id", "year"),
    *("value", "low", "high", "unit"),
)


# The columns of the pair over time, in order (selected_year before the last two).
OVER_TIME_FIELDS = (
    *("panel", "country", "measure", "family", "year", "line_name", "value", "low", "high"),
    *("unit", "source_id"),
)


def _family(source_id: str) -> str:
    return publisher_of(source_id) or source_id


def _panel_rows(catalog: Catalog) -> dict[str, np.ndarray]:
    """Every figure of the panels' measures, of every country and year, as columns
    (PAIR_ROW_FIELDS); a range's middle as its value (indicators.common.to_interval's rule).
    Panel after panel, each table's rows in their order."""
    parts: list[dict[str, np.ndarray]] = []
    families: dict[str, str] = {}
    for number, panel in enumerate(PANELS):
        frame = catalog[panel.table]
        value, low, high, year = (
            frame[c].to_numpy(dtype=float, na_value=np.nan) if c in frame else None
            for c in ("value", "low", "high", "year")
        )
        low = value if low is None else np.where(np.isnan(low), value, low)
        high = value if high is None else np.where(np.isnan(high), value, high)
        mid = np.where(np.isnan(value), (low + high) / 2, value)
        measure, country, source = (
            frame[c].to_numpy() for c in ("measure", "country", "source_id")
        )
        found = np.flatnonzero(
            np.isin(measure, panel.measures) & ~np.isnan(mid) & pd.notna(country)
        )
        sources = source[found]
        for sid in dict.fromkeys(sources):
            if sid not in families:
                families[sid] = _family(sid)
        n = len(found)
        order = {m: f"{number}:{k}" for k, m in enumerate(panel.measures)}  # PANELS order
        parts.append(
            {
                "panel": np.full(n, panel.key, dtype=object),
                "country": country[found].astype(object),
                "series": np.array([order[m] for m in measure[found]], dtype=object),
                "measure": measure[found].astype(object),
                "family": np.array([families[sid] for sid in sources], dtype=object),
                "source_id": sources.astype(object),
                "year": year[found].astype(np.int64),
                "value": mid[found],
                "low": low[found],
                "high": high[found],
                "unit": np.full(n, panel.unit, dtype=object),
            }
        )
    return {k: np.concatenate([part[k] for part in parts]) for k in PAIR_ROW_FIELDS}


def _lines(catalog: Catalog) -> tuple[dict[str, np.ndarray], dict[str, slice]]:
    """_panel_rows of every country numbered into lines (indicators.balance.source_line_columns)
    and named (line_name), with each country's rows; once per catalog and tables, as the
    conflict flags of the /compare table are found over a whole table.

    A pair's lines are its two countries' own: sources are compared within one country's
    series, never across countries, and the rows come sorted by country first, so each
    country's are one run of rows."""

    def build() -> tuple[dict[str, np.ndarray], dict[str, slice]]:
        cols = source_line_columns(_panel_rows(catalog))
        cols["line_name"] = np.array(_line_names(cols, catalog), dtype=object)
        country = cols["country"]
        starts = [0, *(np.flatnonzero(country[1:] != country[:-1]) + 1).tolist()]
        ends = [*starts[1:], len(country)]
        spans = {country[s]: slice(s, e) for s, e in zip(starts, ends, strict=True) if e > s}
        return cols, spans

    tables = tuple(catalog[t] for t in dict.fromkeys(panel.table for panel in PANELS))
    return derived("balance-lines", (catalog, *tables), build)


def _pair_lines(catalog: Catalog, a: str, b: str, fields: Sequence[str]) -> dict[str, np.ndarray]:
    """The `fields` of both countries' lines (_lines), as source_lines orders them: by country,
    series, family, line and year."""
    cols, spans = _lines(catalog)
    runs = [spans[c] for c in sorted((a, b)) if c in spans]
    return {f: np.concatenate([cols[f][run] for run in runs] or [cols[f][:0]]) for f in fields}


def line_measure(family: str, measure: str, catalog: Catalog) -> str:
    """What a publisher's line measures, in its words where the metadata states them
    (PUBLISHER_MEASURES: 'armed forces personnel' for the World Bank's total_military), else
    the measure's ('active personnel', 'military spending')."""
    return (
        PUBLISHER_MEASURES.get((family, measure))
        or SPENDING_WORDS.get(measure)
        or measure_words(catalog).get(measure, measure.replace("_", " "))
    )


def _line_names(cols: Mapping[str, np.ndarray], catalog: Catalog) -> list[str]:
    """Each row's line in words, its measure and who gives it: 'Armed forces personnel (World
    Bank)', 'Active personnel (GFP)'; where a publisher's sources differ and so have lines of
    their own, those sources' labels after a colon ('Military spending: SIPRI 2021
    (workbook)')."""
    labels = source_choice_labels(catalog)
    keys = list(zip(cols["country"], cols["series"], cols["family"], cols["line"], strict=True))
    rows: dict[tuple, list[int]] = {}
    for i, key in enumerate(keys):
        rows.setdefault(key, []).append(i)
    split = {key[:3] for key in rows if key[3] > 0}
    names: dict[tuple, str] = {}
    for key, found in rows.items():
        first = found[0]
        what = capitalised(line_measure(key[2], cols["measure"][first], catalog))
        if key[:3] in split:
            ids = dict.fromkeys(sid for i in found for sid in str(cols["source_id"][i]).split(";"))
            names[key] = f"{what}: " + " = ".join(labels.get(sid, sid) for sid in ids)
        else:
            names[key] = f"{what} ({key[2]})"
    return [names[key] for key in keys]


def balance_over_time_data(catalog: Catalog, p: Mapping[str, Any]) -> pd.DataFrame:
    """Personnel (total armed forces, active personnel), military spending in current US
    dollars (and GFP's defence budgets) and spending as a share of GDP of both countries in
    every year the tables have, one line per source where sources differ
    (indicators.balance.source_lines), each line named in words (line_name)."""
    a, b = p["a"], p["b"]
    if a == b:
        raise IndicatorError(f"a and b are both {a}; choose two different countries")
    cols = _pair_lines(catalog, a, b, OVER_TIME_FIELDS)
    n = len(cols["year"])
    if not n:
        raise IndicatorError(f"no personnel or spending figures for {a} or {b} in any year")
    return plain_frame_of(
        {
            **{c: cols[c] for c in OVER_TIME_FIELDS[:-2]},
            "selected_year": np.full(n, p["year"]),
            **{c: cols[c] for c in OVER_TIME_FIELDS[-2:]},
        }
    )


def _runs(cols: Mapping[str, np.ndarray]) -> list[tuple[int, int]]:
    """(start, end) of each run of rows of one panel, country, publisher and line name: the rows
    come sorted by country, series, publisher, line and year, and each line has one name, so a
    line is a run (or, named alike, a few)."""
    n = len(cols["year"])
    change = np.zeros(max(n - 1, 0), dtype=bool)
    for c in ("panel", "country", "family", "line_name"):
        change |= cols[c][1:] != cols[c][:-1]
    bounds = [0, *(np.flatnonzero(change) + 1).tolist(), n] if n else [0]
    return list(itertools.pairwise(bounds))


def _styles(
    cols: Mapping[str, np.ndarray], runs: Sequence[tuple[int, int]]
) -> dict[str, tuple[str, str]]:
    """line name -> (dash, marker symbol): a publisher's first line named by the publisher
    ('Military personnel (COW)') takes its style (FAMILY_STYLE); every other line (the
    publisher's other measures, sources that differ, a publisher without a style) the next of
    OTHER_STYLES, so that no two entries look alike."""
    styles: dict[str, tuple[str, str]] = {}
    others = itertools.cycle(OTHER_STYLES)
    styled: set[str] = set()
    for start, _ in runs:
        name, family = cols["line_name"][start], cols["family"][start]
        if name not in styles:
            own = family in FAMILY_STYLE and family not in styled and _by_publisher(name, family)
            styled |= {family} if own else set()
            styles[name] = FAMILY_STYLE[family] if own else next(others)
    return styles


def _by_publisher(name: str, family: str) -> bool:
    """Whether a line is named by its publisher ('... (COW)'), not by sources that differ."""
    return name.endswith(f" ({family})")


def _legend_entry(name: str, style: tuple[str, str]) -> dict:
    """A legend entry for one source's line, in grey (the colour tells the country): no data of
    its own; clicking it shows or hides that source's lines of both countries."""
    dash, symbol = style
    return {
        "type": "scatter",
        "mode": "lines+markers",
        "name": name,
        "legendgroup": name,
        "x": [None],
        "y": [None],
        "line": {"color": "#555555", "dash": dash, "width": 2},
        "marker": {"symbol": symbol, "size": 7, "color": "#555555"},
        "hoverinfo": "skip",
    }


def _country_key(a: str, b: str) -> str:
    """Which colour is which country: the title of the legend, above its entries."""
    return "   ".join(
        f"<span style='color:{country_colour(c)}'>{BAR * 2}</span> {country_name(c)}"
        for c in (a, b)
    )


def balance_over_time_figure(data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    cols = columns(data)
    panels = [panel for panel in PANELS if (cols["panel"] == panel.key).any()]
    runs = _runs(cols)
    styles = _styles(cols, runs)
    k = len(panels)
    total_px = PANEL_PX * k + 60 + 24 * len(styles)
    room = TITLE_PX / (PANEL_PX * k)  # above the first panel, for its title
    height = 1 - room - GAP * (k - 1)
    domains = [
        (1 - room - (i + 1) * height / k - i * GAP, 1 - room - i * height / k - i * GAP)
        for i in range(k)
    ]
    traces = [_legend_entry(name, style) for name, style in styles.items()]
    layout_axes: dict[str, dict] = {}
    notes: list[dict] = []
    axis = base_layout()["xaxis"]  # the grid and automargin of every axis
    # the rows of each trace: (panel, country, line name) -> runs, in the order met
    lines: dict[tuple[str, str, str], list[slice]] = {}
    for start, end in runs:
        key = (cols["panel"][start], cols["country"][start], cols["line_name"][start])
        lines.setdefault(key, []).append(slice(start, end))
    years, values = cols["year"], cols["value"]
    for i, (panel, (bottom, top)) in enumerate(zip(panels, domains, strict=True)):
        suffix = "" if i == 0 else str(i + 1)
        for country in (p["a"], p["b"]):
            for (in_panel, of, name), rows in lines.items():
                if in_panel != panel.key or of != country:
                    continue
                label = f"{country_name(country)}: {name}"
                dash, symbol = styles[name]
                traces.append(
                    {
                        "type": "scatter",
                        "mode": "lines+markers",
                        "name": label,
                        "legendgroup": name,
                        "showlegend": False,
                        "x": np.concatenate([years[run] for run in rows]).tolist(),
                        "y": rounded(np.concatenate([values[run] for run in rows]), 3),
                        "xaxis": f"x{suffix}",
                        "yaxis": f"y{suffix}",
                        "line": {"color": country_colour(country), "dash": dash, "width": 2},
                        "marker": {"symbol": symbol, "size": 6, "color": country_colour(country)},
                        "hovertemplate": f"{label}<br>%{{x}}: %{{y:,}} {panel.axis}<extra></extra>",
                    }
                )
        layout_axes[f"xaxis{suffix}"] = {
            **axis,
            "anchor": f"y{suffix}",
            "nticks": 8,
            "domain": [0, 1],
            **({"matches": "x"} if i else {}),
            # years under the lowest panel only: the panels share them, and a panel's title
            # sits where an upper panel's year labels would be
            "showticklabels": i == k - 1,
        }
        layout_axes[f"yaxis{suffix}"] = {
            **axis,
            "anchor": f"x{suffix}",
            "nticks": 6,
            "domain": [bottom, top],
            "title": {"text": panel.axis},
            "rangemode": "tozero",
        }
        notes.append(
            {
                "text": f"<b>{panel.title}</b>",
                "xref": "paper",
                "x": 0,
                "xanchor": "left",
                "yref": "paper",
                "y": top,
                "yanchor": "bottom",
                "showarrow": False,
            }
        )
    year = p["year"]
    shapes = [
        {
            "type": "line",
            "xref": f"x{'' if i == 0 else i + 1}",
            "yref": "paper",
            "x0": year,
            "x1": year,
            "y0": bottom,
            "y1": top,
            "line": {"color": "#1a1a1a", "width": 1.5, "dash": "dot"},
        }
        for i, (bottom, top) in enumerate(domains)
    ]
    notes.append(
        {
            "text": str(year),
            "xref": "x",
            "x": year,
            "xanchor": "right",
            "yref": "paper",
            "y": domains[0][1],
            "yanchor": "top",
            "showarrow": False,
            "font": {"size": 12},
            "bgcolor": "#ffffff",
        }
    )
    return {
        "data": traces,
        "layout": base_layout(
            height=total_px,
            shapes=shapes,
            annotations=notes,
            # the axes and the legend above the panels take what room they need (automargin)
            margin={"l": 10, "r": 10, "t": 10, "b": 30},
            legend={
                "orientation": "h",
                "x": 0,
                "xanchor": "left",
                "y": 1,
                "yanchor": "bottom",
                "font": {"size": 12},
                "title": {"text": _country_key(p["a"], p["b"]), "side": "top"},
            },
            hovermode="closest",
            **layout_axes,
        ),
    }


def _listed(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return " and ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)


def balance_over_time_caption(data: pd.DataFrame, p: Mapping[str, Any]) -> str:
    a, b = country_name(p["a"]), country_name(p["b"])
    cols = columns(data)
    years = cols["year"].astype(int)
    present = [panel for panel in PANELS if (cols["panel"] == panel.key).any()]
    met = list(dict.fromkeys(cols["family"]))
    families = [f for f in FAMILY_ORDER if f in met] + [f for f in met if f not in FAMILY_ORDER]
    text = (
        f"{a} and {b}, {years.min()} to {years.max()} (every year with figures): "
        f"{_listed([panel.words for panel in present])}, each unit on a panel of its own. "
        f"From {_listed(families)}; colour tells the country, the dash the source. "
        f"The dotted line marks {p['year']}."
    )
    starts = [start for start, _ in _runs(cols)]
    personnel = [i for i in starts if cols["panel"][i] == "personnel"]
    catalog = load_catalog()
    measures = {
        (line_measure(cols["family"][i], cols["measure"][i], catalog), cols["family"][i]): None
        for i in personnel
    }
    if len({what for what, _ in measures}) > 1:
        listed = _listed([f"{what} ({who})" for what, who in measures])
        text += (
            f" The personnel lines are different measures, each named as its publisher names "
            f"it: {listed}; they need not count the same people."
        )
    named = ((cols["line_name"][i], cols["family"][i]) for i in starts)
    split = sorted({n for n, f in named if not _by_publisher(n, f)})
    if split:
        text += f" Sources that differ have lines of their own: {'; '.join(split)}."
    missing = [panel.words for panel in PANELS if panel not in present]
    if missing:
        text += f" No figures of {' or '.join(missing)} for either country."
    return text


register(
    Chart(
        slug="balance-over-time",
        title="Personnel and spending over time",
        page="/compare",
        params=PARAMS,
        data=balance_over_time_data,
        figure=balance_over_time_figure,
        caption=balance_over_time_caption,
        units="see the unit column (persons, US$ million, % of GDP)",
    )
)
