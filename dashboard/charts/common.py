"""Parameters and helpers that several charts share."""

from __future__ import annotations

import functools

from dashboard.params import Param, countries
from validation import load_catalog

COUNTRY_A = Param("a", "Country A (attacker)", "choice", "AZE", countries)
COUNTRY_B = Param("b", "Country B (defender)", "choice", "ARM", countries)
YEAR = Param("year", "Year", "int", 2020, lo=1990, hi=2030)


def country_name(iso3: str) -> str:
    """The country's short name from the countries table, or the code itself."""
    return _names().get(iso3, iso3)


@functools.cache
def _names() -> dict[str, str]:
    countries = load_catalog()["countries"]
    return dict(zip(countries["iso3"], countries["name"], strict=True))
