"""World Bank WDI indicators in long form, as Our World in Data publishes them
(Entity, Code, Year, <indicator>): armed forces personnel (MS.MIL.TOTL.P1) and military
expenditure as a share of GDP (MS.MIL.XPND.GD.ZS). The header's last name says which.

OWID's personnel file names `Year` twice in its header (5 names over 4 fields), so the rows
are read with explicit names. Rows whose Code is not an ISO3 country code (OWID aggregates such
as OWID_WRL, regions with a blank code) are skipped and counted in the notes.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from validation.importers.base import (
    Imported,
    ImportRefused,
    read_csv_cells,
    read_file_text,
    source_row,
    validate_raw,
)
from validation.tables import Issue, header_problem

KIND = "wdi"
DESCRIPTION = (
    "World Bank WDI indicators via Our World in Data, long form (Entity, Code, Year, value): "
    "armed forces personnel, total; or military expenditure (% of GDP)"
)
NAMES = ["Entity", "Code", "Year", "value"]
_ISO3 = re.compile(r"^[A-Z]{3}$")
# Regions have no region column in these files; countries they add get this one.
REGION = "not given (World Bank via OWID)"


@dataclass(frozen=True)
class Indicator:
    dataset: str
    header: str  # the start of the value column's name in OWID's header
    code: str
    table: str
    title: str


INDICATORS = (
    Indicator(
        "personnel",
        "Armed forces personnel",
        "MS.MIL.TOTL.P1",
        "manpower",
        "Armed forces personnel, total",
    ),
    Indicator(
        "milex-share-gdp",
        "Military expenditure (% of GDP)",
        "MS.MIL.XPND.GD.ZS",
        "spending",
        "Military expenditure (% of GDP)",
    ),
)


class WdiFile(pa.DataFrameModel):
    """The publisher's shape after typing, country rows only (index = line in the file)."""

    Entity: Series[str] = pa.Field(str_length={"min_value": 1})
    Code: Series[str] = pa.Field(str_matches=_ISO3.pattern)
    Year: Series[pd.Int64Dtype] = pa.Field(ge=1800, le=2100)
    value: Series[float] = pa.Field(ge=0)

    class Config:
        coerce = True
        unique = ("Code", "Year")


def detect(header: list[str], label: str) -> Indicator:
    """Which indicator a header holds: Entity, Code, Year (once or twice), then its name."""
    names = [h.strip() for h in header]
    last = names[-1] if names else ""
    shape_ok = names[:3] == ["Entity", "Code", "Year"] and len(names) in (4, 5)
    if len(names) == 5 and names[3] != "Year":
        shape_ok = False
    for indicator in INDICATORS:
        if shape_ok and last.startswith(indicator.header):
            return indicator
    wanted = " or ".join(repr(i.header) for i in INDICATORS)
    raise ImportRefused(
        Issue(
            label,
            1,
            None,
            ",".join(names)[:120],
            f"not a WDI file this importer knows: expected Entity,Code,Year then {wanted}",
        )
    )


def read(path: Path) -> Imported:
    """One OWID/WDI file as manpower (personnel) or spending (share of GDP) rows."""
    label = str(path)
    text = read_file_text(path, label)
    first_line = text.splitlines()[0] if text else ""
    header = next(csv.reader([first_line]), [])
    problem = header_problem(header, label)
    if problem is not None:
        raise ImportRefused(problem)
    indicator = detect(header, label)
    raw = read_csv_cells(path, NAMES, names=NAMES, label=label, text=text)

    codes = raw["Code"].fillna("")
    country = codes.str.match(_ISO3.pattern)
    skipped = raw[~country]
    notes = []
    if len(skipped):
        blank = int((codes[~country] == "").sum())
        named = skipped["Entity"].dropna().unique()
        notes.append(
            f"{_rows(len(skipped))} skipped whose Code is not an ISO3 country code "
            f"({blank} blank; aggregates such as OWID_WRL): "
            + ", ".join(str(n) for n in named[:8])
            + (", ..." if len(named) > 8 else "")
        )
    try:
        rows = validate_raw(raw[country], WdiFile, label)
    except ImportRefused as exc:
        # Name the value column as the file's header does, not by our name for it.
        raise ImportRefused(
            [
                Issue(
                    i.file, i.line, header[-1] if i.column == "value" else i.column, i.value, i.rule
                )
                for i in exc.issues
            ]
        ) from None
    if rows.empty:
        raise ImportRefused(Issue(label, None, "Code", None, "no country rows (ISO3 codes)"))

    source_id = f"import-wdi-{indicator.dataset}"
    note = f"WDI {indicator.code} ({indicator.title}) via OWID"
    if indicator.table == "manpower":
        table = pd.DataFrame(
            {
                "country": rows["Code"],
                "year": rows["Year"],
                "measure": "total_military",
                "value": rows["value"],
                "low": None,
                "high": None,
                "qualifier": "exact",
                "source_id": source_id,
                "note": note,
            },
            index=rows.index,
        )
    else:
        # Kuwait 1991 spent 117% of its GDP (the Gulf War); spending.csv holds shares within
        # 0-100, so such rows are left out and named in the notes.
        over = rows[rows["value"] > 100]
        if len(over):
            notes.append(
                f"{_rows(len(over))} above 100% of GDP skipped (the spending table holds shares "
                "within 0-100): "
                + ", ".join(f"{r.Code} {r.Year} ({r.value:.1f}%)" for r in over.itertuples())
            )
            rows = rows[rows["value"] <= 100]
        table = pd.DataFrame(
            {
                "country": rows["Code"],
                "year": rows["Year"],
                "measure": "milex_share_gdp_pct",
                "value": rows["value"],
                "unit": "percent",
                "source_id": source_id,
                "note": note,
            },
            index=rows.index,
        )
    countries = (
        rows.drop_duplicates("Code", keep="last")
        .rename(columns={"Code": "iso3", "Entity": "name"})
        .assign(region=REGION)[["iso3", "name", "region"]]
        .sort_values("iso3")
        .reset_index(drop=True)
        .astype(object)
    )
    years = rows["Year"]
    sources = source_row(
        source_id=source_id,
        kind="database",
        title=f"{indicator.title} (WDI {indicator.code}) via Our World in Data (imported)",
        author="World Bank",
        publisher="Our World in Data",
        url=f"https://data.worldbank.org/indicator/{indicator.code}",
        licence="CC BY 4.0 (World Bank, Our World in Data)",
        note=f"Imported from {path.name}; years {years.min()}-{years.max()}",
    )
    return Imported(
        kind=KIND,
        tables={indicator.table: table},
        sources=sources,
        countries=countries,
        notes=notes,
        dataset=indicator.dataset,
    )


def _rows(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"
