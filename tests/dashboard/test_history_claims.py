"""/history's doctrine claim (FM 6-0: at about 3:1 the defender wins more often than not)
against the evidence, and TDI's published rates beside CDB90's on the fit chart: counts by
hand from the built-in battles table, one battle at a time, and Wilson intervals from
statsmodels (an independent route to the page's own formula)."""

from __future__ import annotations

import csv
import io

import pytest
from statsmodels.stats.proportion import proportion_confint

from dashboard.charts import render
from dashboard.pages.history import doctrine_evidence, published_at_three, verdict
from validation import load_catalog


def text_of(parts) -> str:
    return " ".join(str(p.children) for p in parts if hasattr(p, "children"))


def counted_at_three() -> dict[str, tuple[int, int]]:
    """(wins, battles) at 2.5 <= ratio < 3.5 in the standard sample, by terrain, by hand."""
    out = {"rugged": [0, 0], "other": [0, 0]}
    battles = load_catalog()["battles"]
    for row in battles.to_dict("records"):
        parent = row["parent"]
        if parent is not None and parent == parent and str(parent).strip():
            continue
        str_a = row["str_a"] if row["str_a"] is not None else 0
        str_d = row["str_d"] if row["str_d"] is not None else 0
        wina = row["wina"] if row["wina"] is not None else "not recorded"
        if not (str_a > 0 and str_d > 0 and wina in (-1, 0, 1)):
            continue
        if not 2.5 <= str_a / str_d < 3.5:
            continue
        side = out["rugged" if str(row["terra1"]).startswith("G") else "other"]
        side[0] += wina == 1
        side[1] += 1
    return {k: (int(w), int(n)) for k, (w, n) in out.items()}


def test_the_doctrine_claim_counts_and_intervals():
    counts = counted_at_three()
    assert counts == {"rugged": (12, 21), "other": (32, 46)}  # as counted above
    text = text_of(doctrine_evidence())
    for terrain, (wins, n) in counts.items():
        low, high = proportion_confint(wins, n, alpha=0.05, method="wilson")
        assert (
            f"{wins} of {n} on {terrain} terrain ({wins / n:.0%}, 95% CI {low:.0%} to {high:.0%})"
            in text
        )
    predictions = render("history-predictions", {}).data
    at3 = predictions[(predictions["quantity"] == "p_win") & (predictions["ratio"] == 3.0)]
    for row in at3.itertuples():
        shown = f"{row.p:.2f} (95% CI {row.ci_low:.2f} to {row.ci_high:.2f}) on {row.terrain}"
        assert shown in text
    # both fitted intervals lie above one half: the data contradict the claim
    assert (at3["ci_low"] > 0.5).all()
    assert "The data contradict the claim" in text


@pytest.mark.parametrize(
    ("fitted", "observed", "start", "words"),
    [
        (
            {"rugged": (0.54, 0.74), "other": (0.59, 0.71)},
            {"rugged": (0.37, 0.76), "other": (0.55, 0.81)},
            "The data contradict the claim",
            "includes one half on rugged terrain and lies above one half on other terrain",
        ),
        (
            {"rugged": (0.2, 0.45), "other": (0.3, 0.49)},
            {},
            "The data agree with the claim",
            "lies below one half on both terrains",
        ),
        (
            {"rugged": (0.4, 0.6), "other": (0.55, 0.7)},
            {},
            "The data cannot settle the claim",
            "includes one half on rugged terrain and lies above one half on other terrain",
        ),
    ],
)
def test_the_verdict_in_words(fitted, observed, start, words):
    said = verdict(fitted, observed)
    assert said.startswith(start) and words in said


def test_tdi_rates_at_three_to_one():
    """The bands holding 3:1 with their published counts: 100% of 5 (T1), 69% of 48 (T3)."""
    text = published_at_three()[0].children
    assert "3.00 to 3.43: 100% of 5" in text
    assert "3.00 to 3.49: 69% of 48" in text
    low, high = proportion_confint(33, 48, alpha=0.05, method="wilson")  # 69% of 48 = 33
    assert f"69% of 48 (95% CI {low:.0%} to {high:.0%})" in text
    assert "2.71 and higher: 100% of 42" in text


def test_the_fit_chart_sets_tdi_beside_cdb90():
    rendered = render("history-fit", {})
    names = [t["name"] for t in rendered.figure["data"]]
    published = [n for n in names if n.startswith("TDI ")]
    assert len(published) == 5
    assert "The Dupuy Institute published it for 5 of its own databases" in rendered.caption
    assert "C. A. Lawrence" in rendered.source_line
    bench = rendered.data[rendered.data["series"] == "benchmark"]
    t3 = bench[(bench["table_id"] == "tdi-dledb-1904-1991") & (bench["bin_low"] == 2.5)]
    assert t3[["wins", "n"]].iloc[0].tolist() == [44, 53]  # 83% of 53
    # the CSV download carries the published rows with their sources
    from dashboard.export import to_csv

    rows = list(csv.DictReader(io.StringIO(to_csv(rendered).decode())))
    assert sum(r["series"] == "benchmark" for r in rows) == len(bench)
    assert {r["source_id"] for r in rows if r["series"] == "benchmark"} >= {"tdi-2019-badb-243"}
