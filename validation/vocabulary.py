"""The names and constants the tables are written in, without the pandera models that check them.

The dashboard needs the table names, the war's dates and the patterns of ids and codes, but it
reads a catalog that was validated before (validation.cache), so it has no use for pandera;
importing pandera costs a few tenths of a second of every start. `validation.schemas` builds its
models from these and re-exports them, so code that validates may keep importing them from there.
"""

from __future__ import annotations

import pandas as pd

# The tables of datasets/, in the order they are loaded (referenced tables first);
# validation.schemas.MODELS gives each its model in the same order.
TABLES = (
    "sources",
    "countries",
    "events",
    "manpower",
    "rankings",
    "equipment",
    "spending",
    "attrition",
    "doctrine",
    "essay_figures",
    "tdi_force_ratio",
)

# The Second Karabakh War: from the first strikes to the trilateral statement.
WAR_START = pd.Timestamp("2020-09-27")
WAR_END = pd.Timestamp("2020-11-10")

SLUG = r"^[a-z0-9][a-z0-9-]*$"
SNAKE = r"^[a-z0-9][a-z0-9_]*$"
ISO3 = r"^[A-Z]{3}$"
# Dates kept as text (a source's publication and access dates): ASCII digits, exactly
# YYYY-MM-DD (a publication may give only YYYY or YYYY-MM).
DAY = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
PARTIAL_DAY = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"

# Manpower measures, in the order a reader meets them (tables list them so).
MANPOWER_MEASURES = (
    "active",
    "reserve",
    "paramilitary",
    "total_military",
    "wartime_strength",
    "available_manpower",
    "fit_for_service",
    "population",
)
QUALIFIERS = ["exact", "approx", "up_to", "at_least", "more_than", "range"]

RANKING_INDICES = ("gfp", "gmi", "gmi_revised")

# table -> {column: (referenced table, referenced column)}: checked across tables on load.
_SOURCE = ("sources", "source_id")
_COUNTRY = ("countries", "iso3")
REFERENCES: dict[str, dict[str, tuple[str, str]]] = {
    "events": {"source_id": _SOURCE},
    "manpower": {"country": _COUNTRY, "source_id": _SOURCE},
    "rankings": {"country": _COUNTRY, "source_id": _SOURCE},
    "equipment": {"country": _COUNTRY, "source_id": _SOURCE},
    "spending": {"country": _COUNTRY, "source_id": _SOURCE},
    "attrition": {"side": _COUNTRY, "event_id": ("events", "event_id"), "source_id": _SOURCE},
    "doctrine": {"source_id": _SOURCE},
    "essay_figures": {"source_id": _SOURCE},
    "tdi_force_ratio": {"source_id": _SOURCE},
}

__all__ = [
    "DAY",
    "ISO3",
    "MANPOWER_MEASURES",
    "PARTIAL_DAY",
    "QUALIFIERS",
    "RANKING_INDICES",
    "REFERENCES",
    "SLUG",
    "SNAKE",
    "TABLES",
    "WAR_END",
    "WAR_START",
]
