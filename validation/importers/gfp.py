"""Global Firepower (GFP) tables, as scraped and shared by third parties, in four shapes.

GFP publishes web pages, not files; the copies analysts have are scrapes, each with its own
columns. The shape is told from the header, and each shape is one GFP edition:

- 2018 (`No, Country, Region, Pwrindx, ...`): rank and PowerIndex (rounded to 2 dp), numbers
  written both as `1590` and `"1,590.00"`; a scrape may repeat a country (Russia).
- 2020 (.xlsx, sheet `data`, header on row 2): pairs of columns, a name and a value; PowerIndex
  but no rank. The navy block's names do not always match the row's country, so naval values
  are taken only where they do; land and air blocks align.
- 2023 (`,power_index,...`, first column the country as a lower-case slug): PowerIndex, no rank.
  The file's row order is not GFP's published rank, so no rank is stored.
- 2025 (`rank,country,region,...`): rank, no PowerIndex; Turkey is "Turkiye".

Ranks are stored only where the file publishes them, never derived from PowerIndex order (the
2020 sort order gives Azerbaijan 64 and Armenia 111, the press quoted 63 and 112). Equipment
counts become rows of our equipment table for the categories the shape has, and the defence
budget (US$, "2,80,50,00,000" in 2020) a spending row (defence_budget_usd_m) for the edition year.
A file that lacks any column its shape is read from (a scrape cut to its first columns) is
refused, naming the columns, rather than imported without them.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from validation.files import open_regular
from validation.importers.base import (
    Imported,
    ImportRefused,
    check_width,
    find_header_row,
    open_sheet,
    per_edition,
    read_csv_cells,
    read_file_text,
    sheet_label,
    sheet_rows,
    source_row,
    validate_raw,
)
from validation.importers.countries import country_rows, iso3_for_name
from validation.tables import Issue, header_problem

KIND = "gfp"
DESCRIPTION = (
    "Global Firepower table (the 2018 CSV, 2020 workbook, 2023 clean CSV or 2025 CSV shapes): "
    "rank, PowerIndex and equipment by category"
)
SOURCE_ID = "import-gfp"


@dataclass(frozen=True)
class Shape:
    """One scrape's layout: the columns that identify it and what each column means."""

    edition: int
    country: str
    rank: str | None
    score: str | None
    # the defence budget in US$ (stored as spending, defence_budget_usd_m)
    budget: str | None
    # our equipment category -> the file's column
    equipment: dict[str, str]
    # a column that must name the row's country for a category's value to be taken
    name_checks: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    ranking_note: str | None = None
    # what the file has that no category of ours holds
    unmatched: str | None = None

    @property
    def signature(self) -> tuple[str, ...]:
        return tuple(c for c in (self.country, self.rank, self.score) if c is not None)

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column read from a file of this shape: a file without one of them lost it
        (a scrape cut to its first columns), and is refused rather than imported without it."""
        read = (*self.signature, self.budget, *self.equipment.values(), *self.name_checks.values())
        return tuple(dict.fromkeys(c for c in read if c is not None))


GFP2018 = Shape(
    edition=2018,
    country="Country",
    rank="No",
    score="Pwrindx",
    budget="Defense Budget",
    equipment={
        "aircraft_total": "Total Aircraft Strength",
        "fighters": "Fighters",
        "attack_aircraft": "Attack",
        "helicopters": "Total Helicopter Strength",
        "attack_helicopters": "Attack Helicopters",
        "tanks": "Combat Tanks",
        "afv": "Armored Fighting Vehicles",
        "sp_artillery": "Self-Propelled Artillery",
        "towed_artillery": "Towed Artillery",
        "mlrs": "Rocket Projectors",
        "naval_total": "Total Naval Assets",
    },
    ranking_note="PowerIndex rounded to 2 dp in this file",
)
GFP2020 = Shape(
    edition=2020,
    country="Military Strength",
    rank=None,
    score="Military Strength Power Index",
    budget="defense spending budget value",
    equipment={
        "aircraft_total": "Aircraft Strength value",
        "fighters": "Fighter/Interceptor Strength value",
        "attack_aircraft": "Attack Aircraft Strength value",
        "helicopters": "Helicopter Fleet Strength value",
        "attack_helicopters": "Attack Helicopter Fleet Strength value",
        "tanks": "Tank Strength value",
        "afv": "AFV/APC Strength value",
        "sp_artillery": "Self-Propelled Artillery Strength value",
        "towed_artillery": "Towed Artillery Strength value",
        "mlrs": "Rocket Projector Strength value",
        "naval_total": "Navy Fleet Strengths value",
    },
    name_checks={"naval_total": "Navy Fleet Strengths"},
    ranking_note="no rank in the file; GFP's published rank is not the PowerIndex order",
)
GFP2023 = Shape(
    edition=2023,
    country="",
    rank=None,
    score="power_index",
    budget="defense_budget",
    equipment={
        "aircraft_total": "aircraft_total",
        "fighters": "fighters",
        "attack_aircraft": "attack_types",
        "helicopters": "helicopters",
        "attack_helicopters": "attack_helicopters",
        "tanks": "tanks",
        "afv": "vehicles",
        "mlrs": "mlrs",
        "naval_total": "total_naval_assets",
    },
    notes={"afv": "GFP 2023 'vehicles': all armoured vehicles, counted anew in 2023"},
    ranking_note="no rank in the file; its row order is not GFP's rank",
    unmatched="'artillery' (self-propelled and towed together) not imported: no such category",
)
GFP2025 = Shape(
    edition=2025,
    country="country",
    rank="rank",
    score=None,
    budget="defense_budget_usd",
    equipment={
        "aircraft_total": "total_military_aircraft",
        "fighters": "fighter_aircraft",
        "attack_aircraft": "attack_aircraft",
        "helicopters": "total_military_helicopters",
        "attack_helicopters": "attack_helicopters",
        "tanks": "tanks",
        "afv": "armored_fighting_vehicles",
        "sp_artillery": "self_propelled_artillery",
        "towed_artillery": "towed_artillery",
        "mlrs": "rocket_projectors",
        "naval_total": "total_naval_fleet",
    },
    ranking_note="no PowerIndex in the file",
)
CSV_SHAPES = (GFP2018, GFP2023, GFP2025)
XLSX_SHEET = "data"

# "1,590.00" (GFP 2018) and "2,80,50,00,000" (Indian grouping, GFP 2020): drop the commas.
_GROUPED = re.compile(r"^-?\d{1,3}(,\d{2,3})+(\.\d+)?$")


def _ungroup(cell: object) -> object:
    if isinstance(cell, str):
        text = cell.strip()
        return text.replace(",", "") if _GROUPED.match(text) else text
    return cell


def _fields(shape: Shape, equipment: dict[str, str], budget: str | None) -> dict[str, str]:
    """The file's column -> our field name (name, rank, score, budget, a category)."""
    fields = {shape.country: "name"}
    if budget:
        fields[budget] = "budget"
    if shape.rank:
        fields[shape.rank] = "rank"
    if shape.score:
        fields[shape.score] = "score"
    return fields | {column: category for category, column in equipment.items()}


def _model(shape: Shape, equipment: dict[str, str], budget: str | None) -> type[pa.DataFrameModel]:
    """The columns read from a file of this shape, typed: name, rank, score, counts."""
    annotations: dict[str, object] = {"name": Series[str]}
    fields: dict[str, object] = {
        "name": pa.Field(alias=shape.country, nullable=True, str_length={"min_value": 1})
    }
    if shape.rank:
        annotations["rank"] = Series[pd.Int64Dtype]
        fields["rank"] = pa.Field(alias=shape.rank, nullable=True, ge=1)
    if shape.score:
        annotations["score"] = Series[float]
        fields["score"] = pa.Field(alias=shape.score, nullable=True, ge=0)
    if budget:
        annotations["budget"] = Series[float]
        fields["budget"] = pa.Field(alias=budget, nullable=True, ge=0)
    for category, column in equipment.items():
        annotations[category] = Series[pd.Int64Dtype]
        fields[category] = pa.Field(alias=column, nullable=True, ge=0)
    config = type("Config", (), {"coerce": True})
    return type(
        f"Gfp{shape.edition}",
        (pa.DataFrameModel,),
        {"__annotations__": annotations, **fields, "Config": config},
    )


def _csv_shape(header: list[str], label: str) -> Shape:
    """The shape whose identifying columns the header has; refused naming what is missing."""
    for shape in CSV_SHAPES:
        if all(c in header for c in shape.signature):
            return shape
    closest = max(CSV_SHAPES, key=lambda s: sum(c in header for c in s.signature))
    missing = [c for c in closest.signature if c not in header]
    shapes = "; ".join(
        f"GFP {s.edition}: {', '.join(c or '(empty)' for c in s.signature)}" for s in CSV_SHAPES
    )
    raise ImportRefused(
        [
            Issue(
                label,
                1,
                column or "(empty)",
                None,
                f"missing column: not a GFP table in a known shape ({shapes}; or the GFP 2020 "
                "workbook, .xlsx)",
            )
            for column in missing
        ]
    )


def _read_csv(path: Path, label: str) -> tuple[Shape, pd.DataFrame, str]:
    text = read_file_text(path, label)
    try:
        header = [h.strip() for h in next(csv.reader(io.StringIO(text, newline="")))]
    except (StopIteration, csv.Error):
        header = []
    problem = header_problem(header, label)
    if problem is not None:
        raise ImportRefused(problem)
    shape = _csv_shape(header, label)
    raw = read_csv_cells(path, shape.columns, label=label, text=text)
    return shape, raw, label


def _read_xlsx(path: Path, label: str) -> tuple[Shape, pd.DataFrame, str]:
    workbook, sheet = open_sheet(path, XLSX_SHEET, label)
    try:
        rows = sheet_rows(sheet)
    finally:
        workbook.close()
    where = sheet_label(label, sheet.title)
    shape = GFP2020
    header_at = find_header_row(rows, shape.country, limit=5)
    if header_at is None:
        raise ImportRefused(
            Issue(
                where,
                2,
                shape.country,
                None,
                f"no header row: none of the first 5 rows starts with {shape.country!r}",
            )
        )
    check_width(len(rows[header_at]), where, header_at + 1)
    header = [str(c).strip() if c is not None else "" for c in rows[header_at]]
    missing = [c for c in shape.columns if c not in header]
    if missing:
        raise ImportRefused(
            [
                Issue(
                    where,
                    header_at + 1,
                    c,
                    None,
                    f"missing column ({len(missing)} of the {len(shape.columns)} columns read "
                    "from a GFP 2020 workbook are missing)",
                )
                for c in missing
            ]
        )
    records, lines = [], []
    for position, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if any(c is not None and c != "" for c in row):
            records.append(list(row[: len(header)]) + [None] * (len(header) - len(row)))
            lines.append(position)
    if not records:
        raise ImportRefused(
            Issue(where, header_at + 2, None, None, "no data rows below the header")
        )
    raw = pd.DataFrame(records, columns=header, index=pd.Index(lines, name="line"), dtype=object)
    return shape, raw.where(raw.notna(), None), where


def _is_xlsx(path: Path) -> bool:
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        return True
    try:
        with open_regular(path) as f:
            return f.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def read(path: Path) -> Imported:
    """Read a GFP table into rankings, equipment and spending rows (index = line or sheet row)."""
    path = Path(path)
    label = str(path)
    shape, raw, where = (_read_xlsx if _is_xlsx(path) else _read_csv)(path, label)
    notes: list[str] = [f"GFP {shape.edition} table ({len(raw)} rows)"]
    notes += [n for n in (shape.ranking_note, shape.unmatched) if n]

    equipment = shape.equipment  # every column of the shape is there (read refuses otherwise)
    budget = shape.budget
    cells = raw.map(_ungroup)
    typed = validate_raw(cells, _model(shape, equipment, budget), where)
    typed = typed.rename(columns=_fields(shape, equipment, budget))

    named = typed[typed["name"].notna()]
    if len(named) < len(typed):
        lines = ", ".join(str(i) for i in typed.index[typed["name"].isna()])
        notes.append(f"rows without a country name skipped (lines {lines})")
    iso3 = named["name"].map(iso3_for_name)
    unmapped = sorted(set(named.loc[iso3.isna(), "name"]))
    if unmapped:
        notes.append(f"no ISO3 code (rows skipped): {', '.join(unmapped)}")
    rows = named.assign(country=iso3)[iso3.notna()]
    repeated = rows["country"].duplicated(keep="first")
    notes += _repeated_notes(rows[rows["country"].isin(rows.loc[repeated, "country"])])
    # the field: every country the table ranks, once, whether or not it has an ISO3 code
    of_countries = iso3.fillna("name:" + named["name"]).nunique()
    rows = rows[~repeated]

    rankings = _rankings(shape, rows, of_countries, notes)
    tables = {"rankings": rankings, "equipment": _equipment(shape, rows, raw, equipment, notes)}
    if budget:
        tables["spending"] = _spending(shape, rows)
    return per_edition(
        Imported(
            kind=KIND,
            tables=tables,
            sources=_source(path, shape),
            countries=country_rows(rows["country"]),
            notes=notes,
        ),
        shape.edition,
    )


def _repeated_notes(rows: pd.DataFrame) -> list[str]:
    """A note per country named on several rows (GFP 2018 repeats Russia): its lines, the one
    kept. One pass over the rows, however many repeat (a file of doubled rows stays quick)."""
    notes = []
    for _, same in rows.groupby("country", sort=True):
        identical = len(same.drop_duplicates()) == 1
        lines = [str(i) for i in same.index]
        shown = ", ".join(lines[:10]) + (f", ... ({len(lines)} rows)" if len(lines) > 10 else "")
        notes.append(
            f"{same['name'].iloc[0]} appears on {len(same)} rows (lines {shown}); "
            f"line {same.index[0]} kept"
            + (" (the rows are identical)" if identical else " (the rows differ)")
        )
    return notes


def _rankings(shape: Shape, rows: pd.DataFrame, of_countries: int, notes: list[str]):
    rank = rows["rank"] if shape.rank else pd.Series(pd.NA, index=rows.index, dtype="Int64")
    score = rows["score"] if shape.score else pd.Series(float("nan"), index=rows.index)
    usable = rank.notna() | score.notna()
    if not usable.all():
        notes.append(
            f"{int((~usable).sum())} rows with neither rank nor PowerIndex: no ranking row"
        )
    frame = pd.DataFrame(
        {
            "index": "gfp",
            "edition": shape.edition,
            "country": rows["country"],
            "rank": rank,
            "of_countries": of_countries,
            "score": score,
            "score_scale": score.notna().map({True: "gfp_powerindex", False: None}),
            "source_id": SOURCE_ID,
            "note": shape.ranking_note,
        },
        index=rows.index,
    )
    return frame[usable]


def _equipment(
    shape: Shape,
    rows: pd.DataFrame,
    raw: pd.DataFrame,
    equipment: dict[str, str],
    notes: list[str],
) -> pd.DataFrame:
    frames = []
    for category in equipment:
        values = rows[category]
        check = shape.name_checks.get(category)
        if check is not None:
            names = raw.loc[rows.index, check] if check in raw else None
            aligned = (
                names.fillna("").astype(str).str.strip() == rows["name"]
                if names is not None
                else pd.Series(False, index=rows.index)
            )
            off = rows.loc[~aligned & values.notna(), "name"]
            empty = rows.loc[~aligned & values.isna(), "name"]
            if len(off) or len(empty):
                notes.append(
                    f"{category}: the {check!r} block does not name the row's country in "
                    f"{len(off) + len(empty)} rows; no {category} for them"
                    + (f" (misaligned: {', '.join(off)})" if len(off) else "")
                    + (f" (empty: {', '.join(empty)})" if len(empty) else "")
                )
            values = values.where(aligned)
        present = values.dropna()
        frames.append(
            pd.DataFrame(
                {
                    "country": rows.loc[present.index, "country"],
                    "year": shape.edition,
                    "category": category,
                    "value": present.astype("Int64"),
                    "low": pd.NA,
                    "high": pd.NA,
                    "source_id": SOURCE_ID,
                    "note": shape.notes.get(category),
                },
                index=present.index,
            )
        )
    columns = ["country", "year", "category", "value", "low", "high", "source_id", "note"]
    return pd.concat(frames) if frames else pd.DataFrame(columns=columns)


def _spending(shape: Shape, rows: pd.DataFrame) -> pd.DataFrame:
    """The defence budget GFP reports (US$), as spending in US$ m for the edition's year."""
    present = rows[rows["budget"].notna()]
    return pd.DataFrame(
        {
            "country": present["country"],
            "year": shape.edition,
            "measure": "defence_budget_usd_m",
            "value": present["budget"] / 1e6,
            "unit": "usd_m",
            "source_id": SOURCE_ID,
            "note": f"GFP {shape.edition} edition",
        },
        index=present.index,
    )


def _source(path: Path, shape: Shape) -> pd.DataFrame:
    return source_row(
        source_id=SOURCE_ID,
        kind="index",
        title=f"Global Firepower {shape.edition} (third-party table {path.name})",
        author=None,
        publisher="Global Firepower (globalfirepower.com)",
        published=str(shape.edition),
        licence="© Global Firepower; third-party scrape, no licence stated",
        note=f"imported from {path.name}; GFP {shape.edition} shape; "
        "each edition follows that year's GFP methodology",
    )
