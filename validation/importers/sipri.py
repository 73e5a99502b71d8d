"""SIPRI Military Expenditure Database workbook (the xlsx SIPRI publishes each April).

Two shapes are read: the full 1949-2020 edition (sheets "Constant (2019) USD", "Current USD",
"Share of GDP") and later subsets that keep "Current US$" and "Share of GDP". In every data sheet
the table starts below a title: the header row is the row whose first cell is "Country", then a
row per country, with region headings (no values) in between and notes below. ". ." and "...",
(data unavailable) and "xxx" (country not independent) are missing values; Share of GDP is a
fraction, stored as a percent. Countries are named, not coded: names map to ISO3 through
validation.importers.countries, and names without a code (USSR, German DR) are skipped and noted.
A workbook is refused when one data sheet lacks a year column another has (a column lost), or
when a cell holds a formula instead of a figure.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from validation.importers.base import (
    Imported,
    ImportRefused,
    check_width,
    find_header_row,
    open_sheet,
    per_edition,
    sheet_label,
    sheet_rows,
    source_row,
    validate_raw,
)
from validation.importers.countries import country_rows, iso3_for_name
from validation.tables import Issue

KIND = "sipri"
DESCRIPTION = (
    "SIPRI Military Expenditure Database workbook (.xlsx): constant (2019) US$, current US$ "
    "and share of GDP by country and year"
)
SOURCE_ID = "import-sipri"

# Cell texts SIPRI uses for "no figure": ". ." unavailable (written "..." in later editions,
# sometimes with stray spaces), "xxx" not independent in that year.
MISSING = (". .", "...", "xxx", "")

# (sheet names as SIPRI has spelled them, our measure, unit, factor from the sheet's figure).
# Current US$ and Share of GDP are in every edition; Constant (2019) USD only in the full one.
SHEETS: tuple[tuple[tuple[str, ...], str, str, float, bool], ...] = (
    (("Constant (2019) USD", "Constant (2019) US$"), "milex_constant2019_usd_m", "usd_m", 1, False),
    (("Current USD", "Current US$"), "milex_current_usd_m", "usd_m", 1, True),
    (("Share of GDP",), "milex_share_gdp_pct", "percent", 100, True),
)
_EDITION = re.compile(r"©\s*SIPRI\s*((?:19|20)\d{2})")
HEADER_SEARCH_ROWS = 30


def _sheet_model(years: list[str]) -> type[pa.DataFrameModel]:
    """The shape of a data sheet: a country name, then one non-negative figure per year."""
    annotations: dict[str, object] = {"Country": Series[str]}
    fields: dict[str, object] = {"Country": pa.Field(str_length={"min_value": 1})}
    for year in years:
        annotations[f"y{year}"] = Series[float]
        fields[f"y{year}"] = pa.Field(alias=year, nullable=True, ge=0)
    config = type("Config", (), {"strict": False, "coerce": True})
    return type(
        "SipriSheet",
        (pa.DataFrameModel,),
        {"__annotations__": annotations, **fields, "Config": config},
    )


def _year(cell: object) -> str | None:
    """A header cell's year ('2020' from 2020, 2020.0 or '2020'), else None."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int | float) and 1900 <= cell <= 2100 and float(cell).is_integer():
        return str(int(cell))
    if isinstance(cell, str) and re.fullmatch(r"(19|20)\d{2}", cell.strip()):
        return cell.strip()
    return None


def _clean(cell: object) -> object:
    """Text cells stripped, so that '. . ' reads as '. .'."""
    return _SPACES.sub(" ", cell).strip() if isinstance(cell, str) else cell


_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Sheet:
    """One data sheet read: its title (first cell), header row, cells (index = sheet row;
    columns Country and the years) and the header's other columns, not imported."""

    name: str
    title: str
    header_row: int
    raw: pd.DataFrame
    ignored: list[str]

    @property
    def years(self) -> list[str]:
        return [c for c in self.raw.columns if c != "Country"]


def _read_sheet(rows: list[tuple], name: str, label: str) -> Sheet:
    """A data sheet's cells below its 'Country' header row."""
    where = sheet_label(label, name)
    title = next((str(r[0]) for r in rows[:HEADER_SEARCH_ROWS] if r and r[0]), "")
    header_at = find_header_row(rows, "Country", HEADER_SEARCH_ROWS)
    if header_at is None:
        raise ImportRefused(
            Issue(
                where,
                None,
                "Country",
                None,
                f"no header row: none of the first {HEADER_SEARCH_ROWS} rows starts with 'Country'",
            )
        )
    header = rows[header_at]
    check_width(len(header), where, header_at + 1)
    years = {i: y for i, cell in enumerate(header) if (y := _year(cell)) is not None}
    if not years:
        raise ImportRefused(
            Issue(where, header_at + 1, None, None, "the header row names no year columns")
        )
    twice = sorted(y for y, n in Counter(years.values()).items() if n > 1)
    if twice:
        raise ImportRefused(
            [Issue(where, header_at + 1, y, None, "column appears twice") for y in twice]
        )
    ignored = [
        str(cell).strip()
        for i, cell in enumerate(header)
        if i > min(years) and i not in years and cell not in (None, "")
    ]
    records, lines = [], []
    for position, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        cells = [_clean(row[i]) if i < len(row) else None for i in years]
        if all(c is None for c in cells):
            continue  # a region heading, a note, or a blank row
        records.append([_clean(row[0]) or None, *cells])
        lines.append(position)
    if not records:
        raise ImportRefused(
            Issue(where, header_at + 2, None, None, "no data rows below the header")
        )
    raw = pd.DataFrame(
        records,
        columns=["Country", *years.values()],
        index=pd.Index(lines, name="line"),
        dtype=object,
    )
    return Sheet(name, title, header_at + 1, raw, ignored)


def _same_years(sheets: list[Sheet], label: str) -> None:
    """Every data sheet of a workbook covers the same years (each edition's do): a year column
    one sheet lacks was lost (deleted, or cut off the end), and the workbook is refused."""
    every = sorted({y for sheet in sheets for y in sheet.years})
    issues = []
    for sheet in sheets:
        issues += [
            Issue(
                sheet_label(label, sheet.name),
                sheet.header_row,
                year,
                None,
                "missing column: the workbook's "
                + ", ".join(repr(s.name) for s in sheets if year in s.years)
                + " has this year",
            )
            for year in every
            if year not in sheet.years
        ]
    if issues:
        raise ImportRefused(issues)


def _sheet_rows(path: Path, label: str) -> dict[str, list[tuple]]:
    """Our measure -> (sheet name, its rows) for each data sheet the workbook has; a workbook
    without one of the sheets every edition has is refused, naming the sheets it has."""
    workbook, _ = open_sheet(path, SHEETS[1][0], label)
    try:
        found: dict[str, tuple[str, list[tuple]]] = {}
        for names, measure, _unit, _factor, required in SHEETS:
            name = next((n for n in names if n in workbook.sheetnames), None)
            if name is None and required:
                raise ImportRefused(
                    Issue(
                        label,
                        None,
                        None,
                        " or ".join(repr(n) for n in names),
                        "sheet not found; the workbook has: "
                        + ", ".join(map(repr, workbook.sheetnames)),
                    )
                )
            if name is not None:
                found[measure] = (name, sheet_rows(workbook[name]))
        return found
    finally:
        workbook.close()


def read(path: Path) -> Imported:
    """Read a SIPRI milex workbook into spending rows (index = sheet row)."""
    path = Path(path)
    label = str(path)
    sheets = _sheet_rows(path, label)
    frames: list[pd.DataFrame] = []
    notes: list[str] = []
    titles: list[str] = []
    unmapped: dict[str, set[str]] = {}
    read = {measure: _read_sheet(rows, name, label) for measure, (name, rows) in sheets.items()}
    _same_years(list(read.values()), label)
    for names, measure, unit, factor, _required in SHEETS:
        if measure not in read:
            notes.append(f"no sheet {names[0]!r}: {measure} not imported")
            continue
        sheet = read[measure]
        frames.append(_spending(sheet, measure, unit, factor, label, notes, unmapped))
        titles.append(sheet.title)
    if unmapped:
        notes.append(
            "no ISO3 code (rows skipped): "
            + "; ".join(f"{n} ({', '.join(sorted(s))})" for n, s in sorted(unmapped.items()))
        )
    spending = pd.concat(frames)
    edition = next((m.group(1) for t in titles if (m := _EDITION.search(t))), None)
    imported = Imported(
        kind=KIND,
        tables={"spending": spending},
        sources=_source(path, edition, sorted(set(spending["year"]))),
        countries=country_rows(spending["country"]),
        notes=notes,
    )
    return per_edition(imported, edition) if edition else imported


def _spending(
    data: Sheet,
    measure: str,
    unit: str,
    factor: float,
    label: str,
    notes: list[str],
    unmapped: dict[str, set[str]],
) -> pd.DataFrame:
    """One data sheet as spending rows of one measure."""
    sheet, raw, ignored = data.name, data.raw, data.ignored
    where = sheet_label(label, sheet)
    year_columns = data.years
    missing = int(raw[year_columns].isin(MISSING).sum().sum())
    typed = validate_raw(raw, _sheet_model(year_columns), where, na_values=MISSING)
    long = typed.melt(
        id_vars="Country", var_name="year", value_name="value", ignore_index=False
    ).dropna(subset=["value"])
    long["value"] = long["value"].astype(float) * factor
    long["country"] = long["Country"].map(iso3_for_name)
    for name in long.loc[long["country"].isna(), "Country"]:
        unmapped.setdefault(name, set()).add(sheet)
    long = long.dropna(subset=["country"])
    repeated = long.duplicated(["country", "year"], keep="first")
    if repeated.any():
        twice = sorted(set(long.loc[repeated, "country"]))
        notes.append(f"{sheet}: {', '.join(twice)} named on two rows; the first row's kept")
        long = long[~repeated]
    if unit == "percent":
        # Kuwait 1991 spent 117% of its GDP (the war); our table holds shares within 0-100.
        over = long["value"] > 100
        notes += [
            f"{sheet}: {row.Country} {row.year}: {row.value:.1f}% of GDP is beyond the spending "
            "table's 0-100 range; not imported"
            for row in long[over].itertuples()
        ]
        long = long[~over]
    notes.append(f"{sheet}: {len(long)} figures; {missing} cells marked missing skipped")
    if ignored:
        notes.append(f"{sheet}: columns not imported: {', '.join(ignored)}")
    frame = pd.DataFrame(
        {
            "country": long["country"],
            "year": long["year"].astype("int64"),
            "measure": measure,
            "value": long["value"],
            "unit": unit,
            "source_id": SOURCE_ID,
            "note": None,
        },
        index=long.index,
    )
    return frame


def _source(path: Path, edition: str | None, years: list[int]) -> pd.DataFrame:
    span = f"{years[0]}-{years[-1]}" if years else "no years"
    if edition:
        title = f"SIPRI Military Expenditure Database, {edition} edition ({span})"
    else:
        title = f"SIPRI Military Expenditure Database ({span}, {path.name})"
    return source_row(
        source_id=SOURCE_ID,
        kind="database",
        title=title,
        author="SIPRI",
        publisher="Stockholm International Peace Research Institute",
        published=edition,
        licence="© SIPRI; SIPRI terms of use",
        note=f"imported from {path.name}"
        + (f" (© SIPRI {edition})" if edition else "; no '© SIPRI' year found in the sheets"),
    )
