"""Shared look of every chart: colour-blind-safe country colours, fonts, axes, number formats."""

from __future__ import annotations

# Okabe-Ito palette (colour-blind safe); a country keeps its colour on every chart.
OKABE_ITO = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]
COUNTRY_COLOURS = {
    "AZE": "#0072B2",
    "ARM": "#D55E00",
    "GEO": "#009E73",
    "TUR": "#CC79A7",
    "IRN": "#E69F00",
    "RUS": "#56B4E9",
}
RULE_COLOURS = {"general": "#444444", "mountain": "#8c2d04"}
VERDICT_COLOURS = {
    "met": "#009E73",
    "partly_met": "#E69F00",
    "not_met": "#D55E00",
    "no_ratio": "#999999",
}
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"

# plotly.js's toolbar buttons a reader of these charts does not need: its own PNG (the
# downloads under a chart carry caption and source), "Share chart" (it would upload the chart
# to Plotly's cloud), and the selections (no chart here acts on a selection).
TOOLBAR_REMOVED = ("toImage", "sendChartToCloud", "select2d", "lasso2d")


def plotly_config(**more: object) -> dict[str, object]:
    """plotly.js's config for every drawn chart: the page's, the embed's, the offline HTML's."""
    return {
        "displaylogo": False,
        "responsive": True,
        "modeBarButtonsToRemove": list(TOOLBAR_REMOVED),
        **more,
    }


def country_colour(iso3: str) -> str:
    """The fixed colour of a country; countries beyond the six get a stable palette colour."""
    if iso3 in COUNTRY_COLOURS:
        return COUNTRY_COLOURS[iso3]
    return OKABE_ITO[sum(map(ord, iso3)) % len(OKABE_ITO)]


def base_layout(**overrides) -> dict:
    """Layout every figure starts from: white background, light grid, readable fonts."""
    axis = {
        "gridcolor": "#e5e5e5",
        "zerolinecolor": "#bdbdbd",
        "linecolor": "#bdbdbd",
        "automargin": True,
    }
    layout = {
        "font": {"family": FONT, "size": 13, "color": "#1a1a1a"},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "margin": {"l": 70, "r": 30, "t": 30, "b": 60},
        "xaxis": dict(axis),
        "yaxis": dict(axis),
        "legend": {"orientation": "h", "y": -0.2},
        "hoverlabel": {"font": {"family": FONT}},
    }
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(layout.get(key), dict):
            layout[key] = {**layout[key], **value}
        else:
            layout[key] = value
    return layout


def fmt_number(x: float) -> str:
    """130000 -> '130,000'; 2.1633 -> '2.16'."""
    if x != x:  # NaN
        return "-"
    if abs(x) >= 100 or float(x).is_integer():
        return f"{x:,.0f}"
    return f"{x:.2f}"


def rgba(hex_colour: str, alpha: float) -> str:
    """'#0072B2', 0.15 -> 'rgba(0,114,178,0.15)' (a colour's translucent fill)."""
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"
