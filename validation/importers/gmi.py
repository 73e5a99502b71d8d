"""BICC Global Militarisation Index, the all-years table (iso3, name, region, year, gmi_score,
milex/personnel/weapons indicators, gmi_rank; other columns such as wri_* are ignored).

This is BICC's revised all-years series, on a roughly 0-300 scale: its ranks and scores differ
from those first published in the annual reports (Azerbaijan: rank 14 for 2019 here, 10 in the
2019 edition). It is stored under its own index, `gmi_revised`, with `year` as the edition (the
data year), so it never mixes with the edition ranks of the embedded `gmi` rows.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from validation.importers.base import Imported, read_csv_cells, source_row, validate_raw
from validation.vocabulary import ISO3, SLUG

KIND = "gmi"
DESCRIPTION = (
    "BICC Global Militarisation Index, revised all-years table (CSV with iso3, name, region, "
    "year, gmi_score, milex_indicator, personnel_indicator, weapons_indicator, gmi_rank)"
)
SOURCE_ID = "import-gmi"
INDEX = "gmi_revised"
SCALE = "gmi_revised_points"
INDICATORS = {
    "milex_indicator": "milex",
    "personnel_indicator": "personnel",
    "weapons_indicator": "weapons",
}
COLUMNS = ["iso3", "name", "region", "year", "gmi_score", *INDICATORS, "gmi_rank"]
NOTE = "BICC revised all-years series (edition = data year); not the annual editions' ranks"


class GmiFile(pa.DataFrameModel):
    """The publisher's shape, after typing (index = line in the file)."""

    iso3: Series[str] = pa.Field(str_matches=ISO3)
    name: Series[str] = pa.Field(str_length={"min_value": 1})
    region: Series[str] = pa.Field(str_length={"min_value": 1})
    year: Series[pd.Int64Dtype] = pa.Field(ge=1990, le=2100)
    gmi_score: Series[float] = pa.Field(nullable=True, ge=0)
    milex_indicator: Series[float] = pa.Field(nullable=True, ge=0)
    personnel_indicator: Series[float] = pa.Field(nullable=True, ge=0)
    weapons_indicator: Series[float] = pa.Field(nullable=True, ge=0)
    gmi_rank: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)

    class Config:
        coerce = True
        unique = ("iso3", "year")


class GmiIndicators(pa.DataFrameModel):
    """gmi_indicators: the three sub-indicators of the revised series, one row per value."""

    country: Series[str] = pa.Field(str_matches=ISO3)
    year: Series[pd.Int64Dtype] = pa.Field(ge=1990, le=2100)
    measure: Series[str] = pa.Field(isin=list(INDICATORS.values()))
    value: Series[float] = pa.Field(ge=0)
    source_id: Series[str] = pa.Field(str_matches=SLUG)

    class Config:
        strict = True
        coerce = True
        unique = ("country", "year", "measure", "source_id")


SCHEMAS: dict[str, type[pa.DataFrameModel]] = {"gmi_indicators": GmiIndicators}
META: dict[str, dict] = {
    "gmi_indicators": {
        "title": "GMI sub-indicators (BICC revised series)",
        "description": "The milex, personnel and weapons indicators of BICC's revised "
        "all-years Global Militarisation Index, by country and data year.",
        "licence": "© BICC",
    }
}


def read(path: Path) -> Imported:
    """The GMI all-years CSV as rankings (index gmi_revised) and gmi_indicators rows."""
    label = str(path)
    raw = read_csv_cells(path, COLUMNS, label=label)
    rows = validate_raw(raw, GmiFile, label)
    notes: list[str] = []

    unranked = rows[rows["gmi_rank"].isna()]
    if len(unranked):
        shown = ", ".join(f"{r.iso3} {r.year}" for r in unranked.head(12).itertuples())
        notes.append(
            f"{len(unranked)} rows without gmi_rank skipped (their score, where given, is not "
            f"on the ranked series' scale): {shown}{', ...' if len(unranked) > 12 else ''}"
        )
    ranked = rows[rows["gmi_rank"].notna()]
    field = ranked.groupby("year")["gmi_rank"].transform("size").astype("Int64")
    rankings = pd.DataFrame(
        {
            "index": INDEX,
            "edition": ranked["year"],
            "country": ranked["iso3"],
            "rank": ranked["gmi_rank"],
            "of_countries": field,
            "score": ranked["gmi_score"],
            "score_scale": ranked["gmi_score"].map(lambda s: None if pd.isna(s) else SCALE),
            "source_id": SOURCE_ID,
            "note": NOTE,
        },
        index=ranked.index,
    )

    long = ranked.melt(
        id_vars=["iso3", "year"],
        value_vars=list(INDICATORS),
        var_name="column",
        value_name="value",
        ignore_index=False,
    )
    empty = int(long["value"].isna().sum())
    long = long[long["value"].notna()]
    indicators = pd.DataFrame(
        {
            "country": long["iso3"],
            "year": long["year"],
            "measure": long["column"].map(INDICATORS),
            "value": long["value"],
            "source_id": SOURCE_ID,
        },
        index=long.index,
    ).sort_index(kind="stable")
    if empty:
        notes.append(f"{empty} empty sub-indicator values of ranked rows skipped")

    # Countries of the ranked rows (a country with no ranked year, Greenland, adds nothing).
    last = ranked.sort_values("year", kind="stable").drop_duplicates("iso3", keep="last")
    countries = (
        last[["iso3", "name", "region"]].sort_values("iso3").reset_index(drop=True).astype(object)
    )
    years = ranked["year"]
    sources = source_row(
        source_id=SOURCE_ID,
        kind="index",
        title="BICC Global Militarisation Index, revised all-years series (imported)",
        author="BICC",
        publisher="Bonn International Center for Conversion (BICC)",
        url="https://gmi.bicc.de",
        licence="© BICC; cited, not redistributed",
        note=f"Imported from {path.name}; data years {years.min()}-{years.max()}; revised "
        "series on a roughly 0-300 scale, not comparable with the annual editions' ranks",
    )
    return Imported(
        kind=KIND,
        tables={"rankings": rankings, "gmi_indicators": indicators},
        sources=sources,
        countries=countries,
        notes=notes,
    )
