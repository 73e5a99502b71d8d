"""/equipment: two countries' equipment counts by category for one year, and the ratio of
those counts against the 3:1 and 6:1 rules."""

from __future__ import annotations

from dash import html

from dashboard.charts.common import pair_pickers
from dashboard.charts.equipment import SCALE, SOURCE
from dashboard.components import chart_page, register_page_callback

PATH, NAME, ORDER, NAV = "/equipment", "Equipment", 5, True
PAGE = "equipment"
# Countries and years offered are those with equipment counts.
PARAMS = (*pair_pickers({"equipment": "year"}, "equipment counts"), SCALE, SOURCE)
# equipment-ratio is registered in dashboard/charts/force_ratio.py and shown here as well.
CHARTS = ("equipment-counts", "equipment-ratio")
TITLE = "Equipment by category"
LEAD = (
    "Counts of tanks, armoured vehicles, artillery, aircraft and other major equipment "
    "for two countries in one year, as the sources state them; a range where a source "
    "gives one. A log scale makes small fleets readable beside large ones. Below, the "
    "ratio of the counts per category against the 3:1 and 6:1 rules of thumb. Where "
    "sources give different counts, the whisker spans them and a diamond marks the bar; "
    "the Source control draws one source alone."
)


def layout(**query: str) -> html.Div:
    return chart_page(PAGE, TITLE, LEAD, PARAMS, CHARTS, query)


register_page_callback(PAGE, PARAMS, CHARTS)
