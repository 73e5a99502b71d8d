"""The SIPRI importer: both shared workbooks (the 2021 edition, 1949-2020, and the 2018-2023
subset of the 2023 edition) against the cells read with openpyxl; the quirks MANIFEST.md lists
(header below a title, '. .'/'...'/'xxx' missing, region headings, fractions of GDP, names
instead of codes) on a small workbook built from tests/data/sipri/; broken copies refused with
the file, sheet, row and column named."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from validation.importers import sipri, store
from validation.importers.base import ImportRefused

DATA = Path(__file__).resolve().parent.parent / "data" / "sipri"
FULL = "SIPRI-Milex-data-1949-2020_0.xlsx"
SUBSET = "SIPRI-Milex-data-2018-2023.xlsx"
# fixture file -> sheet name in the 2021 edition
SHEETS_2021 = {
    "constant_2019_usd.csv": "Constant (2019) USD",
    "current_usd.csv": "Current USD",
    "share_of_gdp.csv": "Share of GDP",
}
NO_ISO3 = {"USSR", "Czechoslovakia", "German DR", "Yugoslavia", "European Union"}


def cell(text: str) -> object:
    """A CSV cell as openpyxl would hold it: empty -> None, numbers as numbers."""
    if text == "":
        return None
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and "." not in text else number


def build_workbook(target: Path, sheets: dict[str, str], replace: dict[str, str] | None = None):
    """An .xlsx with one sheet per fixture CSV (sheet name -> fixture file)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    book.create_sheet("Front page")
    for name, fixture in sheets.items():
        sheet = book.create_sheet(name)
        with (DATA / fixture).open(newline="", encoding="utf-8") as f:
            for row in csv.reader(f):
                sheet.append([cell((replace or {}).get(c, c)) for c in row])
    book.save(target)
    return target


def sheet_rows(path: Path, sheet: str) -> list[tuple]:
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return list(book[sheet].iter_rows(values_only=True))
    finally:
        book.close()


def figure(rows: list[tuple], country: str, year: int) -> tuple[int, object]:
    """(sheet row, cell) of a country and year, found by reading the sheet as a person would."""
    header_at = next(i for i, r in enumerate(rows) if str(r[0]).strip() == "Country")
    column = next(i for i, c in enumerate(rows[header_at]) if c in (year, float(year)))
    at = next(i for i, r in enumerate(rows) if isinstance(r[0], str) and r[0].strip() == country)
    return at + 1, rows[at][column]


def numeric_cells(rows: list[tuple], skip_names: set[str]) -> int:
    """Numbers in the year columns below the header, in rows not named in skip_names."""
    header_at = next(i for i, r in enumerate(rows) if str(r[0]).strip() == "Country")
    years = [
        i for i, c in enumerate(rows[header_at]) if isinstance(c, int | float) and 1900 <= c <= 2100
    ]
    return sum(
        isinstance(r[i], int | float)
        for r in rows[header_at + 1 :]
        if str(r[0]).strip() not in skip_names
        for i in years
        if i < len(r)
    )


def refused(path: Path) -> str:
    with pytest.raises(ImportRefused) as info:
        sipri.read(path)
    return str(info.value)


@pytest.fixture(scope="module")
def full(reference_dir) -> Path:
    return reference_dir / "sipri" / FULL


@pytest.fixture(scope="module")
def subset(reference_dir) -> Path:
    return reference_dir / "sipri" / SUBSET


@pytest.fixture(scope="module")
def full_read(full):
    return sipri.read(full)


@pytest.fixture(scope="module")
def subset_read(subset):
    return sipri.read(subset)


@pytest.mark.reference
class TestSharedWorkbooks:
    @staticmethod
    def value(imported, country: str, year: int, measure: str) -> float:
        s = imported.tables["spending"]
        hit = s[(s["country"] == country) & (s["year"] == year) & (s["measure"] == measure)]
        assert len(hit) == 1
        return float(hit["value"].iloc[0])

    def test_share_of_gdp_2020_in_each_edition(self, full_read, subset_read):
        # MANIFEST: Armenia 4.86% (2021 edition) vs 4.98% (2023); Azerbaijan 5.39% vs 5.24%.
        share = "milex_share_gdp_pct"
        assert round(self.value(full_read, "ARM", 2020, share), 2) == 4.86
        assert round(self.value(full_read, "AZE", 2020, share), 2) == 5.39
        assert round(self.value(subset_read, "ARM", 2020, share), 2) == 4.98
        assert round(self.value(subset_read, "AZE", 2020, share), 2) == 5.24

    @pytest.mark.parametrize(
        ("sheet", "measure", "factor"),
        [
            ("Constant (2019) USD", "milex_constant2019_usd_m", 1),
            ("Current USD", "milex_current_usd_m", 1),
            ("Share of GDP", "milex_share_gdp_pct", 100),
        ],
    )
    @pytest.mark.parametrize(
        ("country", "code"),
        [("Armenia", "ARM"), ("Azerbaijan", "AZE"), ("Georgia", "GEO"), ("Turkey", "TUR")],
    )
    def test_figures_match_the_cells(self, full, full_read, sheet, measure, factor, country, code):
        line, raw = figure(sheet_rows(full, sheet), country, 2019)
        got = self.value(full_read, code, 2019, measure)
        assert got == pytest.approx(raw * factor, rel=1e-12)
        s = full_read.tables["spending"]
        assert line in s.index[(s["measure"] == measure)]

    def test_rows_per_sheet(self, full, full_read, subset, subset_read):
        s = full_read.tables["spending"]
        counts = s.groupby("measure").size().to_dict()
        assert counts == {
            "milex_constant2019_usd_m": numeric_cells(
                sheet_rows(full, "Constant (2019) USD"), NO_ISO3
            ),
            "milex_current_usd_m": numeric_cells(sheet_rows(full, "Current USD"), NO_ISO3),
            # Kuwait 1991 (117% of GDP) is beyond the table's 0-100 range and left out.
            "milex_share_gdp_pct": numeric_cells(sheet_rows(full, "Share of GDP"), NO_ISO3) - 1,
        }
        s = subset_read.tables["spending"]
        assert s.groupby("measure").size().to_dict() == {
            "milex_current_usd_m": numeric_cells(sheet_rows(subset, "Current US$"), NO_ISO3),
            "milex_share_gdp_pct": numeric_cells(sheet_rows(subset, "Share of GDP"), NO_ISO3),
        }
        assert not s.duplicated(["country", "year", "measure"]).any()

    def test_edition_in_the_source_row(self, full_read, subset_read):
        for imported, edition in ((full_read, "2021"), (subset_read, "2023")):
            source = imported.sources.iloc[0]
            assert source["source_id"] == f"import-sipri-{edition}"  # editions side by side
            assert source["published"] == edition
            assert f"{edition} edition" in source["title"]

    def test_notes_say_what_was_skipped(self, full_read, subset_read):
        notes = "\n".join(full_read.notes)
        assert "USSR" in notes and "Czechoslovakia" in notes
        assert "Kuwait 1991" in notes
        assert "2020 Current" in notes  # the constant sheet's last column, at 2020 prices
        assert "European Union" in "\n".join(subset_read.notes)
        assert any("Constant (2019) USD" in n for n in subset_read.notes)

    def test_new_countries_have_a_region(self, full_read):
        countries = full_read.countries
        assert set(countries["iso3"]) == set(full_read.tables["spending"]["country"])
        assert countries["region"].str.len().gt(0).all()
        assert countries.set_index("iso3").loc["KOR", "name"] == "South Korea"


class TestQuirks:
    @pytest.fixture
    def workbook(self, tmp_path) -> Path:
        sheets = {name: fixture for fixture, name in SHEETS_2021.items()}
        return build_workbook(tmp_path / "sipri-2021.xlsx", sheets)

    @pytest.fixture
    def spending(self, workbook) -> pd.DataFrame:
        return sipri.read(workbook).tables["spending"]

    def fixture_value(self, fixture: str, country: str, year: str) -> str:
        with (DATA / fixture).open(newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        header = next(r for r in rows if r[0] == "Country")
        row = next(r for r in rows if r[0] == country)
        return row[header.index(year)]

    def test_names_map_to_iso3(self, spending):
        assert set(spending["country"]) == {"CIV", "COG", "KOR", "ARM", "AZE", "KWT"}

    def test_missing_markers_region_headings_and_notes_skipped(self, workbook):
        imported = sipri.read(workbook)
        current = imported.tables["spending"].query("measure == 'milex_current_usd_m'")
        # Cote d'Ivoire 1990 '. .', Congo 2019 '. . ' and 2020 empty, Armenia/Azerbaijan 1990 xxx
        assert len(current) == 13
        assert "Current USD: 13 figures; 6 cells marked missing skipped" in imported.notes
        assert ("COG", 2019) not in set(zip(current["country"], current["year"], strict=True))

    def test_share_of_gdp_is_stored_as_percent(self, spending):
        share = spending.query("measure == 'milex_share_gdp_pct' and country == 'ARM'")
        raw = float(self.fixture_value("share_of_gdp.csv", "Armenia", "2020"))
        assert float(share.query("year == 2020")["value"].iloc[0]) == pytest.approx(raw * 100)
        assert set(share["unit"]) == {"percent"}

    def test_share_beyond_100_percent_skipped_with_note(self, workbook):
        imported = sipri.read(workbook)
        share = imported.tables["spending"].query("measure == 'milex_share_gdp_pct'")
        assert ("KWT", 1990) not in set(zip(share["country"], share["year"], strict=True))
        assert any("Kuwait 1990: 117.3% of GDP" in n for n in imported.notes)

    def test_index_is_the_sheet_row(self, workbook, spending):
        line, raw = figure(sheet_rows(workbook, "Current USD"), "Azerbaijan", 2020)
        row = spending.loc[[line]].query("measure == 'milex_current_usd_m' and year == 2020")
        assert row["country"].tolist() == ["AZE"]
        assert float(row["value"].iloc[0]) == raw

    def test_last_constant_column_is_not_a_year(self, spending):
        constant = spending.query("measure == 'milex_constant2019_usd_m' and country == 'AZE'")
        raw = float(self.fixture_value("constant_2019_usd.csv", "Azerbaijan", "2020"))
        assert float(constant.query("year == 2020")["value"].iloc[0]) == raw

    def test_unmapped_names_listed(self, workbook):
        notes = sipri.read(workbook).notes
        assert any("no ISO3 code" in n and "USSR" in n for n in notes)

    def test_later_edition_subset_shape(self, tmp_path):
        # 2023: sheets 'Current US$' and 'Share of GDP' only, '...' for unavailable.
        path = build_workbook(
            tmp_path / "subset.xlsx",
            {"Current US$": "current_usd.csv", "Share of GDP": "share_of_gdp.csv"},
            replace={". .": "...", "© SIPRI 2021": "© SIPRI 2023"},
        )
        imported = sipri.read(path)
        s = imported.tables["spending"]
        assert set(s["measure"]) == {"milex_current_usd_m", "milex_share_gdp_pct"}
        assert len(s.query("measure == 'milex_current_usd_m'")) == 13
        assert any("Constant (2019) USD" in n for n in imported.notes)

    def test_edition_from_the_file_name_without_a_copyright_line(self, tmp_path):
        path = build_workbook(
            tmp_path / "milex-export.xlsx",
            {"Current USD": "current_usd.csv", "Share of GDP": "share_of_gdp.csv"},
        )
        book = openpyxl.load_workbook(path)
        for sheet in book.worksheets[1:]:
            sheet["A1"] = "Military expenditure by country"
        book.save(path)
        source = sipri.read(path).sources.iloc[0]
        assert "milex-export.xlsx" in source["title"]
        assert pd.isna(source["published"])


class TestBrokenWorkbooks:
    @pytest.fixture
    def workbook(self, tmp_path) -> Path:
        sheets = {name: fixture for fixture, name in SHEETS_2021.items()}
        return build_workbook(tmp_path / "sipri.xlsx", sheets)

    def edit(self, path: Path, sheet: str, country: str, year: int, value: object) -> int:
        book = openpyxl.load_workbook(path)
        rows = list(book[sheet].iter_rows(values_only=True))
        line, _ = figure(rows, country, year)
        header_at = next(i for i, r in enumerate(rows) if r[0] == "Country")
        column = rows[header_at].index(year) + 1
        book[sheet].cell(row=line, column=column, value=value)
        book.save(path)
        return line

    def test_truncated_file(self, workbook, tmp_path):
        broken = tmp_path / "truncated.xlsx"
        broken.write_bytes(workbook.read_bytes()[:2000])
        message = refused(broken)
        assert str(broken) in message and "not an .xlsx workbook" in message

    def test_wrong_sheet_name(self, tmp_path):
        path = build_workbook(
            tmp_path / "renamed.xlsx",
            {"Current USD": "current_usd.csv", "GDP share": "share_of_gdp.csv"},
        )
        message = refused(path)
        assert str(path) in message
        assert "'Share of GDP'" in message and "sheet not found" in message
        assert "'GDP share'" in message  # the sheets it has

    def test_no_country_header(self, workbook):
        book = openpyxl.load_workbook(workbook)
        for row in book["Current USD"].iter_rows():
            if row[0].value == "Country":
                row[0].value = "State"
        book.save(workbook)
        message = refused(workbook)
        assert f"{workbook}[Current USD]" in message and "Country" in message

    def test_non_numeric_value(self, workbook):
        line = self.edit(workbook, "Current USD", "Armenia", 2020, "63x")
        message = refused(workbook)
        assert f"{workbook}[Current USD]:{line}: 2020: 63x: not a finite number" in message

    def test_negative_value(self, workbook):
        line = self.edit(workbook, "Share of GDP", "Azerbaijan", 2019, -0.5)
        message = refused(workbook)
        assert f"{workbook}[Share of GDP]:{line}: 2019: -0.5" in message

    def test_figures_without_a_country_name(self, workbook):
        book = openpyxl.load_workbook(workbook)
        for row in book["Current USD"].iter_rows():
            if row[0].value == "Armenia":
                row[0].value = None
                line = row[0].row
        book.save(workbook)
        message = refused(workbook)
        assert f"{workbook}[Current USD]:{line}: Country" in message

    def test_formula_cells(self, workbook):
        """=1/0 saved by openpyxl has no cached value: read for its value it was an empty cell,
        and every such figure vanished from an import that reported success."""
        book = openpyxl.load_workbook(workbook)
        rows = list(book["Current USD"].iter_rows(values_only=True))
        header_at = next(i for i, r in enumerate(rows) if r[0] == "Country")
        column = rows[header_at].index(2020) + 1
        lines = [i + 1 for i, r in enumerate(rows) if isinstance(r[column - 1], int | float)]
        for line in lines[header_at:]:
            book["Current USD"].cell(row=line, column=column, value="=1/0")
        book.save(workbook)
        message = refused(workbook).splitlines()
        formulas = [m for m in message if m.endswith(": =1/0: a spreadsheet formula, not a number")]
        assert formulas and formulas == message
        assert formulas[0] == (
            f"{workbook}[Current USD]:{lines[header_at]}: 2020: =1/0: a spreadsheet formula, "
            "not a number"
        )

    def test_formula_as_a_country_name(self, workbook):
        book = openpyxl.load_workbook(workbook)
        for row in book["Share of GDP"].iter_rows():
            if row[0].value == "Armenia":
                row[0].value = '=CONCAT("Arm","enia")'
                line = row[0].row
        book.save(workbook)
        assert f"{workbook}[Share of GDP]:{line}: Country: =CONCAT(" in refused(workbook)

    def test_a_year_column_lost_from_one_sheet(self, workbook):
        book = openpyxl.load_workbook(workbook)
        sheet = book["Share of GDP"]
        header = next(r for r in sheet.iter_rows() if r[0].value == "Country")
        year = next(c for c in header if c.value == 2019)
        sheet.delete_cols(year.column)
        book.save(workbook)
        assert refused(workbook) == (
            f"{workbook}[Share of GDP]:{header[0].row}: 2019: -: missing column: the "
            "workbook's 'Constant (2019) USD', 'Current USD' has this year"
        )

    def test_input_file_unchanged(self, workbook):
        self.edit(workbook, "Current USD", "Armenia", 2020, "bad")
        before, mtime = workbook.read_bytes(), workbook.stat().st_mtime_ns
        refused(workbook)
        assert workbook.read_bytes() == before and workbook.stat().st_mtime_ns == mtime


class TestStore:
    def test_import_into_a_data_dir(self, tmp_path):
        path = build_workbook(
            tmp_path / "sipri.xlsx", {name: fixture for fixture, name in SHEETS_2021.items()}
        )
        data = tmp_path / "data"
        result = store.import_path("sipri", path, data)
        assert result.changed
        assert result.record["rows"] == {"spending": len(sipri.read(path).tables["spending"])}
        assert not store.import_path("sipri", path, data).changed
        loaded = store.load_imported(data)
        assert set(loaded["spending"]["source_id"]) == {"import-sipri-2021"}
        assert "KWT" in set(loaded["countries"]["iso3"])

    def test_refused_file_stores_nothing(self, tmp_path):
        path = build_workbook(tmp_path / "bad.xlsx", {"Current USD": "current_usd.csv"})
        data = tmp_path / "data"
        with pytest.raises(ImportRefused):
            store.import_path("sipri", path, data)
        assert not data.exists() or not any(data.iterdir())


@pytest.mark.reference
def test_shared_workbook_imports(reference_dir, tmp_path):
    path = tmp_path / SUBSET
    shutil.copy2(reference_dir / "sipri" / SUBSET, path)
    result = store.import_path("sipri", path, tmp_path / "data")
    assert result.record["rows"]["spending"] == len(sipri.read(path).tables["spending"])
