"""/rankings: where countries stand in Global Firepower and the Global Militarisation Index,
edition by edition, with a fitted trend and the gap between the first two countries chosen."""

from __future__ import annotations

from dash import html

from dashboard.charts.rankings import COUNTRIES, INDEX
from dashboard.components import (
    chart_block,
    control,
    messages,
    page_params,
    register_page_callback,
)

PATH, NAME, ORDER, NAV = "/rankings", "Rankings", 4, True
PAGE = "rankings"
PARAMS = (INDEX, COUNTRIES)
CHARTS = ("rankings-trend", "rank-gap")


def layout(**query: str) -> html.Div:
    values, problems = page_params(PARAMS, query)
    return html.Div(
        [
            html.H1("Rankings over the years"),
            html.P(
                "Each point is a country's place in one edition of an index: Global Firepower "
                "(gfp) orders countries by estimated military power, the Global Militarisation "
                "Index (gmi) by the weight of the military in society. Rank 1 is the top of the "
                "list. Where reports quote different places for the same edition, the chart shows "
                "their spread and the trend uses their mean. The gap chart compares the first two "
                "countries chosen.",
                className="lead",
            ),
            messages(PAGE, problems),
            html.Div([control(PAGE, p, values[p.name]) for p in PARAMS], className="controls"),
            *[chart_block(slug, values) for slug in CHARTS],
        ]
    )


register_page_callback(PAGE, PARAMS, CHARTS)
