"""plain_frame_of: a frame built from its columns' blocks, with no inference. Checked against
pandas' own constructor (an independent route): the same values, the same CSV, text as Python
objects, and the column arrays the figures read are the frame's own."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.common import column_arrays, frame_of, plain_frame_of

COLUMNS = {
    "key": ["equipment-tanks", "gfp-rank", "manpower-active"],  # a list of str
    "status": np.array(["ok", "b_none", "ok"], dtype=object),
    "code": np.array(["AZE", "ARM", "GEO"]),  # a numpy str array
    "ratio": np.array([5.18, np.nan, 0.5]),
    "year": np.array([2020, 2020, 2019]),
    "differ": np.array([True, False, False]),
    "low": np.array([1.0, 2.5, 3.0]),
}


def by_pandas(columns: dict) -> pd.DataFrame:
    """pd.DataFrame's own frame, its text columns then made Python objects."""
    frame = pd.DataFrame(columns)
    text = [c for c, t in frame.dtypes.items() if isinstance(t, pd.StringDtype)]
    return frame.astype(dict.fromkeys(text, object))


def test_the_values_and_types_are_pandas_own():
    frame = plain_frame_of(COLUMNS)
    expected = by_pandas(COLUMNS)
    pd.testing.assert_frame_equal(frame, expected)
    assert list(frame.columns) == list(COLUMNS)
    assert [str(t) for t in frame.dtypes] == [
        "object",
        "object",
        "object",
        "float64",
        "int64",
        "bool",
        "float64",
    ]
    assert frame.loc[1, "status"] == "b_none" and np.isnan(frame.loc[1, "ratio"])


def test_the_csv_is_frame_ofs():
    assert plain_frame_of(COLUMNS).to_csv(index=False) == frame_of(COLUMNS).to_csv(index=False)


def test_the_remembered_arrays_are_the_columns():
    frame = plain_frame_of(COLUMNS)
    arrays = column_arrays(frame)
    assert list(arrays) == list(COLUMNS)
    for name, series in frame.items():
        assert arrays[name].dtype == series.to_numpy().dtype, name
        assert pd.Series(arrays[name]).equals(pd.Series(series.to_numpy())), name


def test_the_frame_behaves_as_any_other():
    frame = plain_frame_of(COLUMNS)
    assert frame.groupby("year")["low"].sum().to_dict() == {2019: 3.0, 2020: 3.5}
    assert frame.to_dict("records")[0]["key"] == "equipment-tanks"
    frame.loc[0, "low"] = 9.0  # a copy of the caller's columns: theirs are left alone
    assert COLUMNS["low"][0] == 1.0


def test_frames_of_the_same_columns_stay_apart():
    first, second = plain_frame_of(COLUMNS), plain_frame_of(COLUMNS)
    first.columns.name = "indicator"
    first.loc[0, "status"] = "a_none"
    assert second.columns.name is None and second.loc[0, "status"] == "ok"
    assert list(second.columns) == list(COLUMNS)


def test_no_rows_and_no_columns():
    empty = plain_frame_of({"key": np.array([], dtype=object), "ratio": np.array([])})
    assert empty.shape == (0, 2) and list(empty.dtypes.astype(str)) == ["object", "float64"]
    assert plain_frame_of({}).shape == (0, 0)


def test_dates_go_through_frame_of():
    days = pd.to_datetime(["2020-09-27", "2020-11-10"]).to_numpy()
    frame = plain_frame_of({"day": days, "side": ["AZE", "ARM"]})
    assert frame["day"].dtype.kind == "M" and str(frame["side"].dtype) == "str"


@pytest.mark.parametrize(
    "odd",
    [
        [1.5, None],  # a number with a gap: float, NaN
        ["AZE", None],  # text with a gap: str, NaN
        ["AZE", 1],  # mixed: objects (numpy would make "1" of the 1)
        [True, 2],  # mixed
        [],  # no rows: float
    ],
)
def test_other_lists_are_left_to_pandas(odd):
    columns = {"odd": odd, "year": np.arange(len(odd))}
    pd.testing.assert_frame_equal(plain_frame_of(columns), frame_of(columns))


def test_columns_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="different lengths"):
        plain_frame_of({"a": np.array([1, 2]), "b": np.array([1.0])})


@settings(max_examples=80, deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda n: st.lists(
            st.one_of(
                st.lists(st.text(max_size=4), min_size=n, max_size=n),
                st.lists(st.text(max_size=4), min_size=n, max_size=n).map(
                    lambda v: np.array(v, dtype=object)
                ),
                st.lists(st.floats(allow_nan=True), min_size=n, max_size=n).map(np.array),
                st.lists(st.integers(-(2**40), 2**40), min_size=n, max_size=n).map(np.array),
                st.lists(st.booleans(), min_size=n, max_size=n).map(np.array),
            ),
            min_size=1,
            max_size=6,
        )
    )
)
def test_random_columns_as_pandas_builds_them(columns):
    named = {f"c{i}": values for i, values in enumerate(columns)}
    pd.testing.assert_frame_equal(plain_frame_of(named), by_pandas(named))
