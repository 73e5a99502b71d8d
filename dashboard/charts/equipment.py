"""Equipment counts of two countries by category, side by side (the ratios are in force_ratio)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from dashboard.charts import Chart, derived, register
from dashboard.charts.common import (
    ALL_SOURCES,
    COUNTRY_A,
    COUNTRY_B,
    YEAR,
    category_name,
    category_words,
    chosen_source,
    columns,
    country_name,
    in_sentence,
    pick,
    source_choice_labels,
    source_param,
)
from dashboard.params import Param
from dashboard.style import base_layout, country_colour, fmt_number
from indicators.common import IndicatorError, frame_of
from indicators.equipment import country_counts, equipment_sources
from validation import Catalog, load_catalog

SCALE_WORDS = {"linear": "Linear", "log": "Logarithmic (1, 10, 100, 1,000)"}
SCALE = Param(
    "scale", "Scale", "choice", "linear", ("linear", "log"), words=lambda v: SCALE_WORDS.get(v, v)
)
COUNT_TITLE = "Count (items)"
# Pixels per category of the counts chart (two bars and their labels), and the characters per
# line of a category's tick label.
COUNT_ROW, WRAP = 46, 18
DIFFER_NAME = "sources differ (whisker: lowest to highest)"
# Counts on which sources differ that the caption names; the rest are in the hover and CSV.
SPANS_LISTED = 4


def _equipment_source_ids(catalog: Catalog) -> tuple[str, ...]:
    """'all' and every source of the equipment table, in table order (the same tuple while the
    table is the same object)."""
    table = catalog["equipment"]
    return derived(
        "equipment-sources",
        (table,),
        lambda: (ALL_SOURCES, *dict.fromkeys(table["source_id"])),
    )


def _sources_for(catalog: Catalog, values: Mapping[str, Any]) -> tuple[str, ...]:
    """'all' and the sources that give counts for both chosen countries in the chosen year:
    each of them alone draws both charts of /equipment."""
    countries = [values["a"], values["b"]]
    return (ALL_SOURCES, *equipment_sources(catalog["equipment"], countries, values["year"]))


SOURCE = source_param(_equipment_source_ids, _sources_for)


def _reported(reports: tuple, labels: Mapping[str, str]) -> str:
    """'GFP 2020 (workbook): 570; GFP 2020 (workbook, imported): 570' (a range as low-high)."""
    return "; ".join(
        f"{labels.get(sid, sid)}: {fmt_number(lo)}" + (f"-{fmt_number(hi)}" if hi > lo else "")
        for sid, lo, _, hi in reports
    )


def equipment_counts_data(catalog, p: Mapping[str, Any]) -> pd.DataFrame:
    """Counts (low/mid/high, items) per category and country, for the categories either reports.
    Where several sources give a count, low-high spans them (indicators.equipment), n_sources
    says how many and `reported` gives each source's figure; `source` keeps one source."""
    a, b, year = p["a"], p["b"], p["year"]
    if a == b:
        raise IndicatorError(f"a and b are both {a}; choose two different countries")
    source = chosen_source(p)
    counts = {c: country_counts(catalog["equipment"], c, year, source) for c in (a, b)}
    categories = list(dict.fromkeys([*counts[a], *counts[b]]))
    if not categories:
        raise IndicatorError(f"no equipment counts for {a} or {b} in {year}")
    pairs = [(c, cat) for c in (a, b) for cat in categories if cat in counts[c]]
    low, mid, high, source_ids, reports = (
        [counts[c][cat][i] for c, cat in pairs] for i in range(5)
    )  # column by column: one frame built at the end
    labels = source_choice_labels(catalog)
    return frame_of(
        {
            "country": [c for c, _ in pairs],
            "year": np.full(len(pairs), year),
            "category": [cat for _, cat in pairs],
            "low": np.array(low, dtype=float),
            "mid": np.array(mid, dtype=float),
            "high": np.array(high, dtype=float),
            "n_sources": np.array([len({r[0] for r in rs}) for rs in reports]),
            "reported": [_reported(rs, labels) for rs in reports],
            "unit": ["items"] * len(pairs),
            "source_id": source_ids,
        }
    )


def _categories(cols: Mapping[str, np.ndarray]) -> list[str]:
    return list(dict.fromkeys(cols["category"]))


def _by_count(cols: Mapping[str, np.ndarray]) -> list[str]:
    """The categories, largest first: by the larger of the two countries' counts (midpoints),
    then in table order."""
    most: dict[str, float] = {}
    for cat, mid in zip(cols["category"], cols["mid"].astype(float), strict=True):
        most[cat] = max(most.get(cat, 0.0), mid)
    order = {cat: i for i, cat in enumerate(most)}
    return sorted(most, key=lambda cat: (-most[cat], order[cat]))


def wrapped(label: str, width: int = WRAP) -> str:
    """A tick label over lines of about `width` characters ('Self-propelled<br>artillery'), so
    that a narrow screen keeps room for the bars."""
    lines: list[str] = []
    for word in label.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def _span_text(low: float, mid: float, high: float) -> str:
    """A bar's value label: '570', or '500-600' where a range is stated."""
    return f"{fmt_number(low)}-{fmt_number(high)}" if high > low else fmt_number(mid)


def _bar(rows: Mapping[str, np.ndarray], country: str, words: Mapping[str, str]) -> dict:
    low, mid, high = (rows[c].astype(float) for c in ("low", "mid", "high"))
    ranged = (high > low).any()
    name = country_name(country)
    labels = [category_name(cat, words) for cat in rows["category"]]
    hover = [
        f"{name}, {in_sentence(label)}: {fmt_number(mid)}"
        + (f" ({fmt_number(lo)}-{fmt_number(hi)})" if hi > lo else "")
        + " items"
        + (f"<br>{n} sources: {rep}" if n > 1 else "")
        for label, lo, mid, hi, n, rep in zip(
            labels, low, mid, high, rows["n_sources"], rows["reported"], strict=True
        )
    ]
    trace = {
        "type": "bar",
        "orientation": "h",
        "name": name,
        "offsetgroup": country,
        "y": labels,
        "x": mid.tolist(),
        "text": [_span_text(lo, m, hi) for lo, m, hi in zip(low, mid, high, strict=True)],
        "textposition": "outside",
        "cliponaxis": False,
        "textfont": {"size": 11},
        "marker": {"color": country_colour(country)},
        "hovertext": hover,
        "hoverinfo": "text",
    }
    if ranged:
        trace["error_x"] = {
            "type": "data",
            "symmetric": False,
            "array": (high - mid).tolist(),
            "arrayminus": (mid - low).tolist(),
            "color": "#333333",
            "thickness": 1.5,
            "width": 4,
        }
    return trace


def _differ(cols: Mapping[str, np.ndarray]) -> np.ndarray:
    """Rows whose sources give different counts."""
    return (cols["n_sources"] > 1) & (cols["high"].astype(float) > cols["low"].astype(float))


def _differ_marks(
    rows: Mapping[str, np.ndarray], country: str, first: bool, words: Mapping[str, str]
) -> dict:
    """Open diamonds on the bars whose sources differ, in the country's bar slot; hovering one
    lists every source's count. One legend entry for all countries."""
    labels = [category_name(cat, words) for cat in rows["category"]]
    return {
        "type": "scatter",
        "mode": "markers",
        "orientation": "h",
        "name": DIFFER_NAME,
        "legendgroup": "differ",
        "showlegend": first,
        "offsetgroup": country,
        "y": labels,
        "x": rows["mid"].astype(float).tolist(),
        "marker": {
            "symbol": "diamond-open",
            "size": 12,
            "color": "#333333",
            "line": {"width": 1.5},
        },
        "hovertext": [
            f"{country_name(country)}, {in_sentence(label)}: sources differ: {rep}"
            for label, rep in zip(labels, rows["reported"], strict=True)
        ],
        "hoverinfo": "text",
    }


def log_ticks(top: float) -> tuple[list[float], list[str]]:
    """Ticks of a log count axis: the powers of ten from 1 to the first at or above `top`,
    written with thousands separators (1, 10, 100, 1,000)."""
    last = max(1, math.ceil(math.log10(max(top, 1.0))))
    values = [10.0**k for k in range(last + 1)]
    return values, [fmt_number(v) for v in values]


def _count_axis(cols: Mapping[str, np.ndarray], scale: str) -> dict:
    top = float(np.max(cols["high"].astype(float), initial=1.0))
    axis: dict[str, Any] = {"title": {"text": COUNT_TITLE}, "type": scale, "automargin": True}
    if scale == "log":
        values, text = log_ticks(top)
        # room on the right for the value labels: a third of a power of ten past the end
        axis.update(
            tickmode="array",
            tickvals=values,
            ticktext=text,
            range=[math.log10(0.8), math.log10(max(top, 1.0)) + 0.45],
        )
    else:
        axis.update(tickformat=",d", nticks=5, range=[0, top * 1.22], rangemode="tozero")
    return axis


def equipment_counts_figure(data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    cols = columns(data)
    words = category_words(load_catalog())
    countries = list(dict.fromkeys(cols["country"]))
    traces = [_bar(pick(cols, cols["country"] == c), c, words) for c in countries]
    differ = _differ(cols)
    for country in countries:
        mine = differ & (cols["country"] == country)
        if mine.any():
            first = len(traces) == len(countries)
            traces.append(_differ_marks(pick(cols, mine), country, first, words))
    order = [category_name(cat, words) for cat in _by_count(cols)]
    return {
        "data": traces,
        "layout": base_layout(
            height=COUNT_ROW * len(order) + 150,
            barmode="group",
            scattermode="group",
            bargap=0.25,
            # above the plot, from its left edge: the countries in the order of the bars
            legend={
                "orientation": "h",
                "y": 1.0,
                "yanchor": "bottom",
                "x": 0,
                "xanchor": "left",
                "traceorder": "normal",
            },
            margin={"l": 10, "r": 20, "t": 10, "b": 50},
            xaxis=_count_axis(cols, p["scale"]),
            yaxis={
                # top down: the largest first, and in each category the countries' bars in
                # the legend's order (A above B)
                "categoryorder": "array",
                "categoryarray": order,
                "autorange": "reversed",
                "showgrid": False,
                "tickmode": "array",
                "tickvals": order,
                "ticktext": [wrapped(label) for label in order],
                "title": {"text": ""},
            },
        ),
    }


def equipment_counts_caption(data: pd.DataFrame, p: Mapping[str, Any]) -> str:
    a, b, year = p["a"], p["b"], p["year"]
    name_a, name_b = country_name(a), country_name(b)
    words = category_words(load_catalog())

    def said(cat: str) -> str:  # a category inside a sentence: 'self-propelled artillery'
        return in_sentence(category_name(cat, words))

    cols = columns(data)
    keys = list(zip(cols["country"], cols["category"], strict=True))
    mid = dict(zip(keys, cols["mid"].astype(float).tolist(), strict=True))
    text = f"Equipment counts of {name_a} and {name_b} in {year}, by category"
    reported = set(cols["country"])
    if a not in reported or b not in reported:
        missing = b if a in reported else a
        return f"{text}; {country_name(missing)} has no counts for {year} in the catalogue."
    categories = _categories(cols)
    both = [c for c in categories if (a, c) in mid and (b, c) in mid]
    more_a = sum(mid[(a, c)] > mid[(b, c)] for c in both)
    more_b = sum(mid[(b, c)] > mid[(a, c)] for c in both)
    text += (
        f", largest first: {name_a} has more in {more_a} and {name_b} in {more_b} of the "
        f"{len(both)} categories both report"
    )
    if (cols["high"].astype(float) > cols["low"].astype(float)).any():
        text += " (comparing midpoints of stated ranges)"
    first = "tanks" if "tanks" in both else (both[0] if both else None)
    if first is not None:
        text += f"; {said(first)}: {fmt_number(mid[(a, first)])} against "
        text += f"{fmt_number(mid[(b, first)])}"
    text += "."
    only = [
        f"{country_name(a if (a, c) in mid else b)} ({said(c)})"
        for c in categories
        if c not in both
    ]
    if only:
        text += f" Reported by one side only: {', '.join(only)}."
    differ = _differ(cols)
    if differ.any():
        spans = [
            f"{country_name(c)}'s {said(cat)}: {fmt_number(lo)}-{fmt_number(hi)}"
            for c, cat, lo, hi in zip(
                cols["country"][differ],
                cols["category"][differ],
                cols["low"][differ].astype(float),
                cols["high"][differ].astype(float),
                strict=True,
            )
        ]
        listed = "; ".join(spans[:SPANS_LISTED])
        if len(spans) > SPANS_LISTED:
            listed += f" and {len(spans) - SPANS_LISTED} more (each in the CSV)"
        text += (
            f" Sources differ on {len(spans)} count{'s' * (len(spans) != 1)} (diamonds; the "
            f"bar is the middle of their span, the whisker the span): {listed}."
        )
    several = int((cols["n_sources"] > 1).sum())
    if several > differ.sum():
        agree = several - int(differ.sum())
        text += f" On {agree} count{'s' * (agree != 1)} given by more than one source, they agree."
    zeros = [f"{country_name(c)}'s {said(cat)}" for (c, cat), m in mid.items() if m == 0]
    if p["scale"] == "log" and zeros:
        listed = ", ".join(zeros)
        text += f" Zero counts have no bar on a log scale: {listed}."
    return text


register(
    Chart(
        slug="equipment-counts",
        title="Equipment counts by category",
        page="/equipment",
        params=(COUNTRY_A, COUNTRY_B, YEAR, SCALE, SOURCE),
        data=equipment_counts_data,
        figure=equipment_counts_figure,
        caption=equipment_counts_caption,
        units="items",
    )
)
