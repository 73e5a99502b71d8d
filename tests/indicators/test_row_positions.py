"""row_positions and known_values: the memoised row lookups of the indicators, checked against
pandas masks (an independent route) on hand-made and random tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.common import known_values, row_positions

FRAME = pd.DataFrame(
    {
        "country": ["AZE", "ARM", "AZE", None, "AZE"],
        "year": [2020, 2020, 2019, 2020, 2020],
        "measure": ["active", "active", "active", "active", "reserve"],
    }
)


def test_lookups_by_hand():
    assert row_positions(FRAME, country="AZE").tolist() == [0, 2, 4]
    assert row_positions(FRAME, country="AZE", year=2020).tolist() == [0, 4]
    assert row_positions(FRAME, country="AZE", year=2020, measure="reserve").tolist() == [4]
    assert row_positions(FRAME, year=2020).tolist() == [0, 1, 3, 4]
    assert row_positions(FRAME, country="GEO").tolist() == []
    assert known_values(FRAME, "country") == {"AZE", "ARM"}  # no missing value


def test_another_frame_with_the_same_id_is_not_confused():
    """Lookups are kept per frame object: a new frame (after a reload) is grouped anew."""
    first = pd.DataFrame({"country": ["A", "B"]})
    assert row_positions(first, country="B").tolist() == [1]
    second = pd.DataFrame({"country": ["B", "B", "A"]})
    assert row_positions(second, country="B").tolist() == [0, 1]
    assert row_positions(pd.DataFrame({"country": []}), country="B").tolist() == []


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["A", "B", "C"]), st.integers(2018, 2021)),
        min_size=1,
        max_size=40,
    ),
    st.sampled_from(["A", "B", "C", "D"]),
    st.integers(2017, 2021),
)
def test_same_rows_as_a_pandas_mask(rows, country, year):
    frame = pd.DataFrame(rows, columns=["country", "year"])
    mask = (frame["country"] == country) & (frame["year"] == year)
    expected = np.flatnonzero(mask.to_numpy()).tolist()
    assert row_positions(frame, country=country, year=year).tolist() == expected
    by_country = np.flatnonzero((frame["country"] == country).to_numpy()).tolist()
    assert row_positions(frame, country=country).tolist() == by_country
