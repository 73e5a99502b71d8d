"""Ranking trends: rank per edition, a fitted linear trend per country, and the gap between two.

Where several reports give different ranks for one edition, the trend uses their mean and the
per-edition rows say how many reports there were (`n_reports`), so the disagreement stays visible.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from indicators.common import (
    IndicatorError,
    column_arrays,
    frame_of,
    join_sources,
    require_known,
)

# Rank on edition, one line per country (ordinary least squares); ranks fall as a country
# climbs. The slope's term in the slopes table: ranks per edition year.
TREND_TERM = "edition"


def rank_series(rankings: pd.DataFrame, index: str, countries: list[str]) -> pd.DataFrame:
    """Per country and edition: mean rank, the reported ranks' spread, score, reports, sources."""
    require_known(index, set(rankings["index"]), "index")
    if not countries:
        raise IndicatorError("countries: give at least one country")
    rows = rankings[rankings["index"] == index]
    for country in countries:
        require_known(country, set(rows["country"]), f"country for index {index}:")
    rows = rows[rows["country"].isin(countries)]
    grouped = rows.groupby(["country", "edition"], sort=True)
    out = grouped.agg(
        rank=("rank", "mean"),
        rank_min=("rank", "min"),
        rank_max=("rank", "max"),
        score=("score", "mean"),
        n_reports=("rank", "count"),
        source_id=("source_id", lambda s: join_sources(*s)),
    ).reset_index()
    out.insert(0, "index", index)
    for col in ("rank", "rank_min", "rank_max", "score"):
        out[col] = out[col].astype(float)
    return out


def fit_rank_trend(series: pd.DataFrame, level: float = 0.95) -> tuple[pd.DataFrame, pd.DataFrame]:
    """OLS of rank on edition for each country with at least three ranked editions, with
    t-based confidence intervals (n - 2 degrees of freedom).

    Returns (fitted, slopes): fitted has per edition the fitted rank and its confidence band;
    slopes has the slope in ranks per year with its confidence interval and n.
    """
    # The t quantile only: scipy.special adds ~18 MB to a server, statsmodels ~73 MB (the
    # fit is the textbook one; tests check it against statsmodels' OLS).
    from scipy.special import stdtrit

    fitted_parts, slope_rows = [], []
    for country, rows in series.dropna(subset=["rank"]).groupby("country", sort=True):
        if rows["edition"].nunique() < 3:
            continue
        x = rows["edition"].to_numpy(dtype=float)
        y = rows["rank"].to_numpy(dtype=float)
        n = len(x)
        x_mean = x.mean()
        sxx = float(((x - x_mean) ** 2).sum())
        slope = float(((x - x_mean) * (y - y.mean())).sum()) / sxx
        intercept = float(y.mean()) - slope * x_mean
        s2 = float(((y - intercept - slope * x) ** 2).sum()) / (n - 2)
        t = float(stdtrit(n - 2, 1 - (1 - level) / 2))
        grid = np.unique(x)
        mean = intercept + slope * grid
        half = t * np.sqrt(s2 * (1 / n + (grid - x_mean) ** 2 / sxx))
        fitted_parts.append(
            pd.DataFrame(
                {
                    "country": country,
                    "edition": grid.astype(int),
                    "fitted_rank": mean,
                    "ci_low": mean - half,
                    "ci_high": mean + half,
                }
            )
        )
        half_slope = t * math.sqrt(s2 / sxx)
        slope_rows.append(
            {
                "country": country,
                "term": TREND_TERM,
                "estimate": slope,
                "ci_low": slope - half_slope,
                "ci_high": slope + half_slope,
                "n": n,
                "source_id": join_sources(*rows["source_id"]),
            }
        )
    fitted = (
        pd.concat(fitted_parts, ignore_index=True)
        if fitted_parts
        else pd.DataFrame(columns=["country", "edition", "fitted_rank", "ci_low", "ci_high"])
    )
    return fitted, pd.DataFrame(
        slope_rows, columns=["country", "term", "estimate", "ci_low", "ci_high", "n", "source_id"]
    )


def rank_gap(series: pd.DataFrame | Sequence[pd.DataFrame], a: str, b: str) -> pd.DataFrame:
    """Per edition both countries are ranked in: b's rank minus a's (positive: a ranks higher).

    A country with several rows for one edition counts with their mean rank; the sources of an
    edition are those of every row of `series` for it. `series` is rank_series's frame, or
    several of them (one per country, say).
    """
    return frame_of(rank_gap_columns(series, a, b))


def rank_gap_columns(
    series: pd.DataFrame | Sequence[pd.DataFrame], a: str, b: str
) -> dict[str, Any]:
    """rank_gap's columns by name, before they become a frame. Plain Python over the few rows
    a series has: the dashboard redraws this on every change of the chosen countries."""
    ranks: dict[str, dict[int, list[float]]] = {}
    sources: dict[int, list[str]] = {}
    for frame in [series] if isinstance(series, pd.DataFrame) else series:
        cols = column_arrays(frame)
        rank = np.asarray(cols["rank"], dtype=float)
        rows = zip(cols["country"], cols["edition"], rank, cols["source_id"], strict=True)
        for c, e, r, s in rows:
            sources.setdefault(int(e), []).append(s)
            if r == r:
                ranks.setdefault(c, {}).setdefault(int(e), []).append(r)
    for c in (a, b):
        require_known(c, set(ranks), "country")
    both = sorted(set(ranks[a]) & set(ranks[b]))
    rank_a = np.array([sum(ranks[a][e]) / len(ranks[a][e]) for e in both], dtype=float)
    rank_b = np.array([sum(ranks[b][e]) / len(ranks[b][e]) for e in both], dtype=float)
    return {
        "edition": np.array(both, dtype=int),
        "a": [a] * len(both),
        "b": [b] * len(both),
        "rank_a": rank_a,
        "rank_b": rank_b,
        "gap": rank_b - rank_a,
        "source_id": [join_sources(*sources[e]) for e in both],
    }
