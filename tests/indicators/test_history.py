"""The history indicator: the sample of issue 6 counted by hand from the CDB90 files (csv
module), the logit's coefficients against a maximum-likelihood fit by scipy.optimize on a design
matrix built here, its bands against the delta-method formula with a covariance computed here,
the casualty counts by hand, and tiny hand-made samples whose answers are known exactly."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from indicators.common import IndicatorError
from indicators.history import (
    TERMS,
    battle_sample,
    casualty_claim,
    fit_history_logit,
    observed_rates,
    predict_win,
    ratio_for_probability,
    wilson_interval,
)

Z = stats.norm.ppf(0.975)


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def by_hand(reference_dir) -> list[dict[str, float]]:
    """The sample by the issue's definition, from the files: STRA > 0, STRD > 0, WINA in
    {-1, 0, 1} (wide file), parent empty (battles.csv)."""
    folder = reference_dir / "cdb90"
    parents = {r["isqno"]: r["parent"].strip() for r in rows_of(folder / "battles.csv")}
    out = []
    for r in rows_of(folder / "src-data" / "CDB90-patched.csv"):
        stra, strd, wina = float(r["STRA"]), float(r["STRD"]), int(r["WINA"])
        if stra > 0 and strd > 0 and wina in (-1, 0, 1) and not parents[r["ISQNO"]]:
            out.append(
                {
                    "isqno": int(r["ISQNO"]),
                    "win": float(wina == 1),
                    "rugged": float(r["TERRA1"].startswith("G")),
                    "log_ratio": math.log(stra / strd),
                    "casa": float(r["CASA"]),
                    "casd": float(r["CASD"]),
                }
            )
    return out


@pytest.fixture(scope="module")
def sample(reference_dir) -> pd.DataFrame:
    from validation.importers import cdb90

    return battle_sample(cdb90.read(reference_dir / "cdb90").tables["battles"])


@pytest.fixture(scope="module")
def fit(sample):
    return fit_history_logit(sample)


def design(rows: list[dict[str, float]]) -> tuple[np.ndarray, np.ndarray]:
    x = np.array([[1.0, r["log_ratio"], r["rugged"], r["log_ratio"] * r["rugged"]] for r in rows])
    y = np.array([r["win"] for r in rows])
    return x, y


def mle(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Maximise the logit log-likelihood with scipy.optimize (BFGS, analytic gradient)."""

    def negative(beta):
        eta = x @ beta
        return float(np.sum(np.logaddexp(0, eta) - y * eta))

    def gradient(beta):
        return x.T @ (1 / (1 + np.exp(-(x @ beta))) - y)

    result = optimize.minimize(
        negative, np.zeros(x.shape[1]), jac=gradient, method="BFGS", options={"gtol": 1e-9}
    )
    # BFGS may stop on "precision loss" at the optimum: check the gradient itself.
    assert np.abs(gradient(result.x)).max() < 1e-6, result.message
    return result.x, -result.fun


@pytest.mark.reference
class TestOnCDB90:
    def test_sample_size_counted_by_hand(self, sample, by_hand):
        assert len(sample) == len(by_hand) == 621
        assert sorted(sample["isqno"]) == sorted(r["isqno"] for r in by_hand)
        assert int(sample["rugged"].sum()) == int(sum(r["rugged"] for r in by_hand))
        assert int(sample["win"].sum()) == int(sum(r["win"] for r in by_hand))

    def test_coefficients_match_an_independent_maximum_likelihood_fit(self, fit, by_hand):
        x, y = design(by_hand)
        beta, loglik = mle(x, y)
        coefficients = fit.coefficients.set_index("term")
        assert tuple(coefficients.index) == TERMS
        np.testing.assert_allclose(coefficients["estimate"].to_numpy(), beta, atol=1e-4)
        assert fit.llf == pytest.approx(loglik, abs=1e-6)
        assert fit.n == len(by_hand) == int(coefficients["n"].iloc[0])

    def test_confidence_intervals_from_the_fisher_information(self, fit, by_hand):
        x, y = design(by_hand)
        beta, _ = mle(x, y)
        p = 1 / (1 + np.exp(-(x @ beta)))
        cov = np.linalg.inv(x.T @ (x * (p * (1 - p))[:, None]))
        se = np.sqrt(np.diag(cov))
        c = fit.coefficients
        np.testing.assert_allclose(c["std_error"], se, rtol=1e-4)
        np.testing.assert_allclose(c["ci_low"], beta - Z * se, atol=1e-4)
        np.testing.assert_allclose(c["ci_high"], beta + Z * se, atol=1e-4)

    @pytest.mark.parametrize(("ratio", "rugged"), [(3, True), (6, True), (3, False), (6, False)])
    def test_predict_win_against_the_hand_formula(self, fit, by_hand, ratio, rugged):
        x, y = design(by_hand)
        beta, _ = mle(x, y)
        p = 1 / (1 + np.exp(-(x @ beta)))
        cov = np.linalg.inv(x.T @ (x * (p * (1 - p))[:, None]))
        g = float(rugged)
        row = np.array([1, math.log(ratio), g, g * math.log(ratio)])
        eta, se = row @ beta, math.sqrt(row @ cov @ row)
        got = predict_win(fit, [ratio], rugged).iloc[0]
        assert got["p_win"] == pytest.approx(1 / (1 + math.exp(-eta)), abs=1e-5)
        assert got["p_low"] == pytest.approx(1 / (1 + math.exp(-(eta - Z * se))), abs=1e-4)
        assert got["p_high"] == pytest.approx(1 / (1 + math.exp(-(eta + Z * se))), abs=1e-4)

    def test_casualty_counts_by_hand(self, sample, by_hand):
        counted = [
            r
            for r in by_hand
            if r["win"]
            and r["rugged"]
            and r["casa"] not in (-1, -9, 9999)
            and r["casd"] not in (-1, -9, 9999)
        ]
        fewer = sum(r["casa"] < r["casd"] for r in counted)
        claim = casualty_claim(sample).set_index("terrain")
        assert claim.at["rugged", "both_known"] == len(counted)
        assert claim.at["rugged", "attacker_fewer"] == fewer
        assert claim.at["rugged", "share_fewer"] == pytest.approx(fewer / len(counted))
        wins = sum(1 for r in by_hand if r["win"] and r["rugged"])
        assert claim.at["rugged", "attacker_wins"] == wins

    def test_observed_rates_count_every_battle_once(self, sample, by_hand):
        rates = observed_rates(sample, [0, 1, 3, np.inf])
        assert rates["n"].sum() == len(by_hand)
        rugged_low = [r for r in by_hand if r["rugged"] and r["log_ratio"] < 0]
        row = rates[(rates["terrain"] == "rugged") & (rates["bin_low"] == 0)].iloc[0]
        assert row["n"] == len(rugged_low)
        assert row["wins"] == sum(r["win"] for r in rugged_low)

    def test_ratio_for_probability_is_where_the_band_meets_p(self, fit):
        for rugged in (True, False):
            for p in (0.5, 0.75):
                found = ratio_for_probability(fit, p, rugged)
                if found["ci_kind"] in ("interval", "outside"):
                    ends = predict_win(fit, [found["ci_low"], found["ci_high"]], rugged)
                    touches = np.minimum(
                        np.abs(ends["p_low"] - p), np.abs(ends["p_high"] - p)
                    ).to_numpy()
                    np.testing.assert_allclose(touches, 0, atol=1e-9)
                if found["ci_kind"] == "interval":
                    assert found["ci_low"] < found["ratio"] < found["ci_high"]
                    at = predict_win(fit, [found["ratio"]], rugged)["p_win"].iloc[0]
                    assert at == pytest.approx(p)


def tiny(cells: list[tuple[float, float, int, str, object]]) -> pd.DataFrame:
    """battles rows from (str_a, str_d, wina, terra1, parent)."""
    return pd.DataFrame(
        {
            "isqno": range(1, len(cells) + 1),
            "name": [f"B{i}" for i in range(1, len(cells) + 1)],
            "war": "W",
            "year": 1900,
            "str_a": pd.array([c[0] for c in cells], dtype="Int64"),
            "str_d": pd.array([c[1] for c in cells], dtype="Int64"),
            "cas_a": pd.array([100] * len(cells), dtype="Int64"),
            "cas_d": pd.array([200] * len(cells), dtype="Int64"),
            "wina": pd.array([c[2] for c in cells], dtype="Int64"),
            "terra1": [c[3] for c in cells],
            "rugged": [int(c[3].startswith("G")) for c in cells],
            "parent": pd.array([c[4] for c in cells], dtype="Int64"),
            "post1": "HD",
            "source_id": "import-cdb90",
        }
    )


class TestHandMade:
    def test_sample_rules(self):
        battles = tiny(
            [
                (2000, 1000, 1, "GM0", None),  # kept: rugged win at 2:1
                (1000, 1000, 0, "RM0", None),  # kept: a draw is not a win
                (1000, 2000, -1, "FM0", None),  # kept: loss
                (0, 1000, 1, "RM0", None),  # STRA not > 0
                (1000, None, 1, "RM0", None),  # STRD unknown
                (1000, 1000, None, "RM0", None),  # outcome unknown (WINA -9)
                (3000, 1000, 1, "GM0", 1),  # a duplicate of battle 1
            ]
        )
        sample = battle_sample(battles)
        assert list(sample["isqno"]) == [1, 2, 3]
        assert list(sample["win"]) == [1, 0, 0]
        assert list(sample["rugged"]) == [1, 0, 0]
        assert list(sample["ratio"]) == [2.0, 1.0, 0.5]

    def test_saturated_model_recovers_the_cell_rates(self):
        # Four cells (terrain x ratio 1 or e), so the fit equals the observed rates:
        # other 1:1 2 of 4, other e:1 3 of 4, rugged 1:1 1 of 4, rugged e:1 2 of 4.
        # Hence b0 = logit(1/2) = 0, b1 = logit(3/4) = ln 3, b2 = logit(1/4) = -ln 3,
        # b3 = logit(1/2) - logit(1/4) - ln 3 = 0.
        e = math.e
        cells = []
        for terrain, ratio, wins in (("RM0", 1, 2), ("RM0", e, 3), ("GM0", 1, 1), ("GM0", e, 2)):
            for k in range(4):
                cells.append(
                    (round(1_000_000 * ratio), 1_000_000, 1 if k < wins else -1, terrain, None)
                )
        sample = battle_sample(tiny(cells))
        fit = fit_history_logit(sample)
        est = fit.coefficients.set_index("term")["estimate"]
        assert fit.n == 16 and fit.wins == 8
        np.testing.assert_allclose(est.to_numpy(), [0, math.log(3), -math.log(3), 0], atol=1e-5)
        pred = predict_win(fit, [1, e], [True, False])
        np.testing.assert_allclose(pred["p_win"], [0.25, 0.75], atol=1e-5)
        # other terrain reaches 1/2 at ratio 1
        assert ratio_for_probability(fit, 0.5, False)["ratio"] == pytest.approx(1, abs=1e-4)
        rates = observed_rates(sample, [0, 2, 10]).set_index(["terrain", "bin_low"])
        assert rates.loc[("rugged", 0.0), "win_rate"] == 0.25
        assert rates.loc[("other", 2.0), "win_rate"] == 0.75

    def test_casualty_claim_on_a_tiny_sample(self):
        battles = tiny([(2000, 1000, 1, "GM0", None)] * 3 + [(2000, 1000, -1, "GM0", None)])
        battles["cas_a"] = pd.array([100, 300, None, 50], dtype="Int64")
        battles["cas_d"] = pd.array([200, 200, 100, 100], dtype="Int64")
        claim = casualty_claim(battle_sample(battles)).set_index("terrain")
        assert claim.at["rugged", "attacker_wins"] == 3
        assert claim.at["rugged", "both_known"] == 2
        assert claim.at["rugged", "attacker_fewer"] == 1
        assert claim.at["rugged", "attacker_more"] == 1
        assert claim.at["rugged", "share_fewer"] == 0.5
        assert claim.at["other", "both_known"] == 0

    def test_wilson_interval_by_hand(self):
        # 58 of 83: centre and half-width from the textbook formula
        k, n = 58, 83
        p = k / n
        centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
        half = Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n * n)) / (1 + Z**2 / n)
        assert wilson_interval(k, n) == pytest.approx((centre - half, centre + half))

    def test_errors_name_the_problem(self):
        with pytest.raises(IndicatorError, match="too few battles"):
            fit_history_logit(battle_sample(tiny([(2000, 1000, 1, "GM0", None)])))
        with pytest.raises(IndicatorError, match="lacks column"):
            battle_sample(pd.DataFrame({"isqno": [1]}))
        with pytest.raises(IndicatorError, match="increasing"):
            observed_rates(battle_sample(tiny([(2000, 1000, 1, "GM0", None)])), [1, 1])
