"""Parameters and helpers that several charts share."""

from __future__ import annotations

import functools
import threading
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from dashboard.params import Param, countries
from validation import load_catalog

COUNTRY_A = Param("a", "Country A (attacker)", "choice", "AZE", countries)
COUNTRY_B = Param("b", "Country B (defender)", "choice", "ARM", countries)
YEAR = Param("year", "Year", "int", 2020, lo=1990, hi=2030)


def country_name(iso3: str) -> str:
    """The country's short name from the countries table, or the code itself."""
    return _names().get(iso3, iso3)


@functools.cache
def _names() -> dict[str, str]:
    countries = load_catalog()["countries"]
    return dict(zip(countries["iso3"], countries["name"], strict=True))


def columns(frame: pd.DataFrame) -> dict[str, Any]:
    """Every column of a frame as a numpy array. Figures and captions read a chart's few rows
    through these: a pandas filter or lookup costs 50-100 us, a numpy one about 1 us, and a
    control change redraws every chart of its page. Date columns stay pandas arrays, so their
    cells are Timestamps. A chart's figure and caption read the same frame: the arrays of the
    last few frames are kept (by identity, with the frame itself, so an id is never reused)."""
    hit = _COLUMNS.get(id(frame))
    if hit is not None and hit[0] is frame:
        return hit[1]
    cols = {c: s.array if s.dtype.kind == "M" else s.to_numpy() for c, s in frame.items()}
    with _COLUMNS_LOCK:  # callbacks run in threads
        if len(_COLUMNS) >= 16:
            _COLUMNS.pop(next(iter(_COLUMNS)))
        _COLUMNS[id(frame)] = (frame, cols)
    return cols


_COLUMNS: dict[int, tuple[pd.DataFrame, dict[str, Any]]] = {}
_COLUMNS_LOCK = threading.Lock()


def pick(cols: Mapping[str, np.ndarray], mask: np.ndarray) -> dict[str, np.ndarray]:
    """The rows of `cols` where mask is true."""
    return {c: v[mask] for c, v in cols.items()}


def rounded(values: Any, digits: int = 3) -> list[float]:
    """Numbers for a figure: floats rounded to `digits` places, as a plain list."""
    return np.round(np.asarray(values, dtype=float), digits).tolist()
