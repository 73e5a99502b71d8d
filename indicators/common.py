"""What every indicator shares: its error type and how a stated figure becomes an interval."""

from __future__ import annotations

import threading
from collections.abc import Collection, Mapping
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.internals import create_dataframe_from_blocks


class IndicatorError(ValueError):
    """Bad input to an indicator; the message names the parameter, country or value at fault."""


def to_interval(frame: pd.DataFrame) -> pd.DataFrame:
    """low/mid/high for rows of value/low/high: a range keeps its ends, a single value is all three.

    The midpoint of a range is the mid; a bound stated alone ("up to 30") leaves the other end at
    the value, so the interval never claims more precision than the source gives.
    """
    value = frame["value"].astype("Float64")
    low = frame["low"].astype("Float64").fillna(value)
    high = frame["high"].astype("Float64").fillna(value)
    mid = value.where(value.notna(), (low + high) / 2)
    return pd.DataFrame({"low": low, "mid": mid, "high": high}, index=frame.index).astype(float)


def interval_of(value: float | None, low: float | None, high: float | None) -> tuple:
    """(low, mid, high) of one stated figure, by the same rule as to_interval; NaN if unknown."""

    def num(x: object) -> float:
        return float("nan") if x is None or pd.isna(x) else float(x)

    v, lo, hi = num(value), num(low), num(high)
    lo = v if lo != lo else lo
    hi = v if hi != hi else hi
    mid = v if v == v else (lo + hi) / 2
    return lo, mid, hi


def join_sources(*ids: object) -> str:
    """Distinct source ids in first-seen order, joined by ';' (one cell, CSV-friendly)."""
    seen: list[str] = []
    for group in ids:
        for sid in str(group).split(";"):
            if sid and sid not in seen:
                seen.append(sid)
    return ";".join(seen)


def require_known(value: str, allowed: Collection[str], what: str) -> None:
    """Raise IndicatorError naming `what` when value is not among allowed."""
    if value not in allowed:
        choices = ", ".join(sorted(str(a) for a in allowed)) or "none"
        raise IndicatorError(f"unknown {what} {value!r}; known: {choices}")


def column_arrays(frame: pd.DataFrame) -> dict[str, Any]:
    """Every column of a frame as a numpy array (date columns as pandas arrays, whose cells are
    Timestamps). Lookups in the few rows of a chart or a country cost about 1 us in numpy
    against 50-100 us through pandas, and the dashboard repeats them on every control change.
    The arrays of the frames used last are kept, by identity and with the frame itself (so an
    id is never mistaken for another's); treat them as read-only."""
    key = id(frame)
    with _ARRAYS_LOCK:  # the dashboard's callbacks run in threads
        hit = _ARRAYS.pop(key, None)
        if hit is not None and hit[0] is frame:
            _ARRAYS[key] = hit  # most recently used last
            return hit[1]
    arrays = {c: column_array(s) for c, s in frame.items()}
    remember_arrays(frame, arrays)
    return arrays


def row_positions(frame: pd.DataFrame, **equal: object) -> np.ndarray:
    """Positions of the rows whose columns equal the given values, sorted. The first lookup on a
    set of columns groups the frame by them (once per frame: ~10 ms for 40,000 rows); every
    later one is a dict lookup (~1 us), where a mask over the columns costs ~0.5 ms each."""
    columns = tuple(equal)
    groups = _groups(frame, columns)
    key = tuple(equal.values())
    return groups.get(key[0] if len(key) == 1 else key, _NO_ROWS)


def known_values(frame: pd.DataFrame, column: str) -> frozenset:
    """The distinct non-missing values of a column (once per frame, like row_positions)."""
    return frozenset(_groups(frame, (column,)))


_NO_ROWS = np.array([], dtype=np.intp)


def _groups(frame: pd.DataFrame, columns: tuple[str, ...]) -> dict[Any, np.ndarray]:
    key = (id(frame), columns)
    with _ARRAYS_LOCK:
        hit = _GROUPS.get(key)
        if hit is not None and hit[0] is frame:
            return hit[1]
    arrays = column_arrays(frame)
    if len(frame):
        by = columns[0] if len(columns) == 1 else list(columns)  # scalar keys for one column
        grouped = pd.DataFrame({c: arrays[c] for c in columns}).groupby(by, sort=False, dropna=True)
        groups = dict(grouped.indices)
    else:
        groups = {}
    with _ARRAYS_LOCK:
        if len(_GROUPS) >= 4 * _ARRAYS_KEPT:
            _GROUPS.clear()
        _GROUPS[key] = (frame, groups)
    return groups


def column_array(column: pd.Series) -> Any:
    """One column as column_arrays gives it: numpy, or a pandas array for dates."""
    return column.array if column.dtype.kind == "M" else column.to_numpy()


def remember_arrays(frame: pd.DataFrame, arrays: dict[str, Any]) -> None:
    """Keep `arrays` as the column arrays of `frame` (what column_arrays would build, e.g. the
    rows taken from another frame's arrays), so that column_arrays(frame) needs no pandas."""
    with _ARRAYS_LOCK:
        _ARRAYS.pop(id(frame), None)
        while len(_ARRAYS) >= _ARRAYS_KEPT:
            _ARRAYS.pop(next(iter(_ARRAYS)))
        _ARRAYS[id(frame)] = (frame, arrays)


def frame_of(columns: Mapping[str, Any]) -> pd.DataFrame:
    """A frame from equal-length columns (numpy or pandas arrays, lists), with the column
    arrays remembered for column_arrays: the dashboard builds a few such frames on every control
    change, and its figures then read them without asking pandas again (~10 us a column).
    Text columns are kept as object arrays, as a str column's to_numpy() gives them."""
    arrays: dict[str, Any] = {}
    for name, values in columns.items():
        if isinstance(values, np.ndarray | pd.api.extensions.ExtensionArray):
            arrays[name] = values
            continue
        array = np.asarray(values)
        if array.dtype.kind in "US":
            array = np.asarray(values, dtype=object)
        if array.dtype == object:
            missing = pd.isna(array)
            if missing.any():  # None as NaN, as the frame will hold it
                array = np.where(missing, np.nan, array)
                if pd.api.types.infer_dtype(array, skipna=True) in _NUMBERS:
                    array = array.astype(float)  # numbers with gaps: floats, as pandas infers
        arrays[name] = array
    frame = pd.DataFrame(arrays)
    remember_arrays(
        frame,
        {
            name: column_array(frame[name]) if getattr(a.dtype, "kind", "") == "M" else _numpy(a)
            for name, a in arrays.items()
        },
    )
    return frame


_NUMBERS = ("floating", "integer", "mixed-integer-float")


def plain_frame_of(columns: Mapping[str, Any]) -> pd.DataFrame:
    """A frame from equal-length columns taken as they are, with no inference: text (numpy
    object or str arrays, lists of str) as Python objects in one block, as charts.common.compact
    leaves a frame, and each numeric or bool dtype in one block; the column arrays remembered
    for column_arrays. Its values and its CSV are frame_of's; ~0.1 ms for 25 columns where
    pandas' constructor (frame_of) takes ~0.5-1 ms, inferring the str dtype column by column.

    An object array is taken as it is (a missing text stays None or NaN, as given); a list or
    tuple of text becomes one. Columns that ask for pandas' judgement go through frame_of (the
    whole frame): other lists (numbers, mixed values, gaps), dates, pandas arrays."""
    arrays: dict[str, np.ndarray] = {}
    for name, values in columns.items():
        if isinstance(values, np.ndarray):
            array = values.astype(object) if values.dtype.kind in "US" else values
        elif (
            isinstance(values, list | tuple) and values and all(isinstance(v, str) for v in values)
        ):
            array = np.array(values, dtype=object)
        else:
            return frame_of(columns)
        if array.ndim != 1 or array.dtype.kind not in "biufO":
            return frame_of(columns)
        arrays[name] = array
    lengths = {len(a) for a in arrays.values()}
    if len(lengths) > 1:
        raise ValueError(f"columns of different lengths: {sorted(lengths)}")
    n = lengths.pop() if lengths else 0
    by_dtype: dict[np.dtype, list[int]] = {}
    listed = list(arrays.values())
    for i, array in enumerate(listed):
        by_dtype.setdefault(array.dtype, []).append(i)
    blocks = []
    for dtype, placed in by_dtype.items():
        block = np.empty((len(placed), n), dtype=dtype)  # row by row: objects stay as they are
        for row, i in enumerate(placed):
            block[row] = listed[i]
        blocks.append((block, np.asarray(placed, dtype=np.intp)))
    frame = create_dataframe_from_blocks(blocks, pd.RangeIndex(n), _column_index(tuple(arrays)))
    remember_arrays(frame, arrays)
    return frame


def _column_index(names: tuple[str, ...]) -> pd.Index:
    """pd.Index(names), built once per set of names (~30 us for 25 names: pandas infers their
    dtype); a view each time, so that naming one frame's columns leaves the others' alone."""
    hit = _COLUMN_INDEXES.get(names)
    if hit is None:
        if len(_COLUMN_INDEXES) >= 256:
            _COLUMN_INDEXES.clear()
        hit = _COLUMN_INDEXES[names] = pd.Index(names)
    return hit.view()


_COLUMN_INDEXES: dict[tuple[str, ...], pd.Index] = {}


def _numpy(values: Any) -> np.ndarray:
    return values.to_numpy() if isinstance(values, pd.api.extensions.ExtensionArray) else values


_ARRAYS: dict[int, tuple[pd.DataFrame, dict[str, Any]]] = {}
_ARRAYS_KEPT = 32
_ARRAYS_LOCK = threading.Lock()
_GROUPS: dict[tuple[int, tuple[str, ...]], tuple[pd.DataFrame, dict[Any, np.ndarray]]] = {}


def years_by_country(frame: pd.DataFrame, year_column: str = "year") -> dict[str, frozenset[int]]:
    """country -> the years (or editions) in which a table has a row for it."""
    arrays = column_arrays(frame)
    found: dict[str, set[int]] = {}
    for country, year in zip(arrays["country"], arrays[year_column], strict=True):
        if not pd.isna(year):
            found.setdefault(country, set()).add(int(year))
    return {c: frozenset(ys) for c, ys in found.items()}
