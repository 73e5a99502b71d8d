"""/world: a map of any country-year indicator the catalogue holds, for a year chosen on a
slider, and the ranked table of that indicator and year. Clicking a country (on the map or in
the table) offers to compare it with another on /compare.

The map's outlines are a static asset (dashboard.geo) that plotly.js reads once per page
load; the callback answers only codes, colours and text. The table is drawn by the browser
(assets/world_table.js) from its rows as compact data (table_model), which the page callback
sends (its first call, as the page appears, then after each change), as plain elements inside
the page's <table>:
as Dash components, its ~1,200 cells and links were most of the answer, and slowed every
later change of the page (Dash's renderer visits each component on every update)."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import dash
import numpy as np
from dash import ClientsideFunction, Input, Output, State, dcc, html

from dashboard.charts import Rendered, render
from dashboard.charts.common import country_label, country_name
from dashboard.charts.world import (
    EN_DASH,
    INDICATOR,
    MAP_YEAR,
    NOT_PLACED,
    SCALE,
    country_texts,
)
from dashboard.components import (
    chart_block,
    control,
    control_id,
    is_first_call,
    message_items,
    messages,
    page_params,
    query_of,
    remembers_states,
    settled_from_controls,
    with_exports,
)
from dashboard.pages.compare import el
from dashboard.params import to_query
from indicators.common import column_arrays
from validation import load_catalog

PATH, NAME, ORDER, NAV = "/world", "World", 8, True
PAGE = "world"
PARAMS = (INDICATOR, MAP_YEAR, SCALE)
SLUG = "world-map"
CHARTS = (SLUG,)
TABLE_ID = "world-table"
# The table's rows as data (table_model), which the browser draws as the table. Not named
# "world-...": the page's callback is the one whose inputs all are (the benchmarks and the
# fuzz tests find it so), and this store is the input of the browser's.
TABLE_DATA_ID = "rows-of-world-table"
# What the browser's drawing of the table answers (the number of rows drawn): only that it ran.
TABLE_DRAWN_ID = "rows-of-world-table-drawn"
SELECTION_ID = "world-selection"
YEAR_ID = control_id(PAGE, "year")
# Year labels on the slider: about this many, at round years, and the first and last.
YEAR_LABELS = 6
TITLE = "The world on one indicator"
LEAD = (
    "Any country-year indicator the catalogue holds, on a map for one year: personnel by "
    "measure (and per 1,000 inhabitants where the population is known), military spending in "
    "US dollars and as a share of GDP, COW's Composite Index of National Capability, and the "
    "Global Firepower and Global Militarisation ranks and scores. Grey countries have no "
    "figure for that year; countries too small for the outlines are dots. Where sources "
    "differ, the colour is the middle of their span and the hover and table give every "
    "source. Click a country, on the map or in the table, to compare it with another."
)
PROMPT = "Click a country on the map, or a name in the table, to compare it with another."
# A range's en dash in the table, held to its figures by word joiners (U+2060): a narrow
# column breaks a cell at its spaces, never inside '2,333,000-2,695,000'.
JOINED_DASH = "\u2060" + EN_DASH + "\u2060"


def kept_together(texts: Sequence[str]) -> list[str]:
    """The texts with each range's en dash held to its figures (JOINED_DASH)."""
    return [t.replace(EN_DASH, JOINED_DASH) if EN_DASH in t else t for t in texts]


@functools.lru_cache(maxsize=512)
def compare_href(iso3: str) -> str:
    """/compare with this country as A (assets/world_table.js writes the table's links alike)."""
    return "/compare?" + urlencode({"a": iso3})


@functools.lru_cache(maxsize=64)
def year_marks(years: tuple[int, ...]) -> dict[int, str]:
    """Slider marks: every year with figures is a stop; a few round years are labelled, and
    the first and last."""
    if not years:
        return {}
    lo, hi = min(years), max(years)
    step = next((s for s in (1, 2, 5, 10, 20, 25, 50, 100) if (hi - lo) / s <= YEAR_LABELS), 200)
    labelled = {lo, hi} | {y for y in years if y % step == 0 and lo + step / 2 < y < hi - step / 2}
    return {y: str(y) if y in labelled else "" for y in sorted(years)}


def year_slider(value: int, years: Sequence[int]) -> html.Div:
    """The year control: a slider over the years with figures, each marked (keyboard: the
    arrow keys move to the next year with figures; see snap_year)."""
    marks = year_marks(tuple(years))
    return html.Div(
        [
            html.Label(MAP_YEAR.label, htmlFor=YEAR_ID),
            dcc.Slider(
                id=YEAR_ID,
                min=min(marks) if marks else value,
                max=max(marks) if marks else value,
                step=1,
                marks=marks,
                value=value,
                included=False,
                updatemode="mouseup",
            ),
        ],
        className="control control-wide",
    )


def _slider_props(values: Mapping[str, Any]) -> list[Any]:
    years = MAP_YEAR.offered(load_catalog(), values)
    marks = year_marks(tuple(years))
    value = values["year"]
    return [min(marks, default=value), max(marks, default=value), marks, value]


def table_model(rendered: Rendered) -> dict[str, Any]:
    """The ranked table of a drawn map as compact data: its caption, the value column's
    heading, and a row per country in ranked order, [rank, code, name, value (with the range
    across sources), each source's figure ('[1] 2,695,000; [2] 2,333,000'), 1 if the map
    cannot place it]: the sources are numbered where they first appear and listed once, in
    the caption. assets/world_table.js draws it in the browser."""
    if rendered.error is not None:
        return {"caption": f"No figures: {rendered.error}", "head": "", "rows": []}
    data = rendered.data
    cols = column_arrays(data)  # numpy: iterating pandas columns costs ~10x as much
    texts = country_texts(data)  # as the map's hover says them
    value = np.where(texts.spans != "", texts.values + " (" + texts.spans + ")", texts.values)
    rows = [
        list(row)
        for row in zip(
            cols["position"].tolist(),
            cols["country"].tolist(),
            texts.names.tolist(),
            kept_together(value.tolist()),
            kept_together(texts.keyed.tolist()),
            (cols["drawn_as"] == NOT_PLACED).astype(int).tolist(),
            strict=True,
        )
    ]
    listed = "; ".join(f"[{n}] {label}" for n, label in enumerate(texts.sources, 1))
    return {
        "caption": (
            f"{cols['indicator'][0]}, {rendered.params['year']}: {len(rows)} countries ranked "
            "(1 = first on the indicator). A country's name opens /compare with it as country "
            f"A. Sources: {listed}."
        ),
        "head": f"Value ({cols['unit'][0]}; range across sources)",
        "rows": rows,
    }


@functools.lru_cache(maxsize=256)
def table_for(indicator: str, year: int, scale: str = "auto") -> dict[str, Any]:
    """table_model of the map drawn with these values (the table does not depend on the scale,
    but the map drawn with it is at hand). Treat as read-only."""
    return table_model(render(SLUG, {"indicator": indicator, "year": year, "scale": scale}))


def layout(**query: str) -> html.Div:
    values, problems = page_params(PARAMS, query)
    years = MAP_YEAR.offered(load_catalog(), values)
    return html.Div(
        [
            html.H1(TITLE),
            html.P(LEAD, className="lead"),
            messages(PAGE, problems),
            html.Div(
                [
                    control(PAGE, INDICATOR, values["indicator"], values),
                    control(PAGE, SCALE, values["scale"], values),
                    year_slider(values["year"], years),
                ],
                className="controls",
            ),
            chart_block(SLUG, values),
            html.P(PROMPT, id=SELECTION_ID, className="selection", role="status"),
            html.Div(
                # its rows drawn by the browser (assets/world_table.js) from TABLE_DATA_ID
                html.Table(id=TABLE_ID, className="data-table world-table"),
                # scrolls sideways in its own box on a narrow screen (assets/world.css)
                className="table-scroll world-table-scroll",
            ),
            dcc.Store(id=TABLE_DATA_ID),
            dcc.Store(id=TABLE_DRAWN_ID),
        ]
    )


OUTPUTS = [
    Output("url", "search", allow_duplicate=True),
    Output(f"{PAGE}-messages", "children"),
    *[Output(YEAR_ID, prop) for prop in ("min", "max", "marks", "value")],
    Output(f"chart-{SLUG}", "figure"),
    Output(f"caption-{SLUG}", "children"),
    Output(f"sources-{SLUG}", "children"),
    Output(TABLE_DATA_ID, "data"),
]


def snap_year(raw: Any, indicator: Any, search: str | None) -> Any:
    """The slider's value moved to a year with figures, in the direction it moved from the
    year in the URL (the slider steps a year at a time; the indicator may skip years): from
    2020 down to 2019 goes on to 2018 when 2019 has none. Other values are left to settle."""
    try:
        year = round(float(raw))
    except (TypeError, ValueError):
        return raw
    catalog = load_catalog()
    if indicator not in INDICATOR.allowed(catalog):
        return year
    years = MAP_YEAR.offered(catalog, {"indicator": indicator})
    if not years or year in years:
        return year
    before = query_of(search).get("year", "")
    down = before.isdigit() and year < int(before)
    lower = [y for y in years if y < year]
    higher = [y for y in years if y > year]
    if down and lower:
        return max(lower)
    if higher and not down:
        return min(higher)
    return max(lower) if lower else min(higher)


@dash.callback(
    *OUTPUTS,
    *[Input(control_id(PAGE, p.name), "value") for p in PARAMS],
    State("url", "search"),
    prevent_initial_call=True,
)
@remembers_states(len(PARAMS))
def update_map(indicator: Any, year: Any, scale: Any, search: str | None = None) -> list[Any]:
    """Controls -> the map, its caption, sources and links, the slider's years, the table
    (as table_model: the browser draws it) and the URL's query. Thin: it settles the values
    and asks the registry. Its first call, as the page appears, answers the table alone (the
    page comes without it) and tidies the URL."""
    raw = (indicator, snap_year(year, indicator, search), scale)
    values, problems = settled_from_controls(PARAMS, raw)
    query = to_query(PARAMS, values)
    if is_first_call(len(PARAMS)):
        table = table_for(values["indicator"], values["year"], values["scale"])
        return [query, *([dash.no_update] * (len(OUTPUTS) - 2)), table]
    rendered = render(SLUG, values)
    return [
        query,
        message_items(problems),
        *_slider_props(values),
        with_exports(rendered.figure, SLUG, values),
        rendered.caption,
        rendered.source_line,
        table_for(values["indicator"], values["year"], values["scale"]),
    ]


# The table's rows (update_map's table_model, from its first call on) -> the table, drawn in
# the browser.
dash.clientside_callback(
    ClientsideFunction(namespace="milbal_world", function_name="table"),
    Output(TABLE_DRAWN_ID, "data"),
    Input(TABLE_DATA_ID, "data"),
    prevent_initial_call=True,
)


def selection_text(iso3: str | None) -> list[Any] | str:
    """What the selection line says about a clicked country, as plain dicts."""
    if not iso3 or iso3 not in set(load_catalog()["countries"]["iso3"]):
        return PROMPT
    return [
        el("Strong", country_label(iso3)),
        ": ",
        el(
            "A",
            f"compare {country_name(iso3)} with another country",
            href=compare_href(iso3),
            id="world-compare-link",
        ),
    ]


@dash.callback(
    Output(SELECTION_ID, "children"),
    Input(f"chart-{SLUG}", "clickData"),
    prevent_initial_call=True,
)
def select_country(click: Mapping[str, Any] | None) -> list[Any] | str:
    """A click on the map -> 'compare with...' for that country."""
    points = (click or {}).get("points") or [{}]
    point = points[0]
    return selection_text(point.get("location") or point.get("customdata"))
