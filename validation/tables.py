"""Read a table's CSV, type it cell by cell, and check it against its schema and the other tables.

Every problem becomes an `Issue` that names the file, the line as in the file, the column, the value
and the rule, so that a person can fix the file without reading a traceback. Files are only ever
opened for reading.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from validation.files import FileRefused, read_bounded
from validation.schemas import MODELS, REFERENCES, WAR_END, WAR_START

# A curated table is kilobytes; public datasets come in through importers. Refuse anything
# larger than this before reading it, so a stray 200 MB file cannot exhaust memory.
MAX_FILE_BYTES = int(float(os.environ.get("MILBAL_MAX_FILE_MB", "50")) * 1024 * 1024)

# A table has a few dozen columns at most; a header of thousands is not a table of ours (or a
# publisher's), and checking each column would only bury the one message that matters.
MAX_COLUMNS = 1000

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
# Years a date can have: pandas' nanosecond timestamps end in 1677 and 2262.
_DATE = re.compile(r"^(\d{4})-\d{2}-\d{2}$")
_DATE_YEARS = (1678, 2261)
_REFERENCE_NAMES = {"countries": "country code", "sources": "source id", "events": "event id"}
# Whole numbers are typed through float64, exact below 2**53: a count of 16 digits or more is
# no count of ours (and one of 20 digits or more cannot be typed at all).
_MAX_WHOLE = 10**15
_HUGE_RULE = "number too large: a whole number here has at most 15 digits"
_NON_FINITE = re.compile(r"^[+-]?(nan|inf|infinity)$", re.IGNORECASE)


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
        return None, [Issue(label, None, None, None, "file is empty")]
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
    """Typed columns, plus an issue for every cell that does not fit its column's type."""
    schema = model.to_schema()
    typed = pd.DataFrame(index=raw.index)
    issues: list[Issue] = []
    for name, column in schema.columns.items():
        cells = raw[name]
        kind = str(column.dtype)
        present = cells.notna()
        if kind in ("Int64", "float64"):
            finite_text = ~cells.fillna("").astype(str).str.match(_NON_FINITE)
            numbers = pd.to_numeric(cells.where(finite_text), errors="coerce")
            numbers = numbers.where(numbers.map(lambda x: pd.isna(x) or math.isfinite(x)))
            bad = present & numbers.isna()
            rule = "not a finite number" if kind == "float64" else "not a whole number"
            if kind == "Int64":
                fractional = numbers.notna() & (numbers % 1 != 0)
                huge = numbers.notna() & ~fractional & (numbers.abs() >= _MAX_WHOLE)
                bad |= fractional
                numbers = numbers.where(~fractional & ~huge)
                for line in cells.index[huge]:
                    issues.append(Issue(label, int(line), name, _show(cells[line]), _HUGE_RULE))
            for line in cells.index[bad]:
                issues.append(Issue(label, int(line), name, _show(cells[line]), rule))
            typed[name] = numbers.astype(kind)
        elif kind.startswith("datetime64"):
            text = cells.where(present, "").astype(str).str.strip()
            year = pd.to_numeric(text.str.extract(_DATE, expand=False), errors="coerce")
            outside = present & year.notna() & ~year.between(*_DATE_YEARS)
            dates = pd.to_datetime(text.where(~outside, ""), format="%Y-%m-%d", errors="coerce")
            for line in cells.index[outside]:
                issues.append(
                    Issue(
                        label,
                        int(line),
                        name,
                        _show(cells[line]),
                        f"date out of range: years {_DATE_YEARS[0]} to {_DATE_YEARS[1]}",
                    )
                )
            for line in cells.index[present & ~outside & dates.isna()]:
                issues.append(
                    Issue(label, int(line), name, _show(cells[line]), "not a date (YYYY-MM-DD)")
                )
            typed[name] = dates.astype("datetime64[ns]")
        else:
            typed[name] = cells.astype("string")
    return typed, issues


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
        }
        return known.get(pattern, f"must match the pattern {pattern}")
    return check


def check_frame(raw: pd.DataFrame, name: str, label: str) -> tuple[pd.DataFrame, list[Issue]]:
    """Type the rows and check them against the table's schema; returns typed rows and issues."""
    return check_model(raw, MODELS[name], label)


def check_model(
    raw: pd.DataFrame, model: type[pa.DataFrameModel], label: str
) -> tuple[pd.DataFrame, list[Issue]]:
    """Type text cells with a model's column types, then run its checks on the rows that typed
    cleanly; returns the validated rows (the typed ones where there are problems) and issues."""
    typed, issues = _coerce(raw, model, label)
    bad_lines = {i.line for i in issues}
    clean = typed.loc[~typed.index.isin(bad_lines)]
    try:
        validated = model.validate(clean, lazy=True)
    except pa.errors.SchemaErrors as exc:
        validated = clean
        issues += _issues_from_failures(exc.failure_cases, clean, model, label)
    return (validated if not issues else typed), issues


def _issues_from_failures(
    failures: pd.DataFrame, frame: pd.DataFrame, model: type[pa.DataFrameModel], label: str
) -> list[Issue]:
    issues: list[Issue] = []
    key = list(model.to_schema().unique or [])
    seen_dup: set[int] = set()
    seen_row_checks: set[tuple[int | None, str]] = set()
    for case in failures.itertuples(index=False):
        check = str(case.check)
        line = None if pd.isna(case.index) else int(case.index)
        if check.startswith("dtype("):
            continue  # already reported cell by cell while typing
        if check == "multiple_fields_uniqueness" or check.startswith("field_uniqueness"):
            if line is None or line in seen_dup:
                continue
            seen_dup.add(line)
            values = tuple(frame.loc[line, key])
            same = frame[(frame[key] == pd.Series(values, index=key)).all(axis=1)]
            first = int(same.index.min())
            if first == line:
                continue  # report the later copies, pointing back to the first
            issues.append(
                Issue(
                    label,
                    line,
                    "+".join(key),
                    ", ".join(_show(v) for v in values),
                    f"duplicate key: same {'/'.join(key)} as line {first}",
                )
            )
            continue
        if "|" in check:
            if (line, check) in seen_row_checks:
                continue  # pandera repeats a row-wise failure once per column
            seen_row_checks.add((line, check))
            columns, rule = check.split("|", 1)
            cols = columns.split(",")
            shown = (
                ", ".join(f"{c}={_show(frame.loc[line, c])}" for c in cols if c in frame)
                if line is not None
                else None
            )
            issues.append(Issue(label, line, "/".join(cols), shown, rule))
            continue
        column = None if pd.isna(case.column) else str(case.column)
        value = _show(case.failure_case)
        issues.append(Issue(label, line, column, value, _check_rule(check, column)))
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
        for line in cells.index[cells.notna() & ~cells.isin(known)]:
            issues.append(
                Issue(
                    label,
                    int(line),
                    column,
                    _show(cells[line]),
                    f"unknown {_REFERENCE_NAMES.get(target, target_column)}: not in {target}.csv",
                )
            )
    return issues


def read_table(path: Path, name: str, label: str | None = None) -> CheckedTable:
    """Read one table's file and check it on its own (no cross-table checks yet)."""
    label = label or str(path)
    text, issues = read_text(path, label)
    if text is None:
        return CheckedTable(name, path, None, issues)
    expected = list(MODELS[name].to_schema().columns)
    raw, issues = parse_csv(text, label, expected)
    if raw is None:
        return CheckedTable(name, path, None, issues)
    frame, more = check_frame(raw, name, label)
    return CheckedTable(name, path, frame, issues + more)


def table_name_for(path: Path) -> str | None:
    """The table a file holds, by its name: 'manpower.csv' -> 'manpower'."""
    stem = path.name.removesuffix(".csv")
    return stem if stem in MODELS else None
