"""indicators.world on hand-made tables: which indicators exist, the span across sources, the
positions (ties, lower first) and personnel per 1,000 inhabitants, computed by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from indicators.common import IndicatorError
from indicators.world import indicator_rows, indicator_values, indicator_years, world_indicators


def _manpower(rows):
    return pd.DataFrame(
        rows, columns=["country", "year", "measure", "value", "low", "high", "source_id"]
    ).astype({"value": float, "low": float, "high": float})


MANPOWER = _manpower(
    [
        ("AAA", 2020, "active", 100.0, None, None, "s1"),
        ("AAA", 2020, "active", 140.0, None, None, "s2"),
        ("BBB", 2020, "active", None, 60.0, 80.0, "s1"),  # a stated range: mid 70
        ("CCC", 2020, "active", 70.0, None, None, "s1"),
        ("CCC", 2019, "active", 50.0, None, None, "s1"),
        ("AAA", 2020, "population", 10_000.0, None, None, "p1"),
        ("BBB", 2021, "population", 5_000.0, None, None, "p1"),  # another year: no ratio
    ]
)
RANKINGS = pd.DataFrame(
    {
        "index": ["gfp", "gfp", "gfp"],
        "edition": [2020, 2020, 2020],
        "country": ["AAA", "AAA", "BBB"],
        "rank": [63, 64, 111],
        "score": [None, None, None],
        "source_id": ["r1", "r2", "r1"],
    }
).astype({"rank": "Int64", "score": float})


def _by_code(tables):
    return {i.code: i for i in world_indicators(tables)}


class TestWhichIndicators:
    def test_only_what_the_tables_hold(self):
        found = _by_code({"manpower": MANPOWER, "rankings": RANKINGS})
        # population is not personnel; GFP gives ranks but no score here; no spending table
        assert list(found) == ["active", "active_per_1000", "gfp_rank"]
        assert found["gfp_rank"].lower_first and not found["active"].lower_first

    def test_per_1000_needs_a_population_in_the_same_country_and_year(self):
        no_overlap = MANPOWER[~((MANPOWER["country"] == "AAA") & (MANPOWER["year"] == 2020))]
        assert "active_per_1000" not in _by_code({"manpower": no_overlap})


class TestValues:
    def test_span_across_sources_and_positions(self):
        ind = _by_code({"manpower": MANPOWER})["active"]
        rows = indicator_rows({"manpower": MANPOWER}, ind)
        assert indicator_years(rows) == (2020, 2019)
        v = indicator_values(rows, 2020)
        # AAA: 100 and 140 -> 100-140, middle 120; CCC 70; BBB range 60-80, mid 70 (a tie)
        assert v["country"].tolist() == ["AAA", "BBB", "CCC"]
        assert v["position"].tolist() == [1, 2, 2]
        assert v["value"].tolist() == [120.0, 70.0, 70.0]
        assert v["low"].tolist() == [100.0, 60.0, 70.0]
        assert v["high"].tolist() == [140.0, 80.0, 70.0]
        assert v["n_sources"].tolist() == [2, 1, 1]
        assert v["source_id"].iat[0] == "s1;s2"
        assert v["reports"].iat[0] == (("s1", 100.0, 100.0, 100.0), ("s2", 140.0, 140.0, 140.0))

    def test_lower_first_puts_rank_1_first(self):
        ind = _by_code({"rankings": RANKINGS})["gfp_rank"]
        v = indicator_values(indicator_rows({"rankings": RANKINGS}, ind), 2020, lower_first=True)
        assert v["country"].tolist() == ["AAA", "BBB"]
        assert v["value"].tolist() == [63.5, 111.0]  # 63 and 64: the middle
        assert v["position"].tolist() == [1, 2]

    def test_per_1000_inhabitants(self):
        ind = _by_code({"manpower": MANPOWER})["active_per_1000"]
        v = indicator_values(indicator_rows({"manpower": MANPOWER}, ind), 2020)
        # AAA only: 100 and 140 per 10,000 people -> 10 and 14 per 1,000
        assert v["country"].tolist() == ["AAA"]
        assert v["low"].iat[0] == pytest.approx(10.0)
        assert v["high"].iat[0] == pytest.approx(14.0)
        assert v["value"].iat[0] == pytest.approx(12.0)
        assert v["source_id"].iat[0] == "s1;p1;s2"

    def test_a_year_without_figures_is_an_error_naming_the_year(self):
        ind = _by_code({"manpower": MANPOWER})["active"]
        with pytest.raises(IndicatorError, match="year: no figures for 1999"):
            indicator_values(indicator_rows({"manpower": MANPOWER}, ind), 1999)
