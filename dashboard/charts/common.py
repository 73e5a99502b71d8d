"""Parameters and helpers that several charts share."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from dashboard.cite import source_labels
from dashboard.params import Param, countries
from indicators.common import column_array, column_arrays, remember_arrays
from validation import Catalog, load_catalog

COUNTRY_A = Param("a", "Country A (attacker)", "choice", "AZE", countries)
COUNTRY_B = Param("b", "Country B (defender)", "choice", "ARM", countries)
YEAR = Param("year", "Year", "int", 2020, lo=1990, hi=2030)
ALL_SOURCES = "all"
_NO_SOURCES = {ALL_SOURCES: "All sources"}


def source_choice_labels(catalog: Catalog) -> dict[str, str]:
    """Source ids in people's words (dashboard.cite.source_labels) and 'all' as 'All sources';
    the ids themselves where the catalog has no sources table (hand-made test catalogs)."""
    try:
        sources = catalog["sources"]
    except KeyError:
        return _NO_SOURCES
    from dashboard.charts import derived

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
