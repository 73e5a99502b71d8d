"""Published TDI rates: wins / n per bin with a Wilson 95% interval, spans and middles for a log
axis; checked on hand-made rows and on the embedded table."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from indicators.benchmarks import RATE_COLUMNS, published_rates
from indicators.common import IndicatorError
from validation import load_catalog

Z = 1.959963984540054  # the normal quantile of 0.975


def _table(*rows: dict) -> pd.DataFrame:
    base = {
        "table_id": "t",
        "database": "Test base",
        "row": 1,
        "ratio_low": 1.0,
        "ratio_high": 2.0,
        "attacker_wins_pct": None,
        "wins": None,
        "n": None,
        "source_id": "s",
    }
    return pd.DataFrame([{**base, **r} for r in rows])


class TestWilsonInterval:
    def test_five_of_five(self):
        out = published_rates(_table({"attacker_wins_pct": 100, "wins": 5, "n": 5})).iloc[0]
        # p = 1: the centre and half-width both carry z^2/(2n), so the low end is
        # 1 / (1 + z^2/5) = 1 / 1.76829 = 0.56552, and the high end is 1.
        assert out["rate"] == 1.0
        assert out["ci_low"] == pytest.approx(0.56552, abs=1e-5)
        assert out["ci_high"] == pytest.approx(1.0)

    def test_83_percent_of_53(self):
        out = published_rates(_table({"attacker_wins_pct": 83, "wins": 44, "n": 53})).iloc[0]
        # p = 44/53 = 0.830189, z^2/n = 3.841459/53 = 0.072480
        # centre = (0.830189 + 0.036240) / 1.072480 = 0.807874
        # half = 1.959964 * sqrt(0.830189 * 0.169811 / 53 + 3.841459 / (4 * 53^2)) / 1.072480
        #      = 1.959964 * sqrt(0.0026599 + 0.0003419) / 1.072480 = 0.100127
        assert out["rate"] == pytest.approx(0.830189, abs=1e-6)
        assert out["ci_low"] == pytest.approx(0.707747, abs=1e-4)
        assert out["ci_high"] == pytest.approx(0.908001, abs=1e-4)

    def test_interval_holds_the_rate(self):
        rates = published_rates(load_catalog()["tdi_force_ratio"]).dropna(subset=["ci_low"])
        eps = 1e-12  # 0 of n and n of n put an end on the rate, up to rounding
        assert (rates["ci_low"] <= rates["rate"] + eps).all()
        assert (rates["rate"] <= rates["ci_high"] + eps).all()
        assert (rates["ci_low"] >= -eps).all() and (rates["ci_high"] <= 1 + eps).all()


class TestPublishedRates:
    def test_columns_and_order_kept(self):
        rates = published_rates(load_catalog()["tdi_force_ratio"])
        assert list(rates.columns) == RATE_COLUMNS
        assert len(rates) == 35
        assert rates["table_id"].iloc[0] == "tdi-badb-1600-1900"
        assert rates["database"].iloc[0] == "TDI Battles Data Base, 243 battles 1600-1900"
        assert rates["source_id"].iloc[0] == "tdi-2019-badb-243"

    def test_rate_is_wins_over_n_not_the_rounded_percentage(self):
        out = published_rates(_table({"attacker_wins_pct": 54, "wins": 7, "n": 13})).iloc[0]
        assert out["rate"] == pytest.approx(7 / 13)

    def test_counts_without_percentage(self):
        out = published_rates(_table({"wins": 14, "n": 18})).iloc[0]
        assert out["rate"] == pytest.approx(14 / 18)

    def test_unknown_n_keeps_the_percentage_without_interval(self):
        out = published_rates(_table({"attacker_wins_pct": 100})).iloc[0]
        assert out["rate"] == 1.0
        assert math.isnan(out["ci_low"]) and math.isnan(out["ci_high"])
        assert pd.isna(out["n"]) and pd.isna(out["wins"])

    def test_span_and_geometric_middle(self):
        out = published_rates(_table({"ratio_low": 2.5, "ratio_high": 2.99, "wins": 1, "n": 2}))
        row = out.iloc[0]
        assert (row["ratio_low"], row["ratio_high"]) == (2.5, 2.99)
        assert row["ratio_mid"] == pytest.approx(math.sqrt(2.5 * 2.99))

    def test_open_bin_has_no_middle(self):
        out = published_rates(_table({"ratio_high": None, "wins": 42, "n": 42})).iloc[0]
        assert math.isnan(out["ratio_high"]) and math.isnan(out["ratio_mid"])

    def test_missing_column_is_an_indicator_error(self):
        with pytest.raises(IndicatorError, match="wins"):
            published_rates(_table({}).drop(columns=["wins"]))

    def test_input_not_changed(self):
        tdi = load_catalog()["tdi_force_ratio"]
        before = tdi.copy()
        published_rates(tdi)
        pd.testing.assert_frame_equal(tdi, before)
