"""Correlates of War National Material Capabilities (NMC) v6, the abridged CSV.

One row per state and year, 1816-2016: military expenditure (`milex`, thousands of current US$),
military personnel (`milper`, thousands), iron and steel, energy, population (`tpop`,
thousands) and the composite index `cinc`. -9 means missing. States are COW codes (`ccode`):
they map to ISO3 through validation.importers.countries, year by year, because some codes
also cover a predecessor state (365 is the USSR before 1992); rows without an ISO3 state are
skipped and listed in the notes.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from validation.importers.base import (
    Imported,
    read_csv_cells,
    source_row,
    validate_raw,
)
from validation.importers.countries import country_rows, iso3_for_ccode

KIND = "nmc"
DESCRIPTION = (
    "Correlates of War National Material Capabilities v6 (abridged CSV): military personnel, "
    "military expenditure and CINC by state and year"
)
SOURCE_ID = "import-nmc"
MISSING = ("-9", "-9.0")


class NmcRow(pa.DataFrameModel):
    """The columns read from the publisher's file (irst, pec and upop are not imported)."""

    stateabb: Series[str] = pa.Field(str_length={"min_value": 1})
    ccode: Series[pd.Int64Dtype] = pa.Field(ge=1)
    year: Series[pd.Int64Dtype] = pa.Field(ge=1816, le=2100)
    milex: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    milper: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    tpop: Series[float] = pa.Field(nullable=True, ge=0)  # thousands, a few with decimals
    cinc: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    version: Series[pd.Int64Dtype] = pa.Field(nullable=True)

    class Config:
        coerce = True
        unique = ("ccode", "year")


# All columns of the abridged file: a file without one of them is not this table.
COLUMNS = (
    "stateabb",
    "ccode",
    "year",
    "milex",
    "milper",
    "irst",
    "pec",
    "tpop",
    "upop",
    "cinc",
    "version",
)


class Capabilities(pa.DataFrameModel):
    """Imported-only table: COW's composite index of national capability (share of the world
    total, 0-1) by country and year."""

    country: Series[str] = pa.Field(str_matches=r"^[A-Z]{3}$")
    year: Series[pd.Int64Dtype] = pa.Field(ge=1800, le=2100)
    measure: Series[str] = pa.Field(isin=["cinc"])
    value: Series[float] = pa.Field(ge=0, le=1)
    source_id: Series[str] = pa.Field(str_matches=r"^[a-z0-9][a-z0-9-]*$")

    class Config:
        strict = True
        coerce = True
        unique = ("country", "year", "measure", "source_id")


SCHEMAS: dict[str, type[pa.DataFrameModel]] = {"capabilities": Capabilities}
META: dict[str, dict] = {
    "capabilities": {
        "title": "National capabilities (COW NMC)",
        "description": "The Correlates of War composite index of national capability (CINC): a "
        "state's share of the world's military personnel, military spending, iron and steel, "
        "energy, urban and total population, by country and year.",
        "licence": "COW data: free to use with citation",
        "primary_key": ["country", "year", "measure", "source_id"],
        "columns": {
            "country": {"title": "Country", "unit": "ISO3", "description": "State."},
            "year": {"title": "Year", "unit": "year", "description": "Calendar year."},
            "measure": {"title": "Measure", "unit": "", "description": "cinc."},
            "value": {
                "title": "Value",
                "unit": "share",
                "description": "Share of the world total, 0-1.",
            },
            "source_id": {"title": "Source", "unit": "", "description": "import-nmc."},
        },
    }
}


def read(path: Path) -> Imported:
    """Read the NMC CSV into manpower, spending and capabilities rows (index = line)."""
    path = Path(path)
    label = str(path)
    raw = read_csv_cells(path, COLUMNS, label=label)
    missing = {c: int(raw[c].isin(MISSING).sum()) for c in ("milex", "milper", "tpop", "cinc")}
    rows = validate_raw(raw, NmcRow, label, na_values=MISSING)
    iso3 = pd.Series(
        [iso3_for_ccode(int(c), int(y)) for c, y in zip(rows["ccode"], rows["year"], strict=True)],
        index=rows.index,
        dtype=object,
    )
    notes = [_skipped_note(rows[iso3.isna()])] if iso3.isna().any() else []
    rows = rows.assign(country=iso3)[iso3.notna()]

    # Personnel, then population (which puts personnel per 1,000 inhabitants on the map for
    # every state COW covers); both in thousands, stored as persons. Index: the file's line.
    manpower = pd.concat(
        [_persons(rows, "milper", "total_military"), _persons(rows, "tpop", "population")]
    )
    has_milex = rows[rows["milex"].notna()]
    spending = pd.DataFrame(
        {
            "country": has_milex["country"],
            "year": has_milex["year"],
            "measure": "milex_current_usd_m",
            "value": has_milex["milex"].astype(float) / 1000,
            "unit": "usd_m",
            "source_id": SOURCE_ID,
            "note": None,
        },
        index=has_milex.index,
    )
    has_cinc = rows[rows["cinc"].notna()]
    capabilities = pd.DataFrame(
        {
            "country": has_cinc["country"],
            "year": has_cinc["year"],
            "measure": "cinc",
            "value": has_cinc["cinc"],
            "source_id": SOURCE_ID,
        },
        index=has_cinc.index,
    )
    notes.append(
        "-9 (missing) skipped: "
        + ", ".join(f"{column} {count} rows" for column, count in missing.items())
    )
    notes.append(
        "milper (thousands) stored as total_military persons x 1000; tpop (thousands) as "
        "population persons x 1000; milex (thousands of current US$) as milex_current_usd_m "
        "/ 1000; irst, pec and upop not imported"
    )
    versions = sorted({str(v) for v in rows["version"].dropna()})
    return Imported(
        kind=KIND,
        tables={"manpower": manpower, "spending": spending, "capabilities": capabilities},
        sources=_source(path, versions, int(rows["year"].min()), int(rows["year"].max())),
        countries=country_rows(rows["country"]),
        notes=notes,
    )


def _persons(rows: pd.DataFrame, column: str, measure: str) -> pd.DataFrame:
    """Manpower rows of one column counted in thousands (milper, tpop), as persons."""
    held = rows[rows[column].notna()]
    return pd.DataFrame(
        {
            "country": held["country"],
            "year": held["year"],
            "measure": measure,
            "value": held[column].astype(float) * 1000,
            "low": None,
            "high": None,
            "qualifier": "exact",
            "source_id": SOURCE_ID,
            "note": None,
        },
        index=held.index,
    )


def _skipped_note(skipped: pd.DataFrame) -> str:
    """Which states were skipped and in which years: 'GDR (265) 1954-1990, ...'."""
    groups = skipped.groupby(["stateabb", "ccode"])["year"].agg(["min", "max", "size"])
    parts = [
        f"{abb} ({ccode}) {low}-{high}" if low != high else f"{abb} ({ccode}) {low}"
        for (abb, ccode), (low, high, _) in groups.sort_values("min").iterrows()
    ]
    return (
        f"no ISO3 state for {len(skipped)} rows (historical states, or years in which the COW "
        f"code stands for a predecessor), skipped: {', '.join(parts)}"
    )


def _source(path: Path, versions: list[str], first: int, last: int) -> pd.DataFrame:
    version = ", ".join(versions) or "not stated"
    return source_row(
        source_id=SOURCE_ID,
        kind="dataset",
        title=f"Correlates of War National Material Capabilities v6 ({first}-{last})",
        author="Correlates of War Project",
        publisher="Correlates of War Project",
        licence="COW terms: free to use with citation",
        note=f"imported from {path.name}; the file's version column: {version}",
    )
