"""What every importer shares (validation/importers/base.py), tried on each kind with the
hand-written fixtures of tests/data: a file that lost a column the importer reads, a cell no
column type takes (a year of 23 digits, a workbook formula), a file that is only a UTF-8
byte-order mark, an importer that stops on something unforeseen. Each is refused with file,
line (or sheet row) and column, never a Python exception's name."""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from validation.importers import cdb90, gmi
from validation.importers.base import Formula, ImportRefused, open_sheet, sheet_rows
from validation.importers.store import read_checked
from validation.tables import MAX_WHOLE, TOO_LARGE

DATA = Path(__file__).resolve().parents[1] / "data"
YEAR_23 = "1" * 23
# what no message of an importer may show: a Python exception's name
EXCEPTION = re.compile(r"\b[A-Z][A-Za-z]*(Error|Exception)\b")

# kind, fixture, a line and a whole-number column of it
WHOLE_NUMBER_CELLS = [
    ("gmi", "gmi/gmi_small.csv", 3, "year"),
    ("nmc", "nmc/nmc_abridged.csv", 2, "year"),
    ("wdi", "wdi/armed-forces-personnel_small.csv", 2, "Year"),
    ("gfp", "gfp/gfp2018_sample.csv", 4, "No"),
    ("gfp", "gfp/gfp2025_sample.csv", 3, "tanks"),
]
# kind, fixture, a column the importer reads
READ_COLUMNS = [
    ("gmi", "gmi/gmi_small.csv", "gmi_score"),
    ("nmc", "nmc/nmc_abridged.csv", "milper"),
    ("gfp", "gfp/gfp2018_sample.csv", "Combat Tanks"),
    ("gfp", "gfp/gfp2023_sample.csv", "defense_budget"),
    ("gfp", "gfp/gfp2025_sample.csv", "towed_artillery"),
]


def rows_of(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def write_rows(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return path


def refusal(kind: str, path: Path) -> str:
    with pytest.raises(ImportRefused) as info:
        read_checked(kind, path)
    message = str(info.value)
    assert not EXCEPTION.search(message), message
    return message


class TestNumbersNoTypeTakes:
    @pytest.mark.parametrize(("kind", "fixture", "line", "column"), WHOLE_NUMBER_CELLS)
    def test_a_23_digit_whole_number(self, tmp_path, kind, fixture, line, column):
        rows = rows_of(DATA / fixture)
        rows[line - 1][rows[0].index(column)] = YEAR_23
        path = write_rows(tmp_path / Path(fixture).name, rows)
        message = refusal(kind, path)
        assert f"{path}:{line}: {column}: {YEAR_23}: {TOO_LARGE}" in message.splitlines()

    def test_the_limit_is_what_a_float_holds_exactly(self, tmp_path):
        rows = rows_of(DATA / "gmi" / "gmi_small.csv")
        rows[1][rows[0].index("gmi_rank")] = str(MAX_WHOLE)
        rows[2][rows[0].index("gmi_rank")] = str(MAX_WHOLE + 1)
        message = refusal("gmi", write_rows(tmp_path / "gmi.csv", rows))
        assert f":3: gmi_rank: {MAX_WHOLE + 1}: {TOO_LARGE}" in message
        assert f":2: gmi_rank: {MAX_WHOLE}: {TOO_LARGE}" not in message  # typed; checks speak

    def test_a_23_digit_year_in_a_workbook(self, tmp_path):
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "data"
        with (DATA / "gfp" / "gfp2020_data_sheet.csv").open(newline="", encoding="utf-8") as f:
            for row in csv.reader(f):
                sheet.append([float(c) if c.replace(".", "").isdigit() else c or None for c in row])
        sheet["R3"] = 10**22  # Azerbaijan's 'Tank Strength value' (saved as 1e+22)
        book.save(tmp_path / "gfp2020.xlsx")
        message = refusal("gfp", tmp_path / "gfp2020.xlsx")
        assert (
            f"{tmp_path / 'gfp2020.xlsx'}[data]:3: Tank Strength value: 1e+22: {TOO_LARGE}"
        ) in message


class TestMissingColumns:
    @pytest.mark.parametrize(("kind", "fixture", "column"), READ_COLUMNS)
    def test_a_column_the_importer_reads(self, tmp_path, kind, fixture, column):
        rows = rows_of(DATA / fixture)
        drop = rows[0].index(column)
        path = write_rows(tmp_path / Path(fixture).name, [r[:drop] + r[drop + 1 :] for r in rows])
        message = refusal(kind, path)
        assert f"{path}:1: {column}: -: missing column" in message

    def test_wdi_shape_without_its_value_column(self, tmp_path):
        rows = rows_of(DATA / "wdi" / "armed-forces-personnel_small.csv")
        path = write_rows(tmp_path / "personnel.csv", [r[:3] for r in rows])
        assert f"{path}:1: " in refusal("wdi", path)


class TestOnlyAByteOrderMark:
    @pytest.mark.parametrize("content", [b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n\r\n"])
    @pytest.mark.parametrize("kind", ["gmi", "gfp", "wdi", "nmc"])
    def test_csv_kinds(self, tmp_path, kind, content):
        path = tmp_path / "bom.csv"
        path.write_bytes(content)
        message = refusal(kind, path)
        assert message == f"{path}: -: -: file is empty: nothing but a byte-order mark or blanks"

    def test_workbook_kind(self, tmp_path):
        path = tmp_path / "bom.xlsx"
        path.write_bytes(b"\xef\xbb\xbf")
        assert "not an .xlsx workbook: the file holds something else" in refusal("sipri", path)

    def test_folder_kind(self, tmp_path):
        for name in cdb90.FILES:
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_bytes(b"\xef\xbb\xbf")
        assert "battles.csv: -: -: file is empty" in refusal("cdb90", tmp_path)


def _with_formula(path: Path, cell: str, formula: str, cached: str | None) -> None:
    """Rewrite one cell of the workbook's first sheet as `<f>formula</f>`, with a cached value
    as a program that computes formulas (a spreadsheet application) saves it, or without one
    as openpyxl saves it."""
    with zipfile.ZipFile(path) as archive:
        members = {i.filename: archive.read(i.filename) for i in archive.infolist()}
    name = "xl/worksheets/sheet1.xml"
    xml = members[name].decode()
    value = f"<v>{cached}</v>" if cached is not None else ""
    xml, count = re.subn(
        rf'<c r="{cell}"([^>]*?)(?: t="n")?>.*?</c>',
        lambda m: f'<c r="{cell}"{m.group(1)}><f>{formula}</f>{value}</c>',
        xml,
    )
    assert count == 1
    members[name] = xml.encode()
    with zipfile.ZipFile(path, "w") as archive:
        for member, data in members.items():
            archive.writestr(member, data)


class TestFormulaCells:
    @pytest.fixture
    def workbook(self, tmp_path) -> Path:
        book = openpyxl.Workbook()
        book.active.append(["Country", 2019, 2020])
        book.active.append(["Armenia", 645.1, 634])
        book.save(tmp_path / "book.xlsx")
        return tmp_path / "book.xlsx"

    @pytest.mark.parametrize("cached", [None, "634", "#DIV/0!"])
    def test_a_formula_reads_as_a_formula_whatever_was_cached(self, workbook, cached):
        _with_formula(workbook, "C2", "1/0", cached)
        book, sheet = open_sheet(workbook, "Sheet")
        try:
            rows = sheet_rows(sheet)
        finally:
            book.close()
        assert rows == [("Country", 2019, 2020), ("Armenia", 645.1, Formula("=1/0"))]

    def test_figures_read_as_before(self, workbook):
        book, sheet = open_sheet(workbook, "Sheet")
        try:
            assert sheet_rows(sheet)[1] == ("Armenia", 645.1, 634)
        finally:
            book.close()


class TestUnforeseen:
    def test_an_importer_bug_is_a_message_naming_the_file(self, monkeypatch):
        def broken(path):
            raise TypeError("cannot safely cast non-equivalent float64 to int64")

        monkeypatch.setattr(gmi, "read", broken)
        path = DATA / "gmi" / "gmi_small.csv"
        message = refusal("gmi", path)
        assert message.startswith(f"{path}: the gmi importer stopped on something")
        assert "TypeError" not in message
