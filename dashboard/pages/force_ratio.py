"""/force-ratio: terrain and committed shares -> the ratio interval against 3:1 and 6:1, the
verdict in words, and the equipment ratio per category."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dash import html

from dashboard.charts.force_ratio import (
    MEASURE,
    SHARE_A,
    SHARE_B,
    STRENGTH_A,
    STRENGTH_B,
    STRENGTH_YEAR,
    TERRAIN,
    strengths,
)
from dashboard.components import chart_page, register_page_callback
from validation import load_catalog

PATH, NAME, ORDER, NAV = "/force-ratio", "Force ratio", 2, True
PAGE = "force-ratio"
PARAMS = (STRENGTH_A, STRENGTH_B, STRENGTH_YEAR, MEASURE, TERRAIN, SHARE_A, SHARE_B)
CHARTS = ("force-ratio", "equipment-ratio")
TITLE = "Force ratio against doctrine"
LEAD = (
    "Attacker strength against defender strength, as an interval where sources give "
    "ranges or disagree, by the best measure of personnel both countries have for the year "
    "(or the one you choose), checked against the 3:1 rule for an attack on a prepared defence and "
    "the 6:1 rule for mountains. Move the sliders to ask what if only part of a side "
    "fought."
)


def note(values: Mapping[str, Any]) -> str:
    """What the country pickers list, so that a short list is not a mystery."""
    year, measure = values["year"], values["measure"]
    listed = strengths(load_catalog()).countries_with(year, measure)
    what = f"figures of {MEASURE.show(measure)}" if measure else "personnel figures"
    return (
        f"The country lists hold the {len(listed)} "
        f"{'country' if len(listed) == 1 else 'countries'} with {what} for {year}; "
        "another year or measure lists others."
    )


def layout(**query: str) -> html.Div:
    return chart_page(PAGE, TITLE, LEAD, PARAMS, CHARTS, query, note)


register_page_callback(PAGE, PARAMS, CHARTS, note)
