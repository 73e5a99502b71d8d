"""Equipment balance: per-category ratios of two countries' counts, against 3:1 and 6:1."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from indicators.common import (
    IndicatorError,
    column_arrays,
    frame_of,
    interval_of,
    join_sources,
    require_known,
)
from indicators.force_ratio import RATIO_COLUMNS, ratio_bounds, verdicts


def country_counts(
    equipment: pd.DataFrame, country: str, year: int, source: str | None = None
) -> dict[str, tuple]:
    """category -> (low, mid, high, source_id, reports) for one country and year, in table
    order; empty when the country reports nothing that year (from `source` only, if given).

    Several sources for one category make one interval spanning them all: low is the lowest
    low, high the highest high, and mid the middle of that span when they differ (each
    source's own mid when they all agree), so that no source's figure is hidden and none
    counts twice. source_id joins every source's id (';'); reports keeps each source's
    (source_id, low, mid, high), in table order, for the marks and hovers of the charts."""
    arrays = column_arrays(equipment)
    mask = (arrays["country"] == country) & (arrays["year"] == year)
    if source is not None:
        mask &= arrays["source_id"] == source
    found = np.flatnonzero(mask)
    columns = ("category", "value", "low", "high", "source_id")
    cols = {c: arrays[c][found] for c in columns}
    reports: dict[str, list[tuple]] = {}
    for cat, value, low, high, sid in zip(*cols.values(), strict=True):
        reports.setdefault(cat, []).append((sid, *interval_of(value, low, high)))
    return {cat: span_of(found) for cat, found in reports.items()}


def nearest_shared_year(
    equipment: pd.DataFrame, a: str, b: str, year: int, source: str | None = None
) -> int | None:
    """The year nearest `year` in which both countries report equipment (from `source` only,
    if given): `year` itself when they do, the later of two equally near, None when no year
    has both. Personnel and equipment come from different sources and editions, so a force
    ratio for 2016 may have its counts in 2018 only."""
    arrays = column_arrays(equipment)
    if source is not None:
        keep = arrays["source_id"] == source
        countries, years = arrays["country"][keep], arrays["year"][keep]
    else:
        countries, years = arrays["country"], arrays["year"]
    shared = set(years[countries == a].tolist()) & set(years[countries == b].tolist())
    if not shared:
        return None
    return int(min(shared, key=lambda y: (abs(y - year), -y)))


def span_of(reports: list[tuple]) -> tuple:
    """(low, mid, high, source_id, reports) of one figure from its reports (source_id, low,
    mid, high): the interval over every report (see country_counts)."""
    low = min(r[1] for r in reports)
    high = max(r[3] for r in reports)
    mids = {r[2] for r in reports}
    mid = reports[0][2] if len(mids) == 1 else (low + high) / 2
    return low, mid, high, join_sources(*(r[0] for r in reports)), tuple(reports)


def equipment_sources(equipment: pd.DataFrame, countries: list[str], year: int) -> list[str]:
    """Source ids that give counts for every one of `countries` in `year`, in table order: the
    sources a chart of those countries can be drawn from alone."""
    arrays = column_arrays(equipment)
    in_year = arrays["year"] == year
    by_country = [set(arrays["source_id"][in_year & (arrays["country"] == c)]) for c in countries]
    common = set.intersection(*by_country) if by_country else set()
    return [sid for sid in dict.fromkeys(arrays["source_id"][in_year]) if sid in common]


def compute_equipment_balance(
    equipment: pd.DataFrame,
    doctrine: pd.DataFrame,
    a: str,
    b: str,
    year: int,
    categories: list[str] | None = None,
    source: str | None = None,
) -> pd.DataFrame:
    """One row per category both countries report: counts, ratio interval a/b, doctrine verdicts.
    Counts of several sources are the interval over them (country_counts); `source` keeps one.

    A category where b has none gets status 'no_defender_items' and no ratio, instead of inf.
    Verdict columns are named after the doctrine rules (verdict_general, verdict_mountain).
    """
    return frame_of(equipment_balance_columns(equipment, doctrine, a, b, year, categories, source))


def equipment_balance_columns(
    equipment: pd.DataFrame,
    doctrine: pd.DataFrame,
    a: str,
    b: str,
    year: int,
    categories: list[str] | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """compute_equipment_balance's columns, by name in the same order, before they become a
    frame (a chart adds its own columns and makes one frame of all)."""
    known = set(column_arrays(equipment)["country"])
    for country in (a, b):
        if country not in known:  # a country of the world tables that no equipment source covers
            raise IndicatorError(
                f"no equipment counts for {country} in any year{_from(source)}; "
                "`milbal fetch gfp` adds Global Firepower's for about 140 countries"
            )
    ca, cb = (country_counts(equipment, c, year, source) for c in (a, b))
    for country, counts in ((a, ca), (b, cb)):
        if not counts:
            raise IndicatorError(f"no equipment counts for {country} in {year}{_from(source)}")
    shared = [c for c in ca if c in cb]
    if categories is not None:
        for cat in categories:
            require_known(cat, set(shared), f"category for {a}/{b} {year}:")
        shared = [c for c in shared if c in categories]
    if not shared:
        raise IndicatorError(
            f"{a} and {b} report no common equipment category in {year}{_from(source)}"
        )
    # Column by column and one frame at the end: this is redrawn on every change of country.
    a_lo, a_mid, a_hi = (np.array([ca[c][i] for c in shared], dtype=float) for i in range(3))
    b_lo, b_mid, b_hi = (np.array([cb[c][i] for c in shared], dtype=float) for i in range(3))
    ok = b_lo > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        bounds = ratio_bounds(a_lo, a_mid, a_hi, b_lo, b_mid, b_hi)
    ratios = {name: np.where(ok, r, np.nan) for name, r in zip(RATIO_COLUMNS, bounds, strict=True)}
    n = len(shared)
    out = {
        "category": shared,
        "a": [a] * n,
        "b": [b] * n,
        "year": np.full(n, year),
        "a_low": a_lo,
        "a_mid": a_mid,
        "a_high": a_hi,
        "b_low": b_lo,
        "b_mid": b_mid,
        "b_high": b_hi,
        "status": np.where(ok, "ok", "no_defender_items").tolist(),
        **ratios,  # NaN where b has none
    }
    rules = column_arrays(doctrine)
    for terrain, rule in zip(rules["terrain"], rules["min_ratio"].astype(float), strict=True):
        verdict = verdicts(ratios["ratio_low"], ratios["ratio_high"], rule)
        out[f"verdict_{terrain}"] = np.where(ok, verdict, "no_ratio").tolist()
    out["source_id"] = [join_sources(ca[c][3], cb[c][3]) for c in shared]  # last, as everywhere
    return out


def _from(source: str | None) -> str:
    return "" if source is None else f" from source {source}"
