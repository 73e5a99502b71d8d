"""/: the case at a glance (by default Azerbaijan against Armenia, 2020): manpower and the force
ratio against 3:1 and 6:1, GFP and GMI ranks with their sources, the opening strikes. Each card
links to the page that explores it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pandas as pd
from dash import dcc, html

from dashboard.charts.common import COUNTRY_A, COUNTRY_B, YEAR, country_name
from dashboard.cite import cite_one
from dashboard.components import chart_block, messages, page_params
from dashboard.style import fmt_number
from indicators.attrition import opening_shares
from indicators.common import to_interval
from validation import load_catalog

PATH, NAME, ORDER, NAV = "/", "Overview", 0, True
PAGE = "overview"
PARAMS = (COUNTRY_A, COUNTRY_B, YEAR)
QUALIFIER_WORDS = {
    "up_to": "up to ",
    "more_than": "more than ",
    "at_least": "at least ",
    "approx": "about ",
    "exact": "",
    "range": "",
}


def reported_values(rows: pd.DataFrame, column: str) -> list[tuple[str, float, float]]:
    """(source_id, low, high) per source for one key, where the value lies in `column`
    ('value' rows with low/high become intervals; plain columns such as rank are points)."""
    if column == "value":
        iv = to_interval(rows)
        return [
            (s, lo, hi)
            for s, lo, hi in zip(rows["source_id"], iv["low"], iv["high"], strict=True)
            if pd.notna(lo)
        ]
    vals = rows[["source_id", column]].dropna()
    return [(s, float(v), float(v)) for s, v in zip(vals["source_id"], vals[column], strict=True)]


def sourced(reports: list[tuple[str, float, float]], sources: pd.DataFrame, unit: str = "") -> Any:
    """The value (a range when sources or the source give one) and a source mark; the mark is
    amber when sources disagree, and its tooltip lists every report with its citation."""
    if not reports:
        return html.Span("-", className="value missing")
    lo = min(r[1] for r in reports)
    hi = max(r[2] for r in reports)
    text = fmt_number(lo) if lo == hi else f"{fmt_number(lo)}-{fmt_number(hi)}"
    by_id = sources.set_index("source_id")
    disagree = len({(r[1], r[2]) for r in reports}) > 1
    lines = []
    for sid, rlo, rhi in reports:
        shown = fmt_number(rlo) if rlo == rhi else f"{fmt_number(rlo)}-{fmt_number(rhi)}"
        lines.append(f"{shown}: {cite_one(by_id.loc[sid]) if sid in by_id.index else sid}")
    title = ("Sources disagree:\n" if disagree else "") + "\n".join(lines)
    mark = html.Sup(
        "⚑" if disagree else f"[{len(reports)}]" if len(reports) > 1 else "[s]",
        title=title,
        className="source-mark conflict" if disagree else "source-mark",
        tabIndex=0,
        **{"aria-label": title},
    )
    return html.Span([html.Span(text + unit, className="value"), mark])


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
    rows = rankings[
        (rankings["index"] == index)
        & (rankings["edition"] == edition)
        & (rankings["country"] == country)
    ]
    return reported_values(rows, "rank")


def layout(**query: str) -> html.Div:
    values, problems = page_params(PARAMS, query)
    a, b, year = values["a"], values["b"], values["year"]
    catalog = load_catalog()
    sources = catalog["sources"]
    qs = urlencode({"a": a, "b": b, "year": year})
    mp = catalog["manpower"]

    def strength(country: str) -> Any:
        rows = mp[
            (mp["country"] == country)
            & (mp["year"] == year)
            & (mp["measure"] == "wartime_strength")
        ]
        return sourced(reported_values(rows, "value"), sources)

    rk = catalog["rankings"]
    shares = opening_shares(catalog["attrition"])
    share_items = [
        html.Li(
            [
                html.Strong(f"{QUALIFIER_WORDS.get(s.qualifier, '')}{s.high:g} %"),
                f" of {country_name(s.side)}'s {s.subject.replace('_', ' ')} destroyed on "
                "27 September",
                html.Sup(
                    "[s]",
                    title=cite_one(sources.set_index("source_id").loc[s.source_id]),
                    className="source-mark",
                    tabIndex=0,
                ),
            ]
        )
        for s in shares.itertuples()
    ]
    force_params = {**values, "terrain": "general", "share_a": 100.0, "share_b": 100.0}
    return html.Div(
        [
            html.H1(f"{country_name(a)} and {country_name(b)}, {year}"),
            messages(PAGE, problems),
            html.Div(
                [
                    _card(
                        "Manpower in the war",
                        f"/compare?{qs}",
                        [_pair(a, b, strength(a), strength(b))],
                        "overview-manpower",
                    ),
                    _card(
                        f"GFP {year} rank",
                        f"/rankings?index=gfp&countries={a},{b}",
                        [
                            _pair(
                                a,
                                b,
                                sourced(_rank_reports(rk, "gfp", year, a), sources),
                                sourced(_rank_reports(rk, "gfp", year, b), sources),
                            ),
                            html.P("Global Firepower; 1 = strongest.", className="note"),
                        ],
                        "overview-gfp",
                    ),
                    _card(
                        f"GMI {year} rank",
                        f"/rankings?index=gmi&countries={a},{b}",
                        [
                            _pair(
                                a,
                                b,
                                sourced(_rank_reports(rk, "gmi", year, a), sources),
                                sourced(_rank_reports(rk, "gmi", year, b), sources),
                            ),
                            html.P(
                                "BICC Global Militarisation Index; 1 = most militarised.",
                                className="note",
                            ),
                        ],
                        "overview-gmi",
                    ),
                    _card(
                        "The opening strikes",
                        "/attrition",
                        [html.Ul(share_items)],
                        "overview-opening",
                    ),
                ],
                className="cards",
            ),
            html.Div(
                [
                    chart_block("force-ratio", force_params),
                    dcc.Link(
                        "Explore terrain and committed forces →",
                        href=f"/force-ratio?{urlencode(force_params)}",
                        id="overview-to-force",
                    ),
                ],
                className="card wide",
                id="overview-force",
            ),
        ]
    )
