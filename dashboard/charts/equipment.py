"""Equipment counts of two countries by category, side by side (the ratios are in force_ratio)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from dashboard.charts import Chart, register
from dashboard.charts.common import COUNTRY_A, COUNTRY_B, YEAR, country_name
from dashboard.params import Param
from dashboard.style import base_layout, country_colour, fmt_number
from indicators.common import IndicatorError, to_interval

SCALE = Param("scale", "Scale", "choice", "linear", ("linear", "log"))
COUNT_TITLE = "Count (items)"


def _country_counts(equipment: pd.DataFrame, country: str, year: int) -> pd.DataFrame:
    """One row per category the country reports in that year, as low/mid/high, from one source."""
    rows = equipment[(equipment["country"] == country) & (equipment["year"] == year)]
    several = rows.groupby("category")["source_id"].nunique()
    if (several > 1).any():
        cats = ", ".join(several[several > 1].index)
        raise IndicatorError(
            f"{country} {year}: several sources for {cats}; the counts cannot be shown side by "
            "side until one source is chosen"
        )
    return pd.concat(
        [rows[["country", "year", "category", "source_id"]], to_interval(rows)], axis=1
    )


def equipment_counts_data(catalog, p: Mapping[str, Any]) -> pd.DataFrame:
    """Counts (low/mid/high, items) per category and country, for the categories either reports."""
    if p["a"] == p["b"]:
        raise IndicatorError(f"a and b are both {p['a']}; choose two different countries")
    countries = [p["a"], p["b"]]
    equipment = catalog["equipment"]
    parts = [_country_counts(equipment, c, p["year"]) for c in countries]
    out = pd.concat(parts, ignore_index=True)
    if out.empty:
        raise IndicatorError(f"no equipment counts for {' or '.join(countries)} in {p['year']}")
    order = {c: i for i, c in enumerate(countries)}
    categories = {cat: i for i, cat in enumerate(dict.fromkeys(out["category"]))}
    out = out.assign(
        unit="items",
        _c=out["country"].map(order),
        _k=out["category"].map(categories),
    ).sort_values(["_c", "_k"], ignore_index=True)
    return out[["country", "year", "category", "low", "mid", "high", "unit", "source_id"]]


def _categories(data: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(data["category"]))


def _bar(rows: pd.DataFrame, country: str) -> dict:
    ranged = (rows["high"] > rows["low"]).any()
    hover = [
        f"{country} {cat}: {fmt_number(mid)}"
        + (f" ({fmt_number(lo)}-{fmt_number(hi)})" if hi > lo else "")
        + " items"
        for cat, lo, mid, hi in zip(
            rows["category"], rows["low"], rows["mid"], rows["high"], strict=True
        )
    ]
    trace = {
        "type": "bar",
        "name": country,
        "x": rows["category"].tolist(),
        "y": rows["mid"].astype(float).tolist(),
        "marker": {"color": country_colour(country)},
        "hovertext": hover,
        "hoverinfo": "text",
    }
    if ranged:
        trace["error_y"] = {
            "type": "data",
            "symmetric": False,
            "array": (rows["high"] - rows["mid"]).astype(float).tolist(),
            "arrayminus": (rows["mid"] - rows["low"]).astype(float).tolist(),
            "color": "#333333",
            "thickness": 1.5,
            "width": 5,
        }
    return trace


def equipment_counts_figure(data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    countries = list(dict.fromkeys(data["country"]))
    traces = [_bar(data[data["country"] == c], c) for c in countries]
    return {
        "data": traces,
        "layout": base_layout(
            height=420,
            barmode="group",
            xaxis={
                "title": {"text": "Equipment category"},
                "categoryorder": "array",
                "categoryarray": _categories(data),
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
    wide = data.pivot_table(index="category", columns="country", values="mid", sort=False)
    text = f"Equipment counts of {country_name(a)} and {country_name(b)} in {year}, by category"
    if a not in wide or b not in wide:
        missing = b if a in wide else a
        return f"{text}; {country_name(missing)} has no counts for {year} in the catalogue."
    both = wide.dropna()
    more_a = int((both[a] > both[b]).sum())
    more_b = int((both[b] > both[a]).sum())
    text += (
        f": {a} has more in {more_a} and {b} in {more_b} of the {len(both)} categories both report"
    )
    if (data["high"] > data["low"]).any():
        text += " (comparing midpoints of stated ranges)"
    first = "tanks" if "tanks" in both.index else (both.index[0] if len(both) else None)
    if first is not None:
        text += (
            f"; {first}: {fmt_number(both.loc[first, a])} against {fmt_number(both.loc[first, b])}"
        )
    text += "."
    one_side = wide[wide.isna().any(axis=1)]
    only = [f"{a if pd.notna(row[a]) else b} ({cat})" for cat, row in one_side.iterrows()]
    if only:
        text += f" Reported by one side only: {', '.join(only)}."
    zeros = data[data["mid"] == 0]
    if p["scale"] == "log" and not zeros.empty:
        listed = ", ".join(f"{r.country} {r.category}" for r in zeros.itertuples())
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
