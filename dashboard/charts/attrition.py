"""Attrition in the 2020 war: the events and the dated figures on one timeline, the first-day
shares destroyed, and the counts of people and equipment lost, both sides on one row.

Every figure keeps the form its source states it in: a range stays a range, "up to 30" stays a
bound and is drawn and named as one; nothing is summed across figures (some overlap, e.g. the
Su-25 totals). What a reader sees is in words: countries by name, what was counted and how from
the mappings below (a `subjects` or `measures` mapping in attrition.meta.yaml has the last word),
events by their short labels (`short_labels` in events.meta.yaml), sources by their labels.
"""

from __future__ import annotations

import contextlib
import functools
import html
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from dashboard.charts import Chart, derived, register
from dashboard.charts.common import (
    capitalised,
    columns,
    compact,
    country_name,
    pick,
    source_choice_labels,
    take_rows,
)
from dashboard.params import Param
from dashboard.style import base_layout, country_colour, fmt_number
from indicators.attrition import attrition_timeline, opening_shares
from indicators.common import IndicatorError
from validation.vocabulary import WAR_END, WAR_START

SIDE_WORDS = {"all": "Both sides", "AZE": "Azerbaijan", "ARM": "Armenia"}
SOURCE_CHOICE_WORDS = {
    "all": "All sources",
    "essay": "The essay only",
    "other": "Other sources (official tolls, Oryx)",
}
SIDE = Param(
    "side",
    "Side",
    "choice",
    "all",
    ("all", "AZE", "ARM"),
    words=lambda v: SIDE_WORDS.get(v, str(v)),
)
SOURCE = Param(
    "source",
    "Source",
    "choice",
    "all",
    ("all", "essay", "other"),
    words=lambda v: SOURCE_CHOICE_WORDS.get(v, str(v)),
)
PARAMS = (SIDE, SOURCE)
ESSAY_SOURCE = "rv-essay"
SOURCE_WORDS = {
    "all": "all sources",
    "essay": "the essay only",
    "other": "sources other than the essay",
}

# Units the losses chart counts; shares, sorties and targets struck are not losses.
LOSS_UNITS = ("persons", "items")
PANEL_WORDS = {"persons": "People", "items": "Equipment"}
QUALIFIER_WORDS = {
    "up_to": "up to",
    "more_than": "more than",
    "at_least": "at least",
    "approx": "about",
    "exact": "as stated",
    "range": "a range",
}
# A bound stated alone: which end of the interval it is, and how the legend names it.
BOUNDS = {"up_to": "upper", "more_than": "lower", "at_least": "lower"}
BOUND_WORDS = {"upper": "up to (upper bound)", "lower": "more than (lower bound)"}
BOUND_SYMBOLS = {"upper": "triangle-left-open", "lower": "triangle-right-open"}
SIDE_SYMBOLS = {"AZE": "circle", "ARM": "square"}
UNIT_SINGULAR = {"persons": "person", "items": "item", "targets": "target", "sorties": "sortie"}
SUBJECT_NAMES = {
    "afv": "armoured fighting vehicles",
    "air_defence_systems": "air defence systems",
    "an2_aircraft": "An-2 aircraft",
    "artillery": "artillery",
    "bayraktar_drones": "Bayraktar drones",
    "bayraktar_targets": "targets of Bayraktar drones",
    "light_armoured_vehicles": "light armoured vehicles",
    "scud_launchers": "Scud launchers",
    "servicemen": "servicemen",
    "su25_aircraft": "Su-25 aircraft",
    "syrian_fighters": "Syrian fighters",
    "tanks": "tanks",
    "targets": "targets",
    "tor_m2km_launch_vehicles": "Tor-M2KM launch vehicles",
    "trucks_vehicles_jeeps": "trucks, vehicles and jeeps",
}
MEASURE_NAMES = {
    "confirmed_losses": "confirmed lost",
    "destroyed": "destroyed",
    "destroyed_share": "destroyed",
    "deserted": "deserted",
    "encircled": "encircled",
    "killed": "killed",
    "losses": "losses",
    "lost": "lost",
    "missing": "missing",
    "present": "present",
    "shot_down": "shot down",
    "sorties": "sorties flown",
    "struck": "struck",
    "wounded": "wounded",
}
EVENT_COLOUR = "#444444"
LINK_COLOUR = "#9e9e9e"
NBSP = "\u00a0"  # keeps "30 %" on one line of a caption
LABEL_FONT = {"size": 12, "color": "#1a1a1a"}
ROW_PX = 34  # a row: its label above, its mark below
# The war's days with a little room either side, so first- and last-day marks are not clipped.
X_RANGE = [
    (WAR_START - pd.Timedelta(days=2)).strftime("%Y-%m-%d"),
    (WAR_END + pd.Timedelta(days=2)).strftime("%Y-%m-%d"),
]
WHOLE_WAR = (WAR_START, WAR_END)
LEGEND_ABOVE = {"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0, "xanchor": "left"}


def _esc(text: str) -> str:
    """Text for a hover label: '<' and '&' escaped (plotly reads hovers as HTML)."""
    return html.escape(text, quote=False)


def _words(code: str, names: Mapping[str, str]) -> str:
    return names.get(code, str(code).replace("_", " "))


def _meta(catalog, table: str, key: str) -> dict[str, str]:
    meta = getattr(catalog, "meta", {})  # hand-made catalogs in tests are plain dicts
    stated = meta.get(table, {}).get(key) or {}
    return {str(k): str(v) for k, v in stated.items()}


def subject_words(catalog) -> dict[str, str]:
    return {**SUBJECT_NAMES, **_meta(catalog, "attrition", "subjects")}


def measure_words(catalog) -> dict[str, str]:
    return {**MEASURE_NAMES, **_meta(catalog, "attrition", "measures")}


def figure_label(
    subject: str,
    measure: str,
    subjects: Mapping[str, str] = SUBJECT_NAMES,
    measures: Mapping[str, str] = MEASURE_NAMES,
) -> str:
    """'Artillery: destroyed', what one figure counts, in words."""
    return f"{capitalised(_words(subject, subjects))}: {_words(measure, measures)}"


def side_name(side: object) -> str:
    """'Armenia' for ARM: the country's name (the countries table's, else the side's words)."""
    if not isinstance(side, str):
        return ""
    name = country_name(side)
    return SIDE_WORDS.get(side, name) if name == side else name


def short_label(text: str, limit: int = 34) -> str:
    """A label cut at a word to at most `limit` characters, with '...' where it was cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 3].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "..."


def _unit_suffix(unit: str, number: float) -> str:
    """' %', ' item', ' persons': the unit after a number, singular for exactly one."""
    if unit == "percent":
        return " %"
    return " " + (UNIT_SINGULAR.get(unit, unit) if number == 1 else unit)


def value_text(value: float, low: float, high: float, qualifier: str, unit: str) -> str:
    """The figure as its source states it: 'up to 30 %', '600-700 persons', '3,825 persons
    (reports 3,825-4,025)'. `value` is the stated value (NaN for a bare range), low/high the
    interval (equal to the value when no range is stated)."""
    if qualifier in QUALIFIER_WORDS and qualifier not in ("exact", "range"):
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


@functools.lru_cache(maxsize=4096)
def _short_span(start: pd.Timestamp, end: pd.Timestamp) -> str:
    """'7 Oct', '22 Oct-5 Nov': a span short enough for a row label."""
    if start == end:
        return f"{start.day} {start:%b}"
    if start.month == end.month:
        return f"{start.day}-{end.day} {end:%b}"
    return f"{start.day} {start:%b}-{end.day} {end:%b}"


def _whole_war(start: pd.Series, end: pd.Series) -> np.ndarray:
    return ((start == WAR_START) & (end == WAR_END)).to_numpy(dtype=bool)


def _source_names(catalog) -> dict[str, str]:
    """source_id -> the source in words (dashboard.cite.source_labels)."""
    return dict(source_choice_labels(catalog))


def _cited(source: str, locator: object) -> str:
    """'Source: Rustamzade & Valiyev (essay), Operation Iron Fist' (escaped for a hover)."""
    where = f", {locator}" if isinstance(locator, str) and locator else ""
    return _esc(f"Source: {source}{where}")


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


def _labelled(rows: pd.DataFrame, catalog) -> pd.DataFrame:
    """attrition_timeline rows with what they count in words, the value as the source states
    it, the side's and the source's names."""
    subjects, measures = subject_words(catalog), measure_words(catalog)
    names = _source_names(catalog)
    return rows.assign(
        what=[
            figure_label(sub, m, subjects, measures)
            for sub, m in zip(rows["subject"], rows["measure"], strict=True)
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
        side_words=[side_name(s) for s in rows["side"]],
        source_words=[names.get(s, s) for s in rows["source_id"]],
    )


def _tables(catalog) -> tuple[pd.DataFrame, ...]:
    """The tables the charts' words come from (sources only where the catalog has them)."""
    tables = [catalog["attrition"], catalog["events"]]
    with contextlib.suppress(KeyError):
        tables.append(catalog["sources"])
    return tuple(tables)


def _all_figures(catalog) -> pd.DataFrame:
    """Every attrition figure with its words and value text (built once per table)."""
    tables = _tables(catalog)
    return derived(
        "figures", tables, lambda: _labelled(attrition_timeline(tables[0], tables[1]), catalog)
    )


def _selection(p: Mapping[str, Any]) -> str:
    side = "both sides" if p["side"] == "all" else side_name(p["side"])
    return f"{side}, {SOURCE_WORDS[p['source']]}"


def _side_order(sides: Iterable[str]) -> list[str]:
    """AZE, ARM first (the war's two sides), any other side after them."""
    present = {s for s in sides if isinstance(s, str)}
    return [s for s in ("AZE", "ARM") if s in present] + sorted(present - {"AZE", "ARM"})


def _row_labels(rows: Iterable[str], texts: Iterable[str], yref: str = "y") -> list[dict]:
    """One annotation per row, its text above the row's marks from the plot's left edge: the
    whole width is the plot's, and no label is clipped by a narrow screen's margin."""
    return [
        {
            "text": text,
            "xref": "paper",
            "x": 0,
            "xanchor": "left",
            "yref": yref,
            "y": row,
            "yanchor": "bottom",
            "yshift": 7,
            "showarrow": False,
            "font": LABEL_FONT,
            "align": "left",
        }
        for row, text in zip(rows, texts, strict=True)
    ]


def _row_axis(rows: list[str], domain: list[float] | None = None, **more: Any) -> dict:
    """A category axis of rows, first row on top, with no tick labels (each row is labelled
    above its marks) and half a row of room above the first label."""
    axis = {
        "type": "category",
        "categoryorder": "array",
        "categoryarray": rows,
        "range": [len(rows) - 0.5, -0.9],
        "showticklabels": False,
        "showgrid": False,
        "zeroline": False,
        "title": {"text": ""},
        "fixedrange": True,
        **more,
    }
    if domain is not None:
        axis["domain"] = domain
    return axis


# --- the timeline ---------------------------------------------------------------------------

TIMELINE_COLUMNS = [
    "kind",
    "item_id",
    "row",
    "date_start",
    "date_end",
    "side",
    "side_words",
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
    "source_words",
    "locator",
]


def _timeline_rows(catalog) -> pd.DataFrame:
    """Every event, then every figure that a day or a span of days dates (or that is not a
    count of losses, such as the sorties flown), as rows of the timeline (unfiltered). Counts of
    losses over the whole war are left to the losses chart."""
    figures = _all_figures(catalog)
    events = catalog["events"]
    dated = ~_whole_war(figures["date_start"], figures["date_end"])
    figures = figures[dated | ~figures["unit"].isin(LOSS_UNITS).to_numpy()]
    shorts = _meta(catalog, "events", "short_labels")
    names = _source_names(catalog)
    fig_rows = figures.assign(
        kind="figure",
        item_id=figures["figure_id"],
        row=[
            f"{what}, {text}" if isinstance(text, str) else what
            for what, text in zip(figures["what"], figures["value_text"], strict=True)
        ],
        description=figures["event_label"],
        place=figures["event_place"],
    )
    event_rows = pd.DataFrame(
        {
            "kind": "event",
            "item_id": events["event_id"],
            "row": [
                shorts.get(eid, short_label(label))
                for eid, label in zip(events["event_id"], events["label"], strict=True)
            ],
            "date_start": events["date"],
            "date_end": events["date"],
            "description": events["label"],
            "place": events["place"],
            "event_id": events["event_id"],
            "source_id": events["source_id"],
            "source_words": [names.get(s, s) for s in events["source_id"]],
            "locator": events["locator"],
        }
    )
    frames = [f for f in (event_rows, fig_rows) if not f.empty]
    out = pd.concat(frames, ignore_index=True).reindex(columns=TIMELINE_COLUMNS)
    # In time order, a day's events before its figures, shorter spans first; figures for the
    # whole war last.
    order = out.assign(
        is_figure=out["kind"] == "figure",
        is_whole=_whole_war(out["date_start"], out["date_end"]) & (out["kind"] == "figure"),
    ).sort_values(["is_whole", "date_start", "is_figure", "date_end"], kind="stable")
    return order.drop(columns=["is_figure", "is_whole"]).reset_index(drop=True)


def attrition_timeline_data(catalog, p: Mapping[str, Any]) -> pd.DataFrame:
    """One row per event (kind 'event') and per dated figure (kind 'figure') of the war. The
    side filter applies to figures only (events have no side); the source filter to both."""
    every = derived("timeline-rows", _tables(catalog), lambda: compact(_timeline_rows(catalog)))
    rows = _filtered(every, p)
    if rows.empty:
        raise IndicatorError(
            f"no events or dated figures for {_selection(p)}: the events and the figures "
            "dated within the war come from the essay; choose 'All sources' or 'The essay "
            "only' (counts for the whole war are in the chart of losses)"
        )
    return rows


# Text of the figures' hover labels and dates: pure functions of a row's values, formatted
# once (Timestamp formatting costs ~10 us a date, and the timeline has dozens of them).
@functools.lru_cache(maxsize=4096)
def _iso(ts: pd.Timestamp) -> str:
    return ts.strftime("%Y-%m-%d")


@functools.lru_cache(maxsize=4096)
def _figure_hover(
    side: str,
    row: str,
    qualifier: str,
    start: pd.Timestamp,
    end: pd.Timestamp,
    description: object,
    source: str,
    locator: str,
) -> str:
    lines = [
        f"<b>{_esc(side)}</b>: {_esc(row)}",
        f"stated as: {_words(qualifier, QUALIFIER_WORDS)}",
        _span_text(start, end)
        + (" (the whole war)" if (start, end) == (WAR_START, WAR_END) else ""),
    ]
    if isinstance(description, str):
        lines.append(f"Event: {_esc(description)}")
    lines.append(_cited(source, locator))
    return "<br>".join(lines)


HOVER_FIELDS = (
    "side_words",
    "row",
    "value_text",
    "qualifier",
    "date_start",
    "date_end",
    "description",
    "source_words",
    "locator",
)


def attrition_timeline_figure(data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    cols = columns(data)
    rows = list(cols["row"])
    # a label that two rows share would merge them: the later ones get their dates
    seen: dict[str, int] = {}
    for i, (label, start, end) in enumerate(
        zip(rows, cols["date_start"], cols["date_end"], strict=True)
    ):
        if label in seen:
            rows[i] = f"{label} ({_short_span(start, end)})"
        seen[rows[i]] = i
    cols = {**cols, "row": np.array(rows, dtype=object)}
    figures = pick(cols, cols["kind"] == "figure")
    events = pick(cols, cols["kind"] == "event")
    traces = []
    if len(events["row"]):
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": "Events",
                "x": [_iso(d) for d in events["date_start"]],
                "y": events["row"].tolist(),
                "marker": {"symbol": "diamond", "size": 10, "color": EVENT_COLOUR},
                "hovertext": [
                    f"<b>{_span_text(d, d)}</b><br>{_esc(text)}"
                    + (f"<br>{_esc(place)}" if isinstance(place, str) else "")
                    + f"<br>{_cited(sid, loc)}"
                    for d, text, place, sid, loc in zip(
                        events["date_start"],
                        events["description"],
                        events["place"],
                        events["source_words"],
                        events["locator"],
                        strict=True,
                    )
                ],
                "hoverinfo": "text",
                "cliponaxis": False,
            }
        )
    for side in _side_order(figures["side"]):
        mine = pick(figures, figures["side"] == side)
        x: list[str | None] = []
        y: list[str | None] = []
        hover: list[str | None] = []
        for values in zip(*(mine[f] for f in HOVER_FIELDS), strict=True):
            text = _figure_hover(*values[:2], *values[3:])
            row, start, end = values[1], values[4], values[5]
            x += [_iso(start), _iso(end), None]
            y += [row, row, None]
            hover += [text, text, None]
        colour = country_colour(side)
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": side_name(side),
                "x": x,
                "y": y,
                "line": {"color": colour, "width": 5},
                "marker": {"color": colour, "size": 9, "symbol": SIDE_SYMBOLS.get(side, "circle")},
                "hovertext": hover,
                "hoverinfo": "text",
                "connectgaps": False,
                "cliponaxis": False,
            }
        )
    return {
        "data": traces,
        "layout": base_layout(
            height=ROW_PX * len(rows) + 110,
            margin={"l": 12, "r": 16, "t": 40, "b": 50},
            hovermode="closest",
            xaxis={
                "title": {"text": "Date (2020)"},
                "type": "date",
                "range": X_RANGE,
                "nticks": 6,
                "tickformat": "%-d %b",
                "fixedrange": True,
            },
            yaxis=_row_axis(rows),
            legend=LEGEND_ABOVE,
            annotations=_row_labels(rows, rows),
        ),
    }


def attrition_timeline_caption(data: pd.DataFrame, p: Mapping[str, Any]) -> str:
    kind = columns(data)["kind"]
    n_fig, n_ev = int((kind == "figure").sum()), int((kind == "event").sum())
    text = (
        f"{n_ev} dated events and {n_fig} figures of the war, 27 September to 10 November 2020 "
        f"({_selection(p)}). A line runs over the days a figure covers; a single mark is one "
        "day. Counts of people and equipment lost over the whole war are in the chart of losses."
    )
    if n_ev == 0 and p["source"] == "other":
        text += " The events come from the essay, so this source filter leaves them out."
    return text


register(
    Chart(
        slug="attrition-timeline",
        title="The war day by day: events and dated figures",
        page="/attrition",
        params=PARAMS,
        data=attrition_timeline_data,
        figure=attrition_timeline_figure,
        caption=attrition_timeline_caption,
        units="dates (2020); each figure in its own unit (percent, persons, items, ...)",
    )
)


# --- first-day shares -----------------------------------------------------------------------


def _all_opening_shares(catalog) -> pd.DataFrame:
    attrition = catalog["attrition"]
    shares = opening_shares(attrition)
    stated = attrition.set_index("figure_id")["value"].reindex(shares["figure_id"]).to_numpy()
    subjects = subject_words(catalog)
    names = _source_names(catalog)
    return shares.assign(
        label=[capitalised(_words(s, subjects)) for s in shares["subject"]],
        value_text=[
            value_text(v, lo, hi, q, "percent")
            for v, lo, hi, q in zip(
                stated, shares["low"], shares["high"], shares["qualifier"], strict=True
            )
        ],
        unit="percent",
        side_words=[side_name(s) for s in shares["side"]],
        source_words=[names.get(s, s) for s in shares["source_id"]],
    )


def opening_shares_data(catalog, p: Mapping[str, Any]) -> pd.DataFrame:
    """The shares of equipment destroyed on 27 September, in percent, for the chosen filters."""
    tables = _tables(catalog)
    every = derived("opening", tables, lambda: compact(_all_opening_shares(catalog)))
    shares = _filtered(every, p)
    if shares.empty:
        cols = columns(every)
        pairs = dict.fromkeys(zip(cols["side_words"], cols["source_words"], strict=True))
        held = ", ".join(f"{side} ({source})" for side, source in pairs)
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
        for bounded in (False, True):
            rows = pick(
                cols,
                (cols["side"] == side) & (np.isin(cols["qualifier"], list(BOUNDS)) == bounded),
            )
            if not len(rows["side"]):
                continue
            low, mid, high = _interval(rows)
            colour = country_colour(side)
            name = side_name(side)
            traces.append(
                {
                    "type": "bar",
                    "name": f"{name}, {BOUND_WORDS['upper']}" if bounded else name,
                    "x": rows["label"].tolist(),
                    "y": mid.tolist(),
                    "error_y": {
                        "type": "data",
                        "symmetric": False,
                        "array": (high - mid).tolist(),
                        "arrayminus": (mid - low).tolist(),
                        "visible": bool((high > low).any()),
                    },
                    # a bound is drawn open (hatched, outlined), a stated share solid
                    "marker": (
                        {
                            "color": "#ffffff",
                            "line": {"color": colour, "width": 2},
                            "pattern": {"shape": "/", "fgcolor": colour, "solidity": 0.25},
                        }
                        if bounded
                        else {"color": colour}
                    ),
                    "text": rows["value_text"].tolist(),
                    "textposition": "outside",
                    "cliponaxis": False,
                    "hovertext": [
                        f"<b>{_esc(name)}: {_esc(label.lower())}</b>"
                        f"<br>{text} destroyed on the first day<br>{_cited(src, loc)}"
                        for label, text, src, loc in zip(
                            rows["label"],
                            rows["value_text"],
                            rows["source_words"],
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
            height=360,
            barmode="group",
            margin={"l": 12, "r": 12, "t": 40, "b": 40},
            showlegend=True,
            legend=LEGEND_ABOVE,
            xaxis={"title": {"text": ""}, "fixedrange": True},
            yaxis={
                "title": {"text": "Share destroyed (%)"},
                "range": [0, 100],
                "nticks": 6,
                "fixedrange": True,
            },
        ),
    }


def opening_shares_caption(data: pd.DataFrame, p: Mapping[str, Any]) -> str:
    cols = columns(data)
    parts = [
        f"{text.replace(' %', NBSP + '%')} of {name}'s {label.lower()}"
        for text, name, label in zip(
            cols["value_text"], cols["side_words"], cols["label"], strict=True
        )
    ]
    text = f"Shares reported destroyed on the first day, 27 September 2020: {' and '.join(parts)}."
    if np.isin(cols["qualifier"], list(BOUNDS)).any():
        text += (
            " A hatched, outlined bar reaches the bound the source states ('up to'): the share "
            "destroyed may be smaller."
        )
    return text


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
    "panel",
    "row",
    "side",
    "side_words",
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
    "event_label",
    "source_id",
    "source_words",
    "locator",
]


def _all_losses(figures: pd.DataFrame) -> pd.DataFrame:
    """The persons and items figures, one row label per thing counted (both sides on it): what
    was counted and how, with its days when a figure covers less than the whole war. People
    first, then equipment; within each, the rows with the largest count first."""
    rows = figures[figures["unit"].isin(LOSS_UNITS)]
    whole = _whole_war(rows["date_start"], rows["date_end"])
    rows = rows.assign(
        panel=rows["unit"].map(PANEL_WORDS),
        row=[
            what if w else f"{what}, {_short_span(s, e)}"
            for what, w, s, e in zip(
                rows["what"], whole, rows["date_start"], rows["date_end"], strict=True
            )
        ],
        unit_order=rows["unit"].map({u: i for i, u in enumerate(LOSS_UNITS)}),
    )
    largest = rows.groupby(["unit_order", "row"])["high"].transform("max")
    rows = rows.assign(largest=-largest).sort_values(
        ["unit_order", "largest", "row", "side"], kind="stable"
    )
    return rows[LOSSES_COLUMNS].reset_index(drop=True)


def attrition_losses_data(catalog, p: Mapping[str, Any]) -> pd.DataFrame:
    """Figures counted in persons or items, one row each, grouped by what was counted."""
    every = derived("losses", _tables(catalog), lambda: compact(_all_losses(_all_figures(catalog))))
    rows = _filtered(every, p)
    if rows.empty:
        raise IndicatorError(
            f"no counts of people or equipment lost for {_selection(p)}; choose another side "
            "or 'All sources'"
        )
    return rows


def _loss_hover(rows: Mapping[str, np.ndarray]) -> list[str]:
    return [
        f"<b>{_esc(name)}</b>: {_esc(row)}<br>{text}"
        f"<br>stated as: {_words(q, QUALIFIER_WORDS)}<br>{_span_text(start, end)}"
        + (f"<br>Event: {_esc(ev)}" if isinstance(ev, str) else "")
        + f"<br>{_cited(src, loc)}"
        for name, row, text, q, start, end, ev, src, loc in zip(
            *(
                rows[c]
                for c in (
                    "side_words",
                    "row",
                    "value_text",
                    "qualifier",
                    "date_start",
                    "date_end",
                    "event_label",
                    "source_words",
                    "locator",
                )
            ),
            strict=True,
        )
    ]


def _loss_traces(cols: Mapping[str, np.ndarray], axis: str, legend: set[str]) -> list[dict]:
    """The dots of one panel: a grey line joining the two sides on a row, then per side the
    stated values (whiskers over a stated range) and the bounds stated alone (open triangles
    pointing the way the true figure may lie)."""
    xa, ya = ("x", "y") if axis == "" else (f"x{axis}", f"y{axis}")
    traces: list[dict] = []
    link_x: list[float | None] = []
    link_y: list[str | None] = []
    for row in dict.fromkeys(cols["row"]):
        on_row = cols["row"] == row
        if len(set(cols["side"][on_row])) > 1:
            values = cols["mid"][on_row].astype(float)
            link_x += [float(values.min()), float(values.max()), None]
            link_y += [row, row, None]
    if link_x:
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": "both sides",
                "x": link_x,
                "y": link_y,
                "xaxis": xa,
                "yaxis": ya,
                "line": {"color": LINK_COLOUR, "width": 2},
                "hoverinfo": "skip",
                "showlegend": False,
            }
        )
    bound_kind = np.array([BOUNDS.get(q, "") for q in cols["qualifier"]], dtype=object)
    for side in _side_order(cols["side"]):
        colour = country_colour(side)
        name = side_name(side)
        for kind in ("", "upper", "lower"):
            rows = pick(cols, (cols["side"] == side) & (bound_kind == kind))
            if not len(rows["side"]):
                continue
            low, mid, high = _interval(rows)
            trace_name = name if kind == "" else f"{name}, {BOUND_WORDS[kind]}"
            trace = {
                "type": "scatter",
                "mode": "markers",
                "name": trace_name,
                "legendgroup": trace_name,
                "showlegend": trace_name not in legend,
                "x": (high if kind == "upper" else low if kind == "lower" else mid).tolist(),
                "y": rows["row"].tolist(),
                "xaxis": xa,
                "yaxis": ya,
                "marker": {
                    "color": colour,
                    "size": 11 if kind else 10,
                    "symbol": BOUND_SYMBOLS[kind] if kind else SIDE_SYMBOLS.get(side, "circle"),
                    "line": {"color": colour, "width": 2 if kind else 0},
                },
                "hovertext": _loss_hover(rows),
                "hoverinfo": "text",
                "cliponaxis": False,
            }
            if kind == "" and (high > low).any():
                trace["error_x"] = {
                    "type": "data",
                    "symmetric": False,
                    "array": (high - mid).tolist(),
                    "arrayminus": (mid - low).tolist(),
                    "color": colour,
                    "thickness": 2,
                    "width": 5,
                }
            legend.add(trace_name)
            traces.append(trace)
    return traces


def _log_range(values: np.ndarray) -> list[float]:
    """A log axis' range (in powers of ten) from a little under the smallest value to a
    little over the largest, so that no dot or triangle sits on the plot's edge."""
    positive = values[values > 0]
    if not len(positive):
        return [0, 1]
    lo, hi = np.log10(positive.min()), np.log10(positive.max())
    return [float(np.floor(lo * 10) / 10 - 0.25), float(np.ceil(hi * 10) / 10 + 0.25)]


def attrition_losses_figure(data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    cols = columns(data)
    panels = [u for u in LOSS_UNITS if (cols["unit"] == u).any()]
    rows_of = {u: list(dict.fromkeys(cols["row"][cols["unit"] == u])) for u in panels}
    gap_rows = 2.6  # room for the lower panel's title and the upper one's tick labels
    total = sum(len(r) for r in rows_of.values()) + gap_rows * (len(panels) - 1)
    traces: list[dict] = []
    annotations: list[dict] = []
    legend: set[str] = set()
    layout: dict[str, Any] = {}
    top = 1.0
    for i, unit in enumerate(panels):
        axis = "" if i == 0 else str(i + 1)
        rows = rows_of[unit]
        bottom = max(0.0, top - len(rows) / total)
        panel = pick(cols, cols["unit"] == unit)
        traces += _loss_traces(panel, axis, legend)
        low, _, high = _interval(panel)
        what = "people" if unit == "persons" else "items"
        layout[f"xaxis{axis}"] = {
            "type": "log",
            "anchor": f"y{axis}",
            "range": _log_range(np.concatenate([low, high])),
            "title": {"text": f"{PANEL_WORDS[unit]}: number of {what} (log scale)"},
            "dtick": 1,  # powers of ten only: few ticks, none crowded at a phone's width
            "fixedrange": True,
            "automargin": True,
            "gridcolor": "#e5e5e5",
            "linecolor": "#bdbdbd",
        }
        layout[f"yaxis{axis}"] = _row_axis(
            rows, [bottom, top], anchor=f"x{axis}", automargin=True, linecolor="#bdbdbd"
        )
        annotations += _row_labels(rows, rows, yref=f"y{axis}")
        top = bottom - gap_rows / total
    height = int(ROW_PX * total + 60 * len(panels) + 60)
    return {
        "data": traces,
        "layout": base_layout(
            height=height,
            margin={"l": 12, "r": 16, "t": 40, "b": 50},
            hovermode="closest",
            legend=LEGEND_ABOVE,
            annotations=annotations,
            **layout,
        ),
    }


def attrition_losses_caption(data: pd.DataFrame, p: Mapping[str, Any]) -> str:
    cols = columns(data)
    per_side = ", ".join(
        f"{side_name(side)} {int((cols['side'] == side).sum())}"
        for side in _side_order(cols["side"])
    )
    low, _, high = _interval(cols)
    bounded = np.isin(cols["qualifier"], list(BOUNDS))
    ranged = int(((high > low) & ~bounded).sum())
    text = (
        f"{len(data)} counts of people and equipment lost, deserted or encircled ({per_side}; "
        f"{_selection(p)}), people and equipment on separate scales. Each row is one thing "
        "counted, with a dot for each side that has a figure for it; a grey line joins the "
        f"two sides. Figures with a range, drawn as whiskers: {ranged}."
    )
    if bounded.any():
        text += (
            f" Figures stated only as a bound ('up to', 'more than'): {int(bounded.sum())}, "
            "drawn as open triangles pointing the way the true count may lie."
        )
    return text + " The scales are logarithmic, and some figures overlap, so they do not add up."


register(
    Chart(
        slug="attrition-losses",
        title="Losses of people and equipment, side by side",
        page="/attrition",
        params=PARAMS,
        data=attrition_losses_data,
        figure=attrition_losses_figure,
        caption=attrition_losses_caption,
        units="persons or items (log scales)",
    )
)
