"""indicators.balance: ratios A:B oriented so that above 1 means A stronger, and a pair's
figures over time as one line per source where sources differ. Expected values by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from indicators.balance import balance_ratios, ratio_words, source_lines
from indicators.common import IndicatorError


def pairs(*rows: tuple) -> pd.DataFrame:
    """(key, stronger, a_low, a_mid, a_high, b_low, b_mid, b_high) rows."""
    columns = ["key", "stronger", "a_low", "a_mid", "a_high", "b_low", "b_mid", "b_high"]
    return pd.DataFrame(rows, columns=columns)


class TestBalanceRatios:
    def test_single_figures_are_a_over_b(self):
        out = balance_ratios(pairs(("tanks", "higher", 570, 570, 570, 110, 110, 110)))
        row = out.iloc[0]
        assert row["ratio_mid"] == pytest.approx(570 / 110)  # 5.1818...
        assert row["ratio_low"] == row["ratio_mid"] == row["ratio_high"]
        assert (row["status"], row["favours"]) == ("ok", "a")

    def test_ranges_give_the_widest_interval(self):
        # wartime strength: 130,000-140,000 against 60,000-65,000
        out = balance_ratios(
            pairs(("wartime", "higher", 130_000, 135_000, 140_000, 60_000, 62_500, 65_000))
        )
        row = out.iloc[0]
        assert row["ratio_low"] == pytest.approx(2.0)  # 130,000 / 65,000
        assert row["ratio_mid"] == pytest.approx(2.16)  # 135,000 / 62,500
        assert row["ratio_high"] == pytest.approx(2.333333, rel=1e-6)  # 140,000 / 60,000

    def test_ranks_are_inverted_so_that_above_one_is_a_stronger(self):
        # GFP ranks 63-64 against 111-112: A ranks better, so the ratio is above 1
        out = balance_ratios(pairs(("gfp-rank", "lower", 63, 63.5, 64, 111, 111.5, 112)))
        row = out.iloc[0]
        assert row["ratio_low"] == pytest.approx(111 / 64)  # 1.734
        assert row["ratio_mid"] == pytest.approx(111.5 / 63.5)  # 1.756
        assert row["ratio_high"] == pytest.approx(112 / 63)  # 1.778
        assert row["favours"] == "a"

    def test_a_worse_rank_is_below_one(self):
        out = balance_ratios(pairs(("gmi-rank", "lower", 10, 10, 10, 5, 5, 5)))
        assert out.loc[0, "ratio_mid"] == pytest.approx(0.5)
        assert out.loc[0, "favours"] == "b"

    def test_other_columns_are_kept_in_order(self):
        frame = pairs(("x", "higher", 2, 2, 2, 1, 1, 1)).assign(label="Tanks")
        out = balance_ratios(frame)
        assert list(out.columns[: len(frame.columns)]) == list(frame.columns)
        assert out.loc[0, "label"] == "Tanks"

    def test_a_side_with_none_has_no_ratio(self):
        out = balance_ratios(
            pairs(
                ("fighters", "higher", 17, 17, 17, 0, 0, 0),
                ("drones", "higher", 0, 0, 0, 4, 4, 4),
                ("ships", "higher", 0, 0, 0, 0, 0, 0),
                ("guns", "higher", 0, 5, 10, 4, 4, 4),
                ("even", "higher", 4, 4, 4, 4, 4, 4),
            )
        )
        assert list(out["status"]) == ["b_none", "a_none", "both_none", "reaches_zero", "ok"]
        assert list(out["favours"]) == ["a", "b", "even", "even", "even"]
        assert out["ratio_mid"][:4].isna().all() and out.loc[4, "ratio_mid"] == 1.0

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ({"stronger": "bigger"}, "stronger must be 'higher' or 'lower'"),
            ({"a_low": 9.0}, "a_low <= a_mid <= a_high"),
            ({"b_mid": float("nan")}, "b_low <= b_mid <= b_high"),
            ({"b_low": -1.0}, "b_low <= b_mid <= b_high"),
        ],
    )
    def test_bad_input_is_named(self, change, message):
        frame = pairs(("x", "higher", 2, 3, 4, 1, 2, 3)).assign(**change)
        with pytest.raises(IndicatorError, match=message.replace("(", r"\(")):
            balance_ratios(frame)

    def test_missing_columns_are_named(self):
        with pytest.raises(IndicatorError, match="needs columns b_low, b_mid, b_high"):
            balance_ratios(pairs().drop(columns=["b_low", "b_mid", "b_high"]))


@pytest.mark.parametrize(
    ("ratio", "text"),
    [
        (2.16, "2.2:1"),
        (5.0, "5:1"),
        (0.5, "1:2"),
        (1 / 1.176, "1:1.2"),
        (1.0, "1:1"),
        (0.0, "no ratio"),
        (math.inf, "no ratio"),
        (math.nan, "no ratio"),
    ],
)
def test_ratio_words(ratio, text):
    assert ratio_words(ratio) == text


def figures(*rows: tuple) -> pd.DataFrame:
    """(country, family, source_id, year, value) rows of one series."""
    frame = pd.DataFrame(rows, columns=["country", "family", "source_id", "year", "value"])
    return frame.assign(series="spending", unit="usd_m")


class TestSourceLines:
    def test_sources_of_a_family_that_agree_share_a_line(self):
        out = source_lines(
            figures(
                ("AAA", "GFP", "gfp-2018", 2018, 10.0),
                ("AAA", "GFP", "gfp-2020", 2020, 12.0),
                ("AAA", "GFP", "gfp-2020b", 2020, 12.0),  # the same figure again
            )
        )
        assert list(out["line"]) == [0, 0]
        assert list(out["year"]) == [2018, 2020]
        assert list(out["source_id"]) == ["gfp-2018", "gfp-2020;gfp-2020b"]

    def test_sources_that_differ_get_lines_of_their_own(self):
        # SIPRI's 2021 edition: 5.391 for 2020; its 2023 edition: 5.242
        out = source_lines(
            figures(
                ("AAA", "SIPRI", "sipri-2021", 2019, 4.0),
                ("AAA", "SIPRI", "sipri-2021", 2020, 5.391),
                ("AAA", "SIPRI", "sipri-2023", 2020, 5.242),
                ("AAA", "SIPRI", "sipri-2023", 2021, 5.0),
            )
        )
        assert list(zip(out["line"], out["year"], out["source_id"], strict=True)) == [
            (0, 2019, "sipri-2021"),
            (0, 2020, "sipri-2021"),
            (1, 2020, "sipri-2023"),
            (1, 2021, "sipri-2023"),
        ]
        assert list(out["value"]) == [4.0, 5.391, 5.242, 5.0]

    def test_values_equal_at_the_coarser_precision_agree(self):
        out = source_lines(
            figures(
                ("AAA", "SIPRI", "s1", 2020, 2237.8),
                ("AAA", "SIPRI", "s2", 2020, 2237.7647),
            )
        )
        assert list(out["line"]) == [0] and out.loc[0, "source_id"] == "s1;s2"
        assert out.loc[0, "value"] == 2237.8  # the first source's figure

    def test_families_and_countries_are_lines_apart(self):
        out = source_lines(
            figures(
                ("BBB", "COW", "nmc", 2016, 3.0),
                ("AAA", "World Bank", "wdi", 2016, 1.0),
                ("AAA", "COW", "nmc", 2016, 2.0),
            )
        )
        # sorted by country, series, family, line, year; every line is line 0 of its own
        assert list(zip(out["country"], out["family"], out["value"], strict=True)) == [
            ("AAA", "COW", 2.0),
            ("AAA", "World Bank", 1.0),
            ("BBB", "COW", 3.0),
        ]
        assert set(out["line"]) == {0}
        assert set(out["unit"]) == {"usd_m"}  # other columns come along

    def test_a_missing_value_is_no_point(self):
        out = source_lines(figures(("AAA", "COW", "nmc", 2016, np.nan)))
        assert len(out) == 0 and "line" in out.columns

    def test_missing_columns_are_named(self):
        with pytest.raises(IndicatorError, match="needs columns series"):
            source_lines(figures(("AAA", "COW", "nmc", 2016, 1.0)).drop(columns="series"))
