"""/: two countries at a glance for one year (by default Azerbaijan against Armenia, 2020):
manpower by the best measure both have and the force ratio against 3:1 and 6:1, GFP and GMI
ranks with their sources, and for the 2020 war the opening strikes. Each card links to the page
that explores it; the pickers are those of /force-ratio, and the URL carries a, b and year."""

from __future__ import annotations

import functools
from typing import Any

import dash
import pandas as pd
from dash import Input, Output, dcc, html

from dashboard.charts import derived
from dashboard.charts.common import country_name, measure_name
from dashboard.charts.force_ratio import MEASURE, STRENGTH_A, STRENGTH_B, STRENGTH_YEAR, strengths
from dashboard.components import (
    chart_answers,
    chart_block,
    chart_outputs,
    cited_source,
    control_id,
    control_outputs,
    control_state,
    control_updates,
    controls,
    is_first_call,
    message_items,
    messages,
    page_params,
    remembers_states,
    settled_from_controls,
    source_mark,
    to_plain,
)
from dashboard.params import to_query
from dashboard.style import fmt_number
from indicators.attrition import opening_shares
from indicators.common import column_arrays, interval_of, row_positions
from validation import load_catalog
from validation.vocabulary import WAR_START

PATH, NAME, ORDER, NAV = "/", "Overview", 0, True
PAGE = "overview"
PARAMS = (STRENGTH_A, STRENGTH_B, STRENGTH_YEAR)
CONTENT_ID = "overview-content"
FORCE_CHART = ("force-ratio",)
FORCE_LINK_ID = "overview-to-force"
TITLE_ID = "overview-title"
QUALIFIER_WORDS = {
    "up_to": "up to ",
    "more_than": "more than ",
    "at_least": "at least ",
    "approx": "about ",
    "exact": "",
    "range": "",
}


def reported_values(frame: pd.DataFrame, column: str, **equal: object) -> list[tuple]:
    """(source_id, low, high) per source for the rows whose columns equal `equal`, where the
    value lies in `column` ('value' rows with low/high become intervals; plain columns such as
    rank are points). Read from the table's memoised arrays, not through pandas: the overview
    asks six of these per pair."""
    arrays = column_arrays(frame)
    found = row_positions(frame, **equal)
    sources = arrays["source_id"]
    if column == "value":
        reports = (
            (sources[i], *interval_of(arrays["value"][i], arrays["low"][i], arrays["high"][i]))
            for i in found
        )
        return [(s, lo, hi) for s, lo, _, hi in reports if lo == lo]
    values = arrays[column]
    return [(sources[i], float(values[i]), float(values[i])) for i in found if pd.notna(values[i])]


def sourced(reports: list[tuple[str, float, float]], unit: str = "") -> Any:
    """The value (a range when sources or the source give one) and a source mark naming the
    first source ("GFP 2020", "+1" for each further one); the mark is amber, with a flag, when
    sources disagree, and its tip lists every report with its citation."""
    if not reports:
        return html.Span("-", className="value missing")
    lo = min(r[1] for r in reports)
    hi = max(r[2] for r in reports)
    text = fmt_number(lo) if lo == hi else f"{fmt_number(lo)}-{fmt_number(hi)}"
    disagree = len({(r[1], r[2]) for r in reports}) > 1
    lines = []
    for sid, rlo, rhi in reports:
        shown = fmt_number(rlo) if rlo == rhi else f"{fmt_number(rlo)}-{fmt_number(rhi)}"
        lines.append(f"{shown}: {cited_source(sid)[1]}")
    tip = ("Sources disagree. " if disagree else "") + "; ".join(lines)
    label = cited_source(reports[0][0])[0]
    if len(reports) > 1:
        label += f" +{len(reports) - 1}"
    mark = source_mark(f"⚑ {label}" if disagree else label, tip, conflict=disagree)
    return html.Span([html.Span(text + unit, className="value"), " ", mark])


def _card(title: str, href: str, body: list, card_id: str) -> html.Article:
    return html.Article([html.H2(dcc.Link(title, href=href)), *body], className="card", id=card_id)


def _pair(a: str, b: str, cell_a: Any, cell_b: Any) -> html.Table:
    return html.Table(
        html.Tbody(
            [
                html.Tr([html.Th(country_name(a)), html.Td(cell_a)]),
                html.Tr([html.Th(country_name(b)), html.Td(cell_b)]),
            ]
        ),
        className="pair",
    )


def _rank_reports(rankings: pd.DataFrame, index: str, edition: int, country: str):
    return reported_values(rankings, "rank", index=index, edition=edition, country=country)


def _opening_card(a: str, b: str, year: int) -> list[html.Article]:
    """The opening strikes of the 2020 war, for its two sides in its year only."""
    catalog = load_catalog()
    attrition = catalog["attrition"]
    shares = derived("opening-shares", (attrition,), lambda: opening_shares(attrition))
    sides = derived("war-sides", (attrition,), lambda: frozenset(attrition["side"]))
    if year != WAR_START.year or {a, b} != sides:
        return []
    items = [
        html.Li(
            [
                html.Strong(f"{QUALIFIER_WORDS.get(s.qualifier, '')}{s.high:g} %"),
                f" of {country_name(s.side)}'s {s.subject.replace('_', ' ')} destroyed on "
                "27 September",
                " ",
                source_mark(*cited_source(s.source_id)),
            ]
        )
        for s in shares.itertuples()
    ]
    return [_card("The opening strikes", "/attrition", [html.Ul(items)], "overview-opening")]


def title(a: str, b: str, year: int) -> str:
    return f"{country_name(a)} and {country_name(b)}, {year}"


def content(a: str, b: str, year: int) -> list:
    """The cards for one pair and year, as plain component dicts (kept per selection; treat as
    read-only). The force ratio below them is a chart block of its own, updated in place."""
    return _content(a, b, year)


def best_measure(a: str, b: str, year: int) -> str | None:
    """The personnel measure the pair is compared by: the best both have that year."""
    found = strengths(load_catalog()).measures(a, b, year)
    return found[0] if found else None


def force_params(a: str, b: str, year: int) -> dict[str, Any]:
    """The force ratio's values for the pair: all committed, general terrain."""
    return {
        "a": a,
        "b": b,
        "year": year,
        "measure": best_measure(a, b, year),
        "terrain": "general",
        "share_a": 100.0,
        "share_b": 100.0,
    }


def force_href(values: dict[str, Any]) -> str:
    return f"/force-ratio{to_query((*PARAMS, MEASURE), values)}"


@functools.lru_cache(maxsize=512)
def _content(a: str, b: str, year: int) -> list:
    if a == b:  # refused: the messages above say so
        return to_plain([html.P("Choose two different countries.", id="overview-refused")])
    catalog = load_catalog()
    qs = to_query(PARAMS, {"a": a, "b": b, "year": year})
    measure = best_measure(a, b, year)
    if measure is None:
        manpower = [html.P(f"No personnel figures of the same measure for both in {year}.")]
        heading = "Manpower"
    else:
        mp = catalog["manpower"]
        reports = [
            reported_values(mp, "value", country=c, year=year, measure=measure) for c in (a, b)
        ]
        manpower = [_pair(a, b, *(sourced(r) for r in reports))]
        heading = f"Manpower: {measure_name(measure)}"
    rk = catalog["rankings"]
    cards = [
        _card(heading, f"/compare{qs}", manpower, "overview-manpower"),
        _card(
            f"GFP {year} rank",
            f"/rankings?index=gfp&countries={a},{b}",
            [
                _pair(a, b, *(sourced(_rank_reports(rk, "gfp", year, c)) for c in (a, b))),
                html.P("Global Firepower; 1 = strongest.", className="note"),
            ],
            "overview-gfp",
        ),
        _card(
            f"GMI {year} rank",
            f"/rankings?index=gmi&countries={a},{b}",
            [
                _pair(a, b, *(sourced(_rank_reports(rk, "gmi", year, c)) for c in (a, b))),
                html.P("BICC Global Militarisation Index; 1 = most militarised.", className="note"),
            ],
            "overview-gmi",
        ),
        *_opening_card(a, b, year),
    ]
    return to_plain([html.Div(cards, className="cards")])


def layout(**query: str) -> html.Div:
    values, problems = page_params(PARAMS, query)
    a, b, year = values["a"], values["b"], values["year"]
    force = force_params(a, b, year)
    return html.Div(
        [
            html.H1(title(a, b, year), id=TITLE_ID),
            messages(PAGE, problems),
            controls(PAGE, PARAMS, values),
            html.Div(content(a, b, year), id=CONTENT_ID),
            html.Div(
                [
                    chart_block("force-ratio", force),
                    dcc.Link(
                        "Explore terrain and committed forces →",
                        href=force_href(force),
                        id=FORCE_LINK_ID,
                    ),
                ],
                className="card wide",
                id="overview-force",
            ),
        ]
    )


@dash.callback(
    Output("url", "search", allow_duplicate=True),
    Output(f"{PAGE}-messages", "children"),
    *control_outputs(PAGE, PARAMS),
    Output(TITLE_ID, "children"),
    Output(CONTENT_ID, "children"),
    *chart_outputs(FORCE_CHART),
    Output(FORCE_LINK_ID, "href"),
    *[Input(control_id(PAGE, p.name), "value") for p in PARAMS],
    control_state(PAGE),
    prevent_initial_call=True,
)
@remembers_states(len(PARAMS))
def update_overview(*args: Any) -> list:
    """Controls -> the cards, the force ratio (updated in place: plotly redraws the figure
    rather than a new graph), the title, the pickers and the URL (as register_page_callback).
    The last argument is the record of the pickers' lists (control_state)."""
    raw, shown = args[: len(PARAMS)], (args[len(PARAMS)] if len(args) > len(PARAMS) else None)
    values, problems = settled_from_controls(PARAMS, raw)
    query = to_query(PARAMS, values)
    n_out = 5 + len(control_outputs(PAGE, PARAMS)) + len(chart_outputs(FORCE_CHART))
    if is_first_call(len(PARAMS)):
        return [query, *([dash.no_update] * (n_out - 1))]
    a, b, year = values["a"], values["b"], values["year"]
    force = force_params(a, b, year)
    return [
        query,
        message_items(problems),
        *control_updates(PARAMS, values, raw, shown),
        title(a, b, year),
        content(a, b, year),
        *chart_answers(FORCE_CHART, force),
        force_href(force),
    ]
