"""TDI's published attacker success rates drawn beside our CDB90 estimates, for the history
chart of "chance the attacker succeeds" against the force ratio (log x, chance 0-1).

Each database is one trace: per bin a horizontal segment over the bin's span at its rate, and a
vertical whisker for its Wilson 95% interval at the bin's geometric middle, the pieces parted by
None so that the legend has one entry per database and a click hides all of its bins.
"""

from __future__ import annotations

import math

import pandas as pd

# Muted colours (Paul Tol's "muted" scheme), apart from the terrain colours of the fitted
# curves (RULE_COLOURS: #444444, #8c2d04) and the country colours; a database keeps its colour.
BENCHMARK_COLOURS = {
    "tdi-badb-1600-1900": "#332288",
    "tdi-badb-civil-war": "#44AA99",
    "tdi-dledb-1904-1991": "#AA4499",
    "tdi-eto-1944": "#999933",
    "tdi-cadb": "#CC6677",
}
SPARE_COLOURS = ("#882255", "#117733", "#DDCC77")
# Legend names short enough for a phone (two to a row at 390 px); the hover names the
# database in full.
SHORT_NAMES = {
    "tdi-badb-1600-1900": "TDI battles 1600-1900",
    "tdi-badb-civil-war": "TDI Civil War battles",
    "tdi-dledb-1904-1991": "TDI divisions 1904-91",
    "tdi-eto-1944": "TDI divisions Europe 1944",
    "tdi-cadb": "TDI campaigns",
}
# An open bin ("2.71 and higher") is drawn from its lower bound over this factor of the ratio.
OPEN_BIN_DRAWN = 2.0


def benchmark_colour(table_id: str, k: int) -> str:
    """The fixed colour of a database; one not listed takes a spare colour by its order k."""
    return BENCHMARK_COLOURS.get(table_id, SPARE_COLOURS[k % len(SPARE_COLOURS)])


def _span_text(low: float, high: float) -> str:
    if math.isnan(high):
        return f"{low:.2f} and higher"
    return f"{low:.2f}" if low == high else f"{low:.2f}-{high:.2f}"


def _hover(database: str, row: pd.Series) -> str:
    span = _span_text(row["ratio_low"], row["ratio_high"])
    if pd.isna(row["n"]):
        return f"{database}, ratio {span}: {row['rate']:.0%} won (number of cases not seen)"
    return (
        f"{database}, ratio {span}: {row['rate']:.0%} of {int(row['n'])} won "
        f"(95% CI {row['ci_low'] * 100:.0f}-{row['ci_high'] * 100:.0f}%)"
    )


def _bin_shape(row: pd.Series) -> tuple[list, list]:
    """x and y of one bin: its segment (ends and middle), then its whisker where it has one,
    each followed by a None break."""
    low, high = float(row["ratio_low"]), float(row["ratio_high"])
    if math.isnan(high):
        high = low * OPEN_BIN_DRAWN
    mid = math.sqrt(low * high)
    rate = round(float(row["rate"]), 4)
    x: list = [round(low, 4), round(mid, 4), round(high, 4), None]
    y: list = [rate, rate, rate, None]
    if not pd.isna(row["ci_low"]):
        x += [round(mid, 4), round(mid, 4), None]
        y += [round(float(row["ci_low"]), 4), round(float(row["ci_high"]), 4), None]
    return x, y


def benchmark_traces(rates: pd.DataFrame) -> list[dict]:
    """One plotly line trace per database of `rates` (indicators.benchmarks.published_rates),
    in the order the databases first appear: segments at each bin's rate, whiskers for its
    interval, hover text in people's words."""
    traces = []
    for k, (table_id, rows) in enumerate(rates.groupby("table_id", sort=False)):
        database = str(rows["database"].iloc[0])
        x: list = []
        y: list = []
        hover: list = []
        for _, row in rows.iterrows():
            bx, by = _bin_shape(row)
            x += bx
            y += by
            text = _hover(database, row)
            hover += [None if v is None else text for v in bx]
        colour = benchmark_colour(str(table_id), k)
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": SHORT_NAMES.get(str(table_id), database),
                "legendgroup": f"benchmark-{table_id}",
                "showlegend": True,
                "x": x,
                "y": y,
                "line": {"color": colour, "width": 1.5},
                "opacity": 0.8,  # behind the CDB90 estimates they are set beside
                "connectgaps": False,
                "hovertext": hover,
                "hoverinfo": "text",
            }
        )
    return traces
