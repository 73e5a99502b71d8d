"""Force ratio, doctrine check and scenario against values worked out by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicators.common import IndicatorError
from indicators.force_ratio import (
    best_measure,
    check_doctrine,
    compute_force_ratio,
    compute_scenario,
    doctrine_verdict,
    index_strengths,
    ratio_interval,
    select_strength,
)
from validation import load_catalog

DOCTRINE = pd.DataFrame(
    {
        "rule_id": ["r3", "r6"],
        "operation": ["attack", "attack"],
        "terrain": ["general", "mountain"],
        "min_ratio": [3.0, 6.0],
        "source_id": ["doc-a", "doc-b"],
        "note": [None, None],
    }
)


def manpower(*rows):
    """rows of (country, value, low, high, source_id) for year 2020, measure wartime_strength."""
    return pd.DataFrame(
        [
            {
                "country": c,
                "year": 2020,
                "measure": "wartime_strength",
                "value": v,
                "low": lo,
                "high": hi,
                "qualifier": "exact",
                "source_id": s,
                "note": None,
            }
            for c, v, lo, hi, s in rows
        ]
    ).astype({"value": "Float64", "low": "Float64", "high": "Float64"})


ESSAY = manpower(("AZE", None, 130_000, 140_000, "e"), ("ARM", None, 60_000, 65_000, "e"))


class TestForceRatioInterval:
    def test_essay_figures_give_2_to_2_333_mid_2_16(self):
        r = compute_force_ratio(ESSAY, "AZE", "ARM", 2020).iloc[0]
        assert r["ratio_low"] == pytest.approx(130 / 65)  # 2.000
        assert r["ratio_high"] == pytest.approx(140 / 60)  # 2.333
        assert r["ratio_mid"] == pytest.approx(135 / 62.5)  # 2.16
        assert round(r["ratio_mid"], 2) == 2.16
        assert r["source_id"] == "e"

    def test_embedded_essay_rows_give_the_same_interval(self):
        c = load_catalog()
        r = compute_force_ratio(c["manpower"], "AZE", "ARM", 2020).iloc[0]
        assert (round(r["ratio_low"], 3), round(r["ratio_high"], 3)) == (2.0, 2.333)
        assert r["source_id"] == "rv-essay"

    def test_single_values_give_a_point_interval(self):
        mp = manpower(("A", 90, None, None, "s1"), ("B", 30, None, None, "s2"))
        r = compute_force_ratio(mp, "A", "B", 2020).iloc[0]
        assert (r["ratio_low"], r["ratio_mid"], r["ratio_high"]) == (3.0, 3.0, 3.0)
        assert r["source_id"] == "s1;s2"

    def test_committed_shares_scale_each_side(self):
        # half of AZE against all of ARM: 65-70k against 60-65k
        r = compute_force_ratio(ESSAY, "AZE", "ARM", 2020, attacker_share=50).iloc[0]
        assert r["ratio_low"] == pytest.approx(65 / 65)
        assert r["ratio_high"] == pytest.approx(70 / 60)
        # all of AZE against 60 % of ARM: 130-140k against 36-39k
        r = compute_force_ratio(ESSAY, "AZE", "ARM", 2020, defender_share=60).iloc[0]
        assert r["ratio_low"] == pytest.approx(130 / 39)
        assert r["ratio_high"] == pytest.approx(140 / 36)


class TestDoctrineCheck:
    def test_mountain_rule_not_met_with_shortfall_2_6_to_3(self):
        r = compute_scenario(ESSAY, DOCTRINE, "AZE", "ARM", 2020, terrain="mountain").iloc[0]
        assert r["verdict"] == "not_met"
        assert r["min_ratio"] == 6
        assert r["shortfall_low"] == pytest.approx(6 / (140 / 60))  # 2.571
        assert r["shortfall_high"] == pytest.approx(6 / 2)  # 3.0
        assert r["verdict_text"] == "not met: the attacker would need 2.6 to 3.0 times its strength"
        assert (r["needed_low"], r["needed_high"]) == (360_000, 390_000)
        assert r["sufficient_defender_low"] == pytest.approx(130_000 / 6)
        assert r["sufficient_defender_high"] == pytest.approx(140_000 / 6)
        assert r["source_id"] == "e;doc-b"

    def test_general_rule_is_three_to_one(self):
        r = compute_scenario(ESSAY, DOCTRINE, "AZE", "ARM", 2020).iloc[0]
        assert (r["rule_id"], r["verdict"]) == ("r3", "not_met")
        assert r["shortfall_high"] == pytest.approx(1.5)

    def test_partly_met_when_the_rule_falls_inside_the_interval(self):
        mp = manpower(("A", None, 150, 200, "s"), ("B", None, 50, 60, "s"))  # 2.5 .. 4.0
        r = compute_scenario(mp, DOCTRINE, "A", "B", 2020).iloc[0]
        assert r["verdict"] == "partly_met"
        assert r["verdict_text"].startswith("met only in part of the interval")

    def test_met_when_the_whole_interval_reaches_the_rule(self):
        mp = manpower(("A", 700, None, None, "s"), ("B", 100, None, None, "s"))
        r = compute_scenario(mp, DOCTRINE, "A", "B", 2020, terrain="mountain").iloc[0]
        assert r["verdict"] == "met"
        assert r["shortfall_high"] == pytest.approx(6 / 7)

    @pytest.mark.parametrize("terrain", ["general", "mountain"])
    @pytest.mark.parametrize("shares", [(100.0, 100.0), (40.0, 75.0), (1.0, 100.0)])
    def test_scenario_is_the_two_steps_in_one(self, terrain, shares):
        """compute_scenario builds its row in one step; the two-step route gives the same frame."""
        mp = manpower(("A", None, 150, 200, "s"), ("B", 60, None, None, "t"))
        one = compute_scenario(mp, DOCTRINE, "A", "B", 2020, terrain, *shares)
        ratios = compute_force_ratio(mp, "A", "B", 2020, "wartime_strength", *shares)
        pd.testing.assert_frame_equal(one, check_doctrine(ratios, DOCTRINE, terrain))

    def test_verdict_at_the_boundary_counts_as_met(self):
        v = doctrine_verdict(pd.Series([3.0, 2.9, 1.0]), pd.Series([3.5, 3.0, 2.99]), 3.0)
        assert v.tolist() == ["met", "partly_met", "not_met"]


class TestBadInput:
    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"attacker": "XYZ"}, "unknown country 'XYZ'"),
            ({"defender": "QQQ"}, "unknown country 'QQQ'"),
            ({"year": 1999}, "no wartime_strength figure for AZE in 1999"),
            ({"attacker_share": 120}, "attacker_share must be a percentage"),
            ({"defender_share": 0}, "defender_share must be a percentage above 0"),
            ({"defender_share": float("nan")}, "defender_share"),
            ({"attacker_share": -5}, "attacker_share"),
        ],
    )
    def test_errors_name_the_parameter(self, kwargs, message):
        args = {"attacker": "AZE", "defender": "ARM", "year": 2020, **kwargs}
        with pytest.raises(IndicatorError, match=message.replace("(", r"\(")):
            compute_force_ratio(ESSAY, **args)

    def test_zero_defender_strength(self):
        mp = manpower(("A", 100, None, None, "s"), ("B", 0, None, None, "s"))
        with pytest.raises(IndicatorError, match="defender strength of B must be positive"):
            compute_force_ratio(mp, "A", "B", 2020)

    def test_negative_defender_strength(self):
        mp = manpower(("A", 100, None, None, "s"), ("B", None, -10, 5, "s"))
        with pytest.raises(IndicatorError, match="defender strength of B must be positive"):
            compute_force_ratio(mp, "A", "B", 2020)

    def test_missing_defender_strength(self):
        mp = manpower(("A", 100, None, None, "s"), ("B", None, None, None, "s"))
        with pytest.raises(IndicatorError, match="has no value"):
            compute_force_ratio(mp, "A", "B", 2020)

    def test_unknown_terrain(self):
        with pytest.raises(
            IndicatorError, match="unknown terrain 'desert'; known: general, mountain"
        ):
            compute_scenario(ESSAY, DOCTRINE, "AZE", "ARM", 2020, terrain="desert")

    def test_the_same_country_on_both_sides_is_refused(self):
        with pytest.raises(IndicatorError, match="both AZE; choose two different countries"):
            compute_force_ratio(ESSAY, "AZE", "AZE", 2020)


def figures(*rows):
    """rows of (country, year, measure, value, low, high, source_id)."""
    return pd.DataFrame(
        [
            {
                "country": c,
                "year": y,
                "measure": m,
                "value": v,
                "low": lo,
                "high": hi,
                "qualifier": "exact",
                "source_id": s,
                "note": None,
            }
            for c, y, m, v, lo, hi, s in rows
        ]
    ).astype({"value": "Float64", "low": "Float64", "high": "Float64"})


class TestSeveralSources:
    def test_two_sources_give_the_interval_spanning_them(self):
        # A: 100 (s1) and 120 (s2) -> 100-120, mid 110; B: 10 (s1) and 8-12 (s2) -> 8-12, mid 10
        mp = manpower(
            ("A", 100, None, None, "s1"),
            ("A", 120, None, None, "s2"),
            ("B", 10, None, None, "s1"),
            ("B", None, 8, 12, "s2"),
        )
        row = compute_force_ratio(mp, "A", "B", 2020).iloc[0]
        assert (row["attacker_low"], row["attacker_mid"], row["attacker_high"]) == (100, 110, 120)
        assert (row["defender_low"], row["defender_mid"], row["defender_high"]) == (8, 10, 12)
        assert row["ratio_low"] == pytest.approx(100 / 12)
        assert row["ratio_mid"] == pytest.approx(11.0)
        assert row["ratio_high"] == pytest.approx(15.0)
        assert row["source_id"] == "s1;s2"

    def test_sources_that_agree_give_a_point(self):
        mp = manpower(
            ("A", 100, None, None, "s1"), ("A", 100, None, None, "s2"), ("B", 50, None, None, "s1")
        )
        row = compute_force_ratio(mp, "A", "B", 2020).iloc[0]
        assert (row["ratio_low"], row["ratio_mid"], row["ratio_high"]) == (2, 2, 2)
        assert row["source_id"] == "s1;s2"

    def test_one_source_can_still_be_chosen(self):
        mp = manpower(("A", 100, None, None, "s1"), ("A", 120, None, None, "s2"))
        strength = select_strength(mp, "A", 2020, source_id="s2")
        assert (strength["low"], strength["high"], strength["source_id"]) == (120, 120, "s2")

    def test_a_source_without_a_value_is_left_out(self):
        mp = manpower(("A", 100, None, None, "s1"), ("A", None, None, None, "s2"))
        strength = select_strength(mp, "A", 2020)
        assert (strength["low"], strength["high"], strength["source_id"]) == (100, 100, "s1")


# India and Pakistan as the World Bank and COW give them, plus an invented active figure.
PAIR = figures(
    ("IND", 2016, "total_military", 2_750_000, None, None, "wdi"),
    ("IND", 2016, "total_military", 1_395_000, None, None, "cow"),
    ("PAK", 2016, "total_military", 936_000, None, None, "wdi"),
    ("PAK", 2016, "total_military", 635_000, None, None, "cow"),
    ("IND", 2015, "total_military", 2_700_000, None, None, "wdi"),
    ("PAK", 2015, "total_military", 930_000, None, None, "wdi"),
    ("IND", 2015, "active", 1_300_000, None, None, "x"),
    ("PAK", 2015, "active", 620_000, None, None, "x"),
    ("PAK", 2015, "wartime_strength", 700_000, None, None, "x"),
    ("IND", 2015, "population", 1_300_000_000, None, None, "x"),
    ("PAK", 2015, "population", 190_000_000, None, None, "x"),
    ("PAK", 2014, "total_military", 900_000, None, None, "wdi"),
)


class TestMeasureFallback:
    def test_a_pair_with_only_total_armed_forces(self):
        # 2016: IND 1,395,000-2,750,000, PAK 635,000-936,000 (WDI and COW disagree)
        row = compute_force_ratio(PAIR, "IND", "PAK", 2016, measure=None).iloc[0]
        assert row["measure"] == "total_military"
        assert row["ratio_low"] == pytest.approx(1_395_000 / 936_000)
        assert row["ratio_mid"] == pytest.approx(2_072_500 / 785_500)
        assert row["ratio_high"] == pytest.approx(2_750_000 / 635_000)
        assert row["source_id"] == "wdi;cow"

    def test_active_comes_before_total_and_wartime_needs_both_sides(self):
        # 2015: only PAK has a wartime strength; both have active and total armed forces
        assert best_measure(PAIR, "IND", "PAK", 2015) == "active"
        row = compute_force_ratio(PAIR, "IND", "PAK", 2015, measure=None).iloc[0]
        assert row["ratio_mid"] == pytest.approx(1_300_000 / 620_000)

    def test_wartime_strength_comes_first(self):
        assert best_measure(ESSAY, "AZE", "ARM", 2020) == "wartime_strength"

    def test_no_measure_in_common_names_the_years_there_are(self):
        with pytest.raises(
            IndicatorError, match="in 2014; they have figures in common for 2015-2016"
        ):
            best_measure(PAIR, "IND", "PAK", 2014)


class TestStrengthIndex:
    index = index_strengths(PAIR)

    def test_years_the_pair_has_latest_first(self):
        assert self.index.years("IND", "PAK") == (2016, 2015)
        assert self.index.years("PAK", "XYZ") == ()

    def test_measures_both_have_best_first_population_left_out(self):
        assert self.index.measures("IND", "PAK", 2015) == ("active", "total_military")
        assert self.index.measures("IND", "PAK", 2014) == ()

    def test_countries_with_a_measure_in_a_year(self):
        assert self.index.countries_with(2015, "wartime_strength") == ("PAK",)
        assert self.index.countries_with(2014) == ("PAK",)
        assert self.index.countries() == ("IND", "PAK")


strengths = st.floats(min_value=1.0, max_value=1e7, allow_nan=False, allow_infinity=False)


@st.composite
def intervals(draw):
    a, b, c = sorted(draw(st.lists(strengths, min_size=3, max_size=3)))
    return pd.DataFrame({"low": [a], "mid": [b], "high": [c]})


class TestProperties:
    @given(intervals(), intervals())
    def test_interval_contains_mid(self, a, d):
        r = ratio_interval(a, d).iloc[0]
        assert r["ratio_low"] <= r["ratio_mid"] * (1 + 1e-12)
        assert r["ratio_mid"] <= r["ratio_high"] * (1 + 1e-12)

    @given(intervals(), intervals())
    def test_swapping_sides_inverts_the_interval(self, a, d):
        fwd = ratio_interval(a, d).iloc[0]
        back = ratio_interval(d, a).iloc[0]
        assert math.isclose(fwd["ratio_low"], 1 / back["ratio_high"], rel_tol=1e-9)
        assert math.isclose(fwd["ratio_high"], 1 / back["ratio_low"], rel_tol=1e-9)
        assert math.isclose(fwd["ratio_mid"], 1 / back["ratio_mid"], rel_tol=1e-9)

    @given(intervals(), intervals(), st.floats(min_value=1e-3, max_value=1e3))
    def test_scaling_both_sides_leaves_the_ratio(self, a, d, k):
        plain = ratio_interval(a, d).iloc[0]
        scaled = ratio_interval(a * k, d * k).iloc[0]
        for col in ("ratio_low", "ratio_mid", "ratio_high"):
            assert math.isclose(plain[col], scaled[col], rel_tol=1e-9)

    @given(
        intervals(),
        intervals(),
        st.floats(min_value=1.0, max_value=100.0),
        st.sampled_from(["general", "mountain"]),
    )
    def test_verdict_never_worsens_as_the_attacker_grows(self, a, d, growth, terrain):
        order = {"not_met": 0, "partly_met": 1, "met": 2}
        before = check_doctrine(ratio_interval(a, d).assign(source_id="s"), DOCTRINE, terrain)
        after = check_doctrine(
            ratio_interval(a * growth, d).assign(source_id="s"), DOCTRINE, terrain
        )
        assert order[after["verdict"].iloc[0]] >= order[before["verdict"].iloc[0]]
