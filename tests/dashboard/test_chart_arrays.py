"""The column arrays figures and captions read (remembered when a frame is built or its rows
taken, see indicators.common.frame_of and dashboard.charts.common.take_rows) are the frame's own
columns: checked against arrays taken from each frame through pandas, for every chart."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.charts import load_charts
from dashboard.charts.common import columns, compact, concat_rows, take_rows
from indicators.common import IndicatorError, frame_of
from validation import load_catalog


def _through_pandas(frame: pd.DataFrame) -> dict:
    return {c: s.array if s.dtype.kind == "M" else s.to_numpy() for c, s in frame.items()}


def _same(a, b) -> bool:
    if len(a) != len(b) or np.asarray(a).dtype != np.asarray(b).dtype:
        return False
    return all(
        (pd.isna(x) and pd.isna(y)) if pd.isna(x) or pd.isna(y) else x == y
        for x, y in zip(a, b, strict=True)
    )


def _states(chart, catalog) -> list[dict]:
    defaults = {p.name: p.default for p in chart.params}
    states = [defaults]
    for p in chart.params:
        if p.kind == "choice":
            states += [{**defaults, p.name: v} for v in p.allowed(catalog)[:6]]
        elif p.kind == "multi":
            states += [{**defaults, p.name: tuple(p.allowed(catalog)[:3])}]
    return states


@pytest.mark.parametrize("slug", sorted(load_charts()))
def test_remembered_arrays_are_the_frames_columns(slug):
    catalog = load_catalog()
    chart = load_charts()[slug]
    drawn = 0
    for params in _states(chart, catalog):
        try:
            data = chart.data(catalog, params)
        except IndicatorError:
            continue  # no data for this choice (a country without figures, say)
        drawn += 1
        remembered, fresh = columns(data), _through_pandas(data)
        assert list(remembered) == list(fresh), (slug, params)
        for name in fresh:
            assert _same(remembered[name], fresh[name]), (slug, params, name)
    if not slug.startswith(("history-", "claims-")):  # these draw once CDB90 is imported
        assert drawn, f"{slug}: no state drew any data"


def test_frame_of_types_columns_as_pandas_does():
    cols = {
        "text": ["a", None, "c"],
        "gappy": [1, None, 2.5],
        "ints": np.array([1, 2, 3]),
        "flags": [True, False, True],
        "when": pd.to_datetime(["2020-09-27", "2020-10-01", "2020-11-10"]).array,
    }
    frame = frame_of(cols)
    pd.testing.assert_frame_equal(frame, pd.DataFrame(cols))
    got = columns(frame)
    assert got["text"].dtype == object and pd.isna(got["text"][1]) and got["text"][2] == "c"
    assert got["gappy"].dtype == float and np.isnan(got["gappy"][1])
    assert list(got["when"]) == [
        pd.Timestamp("2020-09-27"),
        pd.Timestamp("2020-10-01"),
        pd.Timestamp("2020-11-10"),
    ]
    for name, fresh in _through_pandas(frame).items():
        assert _same(got[name], fresh), name


def test_take_rows_keeps_values_and_numbers_rows_from_zero():
    source = pd.DataFrame(
        {"side": ["AZE", "ARM", None, "AZE"], "value": [1.0, 2.0, 3.0, 4.0]}, index=[7, 8, 9, 10]
    )
    every = compact(source)
    assert every["side"].dtype == object
    rows = take_rows(every, np.array([True, False, True, True]))
    assert list(rows.index) == [0, 1, 2]
    assert rows["value"].tolist() == [1.0, 3.0, 4.0]
    assert rows["side"].iloc[0] == "AZE" and pd.isna(rows["side"].iloc[1])
    for name, fresh in _through_pandas(rows).items():
        assert _same(columns(rows)[name], fresh), name


def test_concat_rows_joins_arrays_or_reads_them_anew():
    first = frame_of(
        {
            "x": [1.0, 2.0],
            "flag": [True, False],
            "when": pd.to_datetime(["2020-09-27", "2020-10-01"]).array,
        }
    )
    second = frame_of({"x": [3.0], "flag": [None], "when": pd.to_datetime(["2020-11-10"]).array})
    both = concat_rows([first, second])
    pd.testing.assert_frame_equal(both, pd.concat([first, second], ignore_index=True))
    got = columns(both)
    assert got["x"].tolist() == [1.0, 2.0, 3.0]
    assert got["flag"].dtype == object  # bool and missing: pandas makes it object, and so here
    for name, fresh in _through_pandas(both).items():
        assert _same(got[name], fresh), name
