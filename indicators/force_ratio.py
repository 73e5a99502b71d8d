"""Force ratios with their uncertainty, checked against doctrine (3:1; 6:1 in mountains).

A ratio is an interval: the attacker's lowest strength against the defender's highest, up to the
attacker's highest against the defender's lowest, with the ratio of the midpoints as `ratio_mid`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.common import IndicatorError, join_sources, require_known, to_interval

VERDICT_TEXT = {
    "met": "met: the ratio reaches {rule:g}:1 across the whole interval",
    "partly_met": "met only in part of the interval: {rule:g}:1 lies inside {lo:.2f}-{hi:.2f}",
    "not_met": "not met: the attacker would need {f_lo:.1f} to {f_hi:.1f} times its strength",
}


def ratio_interval(attacker: pd.DataFrame, defender: pd.DataFrame) -> pd.DataFrame:
    """ratio_low/mid/high from aligned low/mid/high frames; the defender must be positive."""
    if (defender[["low", "mid", "high"]] <= 0).to_numpy().any():
        raise IndicatorError("defender strength must be positive; got a value of zero or less")
    if (attacker[["low", "mid", "high"]] < 0).to_numpy().any():
        raise IndicatorError("attacker strength must not be negative")
    return pd.DataFrame(
        {
            "ratio_low": attacker["low"].to_numpy() / defender["high"].to_numpy(),
            "ratio_mid": attacker["mid"].to_numpy() / defender["mid"].to_numpy(),
            "ratio_high": attacker["high"].to_numpy() / defender["low"].to_numpy(),
        },
        index=attacker.index,
    )


def select_strength(
    manpower: pd.DataFrame,
    country: str,
    year: int,
    measure: str = "wartime_strength",
    source_id: str | None = None,
) -> pd.Series:
    """One country's strength as low/mid/high with its source; errors name what is missing."""
    require_known(country, set(manpower["country"]), "country")
    rows = manpower[
        (manpower["country"] == country)
        & (manpower["year"] == year)
        & (manpower["measure"] == measure)
    ]
    if source_id is not None:
        rows = rows[rows["source_id"] == source_id]
    if rows.empty:
        src = f" from source {source_id}" if source_id else ""
        raise IndicatorError(f"no {measure} figure for {country} in {year}{src}")
    if len(rows) > 1:
        ids = ", ".join(rows["source_id"])
        raise IndicatorError(
            f"{country} {year} {measure} is given by several sources ({ids}); pass source_id"
        )
    interval = to_interval(rows).iloc[0]
    if interval.isna().any():
        raise IndicatorError(f"{measure} of {country} in {year} has no value")
    return pd.Series(
        {
            "country": country,
            "low": interval["low"],
            "mid": interval["mid"],
            "high": interval["high"],
            "source_id": rows["source_id"].iloc[0],
        }
    )


def _check_share(share: float, name: str) -> float:
    """A committed share: above 0 (no ratio against or of nothing) and at most 100 percent."""
    if share is None or not np.isfinite(share) or not 0 < share <= 100:
        raise IndicatorError(f"{name} must be a percentage above 0 and at most 100; got {share!r}")
    return float(share)


def compute_force_ratio(
    manpower: pd.DataFrame,
    attacker: str,
    defender: str,
    year: int,
    measure: str = "wartime_strength",
    attacker_share: float = 100.0,
    defender_share: float = 100.0,
) -> pd.DataFrame:
    """Attacker against defender strength, scaled by the share of each side committed (percent).

    One row: both sides' committed low/mid/high, the ratio interval, and the sources.
    """
    a_share = _check_share(attacker_share, "attacker_share")
    d_share = _check_share(defender_share, "defender_share")
    a = select_strength(manpower, attacker, year, measure)
    d = select_strength(manpower, defender, year, measure)
    a_int = pd.DataFrame([a[["low", "mid", "high"]].astype(float) * a_share / 100])
    d_int = pd.DataFrame([d[["low", "mid", "high"]].astype(float) * d_share / 100])
    if (d_int <= 0).to_numpy().any():
        raise IndicatorError(f"defender strength of {defender} must be positive; got {d['low']:g}")
    if (a_int <= 0).to_numpy().any():
        raise IndicatorError(f"attacker strength of {attacker} must be positive; got {a['low']:g}")
    ratio = ratio_interval(a_int, d_int)
    return pd.DataFrame(
        {
            "attacker": [attacker],
            "defender": [defender],
            "year": [year],
            "measure": [measure],
            "attacker_share": [a_share],
            "defender_share": [d_share],
            "attacker_low": a_int["low"],
            "attacker_mid": a_int["mid"],
            "attacker_high": a_int["high"],
            "defender_low": d_int["low"],
            "defender_mid": d_int["mid"],
            "defender_high": d_int["high"],
            "ratio_low": ratio["ratio_low"],
            "ratio_mid": ratio["ratio_mid"],
            "ratio_high": ratio["ratio_high"],
            "source_id": [join_sources(a["source_id"], d["source_id"])],
        }
    )


def doctrine_verdict(ratio_low: pd.Series, ratio_high: pd.Series, rule: float) -> pd.Series:
    """'met' if the whole interval reaches the rule, 'partly_met' if part of it, else 'not_met'."""
    return pd.Series(
        np.select([ratio_low >= rule, ratio_high >= rule], ["met", "partly_met"], "not_met"),
        index=ratio_low.index,
    )


def select_rule(doctrine: pd.DataFrame, terrain: str) -> pd.Series:
    """The doctrine rule for a terrain ('general' = 3:1, 'mountain' = 6:1 in the embedded data)."""
    require_known(terrain, set(doctrine["terrain"]), "terrain")
    return doctrine[doctrine["terrain"] == terrain].iloc[0]


def check_doctrine(
    ratios: pd.DataFrame, doctrine: pd.DataFrame, terrain: str = "general"
) -> pd.DataFrame:
    """Add the rule for the terrain, the verdict, and what it would take to meet the rule.

    shortfall_low/high: rule / ratio as an interval (how many times its strength the attacker would
    need); needed_low/high: attacker strength that meets the rule against the defender's range;
    sufficient_defender_low/high: defender strength at which the present attacker would suffice.
    """
    rule = select_rule(doctrine, terrain)
    r = float(rule["min_ratio"])
    out = ratios.copy()
    out["terrain"] = terrain
    out["rule_id"] = rule["rule_id"]
    out["min_ratio"] = r
    out["verdict"] = doctrine_verdict(out["ratio_low"], out["ratio_high"], r)
    out["shortfall_low"] = r / out["ratio_high"]
    out["shortfall_high"] = r / out["ratio_low"]
    if {"defender_low", "attacker_low"} <= set(out.columns):
        out["needed_low"] = r * out["defender_low"]
        out["needed_high"] = r * out["defender_high"]
        out["sufficient_defender_low"] = out["attacker_low"] / r
        out["sufficient_defender_high"] = out["attacker_high"] / r
    out["verdict_text"] = [
        VERDICT_TEXT[v].format(rule=r, lo=lo, hi=hi, f_lo=f_lo, f_hi=f_hi)
        for v, lo, hi, f_lo, f_hi in zip(
            out["verdict"],
            out["ratio_low"],
            out["ratio_high"],
            out["shortfall_low"],
            out["shortfall_high"],
            strict=True,
        )
    ]
    out["source_id"] = [join_sources(s, rule["source_id"]) for s in out["source_id"]]
    return out


def compute_scenario(
    manpower: pd.DataFrame,
    doctrine: pd.DataFrame,
    attacker: str,
    defender: str,
    year: int,
    terrain: str = "general",
    attacker_share: float = 100.0,
    defender_share: float = 100.0,
    measure: str = "wartime_strength",
) -> pd.DataFrame:
    """What if only part of each side's forces fought, on this terrain: ratio and verdict."""
    select_rule(doctrine, terrain)  # fail on an unknown terrain before any other work
    ratios = compute_force_ratio(
        manpower, attacker, defender, year, measure, attacker_share, defender_share
    )
    return check_doctrine(ratios, doctrine, terrain)
