"""Force ratio against doctrine, and the equipment ratio per category."""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from dashboard.charts import Chart, derived, register
from dashboard.charts.common import (
    COUNTRY_A,
    COUNTRY_B,
    YEAR,
    category_name,
    category_words,
    columns,
    country_name,
    in_sentence,
    measure_name,
    pick,
    vertical_line,
)
from dashboard.charts.equipment import SOURCE, chosen_source, wrapped
from dashboard.params import Param
from dashboard.style import RULE_COLOURS, base_layout, country_colour, fmt_number, rgba
from indicators.common import column_arrays, frame_of
from indicators.equipment import equipment_balance_columns, nearest_shared_year
from indicators.force_ratio import FORCE_MEASURES, StrengthIndex, index_strengths, scenario_record
from validation import Catalog, load_catalog

TERRAIN_WORDS = {
    "general": "General (3:1 for a prepared defence)",
    "mountain": "Mountains (6:1)",
}
TERRAIN = Param(
    "terrain",
    "Terrain",
    "choice",
    "general",
    ("general", "mountain"),
    words=lambda v: TERRAIN_WORDS.get(v, v),
)
SHARE_A = Param("share_a", "Share of A committed (%)", "percent", 100.0, lo=1, hi=100)
SHARE_B = Param("share_b", "Share of B committed (%)", "percent", 100.0, lo=1, hi=100)
RULE_LABELS = {"general": "3:1 prepared defence", "mountain": "6:1 mountains"}
# Pixels between the rows of the rules' labels; height of the force ratio chart (one interval);
# characters per line of an axis title; pixels per category of the equipment ratio; rows of
# room above its bars for the rules' labels.
RULE_ROW, FORCE_HEIGHT, TITLE_WRAP, RATIO_ROW, RULE_ROOM = 17, 190, 40, 34, 1.0
# Characters per line of the equipment ratio's axis title (its plot is narrower: the category
# labels take the left).
AXIS_WRAP = 28
# Room past the furthest bar of the equipment ratio for its value label, in powers of ten.
LABEL_ROOM = 0.35
# The equipment ratio's bars: which side holds more, in hues no country is drawn in (a country's
# colour means that country on every chart; see dashboard.style.COUNTRY_COLOURS).
HOLDS_MORE_COLOURS = {"a": "#6A3D9A", "b": "#737373", "equal": "#BDBDBD"}


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


def _rule_marks(
    rules: dict[str, float], chosen: str | None, where: Callable[[float], float], log: bool = False
) -> tuple[list, list]:
    """A line per doctrine rule across the plot and its label inside the plot's top, one rule
    per row (the lowest ratio on the top row), so that labels never run into each other
    however narrow the plot. A label starts at its line and runs right, or ends at it where the
    line is in the right half (`where(ratio)`: its place across the plot, 0 to 1), so that it
    is never cut. The chosen terrain's rule is drawn solid and bold, the others faint and
    dashed (their labels in full colour: faint text would be hard to read); with no terrain
    chosen (chosen None) every rule is drawn alike. On a log axis (`log`) a label's place is
    the log of the ratio, as plotly places annotations; a line's is the ratio itself."""
    shapes, notes = [], []
    for row, (terrain, ratio) in enumerate(sorted(rules.items(), key=lambda kv: kv[1])):
        colour = RULE_COLOURS.get(terrain, "#444444")
        faint = chosen is not None and terrain != chosen
        shown = rgba(colour, 0.55) if faint else colour
        dash = "solid" if terrain == chosen else "dash"
        width = 3 if terrain == chosen else 1.5
        shapes.append(vertical_line(ratio, {"color": shown, "width": width, "dash": dash}))
        text = RULE_LABELS.get(terrain, f"{ratio:g}:1")
        right = where(ratio) > 0.5
        notes.append(
            {
                "x": math.log10(ratio) if log else ratio,
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "xanchor": "right" if right else "left",
                "yanchor": "top",
                "xshift": -4 if right else 4,
                "yshift": -RULE_ROW * row,
                "text": f"<b>{text}</b>" if terrain == chosen else text,
                "showarrow": False,
                "font": {"color": colour, "size": 12},
                "bgcolor": "rgba(255,255,255,0.85)",
            }
        )
    return shapes, notes


def _first_row(data: pd.DataFrame) -> dict[str, Any]:
    return {c: v[0] for c, v in columns(data).items()}


def ratio_words(x: float) -> str:
    """One ratio as a number of the interval's label: one decimal, two below 1 (0.45)."""
    return f"{x:.1f}" if x >= 1 else f"{x:.2f}"


def interval_label(low: float, high: float) -> str:
    """'2.0-2.3 : 1', or '2.9 : 1' where both ends read the same."""
    lo, hi = ratio_words(low), ratio_words(high)
    return f"{lo} : 1" if lo == hi else f"{lo}-{hi} : 1"


def _wrap_title(text: str, width: int = TITLE_WRAP) -> str:
    """An axis title over lines of at most about `width` characters (a narrow screen cuts one
    long line)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def force_ratio_figure(data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    """One interval on a number line from 0, labelled '2.0-2.3 : 1', with the doctrine rules
    as lines: the page's terrain's rule emphasised."""
    row = _first_row(data)
    rules = _rules_of(data)
    low, mid, high = (float(row[c]) for c in ("ratio_low", "ratio_mid", "ratio_high"))
    pair = f"{country_name(row['attacker'])} : {country_name(row['defender'])}"
    colour = country_colour(row["attacker"])
    x_max = max(max(rules.values(), default=6) * 1.15, high * 1.15)
    shapes, notes = _rule_marks(rules, row["terrain"], lambda r: r / x_max)
    shapes.append(
        {
            "type": "rect",
            "xref": "x",
            "yref": "y",
            "x0": low,
            "x1": high,
            "y0": -0.3,
            "y1": 0.3,
            "line": {"width": 0},
            "fillcolor": rgba(colour, 0.25),
        }
    )
    label = interval_label(low, high)
    notes.append(
        {
            "x": mid,
            "y": 0.3,
            "xref": "x",
            "yref": "y",
            "yanchor": "bottom",
            "text": f"<b>{label}</b>",
            "showarrow": False,
            "font": {"size": 13, "color": "#1a1a1a"},
            "bgcolor": "rgba(255,255,255,0.85)",
        }
    )
    trace = {
        "type": "scatter",
        "name": "force ratio",
        "x": [mid],
        "y": [pair],  # the one category of a hidden axis, at 0 (its labels are above)
        "mode": "markers",
        "marker": {"size": 13, "color": colour, "symbol": "diamond"},
        "error_x": {
            "type": "data",
            "symmetric": False,
            "array": [high - mid],
            "arrayminus": [mid - low],
            "color": colour,
            "thickness": 2,
            "width": 8,
        },
        "hovertemplate": (
            f"{html.escape(pair)}: {_span(low, high, _ratio)} : 1 (mid {mid:.2f})<extra></extra>"
        ),
    }
    return {
        "data": [trace],
        "layout": base_layout(
            height=FORCE_HEIGHT,
            shapes=shapes,
            annotations=notes,
            showlegend=False,
            margin={"l": 16, "r": 16, "t": 8, "b": 40},
            xaxis={
                "title": {"text": _wrap_title(f"Force ratio, {html.escape(pair)}")},
                "range": [0, x_max],
                "nticks": 8,
                "zeroline": False,
                "fixedrange": True,
            },
            # the interval at 0 (the pair, the one category), its label above it, the rules'
            # labels in the top rows
            yaxis={
                "visible": False,
                "type": "category",
                "range": [-0.55, 1.6],
                "fixedrange": True,
            },
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


def ratio_text(r: float) -> str:
    """A ratio of counts as people write it: '5.2:1' where A has more, '1:3.4' where B has
    more (B's count 3.4 times A's), '1:1' where they are equal; one decimal below 10."""
    if r == 1:
        return "1:1"
    big = r if r > 1 else 1 / r
    shown = f"{big:.1f}" if big < 10 else f"{big:,.0f}"
    return f"{shown}:1" if r > 1 else f"1:{shown}"


def _ratio_ticks(reach: float) -> tuple[list[float], list[str]]:
    """Ticks of the log ratio axis out to `reach` (log10) either side of 1:1: 1:1, 3:1, 10:1,
    30:1 ... and their mirrors 1:3, 1:10 ..."""
    steps = [1.0]
    k = 0
    while True:
        more = [3 * 10.0**k, 10.0 ** (k + 1)]
        inside = [v for v in more if math.log10(v) <= reach]
        steps += inside
        if len(inside) < len(more):
            break
        k += 1
    values = sorted({*steps, *(1 / v for v in steps)})
    return values, [f"{v:g}:1" if v >= 1 else f"1:{1 / v:g}" for v in values]


def _side(r: float) -> str:
    return "a" if r > 1 else ("b" if r < 1 else "equal")


def equipment_ratio_figure(data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    """Bars from 1:1 on a log axis, right where A holds more and left where B does, largest
    ratio at the top, each labelled '5.2:1' or '1:3.4'; whiskers span stated ranges."""
    rules = _rules_of(data)
    cols = columns(data)
    words = category_words(load_catalog())
    name_a, name_b = country_name(p["a"]), country_name(p["b"])
    mids = _ratios(cols["ratio_mid"])
    drawn = (cols["status"] == "ok") & (mids > 0)  # a count of 0 over one: no bar on a log axis
    has = pick(cols, drawn)
    low, mid, high = (_ratios(has[c]) for c in ("ratio_low", "ratio_mid", "ratio_high"))
    order = np.argsort(-mid, kind="stable")  # largest first (ties in table order)
    labels = [category_name(c, words) for c in has["category"]]
    sides = {
        "a": (f"{name_a} holds more", HOLDS_MORE_COLOURS["a"]),
        "b": (f"{name_b} holds more", HOLDS_MORE_COLOURS["b"]),
        "equal": ("Equal counts", HOLDS_MORE_COLOURS["equal"]),
    }
    traces: list[dict] = []
    notes: list[dict] = []
    for side, (name, colour) in sides.items():
        rows = [i for i in order if _side(mid[i]) == side]
        if not rows:
            continue
        r, lo, hi = mid[rows], low[rows], high[rows]
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": name,
                "y": [labels[i] for i in rows],
                # from 1:1 to the ratio: the bar's base is 1, its length the ratio less 1
                "base": [1.0] * len(rows),
                "x": np.round(r - 1, 6).tolist(),
                "marker": {"color": colour},
                "customdata": [
                    [
                        ratio_text(mid[i]),
                        f"{fmt_number(float(has['a_mid'][i]))} against "
                        f"{fmt_number(float(has['b_mid'][i]))}",
                    ]
                    for i in rows
                ],
                "hovertemplate": "%{y}: %{customdata[0]} (%{customdata[1]})<extra></extra>",
            }
        )
        if (hi > lo).any():  # whiskers where a count is a range or sources differ
            traces[-1]["error_x"] = {
                "type": "data",
                "symmetric": False,
                "array": np.round(hi - r, 6).tolist(),
                "arrayminus": np.round(r - lo, 6).tolist(),
                "color": "#333333",
                "thickness": 1.5,
                "width": 4,
            }
        # the value label past the bar's end or its whisker's, on the side the bar runs to
        for i, v, v_lo, v_hi in zip(rows, r, lo, hi, strict=True):
            outer = max(v, v_hi) if v >= 1 else min(v, v_lo)
            left = v < 1
            notes.append(
                {
                    "x": math.log10(outer) if outer > 0 else 0,
                    "y": labels[i],
                    "xref": "x",
                    "yref": "y",
                    "xanchor": "right" if left else "left",
                    "xshift": -4 if left else 4,
                    "text": ratio_text(v),
                    "showarrow": False,
                    "font": {"size": 12, "color": "#1a1a1a"},
                    "bgcolor": "rgba(255,255,255,0.85)",
                }
            )
    # From 1:1 out to the furthest ratio, whisker or rule on each side (at least 1:2 to the
    # left and 3:1 to the right), with room for the value labels.
    ends = [math.log10(v) for v in (*low, *high, *rules.values()) if v > 0 and math.isfinite(v)]
    left = max([-e for e in ends] + [math.log10(2)]) + LABEL_ROOM
    right = max([*ends, math.log10(3)]) + LABEL_ROOM
    shapes, rule_notes = _rule_marks(
        rules, None, lambda r: (math.log10(r) + left) / (left + right), log=True
    )
    notes = rule_notes + notes
    none = [
        (c, a_mid, b_mid)
        for c, a_mid, b_mid, d in zip(
            cols["category"], cols["a_mid"], cols["b_mid"], drawn, strict=True
        )
        if not d
    ]
    for cat, a_mid, b_mid in none:
        a_none, b_none = float(a_mid) == 0, float(b_mid) == 0
        who = "Neither has any" if a_none and b_none else f"{name_b if b_none else name_a} has none"
        notes.append(
            {
                "x": 0,  # log10 of 1:1 (annotations on a log axis take the log)
                "y": category_name(cat, words),
                "xref": "x",
                "yref": "y",
                "xanchor": "right" if a_none and not b_none else "left",
                "xshift": -4 if a_none and not b_none else 4,
                "text": who,
                "showarrow": False,
                "font": {"color": "#444444"},
                "bgcolor": "rgba(255,255,255,0.85)",  # readable across a rule's line
            }
        )
    ticks, tick_text = _ratio_ticks(max(left, right))
    order_all = [labels[i] for i in order] + [category_name(c, words) for c, _, _ in none]
    return {
        "data": traces,
        "layout": base_layout(
            height=RATIO_ROW * (len(order_all) + 1) + 150,
            shapes=shapes,
            annotations=notes,
            showlegend=True,
            # above the plot, from its left edge
            legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0, "xanchor": "left"},
            barmode="overlay",
            margin={"l": 10, "r": 20, "t": 10, "b": 50},
            xaxis={
                "title": {
                    "text": "Ratio of counts, log scale<br>"
                    + _wrap_title(f"({name_a} : {name_b})", AXIS_WRAP)
                },
                "type": "log",
                "range": [-left, right],
                "tickmode": "array",
                "tickvals": ticks,
                "ticktext": tick_text,
                "zeroline": False,
            },
            yaxis={
                "categoryorder": "array",
                "categoryarray": order_all[::-1],
                "tickmode": "array",
                "tickvals": order_all,
                "ticktext": [wrapped(label) for label in order_all],
                # one empty row above the bars holds the rules' labels
                "range": [-0.5, len(order_all) - 0.5 + RULE_ROOM],
                "showgrid": False,
                "title": {"text": ""},
            },
        ),
    }


def equipment_ratio_caption(data: pd.DataFrame, p: Mapping[str, Any]) -> str:
    cols = columns(data)
    words = category_words(load_catalog())

    def said(cats) -> str:
        return ", ".join(in_sentence(category_name(c, words)) for c in cats) or "none"

    name_a, name_b = country_name(p["a"]), country_name(p["b"])
    met3 = cols["category"][cols["verdict_general"] == "met"].tolist()
    met6 = cols["category"][cols["verdict_mountain"] == "met"].tolist()
    year = int(cols["year"][0]) if len(cols["year"]) else p["year"]
    when = f"{year}" if year == p["year"] else f"{year} (the nearest year with counts for both)"
    text = (
        f"Equipment of {name_a} against {name_b}, {when}, by category, largest ratio first: "
        f"bars to the right where {name_a} holds more, to the left where {name_b} does. "
        f"At or above 3:1: {said(met3)}; at or above 6:1: {said(met6)}."
    )
    mids = _ratios(cols["ratio_mid"])
    shown = [i for i in range(len(mids)) if cols["status"][i] == "ok" and mids[i] > 0]
    if shown:
        top = max(shown, key=lambda i: mids[i])
        text += (
            f" Ratios are {name_a}'s count to {name_b}'s: "
            f"{in_sentence(category_name(cols['category'][top], words))} "
            f"{ratio_text(mids[top])}."
        )
    return text


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
