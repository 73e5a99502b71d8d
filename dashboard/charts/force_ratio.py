"""Force ratio against doctrine, and the equipment ratio per category."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from dashboard.charts import Chart, derived, register
from dashboard.charts.common import (
    COUNTRY_A,
    COUNTRY_B,
    YEAR,
    columns,
    country_name,
    measure_name,
    pick,
)
from dashboard.charts.equipment import SOURCE, chosen_source
from dashboard.params import Param
from dashboard.style import RULE_COLOURS, VERDICT_COLOURS, base_layout, country_colour, fmt_number
from indicators.common import column_arrays, frame_of
from indicators.equipment import equipment_balance_columns, nearest_shared_year
from indicators.force_ratio import FORCE_MEASURES, StrengthIndex, index_strengths, scenario_record
from validation import Catalog

TERRAIN = Param("terrain", "Terrain", "choice", "general", ("general", "mountain"))
SHARE_A = Param("share_a", "Share of A committed (%)", "percent", 100.0, lo=1, hi=100)
SHARE_B = Param("share_b", "Share of B committed (%)", "percent", 100.0, lo=1, hi=100)
RULE_LABELS = {"general": "3:1 prepared defence", "mountain": "6:1 mountains"}


def strengths(catalog: Catalog) -> StrengthIndex:
    """Which strength figures the manpower table holds, built once per table: pickers and
    settling read it on every control change."""
    manpower = catalog["manpower"]
    return derived("strength-index", (manpower,), lambda: index_strengths(manpower))


def _measures_held(catalog: Catalog) -> tuple[str, ...]:
    index = strengths(catalog)
    held = {m for (_, m) in index.by_year_measure}
    return tuple(m for m in FORCE_MEASURES if m in held)


def _countries_held(catalog: Catalog, values: Mapping[str, Any]) -> tuple[str, ...]:
    return strengths(catalog).countries()


def _countries_for(catalog: Catalog, values: Mapping[str, Any]) -> tuple[str, ...]:
    return strengths(catalog).countries_with(values["year"], values.get("measure"))


def _pair_years(catalog: Catalog, values: Mapping[str, Any]) -> tuple[int, ...]:
    return strengths(catalog).years(values["a"], values["b"])


def _pair_measures(catalog: Catalog, values: Mapping[str, Any]) -> tuple[str, ...]:
    return strengths(catalog).measures(values["a"], values["b"], values["year"])


# The pickers of a force ratio offer what the manpower table can draw: countries with figures
# for the year and measure, the years the pair has, the measures it has that year (best first).
STRENGTH_A, STRENGTH_B = (
    replace(
        p,
        offered=_countries_held,
        options=_countries_for,
        unavailable="{value} has no personnel figures",
    )
    for p in (COUNTRY_A, COUNTRY_B)
)
STRENGTH_YEAR = replace(
    YEAR,
    offered=_pair_years,
    unavailable="{a} and {b} have no personnel figures in common for {value}",
)
# No default measure: the best the pair has that year (FORCE_MEASURES order).
MEASURE = Param(
    "measure",
    "Measure",
    "choice",
    None,
    _measures_held,
    offered=_pair_measures,
    words=measure_name,
    unavailable="{a} and {b} have no figures of {value} for {year}",
)


def _rule_lines(doctrine: pd.DataFrame) -> dict[str, float]:
    """rule_ratio_<terrain> -> minimum ratio, for the charts to draw every rule's line."""
    rules = column_arrays(doctrine)
    pairs = zip(rules["terrain"], rules["min_ratio"], strict=True)
    return {f"rule_ratio_{t}": float(r) for t, r in pairs}


def force_ratio_data(catalog, p: Mapping[str, Any]) -> pd.DataFrame:
    """compute_scenario's row with the rule lines; built from its record in one step."""
    record = scenario_record(
        catalog["manpower"],
        catalog["doctrine"],
        p["a"],
        p["b"],
        p["year"],
        p["terrain"],
        p["share_a"],
        p["share_b"],
        p.get("measure"),
    )
    record["measure_name"] = measure_name(record["measure"])
    return frame_of({k: [v] for k, v in {**record, **_rule_lines(catalog["doctrine"])}.items()})


def _rules_of(data: pd.DataFrame) -> dict[str, float]:
    """terrain -> minimum ratio, from the rule_ratio_<terrain> columns the data functions add."""
    prefix = "rule_ratio_"
    cols = columns(data)
    return {c.removeprefix(prefix): float(v[0]) for c, v in cols.items() if c.startswith(prefix)}


def _rule_shapes(rules: dict[str, float], chosen: str | None, vertical: bool = True) -> tuple:
    shapes, notes = [], []
    for terrain, ratio in rules.items():
        width = 3 if terrain == chosen else 1.5
        colour = RULE_COLOURS.get(terrain, "#444444")
        line = {"color": colour, "width": width, "dash": "solid" if terrain == chosen else "dash"}
        if vertical:
            shapes.append(
                {
                    "type": "line",
                    "xref": "x",
                    "yref": "paper",
                    "x0": ratio,
                    "x1": ratio,
                    "y0": 0,
                    "y1": 1,
                    "line": line,
                }
            )
            notes.append(
                {
                    "x": ratio,
                    "y": 1.0,
                    "xref": "x",
                    "yref": "paper",
                    "yanchor": "bottom",
                    "text": RULE_LABELS.get(terrain, f"{ratio:g}:1"),
                    "showarrow": False,
                    "font": {"color": colour, "size": 12},
                }
            )
    return shapes, notes


def _first_row(data: pd.DataFrame) -> dict[str, Any]:
    return {c: v[0] for c, v in columns(data).items()}


def force_ratio_figure(data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    row = _first_row(data)
    rules = _rules_of(data)
    label = f"{country_name(row['attacker'])} : {country_name(row['defender'])}"
    shapes, notes = _rule_shapes(rules, row["terrain"])
    shapes.append(
        {
            "type": "rect",
            "xref": "x",
            "yref": "y",
            "x0": row["ratio_low"],
            "x1": row["ratio_high"],
            "y0": -0.3,
            "y1": 0.3,
            "line": {"width": 0},
            "fillcolor": country_colour(row["attacker"]),
            "opacity": 0.25,
        }
    )
    trace = {
        "type": "scatter",
        "name": "force ratio",
        "x": [row["ratio_mid"]],
        "y": [label],
        "mode": "markers",
        "marker": {"size": 14, "color": country_colour(row["attacker"]), "symbol": "diamond"},
        "error_x": {
            "type": "data",
            "symmetric": False,
            "array": [row["ratio_high"] - row["ratio_mid"]],
            "arrayminus": [row["ratio_mid"] - row["ratio_low"]],
            "color": country_colour(row["attacker"]),
            "thickness": 2,
            "width": 10,
        },
        "hovertemplate": (
            f"ratio {row['ratio_low']:.2f}-{row['ratio_high']:.2f} "
            f"(mid {row['ratio_mid']:.2f})<extra></extra>"
        ),
    }
    x_max = max(max(rules.values(), default=6) * 1.15, row["ratio_high"] * 1.15)
    return {
        "data": [trace],
        "layout": base_layout(
            height=260,
            shapes=shapes,
            annotations=notes,
            showlegend=False,
            margin={"t": 40},
            xaxis={
                "title": {"text": "Force ratio (attacker : defender strength)"},
                "range": [0, x_max],
            },
            yaxis={"title": {"text": ""}},
        ),
    }


def _span(low: float, high: float, show=fmt_number) -> str:
    """'130,000-140,000', or one number when both ends are the same."""
    return show(low) if show(low) == show(high) else f"{show(low)}-{show(high)}"


def _ratio(x: float) -> str:
    return f"{x:.2f}"


def force_ratio_caption(data: pd.DataFrame, p: Mapping[str, Any]) -> str:
    row = _first_row(data)
    measure = str(row["measure_name"])
    return (
        f"{measure[:1].upper()}{measure[1:]}: "
        f"{country_name(row['attacker'])} ({row['attacker_share']:g}% committed: "
        f"{_span(row['attacker_low'], row['attacker_high'])}) against "
        f"{country_name(row['defender'])} ({row['defender_share']:g}%: "
        f"{_span(row['defender_low'], row['defender_high'])}), {row['year']}: "
        f"ratio {_span(row['ratio_low'], row['ratio_high'], _ratio)} "
        f"(mid {row['ratio_mid']:.2f}). "
        f"{row['min_ratio']:g}:1 rule for {row['terrain']} terrain {row['verdict_text']}."
    )


register(
    Chart(
        slug="force-ratio",
        title="Force ratio against doctrine",
        page="/force-ratio",
        params=(STRENGTH_A, STRENGTH_B, STRENGTH_YEAR, MEASURE, TERRAIN, SHARE_A, SHARE_B),
        data=force_ratio_data,
        figure=force_ratio_figure,
        caption=force_ratio_caption,
        units="ratio of personnel strength (attacker : defender)",
    )
)


def equipment_ratio_data(catalog, p: Mapping[str, Any]) -> pd.DataFrame:
    """compute_equipment_balance's rows with the rule lines, in one frame; for the nearest
    year with counts for both countries where the chosen year has none (the caption says so:
    on /force-ratio the year is that of the personnel figures)."""
    equipment, source = catalog["equipment"], chosen_source(p)
    year = nearest_shared_year(equipment, p["a"], p["b"], p["year"], source) or p["year"]
    out = equipment_balance_columns(
        equipment, catalog["doctrine"], p["a"], p["b"], year, None, source
    )
    n = len(out["category"])
    rules = {c: np.full(n, r) for c, r in _rule_lines(catalog["doctrine"]).items()}
    return frame_of({**out, **rules})


def _ratios(values: np.ndarray) -> np.ndarray:
    """Float64 (nullable) ratio cells as floats, NaN for none."""
    return np.asarray(values, dtype=float)


def equipment_ratio_figure(data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    rules = _rules_of(data)
    cols = columns(data)
    ok = cols["status"] == "ok"
    has = pick(cols, ok)
    low, mid, high = (_ratios(has[c]) for c in ("ratio_low", "ratio_mid", "ratio_high"))
    colours = [VERDICT_COLOURS[v] for v in has["verdict_general"]]
    traces = [
        {
            "type": "bar",
            "orientation": "h",
            "name": f"{p['a']} : {p['b']}",
            "y": has["category"].tolist(),
            "x": np.round(mid, 4).tolist(),
            "marker": {"color": colours},
            "error_x": {
                "type": "data",
                "symmetric": False,
                "array": (high - mid).tolist(),
                "arrayminus": (mid - low).tolist(),
            },
            "customdata": [
                [str(a), str(b), g, m]
                for a, b, g, m in zip(
                    has["a_mid"],
                    has["b_mid"],
                    has["verdict_general"],
                    has["verdict_mountain"],
                    strict=True,
                )
            ],
            "hovertemplate": (
                "%{y}: %{x:.2f} (%{customdata[0]} vs %{customdata[1]})<br>"
                "3:1 %{customdata[2]}, 6:1 %{customdata[3]}<extra></extra>"
            ),
        }
    ]
    shapes, notes = _rule_shapes(rules, None)
    for cat in cols["category"][~ok]:
        notes.append(
            {
                "x": 0,
                "y": cat,
                "xref": "x",
                "yref": "y",
                "xanchor": "left",
                "text": f"  {p['b']} has none",
                "showarrow": False,
            }
        )
    return {
        "data": traces,
        "layout": base_layout(
            height=max(300, 40 * len(ok) + 100),
            shapes=shapes,
            annotations=notes,
            showlegend=False,
            margin={"t": 40},
            xaxis={"title": {"text": f"Ratio of counts ({p['a']} : {p['b']})"}},
            yaxis={"categoryorder": "array", "categoryarray": cols["category"].tolist()[::-1]},
        ),
    }


def equipment_ratio_caption(data: pd.DataFrame, p: Mapping[str, Any]) -> str:
    cols = columns(data)
    met3 = cols["category"][cols["verdict_general"] == "met"].tolist()
    met6 = cols["category"][cols["verdict_mountain"] == "met"].tolist()
    year = int(cols["year"][0]) if len(cols["year"]) else p["year"]
    when = f"{year}" if year == p["year"] else f"{year} (the nearest year with counts for both)"
    return (
        f"Equipment of {country_name(p['a'])} against {country_name(p['b'])}, {when}, "
        f"by category. At or above 3:1: {', '.join(met3) or 'none'}; "
        f"at or above 6:1: {', '.join(met6) or 'none'}."
    )


register(
    Chart(
        slug="equipment-ratio",
        title="Equipment ratio by category",
        page="/force-ratio",
        params=(COUNTRY_A, COUNTRY_B, YEAR, SOURCE),
        data=equipment_ratio_data,
        figure=equipment_ratio_figure,
        caption=equipment_ratio_caption,
        units="ratio of equipment counts",
    )
)
