"""Attrition in the 2020 war: the dated figures and events on one timeline, the first-day shares
destroyed, and the counts of people and equipment lost with their ranges.

Every figure keeps the form its source states it in: a range stays a range, "up to 30" stays a
bound and is labelled so; nothing is summed across figures (some overlap, e.g. Su-25 totals).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from dashboard.charts import Chart, derived, register
from dashboard.charts.common import columns, compact, country_name, pick, take_rows
from dashboard.params import Param
from dashboard.style import base_layout, country_colour, fmt_number
from indicators.attrition import attrition_timeline, opening_shares
from indicators.common import IndicatorError
from validation.schemas import WAR_END, WAR_START

SIDE = Param("side", "Side", "choice", "all", ("all", "AZE", "ARM"))
SOURCE = Param("source", "Source", "choice", "all", ("all", "essay", "other"))
PARAMS = (SIDE, SOURCE)
ESSAY_SOURCE = "rv-essay"
SOURCE_WORDS = {
    "all": "all sources",
    "essay": "the essay only",
    "other": "sources other than the essay",
}

# Units the losses chart counts; shares, sorties and targets struck are not losses.
LOSS_UNITS = ("persons", "items")
QUALIFIER_WORDS = {
    "up_to": "up to",
    "more_than": "more than",
    "at_least": "at least",
    "approx": "about",
}
UNIT_SINGULAR = {"persons": "person", "items": "item", "targets": "target", "sorties": "sortie"}
SUBJECT_NAMES = {
    "afv": "armoured fighting vehicles",
    "air_defence_systems": "air defence systems",
    "an2_aircraft": "An-2 aircraft",
    "bayraktar_drones": "Bayraktar drones",
    "bayraktar_targets": "Bayraktar targets",
    "scud_launchers": "Scud launchers",
    "su25_aircraft": "Su-25 aircraft",
    "syrian_fighters": "Syrian fighters",
    "tor_m2km_launch_vehicles": "Tor-M2KM launch vehicles",
    "trucks_vehicles_jeeps": "trucks, vehicles and jeeps",
}
MEASURE_NAMES = {"destroyed_share": "share destroyed", "confirmed_losses": "confirmed losses"}
EVENT_COLOUR = "#444444"
# The war's days with a little room either side, so first- and last-day marks are not clipped.
X_RANGE = [
    (WAR_START - pd.Timedelta(days=2)).strftime("%Y-%m-%d"),
    (WAR_END + pd.Timedelta(days=2)).strftime("%Y-%m-%d"),
]


def _words(code: str, names: Mapping[str, str]) -> str:
    return names.get(code, code.replace("_", " "))


def figure_label(side: str, subject: str, measure: str) -> str:
    """'ARM artillery: share destroyed', the row label of one figure."""
    return f"{side} {_words(subject, SUBJECT_NAMES)}: {_words(measure, MEASURE_NAMES)}"


def _unit_suffix(unit: str, number: float) -> str:
    """' %', ' item', ' persons': the unit after a number, singular for exactly one."""
    if unit == "percent":
        return " %"
    return " " + (UNIT_SINGULAR.get(unit, unit) if number == 1 else unit)


def value_text(value: float, low: float, high: float, qualifier: str, unit: str) -> str:
    """The figure as its source states it: 'up to 30 %', '600-700 persons', '3,825 persons
    (reports 3,825-4,025)'. `value` is the stated value (NaN for a bare range), low/high the
    interval (equal to the value when no range is stated)."""
    if qualifier in QUALIFIER_WORDS:
        bound = high if qualifier == "up_to" else low if value != value else value
        return f"{QUALIFIER_WORDS[qualifier]} {fmt_number(bound)}{_unit_suffix(unit, bound)}"
    if value != value:
        return f"{fmt_number(low)}-{fmt_number(high)}{_unit_suffix(unit, high)}"
    text = f"{fmt_number(value)}{_unit_suffix(unit, value)}"
    if low != high:
        text += f" (reports {fmt_number(low)}-{fmt_number(high)})"
    return text


@functools.lru_cache(maxsize=4096)
def _span_text(start: pd.Timestamp, end: pd.Timestamp) -> str:
    if start == end:
        return f"{start.day} {start:%b %Y}"
    return f"{start.day} {start:%b} - {end.day} {end:%b %Y}"


def _filtered(frame: pd.DataFrame, p: Mapping[str, Any]) -> pd.DataFrame:
    """Rows of the chosen side ('all': every side; rows without a side, such as events, always
    stay) and source ('essay': the essay only, 'other': every other source), numbered from 0.
    `frame` is one of the derived tables below (compact, its arrays memoised)."""
    cols = columns(frame)
    keep = np.ones(len(frame), dtype=bool)
    if p["side"] != "all":
        side = cols["side"]
        keep &= (side == p["side"]) | pd.isna(side)
    if p["source"] != "all":
        keep &= (cols["source_id"] == ESSAY_SOURCE) == (p["source"] == "essay")
    return take_rows(frame, keep)


def _labelled(rows: pd.DataFrame) -> pd.DataFrame:
    """attrition_timeline rows with the row label and the value as the source states it."""
    return rows.assign(
        label=[
            figure_label(s, sub, m)
            for s, sub, m in zip(rows["side"], rows["subject"], rows["measure"], strict=True)
        ],
        value_text=[
            value_text(v, lo, hi, q, u)
            for v, lo, hi, q, u in zip(
                rows["value"],
                rows["low"],
                rows["high"],
                rows["qualifier"],
                rows["unit"],
                strict=True,
            )
        ],
    )


def _all_figures(attrition: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Every attrition figure with its label and value text (built once per table)."""
    return derived(
        "figures", (attrition, events), lambda: _labelled(attrition_timeline(attrition, events))
    )


def _selection(p: Mapping[str, Any]) -> str:
    side = "both sides" if p["side"] == "all" else country_name(p["side"])
    return f"{side}, {SOURCE_WORDS[p['source']]}"


def _side_order(sides: Iterable[str]) -> list[str]:
    """AZE, ARM first (the war's two sides), any other side after them."""
    present = set(sides)
    return [s for s in ("AZE", "ARM") if s in present] + sorted(present - {"AZE", "ARM"})


# --- the timeline ---------------------------------------------------------------------------

TIMELINE_COLUMNS = [
    "kind",
    "item_id",
    "row",
    "date_start",
    "date_end",
    "side",
    "subject",
    "measure",
    "value",
    "low",
    "mid",
    "high",
    "qualifier",
    "unit",
    "value_text",
    "description",
    "place",
    "event_id",
    "source_id",
    "locator",
]


def _timeline_rows(attrition: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Every event, then every figure, as rows of the timeline (unfiltered)."""
    figures = _all_figures(attrition, events)
    fig_rows = figures.assign(
        kind="figure",
        item_id=figures["figure_id"],
        row=figures["label"],
        description=figures["event_label"],
        place=figures["event_place"],
    )
    event_rows = pd.DataFrame(
        {
            "kind": "event",
            "item_id": events["event_id"],
            "row": "Event: " + events["kind"],
            "date_start": events["date"],
            "date_end": events["date"],
            "description": events["label"],
            "place": events["place"],
            "event_id": events["event_id"],
            "source_id": events["source_id"],
            "locator": events["locator"],
        }
    )
    frames = [f for f in (event_rows, fig_rows) if not f.empty]
    return pd.concat(frames, ignore_index=True).reindex(columns=TIMELINE_COLUMNS)


def attrition_timeline_data(catalog, p: Mapping[str, Any]) -> pd.DataFrame:
    """One row per figure (kind 'figure') and per event (kind 'event') of the war. The side filter
    applies to figures only (events have no side); the source filter to both."""
    tables = (catalog["attrition"], catalog["events"])
    every = derived("timeline-rows", tables, lambda: compact(_timeline_rows(*tables)))
    rows = _filtered(every, p)
    if rows.empty:
        raise IndicatorError(f"no attrition figures or events for {_selection(p)}")
    return rows


# Text of the figures' hover labels and dates: pure functions of a row's values, formatted
# once (Timestamp formatting costs ~10 us a date, and the timeline has a hundred of them).
@functools.lru_cache(maxsize=4096)
def _iso(ts: pd.Timestamp) -> str:
    return ts.strftime("%Y-%m-%d")


@functools.lru_cache(maxsize=4096)
def _figure_hover(
    row: str,
    text: str,
    qualifier: str,
    unit: str,
    start: pd.Timestamp,
    end: pd.Timestamp,
    description: object,
    source_id: str,
    locator: str,
) -> str:
    lines = [
        f"<b>{row}</b>",
        text,
        f"stated as: {qualifier.replace('_', ' ')}; unit: {unit}",
        _span_text(start, end),
    ]
    if isinstance(description, str):
        lines.append(f"Event: {description}")
    lines.append(f"Source: {source_id}, {locator}")
    return "<br>".join(lines)


HOVER_FIELDS = (
    "row",
    "value_text",
    "qualifier",
    "unit",
    "date_start",
    "date_end",
    "description",
    "source_id",
    "locator",
)


def attrition_timeline_figure(data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    cols = columns(data)
    figures = pick(cols, cols["kind"] == "figure")
    events = pick(cols, cols["kind"] == "event")
    traces = []
    if len(events["row"]):
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": "events",
                "x": [_iso(d) for d in events["date_start"]],
                "y": events["row"].tolist(),
                "marker": {"symbol": "diamond", "size": 10, "color": EVENT_COLOUR},
                "hovertext": [
                    f"<b>{_span_text(d, d)}</b><br>{text}"
                    + (f"<br>{place}" if isinstance(place, str) else "")
                    for d, text, place in zip(
                        events["date_start"], events["description"], events["place"], strict=True
                    )
                ],
                "hoverinfo": "text",
            }
        )
    for side in _side_order(figures["side"]):
        rows = pick(figures, figures["side"] == side)
        x: list[str | None] = []
        y: list[str | None] = []
        hover: list[str | None] = []
        for values in zip(*(rows[f] for f in HOVER_FIELDS), strict=True):
            text = _figure_hover(*values)
            row, start, end = values[0], values[4], values[5]
            x += [_iso(start), _iso(end), None]
            y += [row, row, None]
            hover += [text, text, None]
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": side,
                "x": x,
                "y": y,
                "line": {"color": country_colour(side), "width": 6},
                "marker": {"color": country_colour(side), "size": 9},
                "hovertext": hover,
                "hoverinfo": "text",
                "connectgaps": False,
            }
        )
    rows_in_order = list(dict.fromkeys([*events["row"], *figures["row"]]))
    return {
        "data": traces,
        "layout": base_layout(
            height=max(320, 22 * len(rows_in_order) + 140),
            margin={"l": 20, "t": 20},
            hovermode="closest",
            xaxis={"title": {"text": "Date (2020)"}, "type": "date", "range": X_RANGE},
            yaxis={
                "title": {"text": ""},
                "type": "category",
                "categoryorder": "array",
                "categoryarray": rows_in_order,
                "autorange": "reversed",
            },
            legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        ),
    }


def attrition_timeline_caption(data: pd.DataFrame, p: Mapping[str, Any]) -> str:
    kind = columns(data)["kind"]
    n_fig, n_ev = int((kind == "figure").sum()), int((kind == "event").sum())
    text = (
        f"{n_fig} figures and {n_ev} dated events of the war, 27 September to 10 November 2020 "
        f"({_selection(p)}). A line runs over the days a figure covers; a single dot is one day."
    )
    if n_ev == 0 and p["source"] == "other":
        text += " The events come from the essay, so this source filter leaves them out."
    return text


register(
    Chart(
        slug="attrition-timeline",
        title="The war day by day: events and attrition figures",
        page="/attrition",
        params=PARAMS,
        data=attrition_timeline_data,
        figure=attrition_timeline_figure,
        caption=attrition_timeline_caption,
        units="dates (2020); each figure in its own unit (percent, persons, items, ...)",
    )
)


# --- first-day shares -----------------------------------------------------------------------


def _all_opening_shares(attrition: pd.DataFrame) -> pd.DataFrame:
    shares = opening_shares(attrition)
    stated = attrition.set_index("figure_id")["value"].reindex(shares["figure_id"]).to_numpy()
    return shares.assign(
        label=[_words(s, SUBJECT_NAMES).capitalize() for s in shares["subject"]],
        value_text=[
            value_text(v, lo, hi, q, "percent")
            for v, lo, hi, q in zip(
                stated, shares["low"], shares["high"], shares["qualifier"], strict=True
            )
        ],
        unit="percent",
    )


def opening_shares_data(catalog, p: Mapping[str, Any]) -> pd.DataFrame:
    """The shares of equipment destroyed on 27 September, in percent, for the chosen filters."""
    attrition = catalog["attrition"]
    every = derived("opening", (attrition,), lambda: compact(_all_opening_shares(attrition)))
    shares = _filtered(every, p)
    if shares.empty:
        cols = columns(every)
        pairs = dict.fromkeys(zip(cols["side"], cols["source_id"], strict=True))
        held = ", ".join(f"{side} (source {sid})" for side, sid in pairs)
        where = f"only for {held}" if held else "none at all"
        raise IndicatorError(
            f"no first-day share destroyed for {_selection(p)}; the data has such shares {where}"
        )
    return shares


def _interval(rows: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return tuple(rows[c].astype(float) for c in ("low", "mid", "high"))


def opening_shares_figure(data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    cols = columns(data)
    traces = []
    for side in _side_order(cols["side"]):
        rows = pick(cols, cols["side"] == side)
        low, mid, high = _interval(rows)
        traces.append(
            {
                "type": "bar",
                "name": side,
                "x": rows["label"].tolist(),
                "y": mid.tolist(),
                "error_y": {
                    "type": "data",
                    "symmetric": False,
                    "array": (high - mid).tolist(),
                    "arrayminus": (mid - low).tolist(),
                    "visible": bool((high > low).any()),
                },
                "marker": {"color": country_colour(side)},
                "text": rows["value_text"].tolist(),
                "textposition": "outside",
                "hovertext": [
                    f"<b>{side} {label.lower()}</b><br>{text} destroyed on day one"
                    f"<br>Source: {sid}, {loc}"
                    for label, text, sid, loc in zip(
                        rows["label"],
                        rows["value_text"],
                        rows["source_id"],
                        rows["locator"],
                        strict=True,
                    )
                ],
                "hoverinfo": "text",
            }
        )
    return {
        "data": traces,
        "layout": base_layout(
            height=340,
            barmode="group",
            xaxis={"title": {"text": "Equipment"}},
            yaxis={"title": {"text": "Share destroyed (%)"}, "range": [0, 100]},
        ),
    }


def opening_shares_caption(data: pd.DataFrame, p: Mapping[str, Any]) -> str:
    cols = columns(data)
    parts = [
        f"{text} of {country_name(side)}'s {label.lower()}"
        for text, side, label in zip(cols["value_text"], cols["side"], cols["label"], strict=True)
    ]
    return (
        f"Shares reported destroyed on the first day, 27 September 2020: {' and '.join(parts)}. "
        "A bar stands for the stated upper bound where the source gives only a bound."
    )


register(
    Chart(
        slug="opening-shares",
        title="Shares destroyed on the first day",
        page="/attrition",
        params=PARAMS,
        data=opening_shares_data,
        figure=opening_shares_figure,
        caption=opening_shares_caption,
        units="percent of the side's equipment of that kind",
    )
)


# --- losses ---------------------------------------------------------------------------------

LOSSES_COLUMNS = [
    "figure_id",
    "group",
    "side",
    "subject",
    "measure",
    "value",
    "low",
    "mid",
    "high",
    "qualifier",
    "unit",
    "value_text",
    "date_start",
    "date_end",
    "source_id",
    "locator",
]


def _all_losses(timeline: pd.DataFrame) -> pd.DataFrame:
    """The labelled timeline's persons and items figures, persons first, then by group name."""
    rows = timeline[timeline["unit"].isin(LOSS_UNITS)]
    rows = rows.assign(
        group=[
            f"{_words(s, SUBJECT_NAMES)}: {_words(m, MEASURE_NAMES)}"
            for s, m in zip(rows["subject"], rows["measure"], strict=True)
        ],
        unit_order=rows["unit"].map({u: i for i, u in enumerate(LOSS_UNITS)}),
    )
    rows = rows.assign(group_key=rows["group"].str.lower()).sort_values(
        ["unit_order", "group_key", "side"], kind="stable"
    )
    return rows[LOSSES_COLUMNS].reset_index(drop=True)


def attrition_losses_data(catalog, p: Mapping[str, Any]) -> pd.DataFrame:
    """Figures counted in persons or items, one row each, grouped by subject and measure."""
    tables = (catalog["attrition"], catalog["events"])
    every = derived("losses", tables, lambda: compact(_all_losses(_all_figures(*tables))))
    rows = _filtered(every, p)
    if rows.empty:
        raise IndicatorError(f"no counts of persons or items for {_selection(p)}")
    return rows


def attrition_losses_figure(data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    cols = columns(data)
    traces = []
    for side in _side_order(cols["side"]):
        rows = pick(cols, cols["side"] == side)
        low, mid, high = _interval(rows)
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": side,
                "offsetgroup": side,
                "x": rows["group"].tolist(),
                "y": mid.tolist(),
                "error_y": {
                    "type": "data",
                    "symmetric": False,
                    "array": (high - mid).tolist(),
                    "arrayminus": (mid - low).tolist(),
                    "color": country_colour(side),
                    "thickness": 2,
                    "width": 6,
                },
                "marker": {"color": country_colour(side), "size": 10, "symbol": "circle"},
                "hovertext": [
                    f"<b>{side} {group}</b><br>{text}<br>unit: {unit}"
                    f"<br>{_span_text(start, end)}<br>Source: {sid}, {loc}"
                    for group, text, unit, start, end, sid, loc in zip(
                        *(
                            rows[c]
                            for c in (
                                "group",
                                "value_text",
                                "unit",
                                "date_start",
                                "date_end",
                                "source_id",
                                "locator",
                            )
                        ),
                        strict=True,
                    )
                ],
                "hoverinfo": "text",
            }
        )
    return {
        "data": traces,
        "layout": base_layout(
            height=460,
            scattermode="group",
            xaxis={
                "title": {"text": "What was lost"},
                "type": "category",
                "categoryorder": "array",
                "categoryarray": list(dict.fromkeys(cols["group"])),
                "tickangle": -35,
            },
            yaxis={"title": {"text": "Count (persons or items, log scale)"}, "type": "log"},
            legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        ),
    }


def attrition_losses_caption(data: pd.DataFrame, p: Mapping[str, Any]) -> str:
    cols = columns(data)
    per_side = ", ".join(
        f"{side} {int((cols['side'] == side).sum())}" for side in _side_order(cols["side"])
    )
    low, _, high = _interval(cols)
    ranged = int((high > low).sum())
    return (
        f"{len(data)} counts of people and equipment lost, deserted or encircled ({per_side}; "
        f"{_selection(p)}); figures with a range, drawn as error bars: {ranged}. "
        "The scale is logarithmic, and some figures overlap, so they do not add up."
    )


register(
    Chart(
        slug="attrition-losses",
        title="Losses of people and equipment, with their ranges",
        page="/attrition",
        params=PARAMS,
        data=attrition_losses_data,
        figure=attrition_losses_figure,
        caption=attrition_losses_caption,
        units="persons or items (log scale)",
    )
)
