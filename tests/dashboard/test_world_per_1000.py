"""Personnel per 1,000 inhabitants on /world for every state COW covers: the population comes
from the built-in COW NMC table (tpop), checked against the built-in tables' CSV files read
with the csv module (an independent route from the catalog and the indicator)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from dashboard.charts import render
from dashboard.charts.world import INDICATOR
from validation import load_catalog

WORLD = Path(__file__).resolve().parents[2] / "datasets" / "world"


def figures(folder: str, country: str, year: int, measure: str) -> list[float]:
    with (WORLD / folder / "manpower.csv").open(newline="", encoding="utf-8") as f:
        return [
            float(r["value"])
            for r in csv.DictReader(f)
            if (r["country"], r["year"], r["measure"]) == (country, str(year), measure)
        ]


@pytest.mark.parametrize(("country", "year"), [("IND", 2016), ("PAK", 2016), ("GRC", 1990)])
def test_total_armed_forces_per_1000(country, year):
    personnel = figures("wdi-personnel", country, year, "total_military") + figures(
        "nmc", country, year, "total_military"
    )
    (population,) = figures("nmc", country, year, "population")
    assert personnel and population > 1_000_000
    data = render(
        "world-map", {"indicator": "total_military_per_1000", "year": year, "scale": "auto"}
    ).data
    row = data[data["country"] == country].iloc[0]
    assert row["low"] == pytest.approx(min(personnel) / population * 1000)
    assert row["high"] == pytest.approx(max(personnel) / population * 1000)
    assert "import-nmc" in row["source_id"]


def test_offered_for_most_of_the_world():
    """Not only the 2020 case's two countries (GFP's population): ~150 states in 2016."""
    data = render(
        "world-map", {"indicator": "total_military_per_1000", "year": 2016, "scale": "auto"}
    ).data
    assert len(data) > 140
    assert "total_military_per_1000" in INDICATOR.allowed(load_catalog())
