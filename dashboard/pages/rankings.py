"""/rankings: where countries stand in Global Firepower and the Global Militarisation Index,
edition by edition, with a fitted trend and the gap between the first two countries chosen."""

from __future__ import annotations

from dash import html

from dashboard.charts.rankings import COUNTRIES, INDEX, SOURCE, TREND
from dashboard.components import chart_page, register_page_callback

PATH, NAME, ORDER, NAV = "/rankings", "Rankings", 4, True
PAGE = "rankings"
PARAMS = (INDEX, COUNTRIES, SOURCE, TREND)
CHARTS = ("rankings-trend", "rank-gap")
TITLE = "Rankings over the years"
LEAD = (
    "Each point is a country's place in one edition of an index: Global Firepower orders "
    "countries by estimated military power, the Global Militarisation Index by the weight of "
    "the military in society. Rank 1 is the top of the list. A line breaks where an edition "
    "is missing or gives the country no rank. Where reports quote different places for the "
    "same edition, the chart shows their spread and the trend uses their mean; the trend can "
    "be hidden. The gap chart compares the first two countries chosen. Once `milbal import "
    "gmi` has stored BICC's revised series covering every year, it is a choice here too. The "
    "Source control draws the ranks of one report alone."
)


def layout(**query: str) -> html.Div:
    return chart_page(PAGE, TITLE, LEAD, PARAMS, CHARTS, query)


register_page_callback(PAGE, PARAMS, CHARTS)
