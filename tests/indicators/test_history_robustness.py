"""The robustness controls of /history (issue 17): for every combination of the sample rules
the dashboard offers (battles listed twice kept or not, four eras, two terrain splits), the
sample counted by hand from the CDB90 files (csv module) and the logit refitted by an
independent route, scipy.optimize on a log-likelihood and a design matrix built here, against
the fit the charts draw (the embedded battles table through dashboard.charts.history)."""

from __future__ import annotations

import csv
import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import optimize

from dashboard.charts import render
from dashboard.charts.history import SPLIT_SENTENCE, history_model, rules_of, sample_line
from indicators.common import IndicatorError
from indicators.history import DUPLICATES, ERAS, SPLITS, SampleRules, battle_selection
from validation import load_catalog

COMBINATIONS = list(itertools.product(DUPLICATES, ERAS, SPLITS))
# The eras by hand: the year its first active period began (ATPBYR1) in [first, stop).
ERA_YEARS = {
    "all": (-math.inf, math.inf),
    "before-1800": (-math.inf, 1800),
    "1800s": (1800, 1900),
    "1900-on": (1900, math.inf),
}
RELIEF = {"rugged": "G", "nonflat": "GR"}


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def files(reference_dir) -> list[dict[str, str]]:
    """Each battle of the wide file with its parent from battles.csv."""
    folder = reference_dir / "cdb90"
    parents = {r["isqno"]: r["parent"].strip() for r in rows_of(folder / "battles.csv")}
    rows = rows_of(folder / "src-data" / "CDB90-patched.csv")
    for r in rows:
        r["parent"] = parents[r["ISQNO"]]
    return rows


def by_hand(rows: list[dict[str, str]], duplicates: str, era: str, split: str):
    """The sample and the counts of what each rule dropped, one battle at a time."""
    first, stop = ERA_YEARS[era]
    counts = {"twice": 0, "incomplete": 0, "era": 0}
    kept = []
    for r in rows:
        if duplicates == "drop" and r["parent"]:
            counts["twice"] += 1
            continue
        stra, strd, wina = float(r["STRA"]), float(r["STRD"]), int(r["WINA"])
        if not (stra > 0 and strd > 0 and wina in (-1, 0, 1)):
            counts["incomplete"] += 1
            continue
        if not first <= int(r["ATPBYR1"]) < stop:
            counts["era"] += 1
            continue
        kept.append(
            (float(wina == 1), math.log(stra / strd), float(r["TERRA1"][:1] in RELIEF[split]))
        )
    return kept, counts


def scipy_fit(kept) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients (intercept, log ratio, terrain, product) maximising the Bernoulli
    log-likelihood, and their standard errors from the inverse of the information matrix
    X' W X computed here."""
    y = np.array([k[0] for k in kept])
    t = np.array([k[1] for k in kept])
    g = np.array([k[2] for k in kept])
    x = np.column_stack([np.ones_like(t), t, g, t * g])

    def nll(beta):
        eta = x @ beta
        return float(np.sum(np.logaddexp(0.0, eta) - y * eta))

    def grad(beta):
        return x.T @ (1 / (1 + np.exp(-(x @ beta))) - y)

    found = optimize.minimize(nll, np.zeros(4), jac=grad, method="BFGS", tol=1e-12)
    p = 1 / (1 + np.exp(-(x @ found.x)))
    info = x.T @ (x * (p * (1 - p))[:, None])
    return found.x, np.sqrt(np.diag(np.linalg.inv(info)))


@pytest.mark.parametrize(("duplicates", "era", "split"), COMBINATIONS)
def test_sample_and_fit_by_an_independent_route(files, duplicates, era, split):
    kept, counts = by_hand(files, duplicates, era, split)
    rules = SampleRules(duplicates, era, split)
    sample, fit, dropped = history_model(load_catalog(), rules)
    assert dropped == {
        "listed": len(files),
        **counts,
        "n": len(kept),
        "wins": int(sum(k[0] for k in kept)),
    }
    assert len(sample) == fit.n == len(kept)
    assert int(sample["rugged"].sum()) == int(sum(k[2] for k in kept))
    beta, se = scipy_fit(kept)
    mine = fit.coefficients
    assert mine["estimate"].to_numpy() == pytest.approx(beta, abs=2e-4, rel=1e-4)
    assert mine["std_error"].to_numpy() == pytest.approx(se, rel=1e-3)


def test_the_counts_of_the_standard_sample(files):
    """The figures the page's sample line starts from, by hand: 660 battles, 36 with a parent,
    3 of the rest without both strengths or a known outcome."""
    kept, counts = by_hand(files, "drop", "all", "rugged")
    assert (len(files), counts["twice"], counts["incomplete"], len(kept)) == (660, 36, 3, 621)
    line = sample_line(load_catalog(), {})
    assert line.startswith("Sample: 621 of CDB90's 660 battles, 369 won by the attacker")
    assert "36 listed twice (with a parent battle)" in line
    assert "3 without both strengths or a known outcome" in line
    assert SPLIT_SENTENCE["rugged"] in line


def test_the_charts_follow_the_controls():
    """The fit, the coefficients and the predictions are drawn from the sample the parameters
    ask for; the captions say which."""
    values = {"duplicates": "keep", "era": "1900-on", "split": "nonflat"}
    _, fit, dropped = history_model(load_catalog(), rules_of(values))
    coefficients = render("history-coefficients", values)
    assert coefficients.data["n"].iloc[0] == fit.n == dropped["n"]
    assert coefficients.data["estimate"].tolist() == fit.coefficients["estimate"].tolist()
    drawn = render("history-fit", values)
    assert "battles listed twice kept, 1900 on" in drawn.caption
    assert "rugged or rolling terrain" in drawn.caption
    names = [t.get("name") for t in drawn.figure["data"]]
    assert "flat or unrecorded terrain: fitted chance" in names
    predictions = render("history-predictions", values)
    assert f"n = {fit.n}" in predictions.caption
    assert render("history-predictions", {}).data["n"].iloc[0] != fit.n


def test_a_rule_outside_the_choices_is_refused():
    with pytest.raises(IndicatorError, match="era must be one of all, before-1800"):
        SampleRules(era="1700s")


def test_fits_are_kept_per_rules():
    catalog = load_catalog()
    first = history_model(catalog, SampleRules(era="1800s"))
    assert history_model(catalog, SampleRules(era="1800s")) is first
    assert history_model(catalog, SampleRules(era="1900-on")) is not first


def test_selection_of_a_tiny_table():
    """Hand-made rows: one listed twice, one with no strength, one in each era."""
    import pandas as pd

    battles = pd.DataFrame(
        {
            "isqno": [1, 2, 3, 4, 5],
            "year": [1700, 1850, 1950, 1950, 1950],
            "str_a": [3000, 2000, 5000, 0, 1000],
            "str_d": [1000, 1000, 1000, 1000, 1000],
            "cas_a": [None] * 5,
            "cas_d": [None] * 5,
            "wina": [1, -1, 1, 1, 0],
            "terra1": ["GM0", "RB0", "FD0", "GM0", "RM0"],
            "parent": [None, None, None, None, "3"],
        }
    )
    sample, dropped = battle_selection(battles, SampleRules("drop", "1900-on", "nonflat"))
    assert dropped == {"listed": 5, "twice": 1, "incomplete": 1, "era": 2, "n": 1, "wins": 1}
    assert sample["isqno"].tolist() == [3] and sample["rugged"].tolist() == [0]
    sample, dropped = battle_selection(battles, SampleRules("keep", "all", "nonflat"))
    assert sample["isqno"].tolist() == [1, 2, 3, 5]
    assert sample["rugged"].tolist() == [1, 1, 0, 1]
    assert dropped["twice"] == 0 and dropped["incomplete"] == 1
