"""/attrition: the 2020 war day by day (events and dated figures), the shares destroyed on the
first day, and the counts of people and equipment lost, filtered by side and by source."""

from __future__ import annotations

from dash import html

from dashboard.charts.attrition import SIDE, SOURCE
from dashboard.components import chart_page, register_page_callback

PATH, NAME, ORDER, NAV = "/attrition", "Attrition", 6, True
PAGE = "attrition"
PARAMS = (SIDE, SOURCE)
CHARTS = ("attrition-timeline", "opening-shares", "attrition-losses")
TITLE = "Attrition in the 2020 war"
LEAD = (
    "What each side lost between 27 September and 10 November 2020, as the sources "
    "state it: ranges stay ranges and bounds such as 'up to' are labelled. Choose a "
    "side, or keep only the essay's figures ('essay') or only the other sources "
    "('other': official tolls and visually confirmed equipment losses)."
)


def layout(**query: str) -> html.Div:
    return chart_page(PAGE, TITLE, LEAD, PARAMS, CHARTS, query)


register_page_callback(PAGE, PARAMS, CHARTS)
