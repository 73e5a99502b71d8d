"""Parameters and helpers that several charts share."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from dashboard.charts import derived
from dashboard.cite import source_labels
from dashboard.params import Param, countries
from indicators.common import column_array, column_arrays, remember_arrays, years_by_country
from indicators.force_ratio import MEMO_KEPT
from validation import Catalog, load_catalog

ALL_SOURCES = "all"
_NO_SOURCES = {ALL_SOURCES: "All sources"}


def source_choice_labels(catalog: Catalog) -> dict[str, str]:
    """Source ids in people's words (dashboard.cite.source_labels) and 'all' as 'All sources';
    the ids themselves where the catalog has no sources table (hand-made test catalogs)."""
    try:
        sources = catalog["sources"]
    except KeyError:
        return _NO_SOURCES
    return derived(
        "source-labels",
        (sources,),
        lambda: {ALL_SOURCES: "All sources", **source_labels(sources)},
    )


def source_param(
    choices: Callable[[Catalog], Sequence[str]],
    narrow: Callable[[Catalog, Mapping[str, Any]], Sequence[str]],
) -> Param:
    """The `source` parameter of a page whose figures may come from several sources: 'all'
    (the span across them) or one source id; `choices` gives 'all' and every source of the
    table, `narrow` those the other parameters' selection leaves."""
    return Param(
        "source",
        "Source",
        "choice",
        ALL_SOURCES,
        choices,
        labels=source_choice_labels,
        narrow=narrow,
    )


def chosen_source(p: Mapping[str, Any]) -> str | None:
    """The source id a chart is drawn from, or None for every source."""
    source = p.get("source", ALL_SOURCES)
    return None if source == ALL_SOURCES else source


def country_name(iso3: str) -> str:
    """The country's short name from the countries table, or the code itself."""
    return _names().get(iso3, iso3)


def country_label(iso3: str) -> str:
    """How a picker shows a country: 'India (IND)' (typing a name or a code finds it)."""
    name = _names().get(iso3)
    return f"{name} ({iso3})" if name and name != iso3 else str(iso3)


COUNTRY_A = Param("a", "Country A (attacker)", "choice", "AZE", countries, words=country_label)
COUNTRY_B = Param("b", "Country B (defender)", "choice", "ARM", countries, words=country_label)
# From 1816, the first year of COW's National Material Capabilities.
YEAR = Param("year", "Year", "int", 2020, lo=1816, hi=2030)


@dataclass(frozen=True)
class CountryYears:
    """Which countries a page's tables hold in which years."""

    years: Mapping[str, frozenset[int]]
    countries: Mapping[int, tuple[str, ...]]
    # pair_years per pair: the same tuple each time (the pickers key their labels on it)
    _memo: dict = field(default_factory=dict, compare=False, repr=False)

    def pair_years(self, a: str, b: str) -> tuple[int, ...]:
        """Years both countries have, latest first."""
        if (a, b) not in self._memo:
            if len(self._memo) >= MEMO_KEPT:
                self._memo.clear()
            self._memo[(a, b)] = self._pair_years(a, b)
        return self._memo[(a, b)]

    def _pair_years(self, a: str, b: str) -> tuple[int, ...]:
        both = self.years.get(a, frozenset()) & self.years.get(b, frozenset())
        return tuple(sorted(both, reverse=True))


def country_years(catalog, tables: Mapping[str, str]) -> CountryYears:
    """CountryYears of tables given as {table: its year column}, built once per set of tables
    (the pickers read it on every control change)."""
    frames = tuple(catalog[t] for t in tables)

    def build() -> CountryYears:
        years: dict[str, set[int]] = {}
        for frame, column in zip(frames, tables.values(), strict=True):
            for country, held in years_by_country(frame, column).items():
                years.setdefault(country, set()).update(held)
        by_year: dict[int, set[str]] = {}
        for country, held in years.items():
            for y in held:
                by_year.setdefault(y, set()).add(country)
        return CountryYears(
            years={c: frozenset(ys) for c, ys in years.items()},
            countries={y: tuple(sorted(cs)) for y, cs in by_year.items()},
        )

    return derived("country-years-" + ",".join(tables), frames, build)


def pair_pickers(tables: Mapping[str, str], what: str) -> tuple[Param, Param, Param]:
    """Country A, country B and year for a page drawn from `tables` ({table: year column}):
    a country is offered if the tables hold it, listed if they hold it for the year; a year is
    offered if they hold both countries for it. `what` names the figures in messages."""

    def held(catalog, values) -> tuple[str, ...]:
        return tuple(sorted(country_years(catalog, tables).years))

    def in_year(catalog, values) -> tuple[str, ...]:
        return country_years(catalog, tables).countries.get(values["year"], ())

    def pair_years(catalog, values) -> tuple[int, ...]:
        return country_years(catalog, tables).pair_years(values["a"], values["b"])

    a, b = (
        replace(p, offered=held, options=in_year, unavailable="{value} has no " + what)
        for p in (COUNTRY_A, COUNTRY_B)
    )
    year = replace(
        YEAR,
        offered=pair_years,
        unavailable="{a} and {b} have no " + what + " in common for {value}",
    )
    return a, b, year


# Manpower measures in people's words; a `measures` mapping in manpower.meta.yaml, where
# present, has the last word.
MEASURE_WORDS = {
    "wartime_strength": "wartime strength",
    "active": "active personnel",
    "total_military": "total armed forces",
    "reserve": "reserve personnel",
    "paramilitary": "paramilitary forces",
    "available_manpower": "manpower available for service",
    "fit_for_service": "manpower fit for service",
    "population": "population",
}


def measure_words(catalog) -> dict[str, str]:
    """code -> people's words for every manpower measure (see MEASURE_WORDS)."""
    meta = getattr(catalog, "meta", {})  # hand-made catalogs in tests are plain dicts
    stated = meta.get("manpower", {}).get("measures") or {}
    return {**MEASURE_WORDS, **{str(k): str(v) for k, v in stated.items()}}


def measure_name(measure: str) -> str:
    """One measure in people's words (the code's words where none is known)."""
    if not measure:
        return "the best measure both countries have"
    return measure_words(load_catalog()).get(measure, measure.replace("_", " "))


def category_words(catalog) -> dict[str, str]:
    """code -> people's words, as a label ('Self-propelled artillery'), for the equipment
    categories: the `categories` mapping of equipment.meta.yaml, its one home. Empty for
    hand-made catalogs without metadata (see category_name for what is shown then)."""
    meta = getattr(catalog, "meta", {})  # hand-made catalogs in tests are plain dicts
    stated = meta.get("equipment", {}).get("categories") or {}
    return {str(k): str(v) for k, v in stated.items()}


def category_name(code: str, words: Mapping[str, str] | None = None) -> str:
    """One equipment category as a label: its words from the metadata (`words`, by default
    those of the loaded catalog), else the code with spaces ('sp artillery' -> 'Sp artillery')."""
    if words is None:
        words = category_words(load_catalog())
    return words.get(code) or capitalised(str(code).replace("_", " "))


def in_sentence(label: str) -> str:
    """A label inside a sentence: 'Self-propelled artillery' -> 'self-propelled artillery';
    'UAVs' and 'MLRS' stay as written."""
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


def capitalised(text: str) -> str:
    """'tanks' -> 'Tanks' (the rest as written: 'UAVs', 'MLRS' stay)."""
    return text[:1].upper() + text[1:]


@functools.cache
def _names() -> dict[str, str]:
    countries = load_catalog()["countries"]
    return dict(zip(countries["iso3"], countries["name"], strict=True))


def columns(frame: pd.DataFrame) -> dict[str, Any]:
    """Every column of a chart's frame as an array: figures and captions read their few rows
    through these (see indicators.common.column_arrays; a figure and its caption share them)."""
    return column_arrays(frame)


def pick(cols: Mapping[str, np.ndarray], mask: np.ndarray) -> dict[str, np.ndarray]:
    """The rows of `cols` where mask is true."""
    return {c: v[mask] for c, v in cols.items()}


def rounded(values: Any, digits: int = 3) -> list[float]:
    """Numbers for a figure: floats rounded to `digits` places, as a plain list."""
    return np.round(np.asarray(values, dtype=float), digits).tolist()


def compact(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of a derived frame that charts filter on every control change, with its text
    columns as Python objects in one block: taking rows from it is one numpy take per dtype
    (~0.07 ms) instead of one per text column (0.3-0.6 ms for twenty columns). The values and
    the CSV are the same."""
    text = {c: object for c, t in frame.dtypes.items() if isinstance(t, pd.StringDtype)}
    return frame.astype(text).copy()  # the copy consolidates the blocks


def take_rows(frame: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    """The rows of `frame` where the boolean array `keep` is true, numbered from 0; their
    column arrays are taken from the frame's at the same time (for the figure and caption)."""
    positions = np.flatnonzero(keep)
    rows = frame.take(positions)
    rows.index = pd.RangeIndex(len(rows))
    remember_arrays(rows, {c: a[positions] for c, a in columns(frame).items()})
    return rows


def concat_rows(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """The frames' rows one after another (the same columns), numbered from 0; a column's array
    is joined from the frames' arrays where they share one numpy dtype (else read anew)."""
    out = pd.concat(frames, ignore_index=True)
    parts = [columns(f) for f in frames]
    arrays = {}
    for name in out.columns:
        pieces = [part[name] for part in parts]
        same = all(isinstance(p, np.ndarray) and p.dtype == pieces[0].dtype for p in pieces)
        arrays[name] = np.concatenate(pieces) if same else column_array(out[name])
    remember_arrays(out, arrays)
    return out


def vertical_line(x: Any, line: Mapping[str, Any], xref: str = "x") -> dict[str, Any]:
    """A plotly shape: a vertical line at `x` across the whole plot height (a rule, a year)."""
    return {
        "type": "line",
        "xref": xref,
        "yref": "paper",
        "x0": x,
        "x1": x,
        "y0": 0,
        "y1": 1,
        "line": dict(line),
    }
