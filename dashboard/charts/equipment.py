"""Equipment counts of two countries by category, side by side (the ratios are in force_ratio)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from dashboard.charts import Chart, register
from dashboard.charts.common import COUNTRY_A, COUNTRY_B, YEAR, columns, country_name, pick
from dashboard.params import Param
from dashboard.style import base_layout, country_colour, fmt_number
from indicators.common import IndicatorError, frame_of
from indicators.equipment import country_counts

SCALE = Param("scale", "Scale", "choice", "linear", ("linear", "log"))
COUNT_TITLE = "Count (items)"


def equipment_counts_data(catalog, p: Mapping[str, Any]) -> pd.DataFrame:
    """Counts (low/mid/high, items) per category and country, for the categories either reports."""
    a, b, year = p["a"], p["b"], p["year"]
    if a == b:
        raise IndicatorError(f"a and b are both {a}; choose two different countries")
    counts = {c: country_counts(catalog["equipment"], c, year) for c in (a, b)}
    categories = list(dict.fromkeys([*counts[a], *counts[b]]))
    if not categories:
        raise IndicatorError(f"no equipment counts for {a} or {b} in {year}")
    pairs = [(c, cat) for c in (a, b) for cat in categories if cat in counts[c]]
    low, mid, high, source = (
        [counts[c][cat][i] for c, cat in pairs] for i in range(4)
    )  # column by column: one frame built at the end
    return frame_of(
        {
            "country": [c for c, _ in pairs],
            "year": np.full(len(pairs), year),
            "category": [cat for _, cat in pairs],
            "low": np.array(low, dtype=float),
            "mid": np.array(mid, dtype=float),
            "high": np.array(high, dtype=float),
            "unit": ["items"] * len(pairs),
            "source_id": source,
        }
    )


def _categories(cols: Mapping[str, np.ndarray]) -> list[str]:
    return list(dict.fromkeys(cols["category"]))


def _bar(rows: Mapping[str, np.ndarray], country: str) -> dict:
    low, mid, high = (rows[c].astype(float) for c in ("low", "mid", "high"))
    ranged = (high > low).any()
    hover = [
        f"{country} {cat}: {fmt_number(mid)}"
        + (f" ({fmt_number(lo)}-{fmt_number(hi)})" if hi > lo else "")
        + " items"
        for cat, lo, mid, hi in zip(rows["category"], low, mid, high, strict=True)
    ]
    trace = {
        "type": "bar",
        "name": country,
        "x": rows["category"].tolist(),
        "y": mid.tolist(),
        "marker": {"color": country_colour(country)},
        "hovertext": hover,
        "hoverinfo": "text",
    }
    if ranged:
        trace["error_y"] = {
            "type": "data",
            "symmetric": False,
            "array": (high - mid).tolist(),
            "arrayminus": (mid - low).tolist(),
            "color": "#333333",
            "thickness": 1.5,
            "width": 5,
        }
    return trace


def equipment_counts_figure(data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    cols = columns(data)
    countries = list(dict.fromkeys(cols["country"]))
    traces = [_bar(pick(cols, cols["country"] == c), c) for c in countries]
    return {
        "data": traces,
        "layout": base_layout(
            height=420,
            barmode="group",
            xaxis={
                "title": {"text": "Equipment category"},
                "categoryorder": "array",
                "categoryarray": _categories(cols),
            },
            yaxis={
                "title": {"text": COUNT_TITLE},
                "type": p["scale"],
                # log: label the powers of ten only
                **({"dtick": 1} if p["scale"] == "log" else {}),
            },
        ),
    }


def equipment_counts_caption(data: pd.DataFrame, p: Mapping[str, Any]) -> str:
    a, b, year = p["a"], p["b"], p["year"]
    cols = columns(data)
    keys = list(zip(cols["country"], cols["category"], strict=True))
    mid = dict(zip(keys, cols["mid"].astype(float).tolist(), strict=True))
    text = f"Equipment counts of {country_name(a)} and {country_name(b)} in {year}, by category"
    reported = set(cols["country"])
    if a not in reported or b not in reported:
        missing = b if a in reported else a
        return f"{text}; {country_name(missing)} has no counts for {year} in the catalogue."
    categories = _categories(cols)
    both = [c for c in categories if (a, c) in mid and (b, c) in mid]
    more_a = sum(mid[(a, c)] > mid[(b, c)] for c in both)
    more_b = sum(mid[(b, c)] > mid[(a, c)] for c in both)
    text += (
        f": {a} has more in {more_a} and {b} in {more_b} of the {len(both)} categories both report"
    )
    if (cols["high"].astype(float) > cols["low"].astype(float)).any():
        text += " (comparing midpoints of stated ranges)"
    first = "tanks" if "tanks" in both else (both[0] if both else None)
    if first is not None:
        text += f"; {first}: {fmt_number(mid[(a, first)])} against {fmt_number(mid[(b, first)])}"
    text += "."
    only = [f"{a if (a, c) in mid else b} ({c})" for c in categories if c not in both]
    if only:
        text += f" Reported by one side only: {', '.join(only)}."
    zeros = [f"{c} {cat}" for (c, cat), m in mid.items() if m == 0]
    if p["scale"] == "log" and zeros:
        listed = ", ".join(zeros)
        text += f" Zero counts have no bar on a log scale: {listed}."
    return text


register(
    Chart(
        slug="equipment-counts",
        title="Equipment counts by category",
        page="/equipment",
        params=(COUNTRY_A, COUNTRY_B, YEAR, SCALE),
        data=equipment_counts_data,
        figure=equipment_counts_figure,
        caption=equipment_counts_caption,
        units="items",
    )
)
