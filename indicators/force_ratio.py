"""Force ratios with their uncertainty, checked against doctrine (3:1; 6:1 in mountains).

A ratio is an interval: the attacker's lowest strength against the defender's highest, up to the
attacker's highest against the defender's lowest, with the ratio of the midpoints as `ratio_mid`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from indicators.common import (
    IndicatorError,
    column_arrays,
    interval_of,
    join_sources,
    known_values,
    require_known,
    row_positions,
)

RATIO_COLUMNS = ("ratio_low", "ratio_mid", "ratio_high")
# The manpower measures a force ratio is taken of, in the order a default prefers them: the
# forces engaged in a war, then active personnel, then all armed forces (WDI, COW), reserves and
# paramilitary forces. Population, available manpower and fit for service count people who
# could serve, not forces, and are left out.
FORCE_MEASURES = ("wartime_strength", "active", "total_military", "reserve", "paramilitary")
# Answers a StrengthIndex keeps at most (bounded: every pair and year could be asked).
MEMO_KEPT = 4096
VERDICT_TEXT = {
    "met": "met: the ratio reaches {rule:g}:1 across the whole interval",
    "partly_met": "met only in part of the interval: {rule:g}:1 lies inside {lo:.2f}-{hi:.2f}",
    "not_met": "not met: the attacker would need {f_lo:.1f} to {f_hi:.1f} times its strength",
}


def ratio_bounds(a_low, a_mid, a_high, d_low, d_mid, d_high) -> tuple:
    """(low, mid, high) of attacker over defender: lowest attacker against highest defender up to
    highest against lowest. Works on numbers and on numpy arrays alike."""
    return a_low / d_high, a_mid / d_mid, a_high / d_low


def verdicts(ratio_low, ratio_high, rule: float) -> np.ndarray:
    """'met' if the whole interval reaches the rule, 'partly_met' if part of it, else 'not_met'
    (an unknown ratio, NaN, is 'not_met')."""
    lo, hi = np.asarray(ratio_low, dtype=float), np.asarray(ratio_high, dtype=float)
    return np.select([lo >= rule, hi >= rule], ["met", "partly_met"], "not_met")


def ratio_interval(attacker: pd.DataFrame, defender: pd.DataFrame) -> pd.DataFrame:
    """ratio_low/mid/high from aligned low/mid/high frames; the defender must be positive."""
    if (defender[["low", "mid", "high"]] <= 0).to_numpy().any():
        raise IndicatorError("defender strength must be positive; got a value of zero or less")
    if (attacker[["low", "mid", "high"]] < 0).to_numpy().any():
        raise IndicatorError("attacker strength must not be negative")
    columns = [
        frame[c].to_numpy() for frame in (attacker, defender) for c in ("low", "mid", "high")
    ]
    low, mid, high = ratio_bounds(*columns)
    return pd.DataFrame(
        {"ratio_low": low, "ratio_mid": mid, "ratio_high": high}, index=attacker.index
    )


def _positions(frame: pd.DataFrame, **equal: object) -> np.ndarray:
    """Positions of the rows whose columns equal the given values (numpy: cheap on small tables)."""
    arrays = column_arrays(frame)
    mask = np.ones(len(frame), dtype=bool)
    for column, value in equal.items():
        mask &= arrays[column] == value
    return np.flatnonzero(mask)


def _cells(frame: pd.DataFrame, position: int, columns: tuple[str, ...]) -> dict[str, object]:
    """One row's cells as a dict, without copying the frame."""
    arrays = column_arrays(frame)
    return {c: arrays[c][position] for c in columns}


@dataclass(frozen=True)
class StrengthIndex:
    """Which strength figures the manpower table holds: country -> year -> measures with a
    value (FORCE_MEASURES only). Built once per table by index_strengths; tells what a force
    ratio can be drawn for without scanning the table again."""

    by_country: Mapping[str, Mapping[int, frozenset[str]]]
    by_year_measure: Mapping[tuple[int, str], tuple[str, ...]]
    # Answers kept per question: pickers ask the same few on every control change, and the
    # same tuple object each time lets them keep what they build from it.
    _memo: dict = field(default_factory=dict, compare=False, repr=False)

    def countries(self) -> tuple[str, ...]:
        """Countries with at least one strength figure, sorted."""
        return tuple(sorted(self.by_country))

    def years(self, a: str, b: str) -> tuple[int, ...]:
        """Years in which a and b have a figure of the same measure, latest first."""
        key = ("years", a, b)
        if key not in self._memo:
            if len(self._memo) >= MEMO_KEPT:
                self._memo.clear()
            self._memo[key] = self._years(a, b)
        return self._memo[key]

    def _years(self, a: str, b: str) -> tuple[int, ...]:
        of_a, of_b = self.by_country.get(a, {}), self.by_country.get(b, {})
        return tuple(
            sorted((y for y in of_a.keys() & of_b.keys() if of_a[y] & of_b[y]), reverse=True)
        )

    def measures(self, a: str, b: str, year: int) -> tuple[str, ...]:
        """Measures both a and b have in year, best first (FORCE_MEASURES order)."""
        key = ("measures", a, b, year)
        if key not in self._memo:
            if len(self._memo) >= MEMO_KEPT:
                self._memo.clear()
            self._memo[key] = self._measures(a, b, year)
        return self._memo[key]

    def _measures(self, a: str, b: str, year: int) -> tuple[str, ...]:
        both = self.by_country.get(a, {}).get(year, frozenset()) & self.by_country.get(b, {}).get(
            year, frozenset()
        )
        return tuple(m for m in FORCE_MEASURES if m in both)

    def countries_with(self, year: int, measure: str | None = None) -> tuple[str, ...]:
        """Countries with a figure of `measure` in year (of any measure when None), sorted."""
        if measure is not None:
            return self.by_year_measure.get((year, measure), ())
        key = ("countries", year)
        if key not in self._memo:
            if len(self._memo) >= MEMO_KEPT:
                self._memo.clear()
            found = {c for m in FORCE_MEASURES for c in self.by_year_measure.get((year, m), ())}
            self._memo[key] = tuple(sorted(found))
        return self._memo[key]


def index_strengths(manpower: pd.DataFrame) -> StrengthIndex:
    """The StrengthIndex of a manpower table: rows of FORCE_MEASURES with a value or a range."""
    arrays = column_arrays(manpower)
    has_figure = ~(pd.isna(arrays["value"]) & (pd.isna(arrays["low"]) | pd.isna(arrays["high"])))
    keep = np.flatnonzero(np.isin(arrays["measure"], FORCE_MEASURES) & has_figure)
    by_country: dict[str, dict[int, set[str]]] = {}
    by_year_measure: dict[tuple[int, str], set[str]] = {}
    for c, y, m in zip(
        arrays["country"][keep], arrays["year"][keep], arrays["measure"][keep], strict=True
    ):
        by_country.setdefault(c, {}).setdefault(int(y), set()).add(m)
        by_year_measure.setdefault((int(y), m), set()).add(c)
    return StrengthIndex(
        by_country={c: {y: frozenset(ms) for y, ms in ys.items()} for c, ys in by_country.items()},
        by_year_measure={k: tuple(sorted(cs)) for k, cs in by_year_measure.items()},
    )


def best_measure(manpower: pd.DataFrame, a: str, b: str, year: int) -> str:
    """The first of FORCE_MEASURES that both a and b have in year; an error naming the years
    the pair has figures for when there is none."""
    rows = [row_positions(manpower, country=c) for c in (a, b)]
    pair = manpower.take(np.sort(np.concatenate(rows)))
    index = index_strengths(pair)
    found = index.measures(a, b, year)
    if found:
        return found[0]
    years = index.years(a, b)
    held = (
        f"; they have figures in common for {min(years)}-{max(years)}"
        if years
        else "; they have no year with figures in common"
    )
    raise IndicatorError(f"no strength figure of the same measure for {a} and {b} in {year}{held}")


def select_strength(
    manpower: pd.DataFrame,
    country: str,
    year: int,
    measure: str = "wartime_strength",
    source_id: str | None = None,
) -> pd.Series:
    """One country's strength as low/mid/high with its source; errors name what is missing."""
    return pd.Series(_strength(manpower, country, year, measure, source_id))


def _strength(
    manpower: pd.DataFrame, country: str, year: int, measure: str, source_id: str | None = None
) -> dict[str, object]:
    """select_strength as a dict. Several sources for one figure give the interval spanning
    them (lowest low to highest high, mid its midpoint, as for a stated range) with all their
    source ids: a disagreement widens the ratio instead of hiding behind one source."""
    require_known(country, known_values(manpower, "country"), "country")
    arrays = column_arrays(manpower)
    found = row_positions(manpower, country=country, year=year, measure=measure)
    if source_id is not None:
        found = found[arrays["source_id"][found] == source_id]
    if len(found) == 0:
        src = f" from source {source_id}" if source_id else ""
        raise IndicatorError(f"no {measure} figure for {country} in {year}{src}")
    reports = [
        (
            interval_of(arrays["value"][i], arrays["low"][i], arrays["high"][i]),
            arrays["source_id"][i],
        )
        for i in found
    ]
    reports = [(iv, sid) for iv, sid in reports if not any(x != x for x in iv)]
    if not reports:
        raise IndicatorError(f"{measure} of {country} in {year} has no value")
    if len(reports) == 1:
        (low, mid, high), sid = reports[0]
        return {"country": country, "low": low, "mid": mid, "high": high, "source_id": sid}
    low = min(iv[0] for iv, _ in reports)
    high = max(iv[2] for iv, _ in reports)
    return {
        "country": country,
        "low": low,
        "mid": (low + high) / 2,
        "high": high,
        "source_id": join_sources(*(sid for _, sid in reports)),
    }


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
    measure: str | None = "wartime_strength",
    attacker_share: float = 100.0,
    defender_share: float = 100.0,
) -> pd.DataFrame:
    """Attacker against defender strength, scaled by the share of each side committed (percent).

    One row: both sides' committed low/mid/high, the ratio interval, and the sources.
    """
    return pd.DataFrame(
        [
            _force_ratio_record(
                manpower, attacker, defender, year, measure, attacker_share, defender_share
            )
        ]
    )


def _force_ratio_record(
    manpower: pd.DataFrame,
    attacker: str,
    defender: str,
    year: int,
    measure: str | None,
    attacker_share: float,
    defender_share: float,
) -> dict[str, object]:
    """compute_force_ratio's one row as a dict; measure None takes best_measure."""
    a_share = _check_share(attacker_share, "attacker_share")
    d_share = _check_share(defender_share, "defender_share")
    if attacker == defender:
        raise IndicatorError(
            f"attacker and defender are both {attacker}; choose two different countries"
        )
    if measure is None:
        measure = best_measure(manpower, attacker, defender, year)
    a = _strength(manpower, attacker, year, measure)
    d = _strength(manpower, defender, year, measure)
    a_lo, a_mid, a_hi = (float(a[k]) * a_share / 100 for k in ("low", "mid", "high"))
    d_lo, d_mid, d_hi = (float(d[k]) * d_share / 100 for k in ("low", "mid", "high"))
    if min(d_lo, d_mid, d_hi) <= 0:
        raise IndicatorError(f"defender strength of {defender} must be positive; got {d['low']:g}")
    if min(a_lo, a_mid, a_hi) <= 0:
        raise IndicatorError(f"attacker strength of {attacker} must be positive; got {a['low']:g}")
    record = {
        "attacker": attacker,
        "defender": defender,
        "year": year,
        "measure": measure,
        "attacker_share": a_share,
        "defender_share": d_share,
        "attacker_low": a_lo,
        "attacker_mid": a_mid,
        "attacker_high": a_hi,
        "defender_low": d_lo,
        "defender_mid": d_mid,
        "defender_high": d_hi,
        **dict(zip(RATIO_COLUMNS, ratio_bounds(a_lo, a_mid, a_hi, d_lo, d_mid, d_hi), strict=True)),
        "source_id": join_sources(a["source_id"], d["source_id"]),
    }
    return record


def doctrine_verdict(ratio_low: pd.Series, ratio_high: pd.Series, rule: float) -> pd.Series:
    """'met' if the whole interval reaches the rule, 'partly_met' if part of it, else 'not_met'."""
    return pd.Series(verdicts(ratio_low, ratio_high, rule), index=ratio_low.index)


def select_rule(doctrine: pd.DataFrame, terrain: str) -> pd.Series:
    """The doctrine rule for a terrain ('general' = 3:1, 'mountain' = 6:1 in the embedded data)."""
    return pd.Series(_rule(doctrine, terrain))


def _rule(doctrine: pd.DataFrame, terrain: str) -> dict[str, object]:
    """select_rule as a dict."""
    require_known(terrain, set(column_arrays(doctrine)["terrain"]), "terrain")
    position = _positions(doctrine, terrain=terrain)[0]
    return _cells(doctrine, position, tuple(doctrine.columns))


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
    lo = ratios["ratio_low"].to_numpy(dtype=float)
    hi = ratios["ratio_high"].to_numpy(dtype=float)
    verdict = verdicts(lo, hi, r)
    added: dict[str, object] = {
        "terrain": terrain,
        "rule_id": rule["rule_id"],
        "min_ratio": r,
        "verdict": verdict,
        "shortfall_low": r / hi,
        "shortfall_high": r / lo,
    }
    if {"defender_low", "attacker_low"} <= set(ratios.columns):
        added["needed_low"] = r * ratios["defender_low"].to_numpy(dtype=float)
        added["needed_high"] = r * ratios["defender_high"].to_numpy(dtype=float)
        added["sufficient_defender_low"] = ratios["attacker_low"].to_numpy(dtype=float) / r
        added["sufficient_defender_high"] = ratios["attacker_high"].to_numpy(dtype=float) / r
    added["verdict_text"] = [
        VERDICT_TEXT[v].format(rule=r, lo=a, hi=b, f_lo=r / b, f_hi=r / a)
        for v, a, b in zip(verdict, lo, hi, strict=True)
    ]
    added["source_id"] = [join_sources(s, rule["source_id"]) for s in ratios["source_id"]]
    kept = {c: ratios[c].to_numpy() for c in ratios.columns if c not in added}
    return pd.DataFrame({**kept, **added}, index=ratios.index)


def compute_scenario(
    manpower: pd.DataFrame,
    doctrine: pd.DataFrame,
    attacker: str,
    defender: str,
    year: int,
    terrain: str = "general",
    attacker_share: float = 100.0,
    defender_share: float = 100.0,
    measure: str | None = "wartime_strength",
) -> pd.DataFrame:
    """What if only part of each side's forces fought, on this terrain: ratio and verdict.
    The row of check_doctrine(compute_force_ratio(...)), built in one step."""
    return pd.DataFrame(
        [
            scenario_record(
                manpower,
                doctrine,
                attacker,
                defender,
                year,
                terrain,
                attacker_share,
                defender_share,
                measure,
            )
        ]
    )


def scenario_record(
    manpower: pd.DataFrame,
    doctrine: pd.DataFrame,
    attacker: str,
    defender: str,
    year: int,
    terrain: str = "general",
    attacker_share: float = 100.0,
    defender_share: float = 100.0,
    measure: str | None = "wartime_strength",
) -> dict[str, object]:
    """compute_scenario's one row as a dict (columns in the same order). Scalars throughout: the
    dashboard recomputes this on every slider move, and each pandas step would cost more than
    the whole arithmetic."""
    rule = _rule(doctrine, terrain)  # fail on an unknown terrain before any other work
    record = _force_ratio_record(
        manpower, attacker, defender, year, measure, attacker_share, defender_share
    )
    r = float(rule["min_ratio"])
    lo, hi = record["ratio_low"], record["ratio_high"]
    verdict = str(verdicts([lo], [hi], r)[0])
    sources = record.pop("source_id")
    record.update(
        terrain=terrain,
        rule_id=rule["rule_id"],
        min_ratio=r,
        verdict=verdict,
        shortfall_low=r / hi,
        shortfall_high=r / lo,
        needed_low=r * record["defender_low"],
        needed_high=r * record["defender_high"],
        sufficient_defender_low=record["attacker_low"] / r,
        sufficient_defender_high=record["attacker_high"] / r,
        verdict_text=VERDICT_TEXT[verdict].format(rule=r, lo=lo, hi=hi, f_lo=r / hi, f_hi=r / lo),
        source_id=join_sources(sources, rule["source_id"]),
    )
    return record
