"""Bad input files: every problem is reported as file:line: column: value: rule, never a traceback.

Each test writes a copy of an embedded table with one thing changed into a temporary folder (the
working directory during the test, so issues name the file as `<table>.csv`), then checks the
library route (`validate_paths`) and, for a representative subset, the `milbal validate` command.
Line numbers count the header as line 1, as a text editor does.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from validation.catalog import datasets_dir, load_directory, validate_paths
from validation.tables import MAX_DUPLICATES_SHOWN, Issue

PROJECT_ROOT = Path(__file__).resolve().parents[2]
EMBEDDED_DIR = PROJECT_ROOT / "datasets"
MB = 1024 * 1024
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


# --------------------------------------------------------------------------------------- helpers


def table_lines(table: str) -> list[str]:
    """The embedded table's text, one entry per physical line (no line ends)."""
    return (EMBEDDED_DIR / f"{table}.csv").read_text(encoding="utf-8").splitlines()


def set_cell(lines: list[str], line: int, column: str, value: str, expect: str) -> None:
    """Set one cell of the one-line record on `line` (1 = header); `expect` guards the row."""
    assert lines[line - 1].startswith(expect), f"line {line} is not the row this test expects"
    header = next(csv.reader([lines[0]]))
    row = next(csv.reader([lines[line - 1]]))
    row[header.index(column)] = value
    lines[line - 1] = csv_line(row)


def csv_line(row: list[str], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="").writerow(row)
    return buffer.getvalue()


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    return path


def digest(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def check(path: Path, embedded, table: str | None = None) -> list[Issue]:
    """validate_paths on one file; the file's bytes must be the same afterwards."""
    before = digest(path) if path.exists() else None
    _, issues = validate_paths([path], table, embedded)
    after = digest(path) if path.exists() else None
    assert before == after, "validation changed the file"
    return issues


def cli(*args: str | Path) -> subprocess.CompletedProcess:
    """`milbal <args>` in a fresh interpreter, on the embedded datasets; never a traceback."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MILBAL_")}
    result = subprocess.run(
        [sys.executable, "-m", "dashboard.cli", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout
    return result


def cli_validate(path: Path, *extra: str) -> subprocess.CompletedProcess:
    """`milbal validate [extra] path`; the file's bytes must be the same afterwards."""
    before = digest(path) if path.exists() else None
    result = cli("validate", *extra, path)
    after = digest(path) if path.exists() else None
    assert before == after, "validation changed the file"
    return result


def assert_cli_reports(result: subprocess.CompletedProcess, *expected_lines: str) -> None:
    """Exit 1, and each expected `file:line: column: value: rule` line printed to stderr."""
    assert result.returncode == 1, result.stderr
    printed = result.stderr.splitlines()
    for line in expected_lines:
        assert line in printed
    n = len(expected_lines)
    assert printed[-1] == f"{n} problem{'s' * (n != 1)} found"


# -------------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def embedded():
    frames, issues = load_directory(datasets_dir())
    assert issues == [], "the embedded datasets must be valid for these tests to mean anything"
    return frames


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    """Work inside tmp_path, so that issues name files as they are written here."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ----------------------------------------------------------------------------------------- tests


class TestFileLevel:
    def test_missing_file(self, tmp_path, embedded):
        path = tmp_path / "manpower.csv"
        issues = check(path, embedded)
        assert issues == [Issue("manpower.csv", None, None, None, "file not found")]
        assert not path.exists()

    def test_missing_file_cli(self, tmp_path):
        path = tmp_path / "manpower.csv"
        result = cli_validate(path)
        assert_cli_reports(result, "manpower.csv: -: -: file not found")
        assert not path.exists()

    def test_empty_file(self, tmp_path, embedded):
        path = tmp_path / "manpower.csv"
        path.write_bytes(b"")
        issues = check(path, embedded)
        assert issues == [Issue("manpower.csv", None, None, None, "file is empty")]

    def test_empty_file_cli(self, tmp_path):
        path = tmp_path / "manpower.csv"
        path.write_bytes(b"")
        assert_cli_reports(cli_validate(path), "manpower.csv: -: -: file is empty")

    def test_whitespace_only_file(self, tmp_path, embedded):
        path = tmp_path / "rankings.csv"
        path.write_bytes(b"  \n\t\r\n   \n")
        issues = check(path, embedded)
        assert issues == [Issue("rankings.csv", None, None, None, "file is empty")]

    def test_non_utf8_byte_reported_on_its_line(self, tmp_path, embedded):
        lines = table_lines("manpower")
        assert lines[2].startswith("ARM,2020,wartime_strength,")
        prefix = "ARM,2020,wartime_strength,,60000,65000,range,rv-essay,"
        assert lines[2].startswith(prefix)
        data = bytearray(("\n".join(lines) + "\n").encode("utf-8"))
        offset = len("\n".join(lines[:2]).encode("utf-8")) + 1 + len(prefix)
        data[offset:offset] = b"\xff"  # the first byte of the note cell on line 3
        path = tmp_path / "manpower.csv"
        path.write_bytes(bytes(data))
        issues = check(path, embedded)
        assert len(issues) == 1
        issue = issues[0]
        assert (issue.file, issue.line, issue.column) == ("manpower.csv", 3, None)
        assert issue.value == f"byte 0xff at character {len(prefix) + 1}"
        assert "not UTF-8" in issue.rule

    def test_non_utf8_byte_cli(self, tmp_path):
        lines = table_lines("manpower")
        data = ("\n".join(lines) + "\n").encode("utf-8")
        line_3_start = len("\n".join(lines[:2]).encode("utf-8")) + 1
        path = tmp_path / "manpower.csv"
        path.write_bytes(data[:line_3_start] + b"\xff" + data[line_3_start:])
        assert_cli_reports(
            cli_validate(path),
            "manpower.csv:3: -: byte 0xff at character 1: not UTF-8 text: save the file as UTF-8",
        )

    def test_utf8_bom_is_accepted(self, tmp_path, embedded):
        path = tmp_path / "manpower.csv"
        path.write_bytes(b"\xef\xbb\xbf" + (EMBEDDED_DIR / "manpower.csv").read_bytes())
        before = digest(path)
        checked, issues = validate_paths([path], None, embedded)
        assert digest(path) == before
        assert issues == []
        assert checked[0].frame.columns[0] == "country"
        assert len(checked[0].frame) == 30

    def test_utf8_bom_is_accepted_cli(self, tmp_path):
        path = tmp_path / "manpower.csv"
        path.write_bytes(b"\xef\xbb\xbf" + (EMBEDDED_DIR / "manpower.csv").read_bytes())
        result = cli_validate(path)
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
        assert result.stdout.strip() == f"{path}: manpower: 30 rows: valid"

    def test_file_over_size_limit_is_refused_unread(self, tmp_path, embedded, monkeypatch):
        path = tmp_path / "manpower.csv"
        with path.open("wb") as f:
            f.write((EMBEDDED_DIR / "manpower.csv").read_bytes().splitlines(keepends=True)[0])
            f.truncate(200 * MB)  # sparse: 200 MB long, nothing written past the header
        assert path.stat().st_size == 200 * MB

        read_whole: list[Path] = []
        original = Path.read_bytes

        def spy(self):
            read_whole.append(self)
            return original(self)

        monkeypatch.setattr(Path, "read_bytes", spy)
        started = time.perf_counter()
        issues = check(path, embedded)
        elapsed = time.perf_counter() - started
        assert elapsed < 5
        assert path not in read_whole
        assert len(issues) == 1
        issue = issues[0]
        assert (issue.file, issue.line, issue.column) == ("manpower.csv", None, None)
        assert issue.value == "200.0 MB"
        assert "too large" in issue.rule
        assert "limit is 50 MB" in issue.rule

    def test_file_over_size_limit_cli(self, tmp_path):
        path = tmp_path / "manpower.csv"
        with path.open("wb") as f:
            f.write(b"country,year,measure,value,low,high,qualifier,source_id,note\n")
            f.truncate(200 * MB)
        started = time.perf_counter()
        result = cli_validate(path)
        assert time.perf_counter() - started < 60
        assert_cli_reports(
            result,
            "manpower.csv: -: 200.0 MB: file too large: the limit is 50 MB "
            "(set MILBAL_MAX_FILE_MB to raise it)",
        )


class TestColumns:
    @pytest.mark.parametrize(
        ("table", "delimiter", "name"),
        [("manpower", ";", "semicolons"), ("equipment", "\t", "tabs")],
    )
    def test_wrong_delimiter(self, tmp_path, embedded, table, delimiter, name):
        rows = list(csv.reader(table_lines(table)))
        path = write_lines(tmp_path / f"{table}.csv", [csv_line(r, delimiter) for r in rows])
        issues = check(path, embedded)
        assert len(issues) == 1
        issue = issues[0]
        assert (issue.file, issue.line, issue.column) == (f"{table}.csv", 1, None)
        assert issue.value == delimiter.join(rows[0])
        assert "wrong delimiter" in issue.rule
        assert f"split by {name}" in issue.rule

    def test_wrong_delimiter_cli(self, tmp_path):
        rows = list(csv.reader(table_lines("manpower")))
        path = write_lines(tmp_path / "manpower.csv", [csv_line(r, ";") for r in rows])
        header = ";".join(rows[0])
        assert_cli_reports(
            cli_validate(path),
            f"manpower.csv:1: -: {header}: wrong delimiter: the header is split by semicolons; "
            "use commas",
        )

    def test_missing_column(self, tmp_path, embedded):
        rows = list(csv.reader(table_lines("manpower")))
        at = rows[0].index("qualifier")
        path = write_lines(
            tmp_path / "manpower.csv", [csv_line(r[:at] + r[at + 1 :]) for r in rows]
        )
        issues = check(path, embedded)
        assert issues == [Issue("manpower.csv", 1, "qualifier", None, "missing column")]

    def test_extra_column(self, tmp_path, embedded):
        rows = list(csv.reader(table_lines("rankings")))
        lines = [csv_line([*rows[0], "comment"])] + [csv_line([*r, ""]) for r in rows[1:]]
        path = write_lines(tmp_path / "rankings.csv", lines)
        issues = check(path, embedded)
        assert len(issues) == 1
        issue = issues[0]
        assert (issue.file, issue.line, issue.column, issue.value) == (
            "rankings.csv",
            1,
            "comment",
            None,
        )
        assert issue.rule.startswith("unexpected column")
        assert ", ".join(rows[0]) in issue.rule

    def test_row_with_too_many_fields(self, tmp_path, embedded):
        lines = table_lines("manpower")
        assert lines[5].startswith("AZE,2018,total_military,374500,")
        lines[5] += ",extra"  # line 6 now has 10 fields instead of 9
        path = write_lines(tmp_path / "manpower.csv", lines)
        issues = check(path, embedded)
        assert issues == [
            Issue("manpower.csv", 6, None, "10 fields", "expected 9 fields (one per column)")
        ]

    def test_line_counts_multiline_cell_before_it(self, tmp_path, embedded):
        lines = table_lines("manpower")
        # The note of the record on line 2 gets a line break: that record spans lines 2-3 ...
        assert lines[1].startswith("AZE,2020,wartime_strength,")
        lines[1] = lines[1].replace(
            "Azerbaijani personnel in active service",
            '"Azerbaijani personnel\nin active service',
        )
        lines[1] += '"'
        # ... so the next record (ARM wartime strength) starts on line 4; its year is bad.
        set_cell(lines, 3, "year", "twenty", expect="ARM,2020,wartime_strength,")
        path = write_lines(tmp_path / "manpower.csv", lines)
        text = path.read_text(encoding="utf-8").split("\n")
        assert text[3].startswith("ARM,twenty,")  # line 4 in the file
        issues = check(path, embedded)
        assert issues == [Issue("manpower.csv", 4, "year", "twenty", "not a whole number")]

    def test_line_counts_multiline_cell_cli(self, tmp_path):
        lines = table_lines("manpower")
        lines[1] = lines[1].replace(
            "Azerbaijani personnel in active service",
            '"Azerbaijani personnel\nin active service',
        )
        lines[1] += '"'
        set_cell(lines, 3, "year", "twenty", expect="ARM,2020,wartime_strength,")
        path = write_lines(tmp_path / "manpower.csv", lines)
        assert_cli_reports(cli_validate(path), "manpower.csv:4: year: twenty: not a whole number")


class TestCells:
    @pytest.mark.parametrize("rank", ["sixty", "63.5"])
    def test_rank_not_a_whole_number(self, tmp_path, embedded, rank):
        lines = table_lines("rankings")
        set_cell(lines, 8, "rank", rank, expect="gfp,2020,AZE,63,138,")
        path = write_lines(tmp_path / "rankings.csv", lines)
        issues = check(path, embedded)
        assert issues == [Issue("rankings.csv", 8, "rank", rank, "not a whole number")]

    def test_rank_not_a_whole_number_cli(self, tmp_path):
        lines = table_lines("rankings")
        set_cell(lines, 8, "rank", "sixty", expect="gfp,2020,AZE,63,138,")
        path = write_lines(tmp_path / "rankings.csv", lines)
        assert_cli_reports(cli_validate(path), "rankings.csv:8: rank: sixty: not a whole number")

    def test_bad_date(self, tmp_path, embedded):
        lines = table_lines("attrition")
        set_cell(lines, 2, "date_start", "2020-13-45", expect="arm-targets-struck-first-strike,")
        path = write_lines(tmp_path / "attrition.csv", lines)
        issues = check(path, embedded)
        assert issues == [
            Issue("attrition.csv", 2, "date_start", "2020-13-45", "not a date (YYYY-MM-DD)")
        ]

    @pytest.mark.parametrize("text", ["nan", "inf", "-Infinity"])
    def test_non_finite_float_refused(self, tmp_path, embedded, text):
        lines = table_lines("manpower")
        set_cell(lines, 4, "value", text, expect="AZE,2018,active,67000,")
        path = write_lines(tmp_path / "manpower.csv", lines)
        issues = check(path, embedded)
        assert issues == [Issue("manpower.csv", 4, "value", text, "not a finite number")]

    @pytest.mark.parametrize(
        "text", ["2020-9-27", "2020-9-7", "2020-09-7", "20-09-27", "2020-02-30"]
    )
    def test_date_exactly_yyyy_mm_dd_quoted_as_written(self, tmp_path, embedded, text):
        lines = table_lines("attrition")
        set_cell(lines, 2, "date_start", text, expect="arm-targets-struck-first-strike,")
        path = write_lines(tmp_path / "attrition.csv", lines)
        issues = check(path, embedded)
        assert issues == [Issue("attrition.csv", 2, "date_start", text, "not a date (YYYY-MM-DD)")]

    def test_date_in_other_digits(self, tmp_path, embedded):
        lines = table_lines("attrition")
        text = "2020-\uff10\uff19-27"  # full-width 09
        set_cell(lines, 2, "date_start", text, expect="arm-targets-struck-first-strike,")
        path = write_lines(tmp_path / "attrition.csv", lines)
        issues = check(path, embedded)
        assert issues == [Issue("attrition.csv", 2, "date_start", text, "not a date (YYYY-MM-DD)")]

    def test_date_outside_the_war_quoted_as_written(self, tmp_path, embedded):
        lines = table_lines("attrition")
        set_cell(lines, 5, "date_end", "2020-11-30", expect="arm-tor-m2km-launch-vehicles-lost,")
        path = write_lines(tmp_path / "attrition.csv", lines)
        [issue] = check(path, embedded)
        assert (issue.line, issue.column, issue.value) == (5, "date_end", "2020-11-30")

    @pytest.mark.parametrize(
        ("table", "line", "column", "expect"),
        [
            ("manpower", 4, "value", "AZE,2018,active,67000,"),
            ("manpower", 4, "year", "AZE,2018,active,67000,"),
            ("equipment", 2, "value", "AZE,2020,tanks,570,"),
        ],
        ids=["float", "year", "count"],
    )
    @pytest.mark.parametrize(
        "text",
        ["\u0663\u0660\u0660", "\uff12\uff10\uff10", "1_000", "2_018"],
        ids=["arabic-indic", "full-width", "underscore", "underscore-year"],
    )
    def test_numbers_in_ascii_decimal_only(
        self, tmp_path, embedded, table, line, column, expect, text
    ):
        assert float(text) > 0, "Python's float() takes it: the file must not"
        lines = table_lines(table)
        set_cell(lines, line, column, text, expect=expect)
        path = write_lines(tmp_path / f"{table}.csv", lines)
        [issue] = check(path, embedded)
        assert (issue.file, issue.line, issue.column, issue.value) == (
            f"{table}.csv",
            line,
            column,
            text,
        )
        number = (
            "not a whole number" if column == "year" or table == "equipment" else "not a finite"
        )
        assert issue.rule.startswith(number)
        assert "digits 0-9" in issue.rule

    def test_numbers_in_ascii_decimal_cli(self, tmp_path):
        lines = table_lines("manpower")
        set_cell(lines, 4, "value", "\u0663\u0660\u0660", expect="AZE,2018,active,67000,")
        path = write_lines(tmp_path / "manpower.csv", lines)
        assert_cli_reports(
            cli_validate(path),
            "manpower.csv:4: value: \u0663\u0660\u0660: not a finite number: write it in the "
            "digits 0-9, without '_' or other characters",
        )

    @pytest.mark.parametrize("text", ["1e30", "99999999999999999999"])
    def test_whole_number_too_large(self, tmp_path, embedded, text):
        lines = table_lines("equipment")
        set_cell(lines, 2, "value", text, expect="AZE,2020,tanks,570,")
        path = write_lines(tmp_path / "equipment.csv", lines)
        [issue] = check(path, embedded)
        assert (issue.line, issue.column, issue.value) == (2, "value", text)
        assert issue.rule.startswith("too large for a whole number")

    def test_value_quoted_as_written(self, tmp_path, embedded):
        lines = table_lines("manpower")
        set_cell(lines, 4, "value", "-67000.50", expect="AZE,2018,active,67000,")
        path = write_lines(tmp_path / "manpower.csv", lines)
        issues = check(path, embedded)
        assert issues == [Issue("manpower.csv", 4, "value", "-67000.50", "must not be negative")]

    @pytest.mark.parametrize(
        ("column", "text", "rule"),
        [
            ("accessed", "2024-5-1", "must be a date written YYYY-MM-DD"),
            ("accessed", "2024-02-30", "must be a real date (YYYY-MM-DD)"),
            ("published", "2020-2", "must be a date written YYYY, YYYY-MM or YYYY-MM-DD"),
            ("published", "2021-02-29", "must be a real date (YYYY-MM-DD)"),
            ("published", "\uff12\uff10\uff12\uff10", "must be a date written YYYY, YYYY-MM or"),
        ],
    )
    def test_source_dates(self, tmp_path, embedded, column, text, rule):
        lines = table_lines("sources")
        set_cell(lines, 6, column, text, expect="gfp-2020-trend,")
        path = write_lines(tmp_path / "sources.csv", lines)
        [issue] = check(path, embedded)
        assert (issue.line, issue.column, issue.value) == (6, column, text)
        assert issue.rule.startswith(rule)

    def test_negative_count(self, tmp_path, embedded):
        lines = table_lines("equipment")
        set_cell(lines, 2, "value", "-5", expect="AZE,2020,tanks,570,")
        path = write_lines(tmp_path / "equipment.csv", lines)
        issues = check(path, embedded)
        assert issues == [Issue("equipment.csv", 2, "value", "-5", "must not be negative")]

    def test_date_outside_the_war(self, tmp_path, embedded):
        lines = table_lines("attrition")
        set_cell(lines, 5, "date_end", "2020-11-11", expect="arm-tor-m2km-launch-vehicles-lost,")
        path = write_lines(tmp_path / "attrition.csv", lines)
        issues = check(path, embedded)
        assert len(issues) == 1
        issue = issues[0]
        assert (issue.file, issue.line, issue.column, issue.value) == (
            "attrition.csv",
            5,
            "date_end",
            "2020-11-11",
        )
        assert "war" in issue.rule
        assert "2020-09-27 to 2020-11-10" in issue.rule

    def test_share_over_100_percent(self, tmp_path, embedded):
        lines = table_lines("attrition")
        set_cell(lines, 11, "high", "160", expect="arm-bayraktar-targets-destroyed-share,")
        path = write_lines(tmp_path / "attrition.csv", lines)
        issues = check(path, embedded)
        assert issues == [
            Issue(
                "attrition.csv",
                11,
                "value/low/high/unit",
                "value=(empty), low=50, high=160, unit=percent",
                "a share must lie within 0-100 percent",
            )
        ]

    def test_low_above_high(self, tmp_path, embedded):
        lines = table_lines("manpower")
        set_cell(lines, 2, "low", "150000", expect="AZE,2020,wartime_strength,,130000,140000,")
        path = write_lines(tmp_path / "manpower.csv", lines)
        issues = check(path, embedded)
        assert issues == [
            Issue(
                "manpower.csv",
                2,
                "low/value/high",
                "low=150000, value=(empty), high=140000",
                "low <= value <= high",
            )
        ]

    def test_rank_above_field_size(self, tmp_path, embedded):
        lines = table_lines("rankings")
        set_cell(lines, 8, "rank", "150", expect="gfp,2020,AZE,63,138,")
        path = write_lines(tmp_path / "rankings.csv", lines)
        issues = check(path, embedded)
        assert issues == [
            Issue(
                "rankings.csv",
                8,
                "rank/of_countries",
                "rank=150, of_countries=138",
                "rank between 1 and of_countries",
            )
        ]

    def test_all_problems_listed_in_one_run(self, tmp_path, embedded):
        lines = table_lines("manpower")
        set_cell(lines, 4, "value", "abc", expect="AZE,2018,active,67000,")
        set_cell(lines, 5, "country", "XYZ", expect="ARM,2018,active,44800,")
        set_cell(lines, 7, "measure", "conscripts", expect="ARM,2018,total_military,215700,")
        path = write_lines(tmp_path / "manpower.csv", lines)
        issues = check(path, embedded)
        assert len(issues) == 3
        found = {(i.file, i.line, i.column, i.value): i.rule for i in issues}
        assert found[("manpower.csv", 4, "value", "abc")] == "not a finite number"
        assert (
            found[("manpower.csv", 5, "country", "XYZ")]
            == "unknown country code: not in countries.csv"
        )
        assert found[("manpower.csv", 7, "measure", "conscripts")].startswith("must be one of:")
        assert "total_military" in found[("manpower.csv", 7, "measure", "conscripts")]

    def test_all_problems_listed_cli(self, tmp_path):
        lines = table_lines("manpower")
        set_cell(lines, 4, "value", "abc", expect="AZE,2018,active,67000,")
        set_cell(lines, 5, "country", "XYZ", expect="ARM,2018,active,44800,")
        set_cell(lines, 7, "measure", "conscripts", expect="ARM,2018,total_military,215700,")
        path = write_lines(tmp_path / "manpower.csv", lines)
        result = cli_validate(path)
        measures = (
            "active, reserve, paramilitary, total_military, wartime_strength, "
            "available_manpower, fit_for_service, population"
        )
        assert_cli_reports(
            result,
            "manpower.csv:4: value: abc: not a finite number",
            "manpower.csv:5: country: XYZ: unknown country code: not in countries.csv",
            f"manpower.csv:7: measure: conscripts: must be one of: {measures}",
        )


class TestKeysAndReferences:
    def test_duplicate_key_reported_on_later_line(self, tmp_path, embedded):
        lines = table_lines("manpower")
        assert lines[3].startswith("AZE,2018,active,67000,,,exact,gfp-2018-csv,")
        lines.append(lines[3])  # line 4 copied to the end: line 32 of the new file
        assert len(lines) == 32
        path = write_lines(tmp_path / "manpower.csv", lines)
        issues = check(path, embedded)
        assert issues == [
            Issue(
                "manpower.csv",
                32,
                "country+year+measure+source_id",
                "AZE, 2018, active, gfp-2018-csv",
                "duplicate key: same country/year/measure/source_id as line 4",
            )
        ]

    def test_duplicate_key_cli(self, tmp_path):
        lines = table_lines("manpower")
        lines.append(lines[3])
        path = write_lines(tmp_path / "manpower.csv", lines)
        assert_cli_reports(
            cli_validate(path),
            "manpower.csv:32: country+year+measure+source_id: AZE, 2018, active, gfp-2018-csv: "
            "duplicate key: same country/year/measure/source_id as line 4",
        )

    def test_many_duplicates_listed_up_to_the_cap(self, tmp_path, embedded):
        lines = table_lines("manpower")
        assert lines[3].startswith("AZE,2018,active,67000,,,exact,gfp-2018-csv,")
        lines += [lines[1], lines[2]] * 15 + [lines[3]] * 5  # lines 32 to 66
        path = write_lines(tmp_path / "manpower.csv", lines)
        issues = check(path, embedded)
        assert len(issues) == MAX_DUPLICATES_SHOWN + 1
        key = "country+year+measure+source_id"
        rule = "duplicate key: same country/year/measure/source_id as line {}"
        assert issues[:2] == [
            Issue("manpower.csv", 32, key, "AZE, 2020, wartime_strength, rv-essay", rule.format(2)),
            Issue("manpower.csv", 33, key, "ARM, 2020, wartime_strength, rv-essay", rule.format(3)),
        ]
        assert [i.line for i in issues[:-1]] == list(range(32, 32 + MAX_DUPLICATES_SHOWN))
        assert issues[-1] == Issue(
            "manpower.csv",
            32 + MAX_DUPLICATES_SHOWN,
            key,
            None,
            f"duplicate key: and {35 - MAX_DUPLICATES_SHOWN} more rows from this line on repeat "
            "the country/year/measure/source_id of a line above (not listed one by one)",
        )

    def test_duplicate_key_quoted_as_written(self, tmp_path, embedded):
        lines = table_lines("manpower")
        lines.append(lines[3].replace("AZE,2018,", "AZE,+2018.0,"))
        path = write_lines(tmp_path / "manpower.csv", lines)
        [issue] = check(path, embedded)
        assert (issue.line, issue.value) == (32, "AZE, +2018.0, active, gfp-2018-csv")
        assert issue.rule.endswith("as line 4")

    def test_unknown_country(self, tmp_path, embedded):
        lines = table_lines("manpower")
        set_cell(lines, 5, "country", "XYZ", expect="ARM,2018,active,44800,")
        path = write_lines(tmp_path / "manpower.csv", lines)
        issues = check(path, embedded)
        assert issues == [
            Issue("manpower.csv", 5, "country", "XYZ", "unknown country code: not in countries.csv")
        ]

    def test_unknown_source_id(self, tmp_path, embedded):
        lines = table_lines("manpower")
        set_cell(lines, 5, "source_id", "no-such-source", expect="ARM,2018,active,44800,")
        path = write_lines(tmp_path / "manpower.csv", lines)
        issues = check(path, embedded)
        assert issues == [
            Issue(
                "manpower.csv",
                5,
                "source_id",
                "no-such-source",
                "unknown source id: not in sources.csv",
            )
        ]


class TestCli:
    def test_unknown_table_name_is_usage_error(self, tmp_path):
        path = tmp_path / "manpower.csv"
        path.write_bytes((EMBEDDED_DIR / "manpower.csv").read_bytes())
        result = cli_validate(path, "--table", "nosuch")
        assert result.returncode == 2
        assert "nosuch" in result.stderr
        assert "invalid choice" in result.stderr

    def test_unknown_sub_command_is_usage_error(self):
        result = cli("frobnicate")
        assert result.returncode == 2
        assert "frobnicate" in result.stderr
        assert "invalid choice" in result.stderr

    def test_table_option_names_the_table(self, tmp_path, embedded):
        path = tmp_path / "other.csv"
        path.write_bytes((EMBEDDED_DIR / "manpower.csv").read_bytes())
        before = digest(path)
        checked, issues = validate_paths([path], "manpower", embedded)
        assert issues == []
        assert [t.name for t in checked] == ["manpower"]
        result = cli("validate", "--table", "manpower", path)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == f"{path}: manpower: 30 rows: valid"
        assert digest(path) == before

    def test_table_option_reports_issues_under_the_file_name(self, tmp_path, embedded):
        lines = table_lines("manpower")
        set_cell(lines, 5, "country", "XYZ", expect="ARM,2018,active,44800,")
        path = write_lines(tmp_path / "other.csv", lines)
        issues = check(path, embedded, table="manpower")
        assert issues == [
            Issue("other.csv", 5, "country", "XYZ", "unknown country code: not in countries.csv")
        ]
        assert_cli_reports(
            cli_validate(path, "--table", "manpower"),
            "other.csv:5: country: XYZ: unknown country code: not in countries.csv",
        )

    def test_unknown_file_name_without_table(self, tmp_path, embedded):
        path = tmp_path / "other.csv"
        path.write_bytes((EMBEDDED_DIR / "manpower.csv").read_bytes())
        issues = check(path, embedded)
        assert len(issues) == 1
        issue = issues[0]
        assert (issue.file, issue.line, issue.column, issue.value) == (
            "other.csv",
            None,
            None,
            None,
        )
        assert "cannot tell which table" in issue.rule
        assert "--table" in issue.rule
        result = cli_validate(path)
        assert result.returncode == 1
        assert "other.csv: -: -: cannot tell which table" in result.stderr

    def test_no_argument_summarises_embedded_tables(self):
        result = cli("validate")
        assert result.returncode == 0, result.stderr
        assert "11 tables" in result.stdout
        assert "all valid" in result.stdout
        listed = [line.split()[0] for line in result.stdout.splitlines()[1:-1]]
        assert sorted(listed) == sorted(TABLES)
