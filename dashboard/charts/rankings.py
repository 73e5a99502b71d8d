"""Rankings over the years: rank per edition with a fitted trend, and the gap between two countries.

Several reports may give different ranks for one edition; the trend uses their mean, and the chart
marks those editions with the range of reported ranks and the reports behind it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from dashboard.charts import Chart, derived, register
from dashboard.charts.common import country_name
from dashboard.params import Param
from dashboard.style import base_layout, country_colour, fmt_number
from indicators.common import IndicatorError
from indicators.rankings import fit_rank_trend, rank_gap, rank_series
from validation import Catalog


def ranked_countries(catalog: Catalog) -> list[str]:
    """Countries with at least one row in the rankings table, for any index."""
    return sorted(catalog["rankings"]["country"].unique())


INDEX = Param("index", "Ranking", "choice", "gfp", ("gfp", "gmi"))
COUNTRIES = Param("countries", "Countries", "multi", ("AZE", "ARM"), ranked_countries)

INDEX_NAMES = {"gfp": "Global Firepower", "gmi": "Global Militarisation Index"}
RANK_TITLES = {"gfp": "Rank (1 = strongest)", "gmi": "Rank (1 = most militarised)"}
EDITION_TITLE = "Edition (report year)"
# The trend is an OLS fit; fit_rank_trend skips countries with fewer ranked editions than this.
MIN_TREND_EDITIONS = 3
TREND_COLUMNS = ["slope", "slope_ci_low", "slope_ci_high", "n"]


def _reported(rankings: pd.DataFrame, index: str, countries: list[str]) -> pd.Series:
    """(country, edition) -> 'rank (source); ...' for every report that gives a rank."""
    rows = rankings[
        (rankings["index"] == index)
        & rankings["country"].isin(countries)
        & rankings["rank"].notna()
    ]
    text = rows["rank"].astype(int).astype(str) + " (" + rows["source_id"] + ")"
    return text.groupby([rows["country"], rows["edition"]]).agg("; ".join)


TREND_DATA_COLUMNS = [
    "index",
    "country",
    "edition",
    "series",
    "rank",
    "rank_min",
    "rank_max",
    "n_reports",
    "reports_differ",
    "reported",
    "ci_low",
    "ci_high",
    *TREND_COLUMNS,
    "unit",
    "source_id",
]


def _country_series(rankings: pd.DataFrame, index: str, country: str) -> pd.DataFrame:
    """rank_series for one country, computed once per rankings table."""
    return derived(
        f"rank-series-{index}-{country}",
        (rankings,),
        lambda: rank_series(rankings, index, [country]),
    )


def _country_trend_rows(rankings: pd.DataFrame, index: str, country: str) -> pd.DataFrame:
    """One country's observed ranks and fitted trend (the trend is fitted per country)."""
    series = _country_series(rankings, index, country)
    observed = series.dropna(subset=["rank"]).copy()
    fitted, slopes = fit_rank_trend(series)
    reported = _reported(rankings, index, [country])
    observed["series"] = "observed"
    observed["reports_differ"] = observed["rank_min"] != observed["rank_max"]
    observed["reported"] = [reported.get((country, e), "") for e in observed["edition"]]
    trend = fitted.rename(columns={"fitted_rank": "rank"}).merge(
        slopes.rename(
            columns={"estimate": "slope", "ci_low": "slope_ci_low", "ci_high": "slope_ci_high"}
        )[["country", "source_id", *TREND_COLUMNS]],
        on="country",
    )
    trend = trend.assign(index=index, series="trend")
    out = pd.concat([observed, trend], ignore_index=True).assign(unit="rank")
    return out.reindex(columns=TREND_DATA_COLUMNS)


def rankings_trend_data(catalog, p: Mapping[str, Any]) -> pd.DataFrame:
    """Observed ranks (series 'observed') and the fitted trend with its band (series 'trend').

    Chosen countries absent from this index are left out (the caption names them); trend rows
    carry the country's slope in ranks per year, its confidence interval and n. Each country's
    rows are computed once (a fit each) and reused by every selection that includes it.
    """
    index, chosen = p["index"], list(p["countries"])
    rankings = catalog["rankings"]
    listed = set(rankings.loc[rankings["index"] == index, "country"])
    present = [c for c in chosen if c in listed]
    if not present:
        raise IndicatorError(f"{', '.join(chosen)}: no rows in the {index} rankings")
    parts = [
        derived(
            f"rankings-trend-{index}-{c}",
            (rankings,),
            lambda c=c: _country_trend_rows(rankings, index, c),
        )
        for c in present
    ]
    out = pd.concat(parts, ignore_index=True)
    if not (out["series"] == "observed").any():
        raise IndicatorError(f"{', '.join(present)}: no {index} edition gives a rank")
    order = out["country"].map({c: i for i, c in enumerate(chosen)})
    out = out.assign(order=order).sort_values(["order", "series", "edition"], ignore_index=True)
    return out[TREND_DATA_COLUMNS]


def _countries_in_order(data: pd.DataFrame, p: Mapping[str, Any]) -> list[str]:
    shown = set(data["country"])
    return [c for c in p["countries"] if c in shown]


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _observed_trace(rows: pd.DataFrame, country: str) -> dict:
    colour = country_colour(country)
    differ = rows["reports_differ"].astype(bool)
    hover = [
        f"{country} {e}: rank {fmt_number(r)}"
        + (f" (mean of {int(n)} reports: {rep})" if d else f" ({rep})")
        for e, r, n, d, rep in zip(
            rows["edition"], rows["rank"], rows["n_reports"], differ, rows["reported"], strict=True
        )
    ]
    return {
        "type": "scatter",
        "mode": "lines+markers",
        "name": country,
        "legendgroup": country,
        "x": rows["edition"].astype(int).tolist(),
        "y": rows["rank"].astype(float).round(3).tolist(),
        "line": {"color": colour, "width": 2},
        "marker": {
            "color": colour,
            "size": [11 if d else 8 for d in differ],
            "symbol": ["diamond" if d else "circle" for d in differ],
        },
        "error_y": {
            "type": "data",
            "symmetric": False,
            "array": (rows["rank_max"] - rows["rank"]).astype(float).round(3).tolist(),
            "arrayminus": (rows["rank"] - rows["rank_min"]).astype(float).round(3).tolist(),
            "color": colour,
            "thickness": 1.5,
            "width": 6,
        },
        "hovertext": hover,
        "hoverinfo": "text",
    }


def _trend_traces(rows: pd.DataFrame, country: str) -> list[dict]:
    colour = country_colour(country)
    x = rows["edition"].astype(int).tolist()
    band = {
        "type": "scatter",
        "mode": "lines",
        "name": f"{country} trend 95% CI",
        "legendgroup": country,
        "x": x + x[::-1],
        "y": rows["ci_high"].astype(float).round(3).tolist()
        + rows["ci_low"].astype(float).round(3).tolist()[::-1],
        "fill": "toself",
        "fillcolor": _rgba(colour, 0.15),
        "line": {"width": 0, "color": colour},
        "hoverinfo": "skip",
    }
    slope = rows.iloc[0]
    line = {
        "type": "scatter",
        "mode": "lines",
        "name": f"{country} trend",
        "legendgroup": country,
        "x": x,
        "y": rows["rank"].astype(float).round(3).tolist(),
        "line": {"color": colour, "width": 1.5, "dash": "dash"},
        "hovertemplate": (
            f"{country} trend %{{x}}: %{{y:.1f}} ({slope['slope']:+.2f} ranks/year)<extra></extra>"
        ),
    }
    return [band, line]


def _differ_trace(observed: pd.DataFrame) -> dict | None:
    rows = observed[observed["reports_differ"].astype(bool)]
    if rows.empty:
        return None
    return {
        "type": "scatter",
        "mode": "markers",
        "name": "reports differ (bar: range of reported ranks)",
        "x": rows["edition"].astype(int).tolist(),
        "y": rows["rank"].astype(float).round(3).tolist(),
        "marker": {
            "symbol": "diamond-open",
            "size": 17,
            "color": "#333333",
            "line": {"width": 1.5},
        },
        "hovertext": [
            f"{c} {e}: reports differ: {rep}"
            for c, e, rep in zip(rows["country"], rows["edition"], rows["reported"], strict=True)
        ],
        "hoverinfo": "text",
    }


def rankings_trend_figure(data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    traces: list[dict] = []
    observed = data[data["series"] == "observed"]
    for country in _countries_in_order(data, p):
        trend = data[(data["country"] == country) & (data["series"] == "trend")]
        if not trend.empty:
            traces += _trend_traces(trend, country)
        traces.append(_observed_trace(observed[observed["country"] == country], country))
    differ = _differ_trace(observed)
    if differ is not None:
        traces.append(differ)
    return {
        "data": traces,
        "layout": base_layout(
            height=440,
            hovermode="closest",
            xaxis={"title": {"text": EDITION_TITLE}, "dtick": 1},
            yaxis={"title": {"text": RANK_TITLES[p["index"]]}, "autorange": "reversed"},
        ),
    }


def _slope_text(row: pd.Series) -> str:
    return (
        f"{row['country']} {row['slope']:+.2f} ranks/year "
        f"(95% CI {row['slope_ci_low']:+.2f} to {row['slope_ci_high']:+.2f}, n={int(row['n'])})"
    )


def rankings_trend_caption(data: pd.DataFrame, p: Mapping[str, Any]) -> str:
    index = p["index"]
    trend = data[data["series"] == "trend"].drop_duplicates("country")
    observed = data[data["series"] == "observed"]
    slopes = "; ".join(_slope_text(r) for _, r in trend.iterrows())
    text = (
        f"{INDEX_NAMES[index]} rank per edition; a lower rank number is higher on the list, so a "
        f"negative slope means climbing. Fitted trend: {slopes or 'none'}."
    )
    too_few = [c for c in _countries_in_order(data, p) if c not in set(trend["country"])]
    unranked = [c for c in p["countries"] if c not in set(observed["country"])]
    notes = []
    if too_few:
        notes.append(
            f"{', '.join(too_few)}: fewer than {MIN_TREND_EDITIONS} ranked editions, no trend line"
        )
    if unranked:
        notes.append(f"{', '.join(unranked)}: no {index} rank, so no line")
    if observed["reports_differ"].astype(bool).any():
        notes.append("diamonds with bars mark editions where reports give different ranks")
    if notes:
        joined = "; ".join(notes)
        text += f" {joined[0].upper()}{joined[1:]}."
    return text


register(
    Chart(
        slug="rankings-trend",
        title="Rank per edition, with fitted trend",
        page="/rankings",
        params=(INDEX, COUNTRIES),
        data=rankings_trend_data,
        figure=rankings_trend_figure,
        caption=rankings_trend_caption,
        units="rank in the index (1 = top of the list); slope in ranks per year",
    )
)


def rank_gap_data(catalog, p: Mapping[str, Any]) -> pd.DataFrame:
    """Rank of the second chosen country minus that of the first, per edition both are ranked."""
    index, chosen = p["index"], list(p["countries"])
    if len(chosen) < 2:
        raise IndicatorError(
            "the rank gap compares two countries; choose at least two "
            "(the gap is taken between the first two chosen)"
        )
    a, b = chosen[:2]
    rankings = catalog["rankings"]
    listed = set(rankings.loc[rankings["index"] == index, "country"])
    for country in (a, b):
        if country not in listed:
            raise IndicatorError(f"{country} has no rows in the {index} rankings")
    series = pd.concat([_country_series(rankings, index, c) for c in (a, b)], ignore_index=True)
    ranked = set(series.dropna(subset=["rank"])["country"])
    for country in (a, b):
        if country not in ranked:
            raise IndicatorError(f"{country} has no {index} rank in any edition")
    gap = rank_gap(series, a, b)
    if gap.empty:
        raise IndicatorError(f"{a} and {b} are never ranked in the same {index} edition")
    return gap.assign(index=index, unit="ranks")[
        ["index", "edition", "a", "b", "rank_a", "rank_b", "gap", "unit", "source_id"]
    ]


def rank_gap_figure(data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    a, b = data["a"].iloc[0], data["b"].iloc[0]
    colours = [country_colour(a) if g >= 0 else country_colour(b) for g in data["gap"]]
    hover = [
        f"{e}: {a} {fmt_number(ra)}, {b} {fmt_number(rb)}; gap {g:+.1f}"
        for e, ra, rb, g in zip(
            data["edition"], data["rank_a"], data["rank_b"], data["gap"], strict=True
        )
    ]
    trace = {
        "type": "bar",
        "name": f"{b} rank minus {a} rank",
        "x": data["edition"].astype(int).tolist(),
        "y": data["gap"].astype(float).round(3).tolist(),
        "marker": {"color": colours},
        "hovertext": hover,
        "hoverinfo": "text",
    }
    return {
        "data": [trace],
        "layout": base_layout(
            height=340,
            showlegend=False,
            xaxis={"title": {"text": EDITION_TITLE}, "dtick": 1},
            yaxis={"title": {"text": f"Rank gap (ranks; + = {a} higher)"}},
        ),
    }


def rank_gap_caption(data: pd.DataFrame, p: Mapping[str, Any]) -> str:
    a, b = data["a"].iloc[0], data["b"].iloc[0]
    latest = data.iloc[-1]
    ahead = int((data["gap"] > 0).sum())
    return (
        f"{country_name(a)} ranks above {country_name(b)} in {ahead} of {len(data)} "
        f"{INDEX_NAMES[p['index']]} editions both appear in ({data['edition'].min()}-"
        f"{data['edition'].max()}); gap from {data['gap'].min():+.1f} to {data['gap'].max():+.1f} "
        f"ranks, {latest['edition']}: {latest['gap']:+.1f}. Positive bars: {a} higher on the "
        f"list; where reports differ the mean rank is used."
    )


register(
    Chart(
        slug="rank-gap",
        title="Rank gap between the first two countries",
        page="/rankings",
        params=(INDEX, COUNTRIES),
        data=rank_gap_data,
        figure=rank_gap_figure,
        caption=rank_gap_caption,
        units="ranks (rank of the second country minus rank of the first)",
    )
)
