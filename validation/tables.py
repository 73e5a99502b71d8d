"""Read a table's CSV, type it cell by cell, and check it against its schema and the other tables.

Every problem becomes an `Issue` that names the file, the line as in the file, the column, the value
and the rule, so that a person can fix the file without reading a traceback. Files are only ever
opened for reading.
"""

from __future__ import annotations

import csv
import functools
import io
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from validation.files import FileRefused, read_bounded
from validation.vocabulary import DAY, PARTIAL_DAY, REFERENCES, TABLES, WAR_END, WAR_START

# pandera and the models (validation.schemas) are imported by the functions that check rows, not
# here: Issue and DataValidationError are imported by every reader of the catalog, and a catalog
# read back from the cache (validation.cache) is never checked, so the dashboard starts without
# paying for pandera's import.
if TYPE_CHECKING:
    import pandera.pandas as pa

# A curated table is kilobytes; public datasets come in through importers. Refuse anything
# larger than this before reading it, so a stray 200 MB file cannot exhaust memory.
MAX_FILE_BYTES = int(float(os.environ.get("MILBAL_MAX_FILE_MB", "50")) * 1024 * 1024)

# A table has a few dozen columns at most; a header of thousands is not a table of ours (or a
# publisher's), and checking each column would only bury the one message that matters.
MAX_COLUMNS = 1000

# Rows repeating a key above them are listed one by one up to this many, then counted: a file
# of doubled rows is one mistake (importers cap a refusal's list the same way).
MAX_DUPLICATES_SHOWN = 10

_OTHER_DELIMITERS = {";": "semicolon", "\t": "tab", "|": "pipe"}
# What a file that is not text starts with: (first bytes, what it is, what to do).
_SIGNATURES = (
    (b"\xff\xfe", "UTF-16 text", "save the file as UTF-8"),
    (b"\xfe\xff", "UTF-16 text", "save the file as UTF-8"),
    (b"PK\x03\x04", "a zip archive (an .xlsx workbook?)", "export the sheet as CSV (UTF-8)"),
    (b"%PDF", "a PDF document", "export the table as CSV (UTF-8)"),
    (b"\x89PNG", "a PNG image", "give the table as CSV (UTF-8)"),
    (b"\xff\xd8\xff", "a JPEG image", "give the table as CSV (UTF-8)"),
    (b"GIF8", "a GIF image", "give the table as CSV (UTF-8)"),
    (b"\x1f\x8b", "gzip-compressed", "unpack it first"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) or Office file", "export the sheet as CSV (UTF-8)"),
)
# A date is written exactly YYYY-MM-DD in ASCII digits (2020-09-27, never 2020-9-27), and must
# exist (no 2020-02-30). Years a date can have: pandas' nanosecond timestamps end in 1677 and 2262.
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATE_YEARS = (1678, 2261)
# A number is written in ASCII decimal: digits 0-9, a sign, a point, an exponent. Python's int()
# and float() also read other scripts' digits (Arabic-Indic), full-width ones and '_' between
# digits (1_000), which a spreadsheet or a reader of the file would not take for that number.
DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
# The largest whole number a float holds exactly (numbers are read as floats first); the
# importers refuse a larger one in a whole-number column with the same words.
_MAX_WHOLE = MAX_WHOLE = 2**53 - 1
TOO_LARGE = f"too large for a whole number (beyond {MAX_WHOLE:,})"
_REFERENCE_NAMES = {"countries": "country code", "sources": "source id", "events": "event id"}


@dataclass(frozen=True, order=True)
class Issue:
    """One problem in one place of one file."""

    file: str
    line: int | None
    column: str | None
    value: str | None
    rule: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        value = "-" if self.value is None else self.value
        return f"{where}: {self.column or '-'}: {value}: {self.rule}"


class DataValidationError(Exception):
    """Raised when data that must be valid (the embedded datasets) is not."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


@dataclass
class CheckedTable:
    """A table read from one file: its typed rows (index = line in the file) and its issues."""

    name: str
    path: Path
    frame: pd.DataFrame | None
    issues: list[Issue] = field(default_factory=list)


def _show(value: object) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return "(empty)"
    if isinstance(value, float) and math.isnan(value):
        return "(empty)"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    # control characters but tabs (a line break in a cell) shown escaped: one issue, one line
    text = re.sub(r"[\x00-\x08\x0a-\x1f\x7f]", lambda m: repr(m.group())[1:-1], str(value))
    return text if len(text) <= 60 else text[:57] + "..."


def read_text(path: Path, label: str) -> tuple[str | None, list[Issue]]:
    """The file's text, or the reason it cannot be read (missing, not a regular file, too big,
    empty, not UTF-8). Only a regular file is opened, and no more than MAX_FILE_BYTES read."""
    try:
        data = read_bounded(path, MAX_FILE_BYTES)
    except FileRefused as exc:
        return None, [Issue(label, None, None, exc.value, exc.reason)]
    except OSError as exc:
        return None, [Issue(label, None, None, None, f"cannot read file: {exc.strerror or exc}")]
    if not data.strip():
        return None, [Issue(label, None, None, None, "file is empty")]
    binary = sniff_binary(data, label)
    if binary is not None:
        return None, [binary]
    try:
        # utf-8-sig accepts (and drops) the byte-order mark that spreadsheet programs write.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [
            Issue(
                label,
                line,
                None,
                f"byte 0x{data[exc.start]:02x} at character {column}",
                "not UTF-8 text: save the file as UTF-8",
            )
        ]
    if not text.strip():  # a byte-order mark and nothing else
        return None, [
            Issue(label, None, None, None, "file is empty: nothing but a byte-order mark or blanks")
        ]
    return text, []


def sniff_binary(data: bytes, label: str) -> Issue | None:
    """Why `data` is not CSV text, told by its first bytes (UTF-16, a workbook, an image...) or
    by a NUL byte (named by line and character); None for what may be text."""
    for start, what, fix in _SIGNATURES:
        if data.startswith(start):
            shown = " ".join(f"{b:02x}" for b in data[:4])
            return Issue(
                label, 1, None, f"starts with bytes {shown}", f"{what}, not CSV text: {fix}"
            )
    if len(data) >= 4 and data[1] == 0 and data[3] == 0 and data[0] and data[2]:
        return Issue(
            label,
            1,
            None,
            None,
            "UTF-16 text (no byte-order mark), not CSV text: save the file as UTF-8",
        )
    at = data.find(b"\0")
    if at >= 0:
        line = data.count(b"\n", 0, at) + 1
        column = at - (data.rfind(b"\n", 0, at) + 1) + 1
        return Issue(
            label, line, None, f"NUL byte at character {column}", "binary data, not CSV text"
        )
    return None


def header_problem(header: list[str], label: str) -> Issue | None:
    """A header split by another delimiter than commas, or of too many columns to be a table."""
    if len(header) == 1:
        for sep, name in _OTHER_DELIMITERS.items():
            if sep in header[0]:
                return Issue(
                    label,
                    1,
                    None,
                    _show(header[0]),
                    f"wrong delimiter: the header is split by {name}s; use commas",
                )
    if len(header) > MAX_COLUMNS:
        return Issue(
            label,
            1,
            None,
            f"{len(header)} columns",
            f"too many columns: a table has at most {MAX_COLUMNS}",
        )
    return None


def csv_records(text: str):
    """csv.reader over a file's text (records may span lines: quoted line breaks)."""
    return csv.reader(io.StringIO(text, newline=""))


QUOTE_RULE = "a quote opened in this record is never closed (unterminated quote)"


def quote_rule(exc: csv.Error) -> str:
    """A sentence for a csv.Error."""
    return f"broken CSV record: {exc}"


def unterminated_quote(text: str, start: int, record: list[str]) -> bool:
    """Whether the file's last record, starting on line `start`, opens a quote it never closes:
    the reader then swallows every line after it into one cell, so the rows below vanish.
    Checked only when a cell of that record holds a line break (what a runaway quote leaves)."""
    if not any("\n" in cell for cell in record):
        return False
    offset = 0
    for _ in range(start - 1):
        offset = text.find("\n", offset) + 1
        if offset == 0:
            return False
    try:
        for _ in csv.reader(io.StringIO(text[offset:], newline=""), strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def read_records(
    reader, text: str, label: str, n_columns: int, hint: bool = False
) -> tuple[list[list[str]], list[int], list[Issue]]:
    """The data records below the header: each record's stripped cells and its file line, and a
    problem for every record with the wrong number of fields, a broken quote or a file that
    ends inside a quoted value. Blank records are skipped. `hint` adds a guess at the cause of a
    wrong field count (truncation, or a stray delimiter)."""
    issues: list[Issue] = []
    rows: list[list[str]] = []
    lines: list[int] = []
    start = reader.line_num + 1
    last: tuple[int, list[str]] | None = None
    try:
        for record in reader:
            if record and any(cell.strip() for cell in record):
                last = (start, record)
                if len(record) != n_columns:
                    rule = f"expected {n_columns} fields (one per column)"
                    if hint:
                        rule += (
                            "; is the file truncated?"
                            if len(record) < n_columns
                            else "; a stray delimiter, or a value with an unquoted comma?"
                        )
                    issues.append(Issue(label, start, None, f"{len(record)} fields", rule))
                else:
                    rows.append([cell.strip() for cell in record])
                    lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        issues.append(Issue(label, start, None, None, quote_rule(exc)))
    return rows, lines, end_quote_issues(text, label, last, issues, rows, lines)


def end_quote_issues(
    text: str,
    label: str,
    last: tuple[int, list[str]] | None,
    issues: list[Issue],
    rows: list,
    lines: list[int],
) -> list[Issue]:
    """The issues, with the last record's replaced by QUOTE_RULE (and its row dropped) when it
    opens a quote it never closes."""
    if last is None or not unterminated_quote(text, *last):
        return issues
    if lines and lines[-1] == last[0]:
        rows.pop()
        lines.pop()
    return [i for i in issues if i.line != last[0]] + [
        Issue(label, last[0], None, None, QUOTE_RULE)
    ]


def parse_csv(
    text: str, label: str, expected: list[str]
) -> tuple[pd.DataFrame | None, list[Issue]]:
    """Rows as text, indexed by the line each record starts on; header and row width checked."""
    reader = csv_records(text)
    issues: list[Issue] = []
    try:
        header = next(reader)
    except StopIteration:
        return None, [Issue(label, None, None, None, "file is empty")]
    except csv.Error as exc:
        return None, [Issue(label, 1, None, None, f"not a CSV file: {quote_rule(exc)}")]
    header = [h.strip() for h in header]
    problem = header_problem(header, label)
    if problem is not None:
        return None, [problem]
    seen: set[str] = set()
    for name in header:
        if name in seen:
            issues.append(Issue(label, 1, name, None, "column appears twice in the header"))
        seen.add(name)
    issues += [
        Issue(label, 1, name, None, "missing column") for name in expected if name not in seen
    ]
    issues += [
        Issue(
            label, 1, name or "(empty)", None, f"unexpected column; expected: {', '.join(expected)}"
        )
        for name in header
        if name not in expected
    ]
    if issues:
        return None, issues

    rows, lines, issues = read_records(reader, text, label, len(header))
    if not rows and not issues:
        issues.append(Issue(label, 2, None, None, "no data rows below the header"))
    frame = pd.DataFrame(rows, columns=header, index=pd.Index(lines, name="line"), dtype=object)
    frame = frame.replace("", None)
    return frame[expected], issues


def _coerce(raw: pd.DataFrame, model: type[pa.DataFrameModel], label: str):
    """Typed columns, plus an issue for every cell that does not fit its column's type: numbers
    in ASCII decimal only, dates exactly YYYY-MM-DD; each issue quotes the cell as written."""
    schema = model.to_schema()
    typed = pd.DataFrame(index=raw.index)
    issues: list[Issue] = []
    for name, column in schema.columns.items():
        cells = raw[name]
        kind = str(column.dtype)
        present = cells.notna()
        text = cells.where(present, "").astype(str).str.strip()
        if kind in ("Int64", "float64"):
            decimal = present & text.str.fullmatch(DECIMAL)
            numbers = pd.to_numeric(text.where(decimal).astype(object), errors="coerce")
            numbers = numbers.astype("float64").where(lambda x: np.isfinite(x))  # 1e999
            rule = "not a finite number" if kind == "float64" else "not a whole number"
            too_large = pd.Series(False, index=cells.index)
            if kind == "Int64":
                too_large = numbers.abs() > _MAX_WHOLE
                numbers = numbers.where((numbers % 1 == 0) & ~too_large)
            bad = present & numbers.isna()
            for line, cell, written, large in zip(
                cells.index[bad],
                cells[bad].tolist(),
                text[bad].tolist(),
                too_large[bad].tolist(),
                strict=True,
            ):
                why = TOO_LARGE if large else _number_rule(written, rule)
                issues.append(Issue(label, int(line), name, _show(cell), why))
            typed[name] = numbers.astype(kind)
        elif kind.startswith("datetime64"):
            shaped = present & text.str.fullmatch(_DATE)
            year = pd.to_numeric(text.str.slice(0, 4).where(shaped).astype(object))
            outside = shaped & ~year.between(*_DATE_YEARS)
            dates = pd.to_datetime(
                text.where(shaped & ~outside).astype(object), format="%Y-%m-%d", errors="coerce"
            )
            years = f"date out of range: years {_DATE_YEARS[0]} to {_DATE_YEARS[1]}"
            issues += [
                Issue(label, int(line), name, _show(cell), years)
                for line, cell in cells[outside].items()
            ]
            issues += [
                Issue(label, int(line), name, _show(cell), "not a date (YYYY-MM-DD)")
                for line, cell in cells[present & ~outside & dates.isna()].items()
            ]
            typed[name] = dates.astype("datetime64[ns]")
        else:
            typed[name] = cells.astype("string")
    return typed, issues


def _number_rule(text: str, rule: str) -> str:
    """The rule for a cell that is not a number, saying what to write instead when Python would
    have read it as one (another script's digits, full-width digits, '_' between digits)."""
    try:
        python_reads = math.isfinite(float(text))
    except ValueError:
        python_reads = False
    if python_reads and not DECIMAL.fullmatch(text):
        return f"{rule}: write it in the digits 0-9, without '_' or other characters"
    return rule


_CHECK_TEXT = [
    (
        re.compile(r"^isin\((.*)\)$"),
        lambda m: "must be one of: " + m.group(1).strip("[]").replace("'", ""),
    ),
    (re.compile(r"^not_nullable$"), lambda m: "must not be empty"),
    (
        re.compile(r"^str_length\(1, ?(None|\d+)\)$"),
        lambda m: (
            "must not be empty"
            if m.group(1) == "None"
            else f"must be 1 to {m.group(1)} characters long"
        ),
    ),
]


@functools.cache
def _check_rule(check: str, column: str | None) -> str:
    """A sentence for a pandera check name ('greater_than_or_equal_to(0)' -> 'must be >= 0')."""
    for pattern, text in _CHECK_TEXT:
        m = pattern.match(check)
        if m:
            return text(m)
    m = re.match(
        r"^(greater_than_or_equal_to|greater_than|less_than_or_equal_to|less_than)\((.*)\)$", check
    )
    if m:
        op = {
            "greater_than_or_equal_to": ">=",
            "greater_than": ">",
            "less_than_or_equal_to": "<=",
            "less_than": "<",
        }[m.group(1)]
        bound = m.group(2)
        if bound.startswith(str(WAR_START.date())) or bound.startswith(str(WAR_END.date())):
            return f"must lie within the war, {WAR_START.date()} to {WAR_END.date()}"
        if column in {"value", "low", "high"} and op == ">=" and bound in {"0", "0.0"}:
            return "must not be negative"
        return f"must be {op} {bound}"
    m = re.match(r"^str_matches\('(.*)'\)$", check)
    if m:
        pattern = m.group(1)
        known = {
            r"^[A-Z]{3}$": "must be a three-letter ISO code in capitals (e.g. AZE)",
            r"^[a-z0-9][a-z0-9-]*$": "must be a lower-case id of letters, digits and '-'",
            r"^[a-z0-9][a-z0-9_]*$": "must be a lower-case name of letters, digits and '_'",
            DAY: "must be a date written YYYY-MM-DD",
            PARTIAL_DAY: "must be a date written YYYY, YYYY-MM or YYYY-MM-DD",
        }
        return known.get(pattern, f"must match the pattern {pattern}")
    return check


def check_frame(raw: pd.DataFrame, name: str, label: str) -> tuple[pd.DataFrame, list[Issue]]:
    """Type the rows and check them against the table's schema; returns typed rows and issues."""
    from validation.schemas import MODELS

    return check_model(raw, MODELS[name], label)


def check_model(
    raw: pd.DataFrame, model: type[pa.DataFrameModel], label: str
) -> tuple[pd.DataFrame, list[Issue]]:
    """Type text cells with a model's column types, then run its checks on the rows that typed
    cleanly; returns the validated rows (the typed ones where there are problems) and issues."""
    import pandera.pandas as pa

    typed, issues = _coerce(raw, model, label)
    bad_lines = {i.line for i in issues}
    clean = typed.loc[~typed.index.isin(bad_lines)]
    try:
        validated = model.validate(clean, lazy=True)
    except pa.errors.SchemaErrors as exc:
        validated = clean
        issues += _issues_from_failures(exc.failure_cases, clean, model, label, written=raw)
    return (validated if not issues else typed), issues


def _issues_from_failures(
    failures: pd.DataFrame,
    frame: pd.DataFrame,
    model: type[pa.DataFrameModel],
    label: str,
    written: pd.DataFrame | None = None,
) -> list[Issue]:
    """pandera's failure cases as Issues, in time linear in the rows: a cell check once per
    cell, a row check once per row (pandera repeats it per column), and repeated keys found
    from the rows themselves (duplicate_key_issues) rather than one failure case at a time.
    `written`: the rows' cells as text in the file (same index), quoted instead of the typed
    values where given, so that a message shows what the file says ('-5.50', not '-5.5')."""

    typed_cells, written_cells = _CellLookup(frame), _CellLookup(written)

    def shown(line: int, column: str, typed: object) -> str:
        return _show(written_cells.get(line, column, typed))

    checks = failures["check"].astype(str)
    names = checks.unique().tolist()  # a few names; the failure cases can be millions
    whole_key = checks == "multiple_fields_uniqueness"
    one_column = checks.isin([n for n in names if n.startswith("field_uniqueness")])
    # dtype failures were reported cell by cell while typing
    typing = checks.isin([n for n in names if n.startswith("dtype(")])
    issues: list[Issue] = []
    seen_row_checks: set[tuple[int | None, str]] = set()
    for case in failures[~(whole_key | one_column | typing)].itertuples(index=False):
        check = str(case.check)
        line = None if pd.isna(case.index) else int(case.index)
        if "|" in check:
            if (line, check) in seen_row_checks:
                continue  # pandera repeats a row-wise failure once per column
            seen_row_checks.add((line, check))
            columns, rule = check.split("|", 1)
            cols = columns.split(",")
            values = (
                ", ".join(
                    f"{c}={shown(line, c, typed_cells.get(line, c))}" for c in cols if c in frame
                )
                if line is not None
                else None
            )
            issues.append(Issue(label, line, "/".join(cols), values, rule))
            continue
        column = None if pd.isna(case.column) else str(case.column)
        value = (
            shown(line, column, case.failure_case)
            if line is not None and column is not None
            else _show(case.failure_case)
        )
        issues.append(Issue(label, line, column, value, _check_rule(check, column)))
    keys = []
    if whole_key.any():
        keys.append(list(model.to_schema().unique or []))
    keys += [[str(c)] for c in failures.loc[one_column, "column"].dropna().unique()]
    for key in keys:
        issues += duplicate_key_issues(frame, key, label, written)
    return issues


class _CellLookup:
    """Cells of a frame by (line, column), each column turned into a dict on first use: a
    DataFrame's .at costs tens of microseconds, which a million failure cases multiply."""

    def __init__(self, frame: pd.DataFrame | None):
        self.frame = frame
        self.columns: dict[str, dict] = {}

    def get(self, line: int, column: str, default: object = None) -> object:
        if self.frame is None or column not in self.frame:
            return default
        if column not in self.columns:
            cells = self.frame[column]
            self.columns[column] = dict(zip(cells.index, cells.tolist(), strict=True))
        return self.columns[column].get(line, default)


def duplicate_key_issues(
    frame: pd.DataFrame, key: list[str], label: str, written: pd.DataFrame | None = None
) -> list[Issue]:
    """Rows that repeat the key of a row above them, each naming the first line with that key:
    the first MAX_DUPLICATES_SHOWN of them, then one issue saying how many more there are (a
    file of doubled rows is one mistake, and thousands of lines would bury every other
    problem). One grouping of the rows, so linear in their number whatever the repeats.
    Values are quoted from `written` (the cells as text, same index) where given."""
    key = [c for c in key if c in frame]
    if not key or frame.empty:
        return []
    group = frame.groupby(key, dropna=False, sort=False).ngroup().to_numpy()
    _, first_position = np.unique(group, return_index=True)
    firsts = first_position[group]
    later = np.flatnonzero(firsts != np.arange(len(group)))
    lines = frame.index
    quoted = written if written is not None and all(c in written for c in key) else frame
    issues = [
        Issue(
            label,
            int(lines[position]),
            "+".join(key),
            ", ".join(_show(quoted.at[lines[position], c]) for c in key),
            f"duplicate key: same {'/'.join(key)} as line {int(lines[firsts[position]])}",
        )
        for position in later[:MAX_DUPLICATES_SHOWN]
    ]
    if len(later) > MAX_DUPLICATES_SHOWN:
        more = len(later) - MAX_DUPLICATES_SHOWN
        issues.append(
            Issue(
                label,
                int(lines[later[MAX_DUPLICATES_SHOWN]]),
                "+".join(key),
                None,
                f"duplicate key: and {more} more rows from this line on repeat the "
                f"{'/'.join(key)} of a line above (not listed one by one)",
            )
        )
    return issues


def check_references(
    name: str, frame: pd.DataFrame, tables: dict[str, pd.DataFrame], label: str
) -> list[Issue]:
    """Every country, source and event a table names must exist in its own table."""
    issues: list[Issue] = []
    for column, (target, target_column) in REFERENCES.get(name, {}).items():
        if target not in tables or column not in frame:
            continue
        known = set(tables[target][target_column].dropna())
        cells = frame[column]
        rule = f"unknown {_REFERENCE_NAMES.get(target, target_column)}: not in {target}.csv"
        issues += [
            Issue(label, int(line), column, _show(cell), rule)
            for line, cell in cells[cells.notna() & ~cells.isin(known)].items()
        ]
    return issues


def read_table(path: Path, name: str, label: str | None = None) -> CheckedTable:
    """Read one table's file and check it on its own (no cross-table checks yet)."""
    label = label or str(path)
    text, issues = read_text(path, label)
    if text is None:
        return CheckedTable(name, path, None, issues)
    from validation.schemas import MODELS

    expected = list(MODELS[name].to_schema().columns)
    raw, issues = parse_csv(text, label, expected)
    if raw is None:
        return CheckedTable(name, path, None, issues)
    frame, more = check_frame(raw, name, label)
    return CheckedTable(name, path, frame, issues + more)


def table_name_for(path: Path) -> str | None:
    """The table a file holds, by its name: 'manpower.csv' -> 'manpower'."""
    stem = path.name.removesuffix(".csv")
    return stem if stem in TABLES else None
