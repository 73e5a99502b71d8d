"""World Bank WDI indicators in long form, as Our World in Data publishes them
(Entity, Code, Year, <indicator>): armed forces personnel (MS.MIL.TOTL.P1) and military
expenditure as a share of GDP (MS.MIL.XPND.GD.ZS). The header's last name says which.

Also the World Bank's bulk shape (WDIData.csv: Country Name, Country Code, Indicator Name,
Indicator Code, then one column per year; one row per country and indicator; empty = missing),
told apart by its header and stored as the dataset `bulk`: the indicators milbal knows go to its
tables (personnel to manpower; military expenditure as % of GDP and in current US$ to spending),
every other indicator to the imported-only table `wdi_indicators`. Aggregates (a Country Code
that is not three letters, or one of the World Bank's aggregate codes such as WLD) are skipped.

OWID's personnel file names `Year` twice in its header (5 names over 4 fields), so the rows
are read with explicit names. Rows whose Code is not an ISO3 country code (OWID aggregates such
as OWID_WRL, regions with a blank code) are skipped and counted in the notes.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
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
from validation.tables import Issue, _show, header_problem
from validation.vocabulary import ISO3, SLUG

KIND = "wdi"
DESCRIPTION = (
    "World Bank WDI indicators via Our World in Data, long form (Entity, Code, Year, value): "
    "armed forces personnel, total; or military expenditure (% of GDP); or the World Bank's "
    "bulk CSV (WDIData.csv: Country Name, Country Code, Indicator Name, Indicator Code, years)"
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
    if is_bulk(header):
        return read_bulk(path, text, header, label)
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


# ------------------------------------------------------------------------- the bulk shape

BULK_IDS = ["Country Name", "Country Code", "Indicator Name", "Indicator Code"]
BULK_DATASET = "bulk"
BULK_SOURCE_ID = f"import-{KIND}-{BULK_DATASET}"
_YEAR = re.compile(r"^\d{4}$")
_INDICATOR_CODE = r"^[A-Za-z0-9][A-Za-z0-9._]*$"
# The World Bank's aggregates (regions, income groups, lending groups, World): three letters
# like a country's code, so they are named here to be skipped.
_AGGREGATE_CODES = (
    "AFE AFW ARB CEB CSS EAP EAR EAS ECA ECS EMU EUU FCS HIC HPC IBD IBT IDA IDB IDX INX LAC "
    "LCN LDC LIC LMC LMY LTE MEA MIC MNA NAC OED OSS PRE PSS PST SAS SSA SSF SST TEA TEC TLA "
    "TMN TSA TSS UMC WLD"
)
WB_AGGREGATES = frozenset(_AGGREGATE_CODES.split())


@dataclass(frozen=True)
class Known:
    """A bulk indicator milbal has a table for: where it goes and how its value is scaled."""

    table: str
    measure: str
    scale: float
    title: str


KNOWN = {
    "MS.MIL.TOTL.P1": Known("manpower", "total_military", 1.0, "Armed forces personnel, total"),
    "MS.MIL.XPND.GD.ZS": Known(
        "spending", "milex_share_gdp_pct", 1.0, "Military expenditure (% of GDP)"
    ),
    "MS.MIL.XPND.CD": Known(
        "spending", "milex_current_usd_m", 1e-6, "Military expenditure (current US$), in millions"
    ),
}


class WdiBulkFile(pa.DataFrameModel):
    """The bulk file's naming columns, country rows only (index = line in the file)."""

    country_name: Series[str] = pa.Field(alias="Country Name", str_length={"min_value": 1})
    country_code: Series[str] = pa.Field(alias="Country Code", str_matches=_ISO3.pattern)
    indicator_name: Series[str] = pa.Field(alias="Indicator Name", str_length={"min_value": 1})
    indicator_code: Series[str] = pa.Field(alias="Indicator Code", str_matches=_INDICATOR_CODE)

    class Config:
        coerce = True
        unique = ("Country Code", "Indicator Code")


class WdiIndicators(pa.DataFrameModel):
    """wdi_indicators: the bulk file's other indicators, one row per value (WDI's units)."""

    country: Series[str] = pa.Field(str_matches=ISO3)
    year: Series[pd.Int64Dtype] = pa.Field(ge=1800, le=2100)
    indicator: Series[str] = pa.Field(str_matches=_INDICATOR_CODE)
    value: Series[float]
    source_id: Series[str] = pa.Field(str_matches=SLUG)

    class Config:
        strict = True
        coerce = True
        unique = ("country", "year", "indicator", "source_id")


SCHEMAS: dict[str, type[pa.DataFrameModel]] = {"wdi_indicators": WdiIndicators}
META: dict[str, dict] = {
    "wdi_indicators": {
        "title": "WDI indicators (World Bank bulk file)",
        "description": "Indicators of an imported World Bank WDI bulk file other than the "
        "military ones milbal keeps in manpower and spending, by country, year and indicator "
        "code, in the World Bank's units.",
        "licence": "CC BY 4.0 (World Bank)",
    }
}


def is_bulk(header: list[str]) -> bool:
    """Whether a header is the bulk shape: the four naming columns, then years (a trailing
    empty name, as WDIData.csv ends each line with a comma, is allowed)."""
    names = [h.strip() for h in header]
    if names and names[-1] == "":
        names = names[:-1]
    return names[:4] == BULK_IDS and len(names) > 4


def read_bulk(path: Path, text: str, header: list[str], label: str) -> Imported:
    """A bulk WDIData-style file as manpower, spending and wdi_indicators rows."""
    names = [h.strip() for h in header]
    trailing = names[-1] == ""
    if trailing:
        names[-1] = "(trailing empty column)"
    years = names[4 : len(names) - trailing]
    bad_years = [
        Issue(label, 1, y or "(empty)", _show(y), "not a year: expected four digits, 1800-2100")
        for y in years
        if not _YEAR.match(y) or not 1800 <= int(y) <= 2100
    ]
    twice = sorted({y for y in years if years.count(y) > 1})
    bad_years += [Issue(label, 1, y, None, "column appears twice in the header") for y in twice]
    if bad_years:
        raise ImportRefused(bad_years)
    raw = read_csv_cells(path, names, names=names, label=label, text=text)

    codes = raw["Country Code"].fillna("")
    country = codes.str.match(_ISO3.pattern) & ~codes.isin(WB_AGGREGATES)
    notes: list[str] = []
    skipped = raw[~country]
    if len(skipped):
        named = skipped["Country Name"].dropna().unique()
        notes.append(
            f"{_rows(len(skipped))} skipped whose Country Code is not a country's "
            f"(aggregates such as WLD, or not three letters): "
            + ", ".join(str(n) for n in named[:8])
            + (", ..." if len(named) > 8 else "")
        )
    rows = raw[country]
    ids = validate_raw(rows[BULK_IDS], WdiBulkFile, label)
    if ids.empty:
        raise ImportRefused(
            Issue(label, None, "Country Code", None, "no country rows (ISO3 codes)")
        )

    # The year cells, typed column by column; a cell that is not a finite number is refused
    # with its line and year, a negative value of an indicator milbal keeps too.
    cells = rows[years]
    present = cells.notna()
    numbers = cells.apply(pd.to_numeric, errors="coerce").astype(float)
    finite = np.isfinite(numbers.to_numpy())
    known_rows = ids["Indicator Code"].isin(KNOWN).to_numpy()[:, None]
    negative = known_rows & finite & (numbers.to_numpy() < 0)
    bad = present.to_numpy() & (~finite | negative)
    issues = []
    for r, c in zip(*np.nonzero(bad), strict=True):
        cell = cells.iat[r, c]
        rule = "not a finite number" if not finite[r, c] else "must be >= 0 for this indicator"
        issues.append(Issue(label, int(cells.index[r]), years[c], _show(cell), rule))
    if issues:
        raise ImportRefused(sorted(issues, key=lambda i: (i.line or 0, i.column or "")))

    wide = numbers.set_axis([int(y) for y in years], axis=1)
    wide.insert(0, "line", wide.index)
    wide.insert(1, "country", ids["Country Code"].astype(str).to_numpy())
    wide.insert(2, "indicator", ids["Indicator Code"].astype(str).to_numpy())
    long = wide.melt(id_vars=["line", "country", "indicator"], var_name="year", value_name="value")
    empty = int(long["value"].isna().sum())
    long = long[long["value"].notna()].sort_values(["line", "year"], kind="stable")
    long = long.set_index("line")
    long.index.name = "line"
    long["year"] = long["year"].astype("Int64")
    if empty:
        notes.append(f"{empty} empty cells (missing values) of country rows skipped")

    tables: dict[str, pd.DataFrame] = {}
    manpower = []
    spending = []
    for code, known in KNOWN.items():
        part = long[long["indicator"] == code]
        if part.empty:
            continue
        value = part["value"] * known.scale
        note = f"WDI {code} ({known.title}), bulk file"
        if known.table == "manpower":
            manpower.append(
                pd.DataFrame(
                    {
                        "country": part["country"],
                        "year": part["year"],
                        "measure": known.measure,
                        "value": value,
                        "low": None,
                        "high": None,
                        "qualifier": "exact",
                        "source_id": BULK_SOURCE_ID,
                        "note": note,
                    },
                    index=part.index,
                )
            )
            continue
        percent = known.measure.endswith("_pct")
        if percent:
            over = part[value > 100]
            if len(over):
                notes.append(
                    f"{_rows(len(over))} of {code} above 100% of GDP skipped (the spending "
                    "table holds shares within 0-100): "
                    + ", ".join(
                        f"{r.country} {r.year} ({r.value:.1f}%)" for r in over.head(12).itertuples()
                    )
                    + (", ..." if len(over) > 12 else "")
                )
                part, value = part[value <= 100], value[value <= 100]
        spending.append(
            pd.DataFrame(
                {
                    "country": part["country"],
                    "year": part["year"],
                    "measure": known.measure,
                    "value": value,
                    "unit": "percent" if percent else "usd_m",
                    "source_id": BULK_SOURCE_ID,
                    "note": note,
                },
                index=part.index,
            )
        )
    if manpower:
        tables["manpower"] = pd.concat(manpower).sort_index(kind="stable")
    if spending:
        tables["spending"] = pd.concat(spending).sort_index(kind="stable")
    other = long[~long["indicator"].isin(KNOWN)]
    if len(other):
        tables["wdi_indicators"] = pd.DataFrame(
            {
                "country": other["country"],
                "year": other["year"],
                "indicator": other["indicator"],
                "value": other["value"],
                "source_id": BULK_SOURCE_ID,
            },
            index=other.index,
        )
    if not tables:
        raise ImportRefused(Issue(label, None, None, None, "no values in the country rows"))

    countries = (
        ids.drop_duplicates("Country Code", keep="last")
        .rename(columns={"Country Code": "iso3", "Country Name": "name"})
        .assign(region=REGION)[["iso3", "name", "region"]]
        .sort_values("iso3")
        .reset_index(drop=True)
        .astype(object)
    )
    span = long["year"]
    sources = source_row(
        source_id=BULK_SOURCE_ID,
        kind="database",
        title="World Development Indicators, bulk file (imported)",
        author="World Bank",
        publisher="World Bank",
        url="https://datacatalog.worldbank.org/search/dataset/0037712",
        licence="CC BY 4.0 (World Bank)",
        note=f"Imported from {path.name}; {ids['Indicator Code'].nunique()} indicators, "
        f"years {span.min()}-{span.max()}",
    )
    return Imported(
        kind=KIND,
        tables=tables,
        sources=sources,
        countries=countries,
        notes=notes,
        dataset=BULK_DATASET,
    )


def _rows(n: int) -> str:
    return f"{n} row" if n == 1 else f"{n} rows"
