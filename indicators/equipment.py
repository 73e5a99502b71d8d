"""Equipment balance: per-category ratios of two countries' counts, against 3:1 and 6:1."""

from __future__ import annotations

import pandas as pd

from indicators.common import IndicatorError, join_sources, require_known, to_interval
from indicators.force_ratio import doctrine_verdict, ratio_interval


def _counts(equipment: pd.DataFrame, country: str, year: int) -> pd.DataFrame:
    rows = equipment[(equipment["country"] == country) & (equipment["year"] == year)]
    if rows.empty:
        raise IndicatorError(f"no equipment counts for {country} in {year}")
    several = rows.groupby("category")["source_id"].nunique()
    if (several > 1).any():
        cats = ", ".join(several[several > 1].index)
        raise IndicatorError(
            f"{country} {year}: several sources for {cats}; filter by source first"
        )
    return pd.concat([rows[["category", "source_id"]], to_interval(rows)], axis=1).set_index(
        "category"
    )


def compute_equipment_balance(
    equipment: pd.DataFrame,
    doctrine: pd.DataFrame,
    a: str,
    b: str,
    year: int,
    categories: list[str] | None = None,
) -> pd.DataFrame:
    """One row per category both countries report: counts, ratio interval a/b, doctrine verdicts.

    A category where b has none gets status 'no_defender_items' and no ratio, instead of inf.
    Verdict columns are named after the doctrine rules (verdict_general, verdict_mountain).
    """
    for country in (a, b):
        require_known(country, set(equipment["country"]), "country")
    ca, cb = _counts(equipment, a, year), _counts(equipment, b, year)
    shared = [c for c in ca.index if c in cb.index]
    if categories is not None:
        for cat in categories:
            require_known(cat, set(shared), f"category for {a}/{b} {year}:")
        shared = [c for c in shared if c in categories]
    ca, cb = ca.loc[shared], cb.loc[shared]
    out = pd.DataFrame(
        {
            "category": shared,
            "a": a,
            "b": b,
            "year": year,
            "a_low": ca["low"].to_numpy(),
            "a_mid": ca["mid"].to_numpy(),
            "a_high": ca["high"].to_numpy(),
            "b_low": cb["low"].to_numpy(),
            "b_mid": cb["mid"].to_numpy(),
            "b_high": cb["high"].to_numpy(),
        }
    )
    has_b = (cb["low"] > 0).to_numpy()
    out["status"] = ["ok" if ok else "no_defender_items" for ok in has_b]
    for col in ("ratio_low", "ratio_mid", "ratio_high"):
        out[col] = pd.Series(pd.NA, index=out.index, dtype="Float64")
    if has_b.any():
        ratios = ratio_interval(ca[has_b].reset_index(drop=True), cb[has_b].reset_index(drop=True))
        for col in ratios:
            out.loc[has_b, col] = ratios[col].to_numpy()
    for rule in doctrine.itertuples():
        verdict = doctrine_verdict(
            out["ratio_low"].fillna(0).astype(float),
            out["ratio_high"].fillna(0).astype(float),
            rule.min_ratio,
        )
        out[f"verdict_{rule.terrain}"] = verdict.where(has_b, "no_ratio")
    out["source_id"] = [
        join_sources(sa, sb) for sa, sb in zip(ca["source_id"], cb["source_id"], strict=True)
    ]
    return out
