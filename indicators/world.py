"""Country-year indicators for a world map: which the catalogue holds, in which years, and one
value per country for a year, with the span across sources where several give it."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from indicators.common import (
    IndicatorError,
    column_arrays,
    frame_of,
    join_sources,
    row_positions,
    to_interval,
)

# Measures of people under arms, in the order a reader meets them; population divides them.
PERSONNEL_MEASURES = ("active", "reserve", "paramilitary", "total_military", "wartime_strength")
POPULATION = "population"
PER_1000 = "_per_1000"
SPENDING_MEASURES = (
    "milex_current_usd_m",
    "milex_constant2019_usd_m",
    "milex_share_gdp_pct",
    "defence_budget_usd_m",
)
CAPABILITY_MEASURES = ("cinc",)
RANKING_INDICES = ("gfp", "gmi", "gmi_revised")
# Where a lower figure stands higher: ranks (1 = first) and the GFP PowerIndex (lower is
# stronger). The GMI score counts up (more militarised).
LOWER_FIRST_SCORES = ("gfp",)
ROW_COLUMNS = ["country", "year", "low", "mid", "high", "source_id"]


@dataclass(frozen=True)
class WorldIndicator:
    """One indicator: `table` and the `measure` (or ranking index) it reads, the `field` of a
    rankings row (rank or score), whether a lower figure ranks first, and whether it is a
    personnel measure per 1,000 inhabitants."""

    code: str
    table: str
    measure: str
    field: str = "value"
    lower_first: bool = False
    per_1000: bool = False


def _held(tables: Mapping[str, pd.DataFrame], table: str, column: str) -> set:
    frame = tables.get(table)
    return set() if frame is None or frame.empty else set(frame[column].dropna())


def world_indicators(tables: Mapping[str, pd.DataFrame]) -> tuple[WorldIndicator, ...]:
    """Every indicator with at least one figure in the tables (manpower, spending,
    capabilities, rankings; a missing table holds none), in reading order: personnel by
    measure, per 1,000 inhabitants where a population figure shares a country and year,
    spending, CINC, then each ranking's score and rank."""
    found: list[WorldIndicator] = []
    measures = _held(tables, "manpower", "measure")
    personnel = [m for m in PERSONNEL_MEASURES if m in measures]
    found += [WorldIndicator(m, "manpower", m) for m in personnel]
    if POPULATION in measures:
        manpower = tables["manpower"]
        population = manpower.loc[manpower["measure"] == POPULATION, ["country", "year"]]
        keys = set(population.itertuples(index=False, name=None))
        for m in personnel:
            rows = manpower.loc[manpower["measure"] == m, ["country", "year"]]
            if keys & set(rows.itertuples(index=False, name=None)):
                found.append(WorldIndicator(m + PER_1000, "manpower", m, per_1000=True))
    spending = _held(tables, "spending", "measure")
    found += [WorldIndicator(m, "spending", m) for m in SPENDING_MEASURES if m in spending]
    capabilities = _held(tables, "capabilities", "measure")
    found += [
        WorldIndicator(m, "capabilities", m) for m in CAPABILITY_MEASURES if m in capabilities
    ]
    rankings = tables.get("rankings")
    for index in RANKING_INDICES:
        if rankings is None or not (rankings["index"] == index).any():
            continue
        rows = rankings[rankings["index"] == index]
        if rows["score"].notna().any():
            lower = index in LOWER_FIRST_SCORES
            found.append(WorldIndicator(f"{index}_score", "rankings", index, "score", lower))
        if rows["rank"].notna().any():
            found.append(WorldIndicator(f"{index}_rank", "rankings", index, "rank", True))
    return tuple(found)


def indicator_rows(tables: Mapping[str, pd.DataFrame], indicator: WorldIndicator) -> pd.DataFrame:
    """Every source's figure of the indicator: country, year, low, mid, high, source_id (a
    stated range keeps its ends; see indicators.common.to_interval). Per 1,000 inhabitants,
    each personnel figure is divided by the country's population that year (the middle of
    the span where sources differ) and names both sources."""
    frame = tables[indicator.table]
    if indicator.table == "rankings":
        rows = frame[(frame["index"] == indicator.measure) & frame[indicator.field].notna()]
        value = rows[indicator.field].astype(float).to_numpy()
        return frame_of(
            {
                "country": rows["country"].to_numpy(dtype=object),
                "year": rows["edition"].astype(int).to_numpy(),
                "low": value,
                "mid": value,
                "high": value,
                "source_id": rows["source_id"].to_numpy(dtype=object),
            }
        )
    rows = frame[frame["measure"] == indicator.measure]
    if "low" in rows:
        interval = to_interval(rows)
    else:
        value = rows["value"].astype(float)
        interval = pd.DataFrame({"low": value, "mid": value, "high": value})
    out = pd.DataFrame(
        {
            "country": rows["country"].astype(object),
            "year": rows["year"].astype(int),
            **{c: interval[c].to_numpy() for c in ("low", "mid", "high")},
            "source_id": rows["source_id"].astype(object),
        }
    ).dropna(subset=["mid"])
    if indicator.per_1000:
        out = _per_1000(out, frame[frame["measure"] == POPULATION])
    out = out.reset_index(drop=True)
    return frame_of({c: out[c].to_numpy() for c in ROW_COLUMNS})


def _per_1000(personnel: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """Personnel per 1,000 inhabitants, where the population of that country and year is
    known."""
    pop = to_interval(population)
    pop = pd.DataFrame(
        {
            "country": population["country"].astype(object),
            "year": population["year"].astype(int),
            "pop_low": pop["low"],
            "pop_high": pop["high"],
            "pop_source": population["source_id"].astype(object),
        }
    )
    pop = pop.groupby(["country", "year"], as_index=False).agg(
        pop_low=("pop_low", "min"),
        pop_high=("pop_high", "max"),
        pop_source=("pop_source", ";".join),
    )
    joined = personnel.merge(pop, on=["country", "year"])
    per = 1000 / ((joined["pop_low"] + joined["pop_high"]) / 2)
    return joined.assign(
        low=joined["low"] * per,
        mid=joined["mid"] * per,
        high=joined["high"] * per,
        source_id=[
            join_sources(a, b)
            for a, b in zip(joined["source_id"], joined["pop_source"], strict=True)
        ],
    )[ROW_COLUMNS]


def indicator_years(rows: pd.DataFrame) -> tuple[int, ...]:
    """The years the indicator has figures for, latest first."""
    return tuple(sorted({int(y) for y in rows["year"]}, reverse=True))


VALUE_COLUMNS = ["position", "country", "low", "value", "high", "n_sources", "reports", "source_id"]


def indicator_values(rows: pd.DataFrame, year: int, lower_first: bool = False) -> pd.DataFrame:
    """One row per country with a figure in `year`: position (1 = the highest value, or the
    lowest where `lower_first`; equal values share a position), low, value, high, n_sources,
    reports ((source_id, low, mid, high) per source, in table order) and source_id (every
    source, ';').

    Several sources make one interval spanning them all: low is the lowest low, high the
    highest high, and value the middle of that span when they differ (the one figure when
    they agree), as for equipment counts: no source is hidden and none counts twice.
    IndicatorError when no country has a figure that year."""
    found = ranked_values(rows, year, lower_first)
    arrays = column_arrays(rows)
    taken = found.pop("rows_at")
    bounds = found.pop("bounds").tolist()
    flat = list(
        zip(
            arrays["source_id"][taken].tolist(),
            *(arrays[c][taken].astype(float).tolist() for c in ("low", "mid", "high")),
            strict=True,
        )
    )
    held = np.empty(len(found["country"]), dtype=object)  # a tuple per cell, not a 2-d array
    held[:] = [tuple(flat[a:b]) for a, b in itertools.pairwise(bounds)]
    return frame_of({**found, "reports": held})


def ranked_values(rows: pd.DataFrame, year: int, lower_first: bool = False) -> dict[str, Any]:
    """indicator_values as columns (numpy arrays; source_id a list), without the frame and,
    instead of reports, where they stand in `rows`: `rows_at` holds their positions, each
    country's together in ranked order (in table order within), and country i's are
    rows_at[bounds[i]:bounds[i + 1]]. The map asks on every control change: grouped with
    numpy over the table's memoised arrays (a Python pass per row costs ~5x as much)."""
    found = row_positions(rows, year=year)  # grouped once per table: the map asks per year
    if len(found) == 0:
        raise IndicatorError(f"year: no figures for {year}")
    arrays = column_arrays(rows)
    # countries in code order, each country's rows together in table order
    codes, group = np.unique(arrays["country"][found], return_inverse=True)
    by = np.argsort(group, kind="stable")
    group = group[by]
    taken = found[by]
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    low = arrays["low"][taken].astype(float)
    mid = arrays["mid"][taken].astype(float)
    high = arrays["high"][taken].astype(float)
    lows = np.minimum.reduceat(low, starts)
    highs = np.maximum.reduceat(high, starts)
    agree = np.minimum.reduceat(mid, starts) == np.maximum.reduceat(mid, starts)
    value = np.where(agree, mid[starts], (lows + highs) / 2)
    key = value if lower_first else -value
    position = np.searchsorted(np.sort(key), key, side="left") + 1  # rank, ties at the lowest
    order = np.argsort(position, kind="stable")  # by position, then code
    # the rows again, each country's together in ranked order
    place = np.empty(len(codes), dtype=np.intp)
    place[order] = np.arange(len(codes))
    taken = taken[np.argsort(place[group], kind="stable")]
    bounds = np.r_[0, np.cumsum(np.diff(np.r_[starts, len(taken)])[order])]
    ids = arrays["source_id"][taken].tolist()
    joined: list[str] = []
    n_sources: list[int] = []
    sources: dict[tuple, tuple[str, int]] = {}  # most countries share a combination
    for a, b in itertools.pairwise(bounds.tolist()):
        combination = tuple(ids[a:b])
        hit = sources.get(combination)
        if hit is None:
            hit = sources[combination] = (join_sources(*combination), len(set(combination)))
        joined.append(hit[0])
        n_sources.append(hit[1])
    return {
        "position": position[order],
        "country": codes[order].astype(object),
        "low": lows[order],
        "value": value[order],
        "high": highs[order],
        "n_sources": np.array(n_sources, dtype=int),
        "source_id": joined,
        "rows_at": taken,
        "bounds": bounds,
    }
