"""What every importer shares: the result of a read (`Imported`), the refusal (`ImportRefused`), and
helpers that turn a publisher's file into typed rows with precise messages.

An importer reads the publisher's file into text cells indexed by the line (or sheet row) each
comes from, types and checks them with a pandera model of the publisher's shape
(`validate_raw`), and maps them to our tidy tables. Every problem is an `Issue` printed as
`file:line: column: value: rule`, as `milbal validate` prints the embedded tables' problems.
Index the tidy rows by the line of the source file they come from as well: the store checks them
against our schemas and names that line when one fails.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import os
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from validation.files import FileRefused, check_regular, open_regular, read_bounded
from validation.tables import (
    DECIMAL,
    MAX_COLUMNS,
    MAX_WHOLE,
    TOO_LARGE,
    Issue,
    _issues_from_failures,
    _show,
    check_model,
    csv_records,
    header_problem,
    quote_rule,
    read_records,
    read_text,
)

# A refusal lists this many problems, then says how many more there are.
MAX_SHOWN = 20
# An .xlsx is a zip: refuse one whose members would inflate beyond this, or that holds more
# members than a workbook has, before openpyxl unpacks anything (a zip bomb).
MAX_XLSX_MEMBERS = 10_000
# Text cells of a publisher's file that no name, region or code of theirs has: a spreadsheet
# formula (=, +, - or @ first, OWASP's CSV injection; a plain number such as -5 or -0.25 is
# not one), HTML markup, or a control character (a line break inside a name).
_FORMULA = re.compile(r"^\s*[=+\-@]")
_MARKUP = re.compile(r"<\s*[A-Za-z/!?]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# The largest whole number a cell may hold: a year, rank or count has a few digits, and beyond
# 2**53 a number no longer converts exactly (a 23-digit year made pandas fail with TypeError).


def max_unpacked_bytes() -> int:
    """The cap on an .xlsx's unpacked size: MILBAL_MAX_UNPACKED_MB (default 500), read when
    used."""
    return int(float(os.environ.get("MILBAL_MAX_UNPACKED_MB", "500")) * 1024 * 1024)


SOURCE_COLUMNS = [
    "source_id",
    "kind",
    "title",
    "author",
    "publisher",
    "published",
    "url",
    "accessed",
    "licence",
    "note",
]
COUNTRY_COLUMNS = ["iso3", "name", "region"]


class ImportRefused(Exception):
    """A file an importer will not take; the message names file, line (or sheet and row) and
    column, ready to print. Built from a message or from a list of Issues."""

    def __init__(self, problem: str | Issue | Iterable[Issue]):
        if isinstance(problem, str):
            self.issues: list[Issue] = []
            message = problem
        else:
            self.issues = [problem] if isinstance(problem, Issue) else list(problem)
            message = describe(self.issues)
        super().__init__(message)


def describe(issues: Sequence[Issue]) -> str:
    """Issues one per line, at most MAX_SHOWN of them, then how many more."""
    shown = [str(i) for i in issues[:MAX_SHOWN]]
    if len(issues) > MAX_SHOWN:
        shown.append(f"... and {len(issues) - MAX_SHOWN} more problems")
    return "\n".join(shown)


@dataclass
class Imported:
    """One file read and mapped: our table name -> tidy rows in that table's columns, one row
    of sources.csv's columns per import (source_id `import-<kind>`), the countries it names
    (iso3, name, region; the store drops those already in countries.csv) and notes saying what
    was skipped and why.

    `dataset` (optional) names which of a kind's files this is when a kind has several that
    should be kept side by side (WDI personnel and WDI share of GDP): each dataset is stored
    apart, so importing one does not replace the other."""

    kind: str
    tables: dict[str, pd.DataFrame]
    sources: pd.DataFrame
    countries: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=COUNTRY_COLUMNS))
    notes: list[str] = field(default_factory=list)
    dataset: str | None = None

    @property
    def slot(self) -> str:
        """Where the store keeps it: the kind, or `<kind>-<dataset>`."""
        return self.kind if not self.dataset else f"{self.kind}-{self.dataset}"

    def rows(self) -> dict[str, int]:
        return {name: len(frame) for name, frame in self.tables.items()}


@dataclass(frozen=True)
class Formula:
    """A workbook cell holding a formula, not a figure: the publishers' workbooks hold none, and
    what it shows depends on the program that last computed it (openpyxl writes none at all, so
    the cell reads as empty and its figure would silently vanish)."""

    text: str

    def __str__(self) -> str:
        return self.text


def source_row(**values: str | None) -> pd.DataFrame:
    """One row of sources.csv's columns (missing columns empty)."""
    unknown = set(values) - set(SOURCE_COLUMNS)
    if unknown:
        raise ValueError(f"not columns of sources.csv: {', '.join(sorted(unknown))}")
    return pd.DataFrame([{c: values.get(c) for c in SOURCE_COLUMNS}], columns=SOURCE_COLUMNS)


def read_file_text(path: Path, label: str | None = None) -> str:
    """A text file's contents (size-capped, UTF-8 with or without a BOM) or ImportRefused."""
    label = label or str(path)
    text, issues = read_text(path, label)
    if text is None:
        raise ImportRefused(issues)
    if not text.strip():
        raise ImportRefused(
            Issue(
                label,
                1,
                None,
                None,
                "file is empty: no header line (nothing but a byte-order mark or blank lines)",
            )
        )
    return text


def read_csv_cells(
    path: Path,
    required: Sequence[str],
    *,
    names: Sequence[str] | None = None,
    label: str | None = None,
    text: str | None = None,
) -> pd.DataFrame:
    """A publisher's CSV as text cells (empty -> None), indexed by the line each record starts
    on (header = line 1). Other columns than `required` are kept; a missing required column, a
    row of the wrong width (a truncated file) or a broken record is refused with its line.

    `names` replaces the header's names (for a header that does not match its rows, e.g. the
    OWID personnel file's duplicated `Year`): the header line is skipped, rows need len(names)
    fields."""
    label = label or str(path)
    if text is None:
        text = read_file_text(path, label)
    reader = csv_records(text)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ImportRefused(Issue(label, None, None, None, "file is empty")) from None
    except csv.Error as exc:
        raise ImportRefused(
            Issue(label, 1, None, None, f"not a CSV file: {quote_rule(exc)}")
        ) from None
    problem = header_problem(header, label)
    if problem is not None:
        raise ImportRefused(problem)
    columns = list(names) if names is not None else header
    if names is None:
        twice = sorted({c for c in header if header.count(c) > 1})
        missing = [c for c in required if c not in header]
        if twice or missing:
            raise ImportRefused(
                [Issue(label, 1, c, None, "column appears twice in the header") for c in twice]
                + [
                    Issue(label, 1, c, None, f"missing column; the header has: {_listed(header)}")
                    for c in missing
                ]
            )
    rows, lines, issues = read_records(reader, text, label, len(columns), hint=True)
    if issues:
        raise ImportRefused(issues)
    if not rows:
        raise ImportRefused(Issue(label, 2, None, None, "no data rows below the header"))
    frame = pd.DataFrame(rows, columns=columns, index=pd.Index(lines, name="line"), dtype=object)
    return frame.replace("", None)


def check_raw(
    raw: pd.DataFrame,
    model: type[pa.DataFrameModel],
    label: str,
    na_values: Iterable[str] = (),
) -> tuple[pd.DataFrame, list[Issue]]:
    """Type text cells with a pandera model's column types and run its checks; returns the typed
    rows (the model's columns; index = line) and the problems, one Issue per cell or row.
    `na_values` are cell texts that mean missing (e.g. '. .', 'xxx', '-9')."""
    missing = [c for c in model.to_schema().columns if c not in raw]
    if missing:
        return raw, [Issue(label, 1, c, None, "missing column") for c in missing]
    columns = list(model.to_schema().columns)
    cells = raw[columns]
    blanks = list(na_values)
    if blanks:
        cells = cells.mask(cells.isin(blanks))
    cells = cells.astype(object).where(cells.notna(), None)
    cells, early = _untypable(cells, model, label)
    checked, issues = check_model(cells, model, label)
    # a cell refused before typing was emptied: drop what its emptiness adds ('must not be empty')
    refused = {(i.line, i.column) for i in early}
    issues = early + [i for i in issues if (i.line, i.column) not in refused]
    issues.sort(key=lambda i: (i.line or 0, i.column or ""))
    return checked, issues


def _untypable(
    cells: pd.DataFrame, model: type[pa.DataFrameModel], label: str
) -> tuple[pd.DataFrame, list[Issue]]:
    """Cells no column type can take, found before typing (which would fail on them with a
    Python error naming no line): workbook formulas, and numbers beyond MAX_WHOLE in whole-number
    columns or beyond a float's range in any number column. They are emptied and reported."""
    issues: list[Issue] = []
    out = cells
    for name, column in model.to_schema().columns.items():
        kind = str(column.dtype)
        numeric = kind in ("Int64", "float64")
        whole = kind == "Int64"
        values = cells[name]
        flags = values.map(lambda cell, w=whole, n=numeric: _cell_problem(cell, w, n))
        bad = flags.notna()
        if not bad.any():
            continue
        for line, cell in values[bad].items():
            where = int(line) if pd.api.types.is_integer(line) else None
            issues.append(Issue(label, where, name, _show(str(cell)), flags[line]))
        if out is cells:
            out = cells.copy()
        out[name] = values.where(~bad, None)
    return out, issues


def _cell_problem(cell: object, whole: bool, numeric: bool) -> str | None:
    """Why a cell cannot be typed (see _untypable), or None."""
    if isinstance(cell, Formula):
        return f"a spreadsheet formula, not a {'number' if numeric else 'name'}"
    if not numeric or isinstance(cell, bool):
        return None
    if isinstance(cell, int) and abs(cell) >= 1e308:
        return "a number too large to hold"
    if not whole or not isinstance(cell, int | float | str):
        return None
    try:
        number = float(cell)
    except ValueError:
        return None  # typing says what it is not
    if math.isfinite(number) and abs(number) > MAX_WHOLE:
        return TOO_LARGE
    return None


def validate_raw(
    raw: pd.DataFrame,
    model: type[pa.DataFrameModel],
    label: str,
    na_values: Iterable[str] = (),
) -> pd.DataFrame:
    """check_raw, refusing the file on any problem; returns the typed rows (index = line).
    The model's text columns are checked for what no publisher's name holds (text_issues)."""
    typed, issues = check_raw(raw, model, label, na_values)
    issues = sorted(
        issues + text_issues(raw, model, label), key=lambda i: (i.line or 0, i.column or "")
    )
    if issues:
        raise ImportRefused(issues)
    return typed


def text_issues(raw: pd.DataFrame, model: type[pa.DataFrameModel], label: str) -> list[Issue]:
    """Cells of the model's text columns that hold a spreadsheet formula, HTML markup or a
    control character: a publisher's names never do, so such a file was tampered with (or is
    not the publisher's) and is refused rather than carried into the dashboard and exports."""
    issues: list[Issue] = []
    for name, column in model.to_schema().columns.items():
        if not str(column.dtype).startswith(("str", "string")) or name not in raw:
            continue
        for line, cell in raw[name].items():
            if not isinstance(cell, str):
                continue
            if _FORMULA.match(cell) and not DECIMAL.fullmatch(cell.strip()):
                rule = "a spreadsheet formula (starts with =, +, - or @), not a name"
            elif _MARKUP.search(cell):
                rule = "HTML markup, not a name"
            elif _CONTROL.search(cell):
                rule = "a control character (a line break or tab) inside a name"
            else:
                continue
            where = int(line) if pd.api.types.is_integer(line) else None
            issues.append(Issue(label, where, name, _show(cell), rule))
    return issues


def check_tidy(
    frame: pd.DataFrame, model: type[pa.DataFrameModel], label: str
) -> tuple[pd.DataFrame, list[Issue]]:
    """Check rows an importer mapped to one of our tables (typed, any index: the source line
    where the importer kept it). Returns the rows in the model's column order, with a fresh
    index, and the problems naming the source line and column."""
    expected = list(model.to_schema().columns)
    issues = [
        Issue(label, None, c, None, "missing column in the importer's output")
        for c in expected
        if c not in frame
    ] + [
        Issue(label, None, c, None, f"unexpected column; expected: {', '.join(expected)}")
        for c in frame.columns
        if c not in expected
    ]
    if issues:
        return frame, issues
    lines = list(frame.index)
    work = frame[expected].reset_index(drop=True)

    def line_of(position: int | None) -> int | None:
        if position is None or not 0 <= position < len(lines):
            return None
        value = lines[position]
        return int(value) if pd.api.types.is_integer(value) else None

    try:
        checked = model.validate(work, lazy=True)
    except pa.errors.SchemaErrors as exc:
        failures = exc.failure_cases
        coerce = failures["check"].astype(str).str.startswith("coerce_dtype(")
        for case in failures[coerce].itertuples(index=False):
            position = None if pd.isna(case.index) else int(case.index)
            dtype = str(case.check).removeprefix("coerce_dtype(").rstrip(")").strip("'")
            issues.append(
                Issue(
                    label,
                    line_of(position),
                    None if pd.isna(case.column) else str(case.column),
                    _show(case.failure_case),
                    f"not of type {dtype}",
                )
            )
        if issues:  # the checks of a column that could not be typed only add noise
            return work, issues
        for issue in _issues_from_failures(failures[~coerce], work, model, label):
            rule = re.sub(
                r"as line (\d+)",
                lambda m: (
                    f"as line {line_of(int(m.group(1)))}"
                    if line_of(int(m.group(1))) is not None
                    else "as another row"
                ),
                issue.rule,
            )
            issues.append(Issue(issue.file, line_of(issue.line), issue.column, issue.value, rule))
        return work, issues
    return checked, []


def find_header_row(
    rows: Iterable[Sequence[object]], first_cell: str, limit: int = 50
) -> int | None:
    """The 0-based position of the first row whose first cell is `first_cell` (spaces and case
    ignored) within the first `limit` rows; None when there is none (a workbook whose table
    starts below a title, e.g. SIPRI's 'Country' row)."""
    wanted = first_cell.strip().lower()
    for position, row in enumerate(rows):
        if position >= limit:
            break
        if row and str(row[0] if row[0] is not None else "").strip().lower() == wanted:
            return position
    return None


def open_sheet(path: Path, sheet: str | Sequence[str], label: str | None = None):
    """An openpyxl worksheet (read-only, values) of an .xlsx file, by name (or the first of
    several names that exists); a missing sheet is refused with the sheets the file has.
    Returns (workbook, worksheet): close the workbook when done."""
    label = label or str(path)
    _check_size(path, label)
    _check_xlsx_zip(path, label)
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - openpyxl comes with the test extra
        raise ImportRefused(
            Issue(label, None, None, None, "reading .xlsx needs openpyxl (pip install openpyxl)")
        ) from None
    source: Path | io.BytesIO = path
    if path.suffix.lower() not in {".xlsx", ".xlsm"}:
        # openpyxl goes by the name; a workbook named .csv or .bin is read from its bytes.
        source = io.BytesIO(_read_regular(path, label))
    try:
        # data_only=False: a formula cell reads as its formula ('=1/0'), not as the value cached
        # by the program that saved it (none when that program computes nothing): see sheet_rows.
        workbook = openpyxl.load_workbook(source, read_only=True, data_only=False)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException...
        reason = str(exc).strip("'\"") or "its parts cannot be read"
        raise ImportRefused(
            Issue(label, None, None, None, f"not an .xlsx workbook: {_show(reason)}")
        ) from None
    wanted = [sheet] if isinstance(sheet, str) else list(sheet)
    for name in wanted:
        if name in workbook.sheetnames:
            return workbook, workbook[name]
    workbook.close()
    raise ImportRefused(
        Issue(
            label,
            None,
            None,
            " or ".join(repr(n) for n in wanted),
            f"sheet not found; the workbook has: {', '.join(map(repr, workbook.sheetnames))}",
        )
    )


def sheet_rows(sheet) -> list[tuple]:
    """A worksheet's rows of cell values, a formula cell as a Formula (checked as a cell no
    column takes): read with data_only=False, openpyxl gives its formula text ('=1/0'), or an
    ArrayFormula or DataTableFormula object."""
    from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

    def value(cell: object) -> object:
        if isinstance(cell, str) and cell.startswith("="):
            return Formula(cell)
        if isinstance(cell, ArrayFormula):
            return Formula(str(cell.text))
        if isinstance(cell, DataTableFormula):
            return Formula("=TABLE()")
        return cell

    return [tuple(value(c) for c in row) for row in sheet.iter_rows(values_only=True)]


def sheet_label(label: str, sheet: str) -> str:
    """How messages name a sheet of a workbook: 'file.xlsx[Sheet]' (then ':row')."""
    return f"{label}[{sheet}]"


def _read_regular(path: Path, label: str) -> bytes:
    from validation.tables import MAX_FILE_BYTES

    try:
        return read_bounded(path, MAX_FILE_BYTES)
    except FileRefused as exc:
        raise ImportRefused(Issue(label, None, None, exc.value, exc.reason)) from None


def _check_size(path: Path, label: str) -> None:
    from validation.tables import MAX_FILE_BYTES

    try:
        check_regular(path)
        size = path.stat().st_size
    except FileRefused as exc:
        raise ImportRefused(Issue(label, None, None, None, exc.reason)) from None
    except OSError as exc:
        raise ImportRefused(
            Issue(label, None, None, None, f"cannot read file: {exc.strerror}")
        ) from None
    if size > MAX_FILE_BYTES:
        raise ImportRefused(
            Issue(
                label,
                None,
                None,
                f"{size / 1024 / 1024:.1f} MB",
                f"file too large: the limit is {MAX_FILE_BYTES / 1024 / 1024:.0f} MB "
                "(set MILBAL_MAX_FILE_MB to raise it)",
            )
        )


def _check_xlsx_zip(path: Path, label: str) -> None:
    """Refuse what is not an .xlsx zip (named by its first bytes), or a zip whose members would
    inflate beyond max_unpacked_bytes() or are too many, reading only the zip's directory."""
    try:
        with open_regular(path) as f:
            start = f.read(8)
    except FileRefused as exc:
        raise ImportRefused(Issue(label, None, None, None, exc.reason)) from None
    except OSError as exc:
        raise ImportRefused(
            Issue(label, None, None, None, f"cannot read file: {exc.strerror}")
        ) from None
    if not start.startswith(b"PK\x03\x04"):
        text = start.isascii() and all(32 <= b < 127 or b in b"\t\r\n" for b in start)
        shown = " ".join(f"{b:02x}" for b in start[:4])
        what = "text (a CSV file?)" if text else f"something else (starts with bytes {shown})"
        raise ImportRefused(
            Issue(
                label,
                None,
                None,
                None,
                f"not an .xlsx workbook: the file holds {what}; an .xlsx is a zip archive",
            )
        )
    cap = max_unpacked_bytes()
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportRefused(
            Issue(label, None, None, None, f"not an .xlsx workbook: a broken zip archive ({exc})")
        ) from None
    if len(members) > MAX_XLSX_MEMBERS:
        raise ImportRefused(
            Issue(
                label,
                None,
                None,
                f"{len(members)} members",
                f"not an .xlsx workbook: more than {MAX_XLSX_MEMBERS} members in the zip",
            )
        )
    total = sum(info.file_size for info in members)
    if total > cap:
        biggest = max(members, key=lambda info: info.file_size)
        raise ImportRefused(
            Issue(
                label,
                None,
                None,
                f"{total / 1024 / 1024:.0f} MB unpacked ({biggest.filename}: "
                f"{biggest.file_size / 1024 / 1024:.0f} MB from "
                f"{biggest.compress_size / 1024:.0f} KB)",
                f"refused unopened: the workbook would unpack to more than "
                f"{cap / 1024 / 1024:g} MB (a zip bomb?; MILBAL_MAX_UNPACKED_MB raises the cap)",
            )
        )


def check_width(width: int, label: str, line: int | None) -> None:
    """Refuse a header (a sheet's header row) of more than MAX_COLUMNS columns."""
    if width > MAX_COLUMNS:
        raise ImportRefused(
            Issue(
                label,
                line,
                None,
                f"{width} columns",
                f"too many columns: a table has at most {MAX_COLUMNS}",
            )
        )


def _listed(names: Sequence[str]) -> str:
    shown = ", ".join(n or "(empty)" for n in names[:15])
    return shown + (", ..." if len(names) > 15 else "")


def per_edition(imported: Imported, edition: object) -> Imported:
    """The import kept apart per edition of its publication (GFP 2018 beside GFP 2020, SIPRI's
    2021 edition beside its 2023 one): stored as `<kind>-<edition>`, with the source id
    `import-<kind>-<edition>` on every row, so editions stand side by side and their
    disagreements stay visible instead of one edition replacing another."""
    old = f"import-{imported.kind}"
    new = f"{old}-{edition}"
    tables = {}
    for name, frame in imported.tables.items():
        frame = frame.copy()
        if "source_id" in frame:
            frame["source_id"] = frame["source_id"].replace(old, new)
        tables[name] = frame
    sources = imported.sources.copy()
    sources["source_id"] = sources["source_id"].replace(old, new)
    return dataclasses.replace(imported, tables=tables, sources=sources, dataset=str(edition))
