"""Equipment balance, ranking trends, source conflicts and attrition against hand-worked values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from indicators.attrition import attrition_timeline, cumulative_daily, opening_shares
from indicators.common import IndicatorError
from indicators.conflicts import decimals_of, flag_source_conflicts, values_differ
from indicators.equipment import (
    compute_equipment_balance,
    country_counts,
    equipment_sources,
    nearest_shared_year,
)
from indicators.rankings import fit_rank_trend, rank_gap, rank_series
from validation import load_catalog

DOCTRINE = pd.DataFrame(
    {
        "rule_id": ["r3", "r6"],
        "operation": ["attack"] * 2,
        "terrain": ["general", "mountain"],
        "min_ratio": [3.0, 6.0],
        "source_id": ["d", "d"],
        "note": [None, None],
    }
)


def equipment(rows):
    return pd.DataFrame(
        [
            {
                "country": c,
                "year": 2020,
                "category": cat,
                "value": v,
                "low": lo,
                "high": hi,
                "source_id": s,
                "note": None,
            }
            for c, cat, v, lo, hi, s in rows
        ]
    ).astype({"value": "Int64", "low": "Int64", "high": "Int64"})


class TestEquipmentBalance:
    EQ = equipment(
        [
            ("A", "tanks", 600, None, None, "s"),
            ("B", "tanks", 100, None, None, "s"),
            ("A", "mlrs", None, 80, 120, "s"),
            ("B", "mlrs", 40, None, None, "t"),
            ("A", "fighters", 10, None, None, "s"),
            ("B", "fighters", 0, None, None, "s"),
            ("A", "uav", 5, None, None, "s"),
        ]
    )

    def test_ratios_and_verdicts_per_category(self):
        out = compute_equipment_balance(self.EQ, DOCTRINE, "A", "B", 2020).set_index("category")
        assert list(out.index) == ["tanks", "mlrs", "fighters"]  # uav: only A reports it
        assert out.loc["tanks", "ratio_mid"] == 6.0
        assert (out.loc["tanks", "verdict_general"], out.loc["tanks", "verdict_mountain"]) == (
            "met",
            "met",
        )
        assert (out.loc["mlrs", "ratio_low"], out.loc["mlrs", "ratio_high"]) == (2.0, 3.0)
        assert out.loc["mlrs", "ratio_mid"] == 2.5
        assert out.loc["mlrs", "verdict_general"] == "partly_met"
        assert out.loc["mlrs", "source_id"] == "s;t"

    def test_defender_with_none_gets_no_ratio_not_inf(self):
        out = compute_equipment_balance(self.EQ, DOCTRINE, "A", "B", 2020).set_index("category")
        assert out.loc["fighters", "status"] == "no_defender_items"
        assert pd.isna(out.loc["fighters", "ratio_mid"])
        assert out.loc["fighters", "verdict_general"] == "no_ratio"

    def test_embedded_gfp_2020_tanks(self):
        c = load_catalog()
        out = compute_equipment_balance(
            c["equipment"], c["doctrine"], "AZE", "ARM", 2020, categories=["tanks"]
        ).iloc[0]
        assert out["ratio_mid"] == pytest.approx(570 / 110)
        assert (out["verdict_general"], out["verdict_mountain"]) == ("met", "not_met")

    def test_unknown_category_and_country(self):
        with pytest.raises(IndicatorError, match="unknown category"):
            compute_equipment_balance(self.EQ, DOCTRINE, "A", "B", 2020, categories=["ships"])
        with pytest.raises(IndicatorError, match="no equipment counts for C in any year"):
            compute_equipment_balance(self.EQ, DOCTRINE, "A", "C", 2020)


class TestEquipmentSeveralSources:
    """Several sources for one count: one interval from the lowest low to the highest high,
    with every source id; one source may be chosen. Values computed by hand."""

    EQ = equipment(
        [
            ("A", "tanks", 570, None, None, "s1"),
            ("A", "tanks", 600, None, None, "s2"),
            ("A", "mlrs", None, 80, 120, "s1"),
            ("A", "mlrs", 100, None, None, "s2"),
            ("A", "afv", 50, None, None, "s1"),
            ("A", "afv", 50, None, None, "s2"),
            ("B", "tanks", 100, None, None, "s1"),
            ("B", "tanks", 150, None, None, "s2"),
            ("B", "mlrs", 40, None, None, "s1"),
            ("B", "afv", 10, None, None, "s2"),
        ]
    )

    def test_two_sources_make_one_interval_with_both_ids(self):
        counts = country_counts(self.EQ, "A", 2020)
        assert list(counts) == ["tanks", "mlrs", "afv"]
        low, mid, high, sources, reports = counts["tanks"]
        assert (low, mid, high, sources) == (570, 585, 600, "s1;s2")
        assert reports == (("s1", 570, 570, 570), ("s2", 600, 600, 600))
        # a range 80-120 and a value 100: the span is the range, its middle 100
        assert counts["mlrs"][:4] == (80, 100, 120, "s1;s2")
        # sources that agree: their figure, both ids
        assert counts["afv"][:4] == (50, 50, 50, "s1;s2")

    def test_one_source_chosen(self):
        counts = country_counts(self.EQ, "A", 2020, source="s2")
        assert {cat: c[:4] for cat, c in counts.items()} == {
            "tanks": (600, 600, 600, "s2"),
            "mlrs": (100, 100, 100, "s2"),
            "afv": (50, 50, 50, "s2"),
        }
        assert country_counts(self.EQ, "A", 2020, source="nobody") == {}

    def test_balance_of_spans(self):
        out = compute_equipment_balance(self.EQ, DOCTRINE, "A", "B", 2020).set_index("category")
        tanks = out.loc["tanks"]
        assert (tanks["a_low"], tanks["a_high"], tanks["b_low"], tanks["b_high"]) == (
            570,
            600,
            100,
            150,
        )
        assert tanks["ratio_low"] == pytest.approx(570 / 150)
        assert tanks["ratio_high"] == pytest.approx(600 / 100)
        assert tanks["source_id"] == "s1;s2"
        only_s1 = compute_equipment_balance(self.EQ, DOCTRINE, "A", "B", 2020, source="s1")
        assert only_s1["category"].tolist() == ["tanks", "mlrs"]  # B's afv is s2's
        assert only_s1.set_index("category").loc["tanks", "ratio_mid"] == pytest.approx(5.7)

    def test_sources_of_a_selection(self):
        assert equipment_sources(self.EQ, ["A", "B"], 2020) == ["s1", "s2"]
        assert equipment_sources(self.EQ, ["A", "B"], 2019) == []
        lone = pd.concat([self.EQ, equipment([("A", "uav", 3, None, None, "s3")])])
        assert equipment_sources(lone, ["A", "B"], 2020) == ["s1", "s2"]
        assert equipment_sources(lone, ["A"], 2020) == ["s1", "s2", "s3"]

    def test_a_source_without_the_pair_is_an_error_naming_it(self):
        with pytest.raises(IndicatorError, match="no equipment counts for A in 2020 from source x"):
            compute_equipment_balance(self.EQ, DOCTRINE, "A", "B", 2020, source="x")


RANKS = pd.DataFrame(
    {
        "index": "gfp",
        "edition": [2018, 2019, 2020, 2020, 2021, 2018, 2019, 2021],
        "country": ["A", "A", "A", "A", "A", "B", "B", "B"],
        "rank": [10, 12, 14, 14, 15, 30, 28, 20],
        "of_countries": pd.NA,
        "score": [None] * 8,
        "score_scale": None,
        "source_id": ["s1", "s1", "s1", "s2", "s1", "s1", "s1", "s1"],
        "note": None,
    }
).astype({"rank": "Int64", "score": float})


class TestRankingTrends:
    def test_series_merges_reports_of_one_edition(self):
        s = rank_series(RANKS, "gfp", ["A"]).set_index("edition")
        assert s.loc[2020, "rank"] == 14 and s.loc[2020, "n_reports"] == 2
        assert s.loc[2020, "source_id"] == "s1;s2"

    def test_ols_slope_and_ci_match_the_textbook_formulas(self):
        fitted, slopes = fit_rank_trend(rank_series(RANKS, "gfp", ["A"]))
        # x = 2018..2021, y = 10, 12, 14, 15: slope = Sxy/Sxx = 8.5/5 = 1.7
        # residuals -0.2, 0.1, 0.4, -0.3: s^2 = 0.30/2; se = sqrt(0.15/5)
        a = slopes.set_index("country").loc["A"]
        t = stats.t.ppf(0.975, df=2)
        se = math.sqrt(0.15 / 5)
        assert a["estimate"] == pytest.approx(1.7)
        assert (a["ci_low"], a["ci_high"]) == pytest.approx((1.7 - t * se, 1.7 + t * se))
        assert a["n"] == 4
        first = fitted[(fitted["country"] == "A") & (fitted["edition"] == 2018)].iloc[0]
        se_fit = math.sqrt(0.15) * math.sqrt(1 / 4 + 1.5**2 / 5)
        assert first["fitted_rank"] == pytest.approx(10.2)
        assert (first["ci_low"], first["ci_high"]) == pytest.approx(
            (10.2 - t * se_fit, 10.2 + t * se_fit)
        )

    def test_the_trend_agrees_with_statsmodels_ols_on_every_country(self):
        """The fit is the textbook one in numpy; statsmodels' OLS is the independent route."""
        import statsmodels.formula.api as smf

        rankings = load_catalog()["rankings"]
        for index in ("gfp", "gmi"):
            countries = sorted(set(rankings.loc[rankings["index"] == index, "country"]))
            series = rank_series(rankings, index, countries)
            fitted, slopes = fit_rank_trend(series)
            assert len(slopes) >= 2  # the embedded tables: at least Azerbaijan and Armenia
            for row in slopes.itertuples():
                data = series[series["country"] == row.country].dropna(subset=["rank"])
                model = smf.ols("rank ~ edition", data=data.astype({"rank": float})).fit()
                low, high = model.conf_int(alpha=0.05).loc["edition"]
                assert row.estimate == pytest.approx(model.params["edition"], rel=1e-9, abs=1e-9)
                assert (row.ci_low, row.ci_high) == pytest.approx((low, high), rel=1e-9, abs=1e-9)
                assert row.n == int(model.nobs)
                mine = fitted[fitted["country"] == row.country]
                pred = model.get_prediction(mine[["edition"]]).summary_frame(alpha=0.05)
                assert mine["fitted_rank"].to_numpy() == pytest.approx(pred["mean"].to_numpy())
                assert mine["ci_low"].to_numpy() == pytest.approx(pred["mean_ci_lower"].to_numpy())

    def test_rank_gap(self):
        gap = rank_gap(rank_series(RANKS, "gfp", ["A", "B"]), "A", "B").set_index("edition")
        assert gap["gap"].to_dict() == {2018: 20, 2019: 16, 2021: 5}

    def test_unknown_index_and_country(self):
        with pytest.raises(IndicatorError, match="unknown index 'sipri'"):
            rank_series(RANKS, "sipri", ["A"])
        with pytest.raises(IndicatorError, match="unknown country for index gfp: 'ZZZ'"):
            rank_series(RANKS, "gfp", ["ZZZ"])

    def test_statsmodels_is_not_imported_by_the_indicators(self):
        import subprocess
        import sys

        code = (
            "import sys, indicators.rankings, indicators.force_ratio; "
            "print('statsmodels' in sys.modules)"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == "False"

    def test_the_dashboard_starts_without_the_model_libraries(self):
        """statsmodels and scipy take 1.5-2 s each to import: the app is built without them
        (they load where a model is fitted, in the background warm-up)."""
        import subprocess
        import sys

        code = (
            "import sys\n"
            "from dashboard.factory import create_app\n"
            "create_app()\n"
            "print(sorted(m for m in ('statsmodels', 'scipy') if m in sys.modules))"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == "[]"


class TestSourceConflicts:
    def test_gfp_2020_azerbaijan_63_and_64(self):
        c = load_catalog()
        conflicts = flag_source_conflicts(c["rankings"], "rankings")
        aze = conflicts[
            (conflicts["edition"] == 2020)
            & (conflicts["country"] == "AZE")
            & (conflicts["field"] == "rank")
        ]
        assert sorted(aze["value"]) == [63, 64, 64]
        assert set(aze["spread"]) == {1}
        assert set(aze["source_id"]) == {"gfp-2020-trend", "gfp-2020-azernews", "rv-essay"}

    def test_agreeing_or_missing_values_are_not_conflicts(self):
        frame = pd.DataFrame(
            {
                "index": "gfp",
                "edition": 2020,
                "country": ["A", "A", "B", "B"],
                "rank": [5, 5, 7, None],
                "score": [1.1, 1.2, None, None],
                "source_id": ["x", "y", "x", "y"],
            }
        )
        out = flag_source_conflicts(frame, "rankings")
        assert out[["country", "field", "source_id", "value"]].values.tolist() == [
            ["A", "score", "x", 1.1],
            ["A", "score", "y", 1.2],
        ]
        assert out["spread"].tolist() == pytest.approx([0.1, 0.1])

    def test_unknown_table(self):
        with pytest.raises(IndicatorError, match="unknown table 'events'"):
            flag_source_conflicts(pd.DataFrame(), "events")


class TestConflictPrecision:
    """Values are compared at the precision of the less precise source: decimals as written,
    read from the float's shortest repr."""

    @staticmethod
    def spending(values: list[float]) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "country": "AZE",
                "year": 2019,
                "measure": "milex_constant_2019_usd_m",
                "value": values,
                "source_id": [f"s{i}" for i in range(len(values))],
            }
        )

    @pytest.mark.parametrize(
        ("x", "places"),
        [(2237.8, 1), (2237.7647, 4), (63.0, 0), (130000.0, 0), (0.05, 2), (1.2345e-05, 9)],
    )
    def test_decimals_from_the_shortest_repr(self, x, places):
        assert decimals_of(x) == places

    def test_equal_at_the_coarser_precision_is_not_a_conflict(self):
        # 2237.7647 rounds to 2237.8 at one decimal
        assert flag_source_conflicts(self.spending([2237.8, 2237.7647]), "spending").empty
        assert not values_differ([2237.8, 2237.7647, 2237.76])

    def test_different_at_the_coarser_precision_is_a_conflict(self):
        out = flag_source_conflicts(self.spending([2237.8, 2237.9]), "spending")
        assert out[["source_id", "value"]].values.tolist() == [["s0", 2237.8], ["s1", 2237.9]]
        assert out["spread"].tolist() == pytest.approx([0.1, 0.1])
        # 2237.7647 is 2237.8 at one decimal, and 2237.9 is not
        assert values_differ([2237.7647, 2237.9])

    def test_half_rounds_up_from_the_written_digits(self):
        assert not values_differ([2237.8, 2237.75])  # 2237.75 -> 2237.8, not 2237.7
        assert values_differ([2237.7, 2237.75])

    def test_ranks_63_and_64_disagree(self):
        frame = pd.DataFrame(
            {
                "index": "gfp",
                "edition": 2020,
                "country": "AZE",
                "rank": [63.0, 64.0],
                "score": None,
                "source_id": ["a", "b"],
            }
        )
        assert flag_source_conflicts(frame, "rankings")["value"].tolist() == [63, 64]

    def test_a_range_against_a_value_inside_it_is_still_flagged(self):
        frame = pd.DataFrame(
            {
                "country": "AZE",
                "year": 2020,
                "measure": "active",
                "value": [None, 135000.0],
                "low": [130000.0, None],
                "high": [140000.0, None],
                "source_id": ["range", "value"],
            }
        )
        out = flag_source_conflicts(frame, "manpower")
        assert set(out["field"]) == {"low", "high"} and set(out["source_id"]) == {"range", "value"}


class TestAttrition:
    def test_timeline_keeps_ranges_and_attaches_events(self):
        c = load_catalog()
        t = attrition_timeline(c["attrition"], c["events"])
        assert t["date_start"].is_monotonic_increasing
        horadiz = t[(t["low"] == 600) & (t["high"] == 700)].iloc[0]
        assert horadiz["mid"] == 650 and pd.isna(horadiz["value"])
        assert horadiz["event_date"] == pd.Timestamp("2020-10-07")

    def test_opening_shares(self):
        shares = opening_shares(load_catalog()["attrition"]).set_index("subject")
        assert shares.loc["artillery", "high"] == 30
        assert shares.loc["air_defence_systems", "high"] == 60

    def test_cumulative_daily_fills_days_and_runs_the_total(self):
        daily = pd.DataFrame(
            {
                "date": ["2020-09-27", "2020-09-29", "2020-09-29", "2020-12-01"],
                "status": ["k", "k", "m", "k"],
                "count": [3, 2, 1, 9],
            }
        )
        out = cumulative_daily(daily, by=["status"])
        k = out[out["status"] == "k"].set_index("date")
        assert len(k) == 45  # 27 Sep .. 10 Nov inclusive
        assert k["cumulative"].iloc[:3].tolist() == [3, 3, 5]
        assert k["cumulative"].iloc[-1] == 5
        assert out.attrs["outside"] == 9

    def test_cumulative_daily_refuses_negative_counts(self):
        with pytest.raises(IndicatorError, match="negative counts"):
            cumulative_daily(pd.DataFrame({"date": ["2020-10-01"], "count": [-1]}))


class TestIntervalConflicts:
    """Manpower and equipment figures are compared as intervals: a single value against a
    range counts as a disagreement, equal intervals do not, however they are written."""

    FRAME = pd.DataFrame(
        {
            "country": ["A", "A", "B", "B", "C", "C", "D"],
            "year": 2020,
            "measure": "active",
            # A: 5,000 against 4,000-6,000; B: 300 twice (once as a range 300-300);
            # C: a range against the same range with its midpoint stated; D: one source only
            "value": [5000.0, None, 300.0, None, None, 250.0, 10.0],
            "low": [None, 4000.0, None, 300.0, 200.0, 200.0, None],
            "high": [None, 6000.0, None, 300.0, 300.0, 300.0, None],
            "source_id": ["s1", "s2", "s1", "s2", "s1", "s2", "s1"],
        }
    )

    def test_value_against_range(self):
        out = flag_source_conflicts(self.FRAME, "manpower")
        assert out[["country", "field", "source_id", "value", "spread"]].values.tolist() == [
            ["A", "high", "s1", 5000.0, 1000.0],
            ["A", "high", "s2", 6000.0, 1000.0],
            ["A", "low", "s2", 4000.0, 1000.0],
            ["A", "low", "s1", 5000.0, 1000.0],
        ]
        assert set(out["n_sources"]) == {2}

    def test_compare_page_flags_the_cell(self):
        from dashboard.pages.compare import compare_rows
        from tests.dashboard.test_compare import hand_catalog

        catalog = hand_catalog()
        catalog["manpower"] = self.FRAME.assign(
            measure="active_military", qualifier="exact", note=None
        ).astype({"year": "Int64"})
        row = compare_rows(catalog, "A", "B", 2020).set_index("key").loc["manpower-active_military"]
        assert row["a_conflict"] == [("s1", 5000), ("s2", (4000, 6000))]
        assert row["b_conflict"] == []


class TestNearestSharedYear:
    """The year nearest the asked one in which both countries report equipment."""

    EQ = pd.DataFrame(
        {
            "country": ["A", "B", "A", "B", "A", "B", "C"],
            "year": [2014, 2014, 2018, 2018, 2020, 2021, 2016],
            "category": ["tanks"] * 7,
            "value": [1.0] * 7,
            "low": [np.nan] * 7,
            "high": [np.nan] * 7,
            "source_id": ["s1", "s1", "s2", "s2", "s1", "s1", "s1"],
        }
    )

    def test_the_year_itself_when_both_report_it(self):
        assert nearest_shared_year(self.EQ, "A", "B", 2018) == 2018

    def test_the_nearest_and_on_a_tie_the_later(self):
        # 2016: 2014 and 2018 are both two years away; 2020/2021 are not shared
        assert nearest_shared_year(self.EQ, "A", "B", 2016) == 2018
        assert nearest_shared_year(self.EQ, "A", "B", 2030) == 2018
        assert nearest_shared_year(self.EQ, "A", "B", 2015) == 2014

    def test_one_source_only_and_none_shared(self):
        assert nearest_shared_year(self.EQ, "A", "B", 2018, source="s1") == 2014
        assert nearest_shared_year(self.EQ, "A", "C", 2016) is None
