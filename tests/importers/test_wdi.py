"""The WDI importer on OWID's long-form files (the shared copies) and on broken copies of them.

Expected values are read from the files with the csv module in the test, not from the importer."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from validation.importers import wdi
from validation.importers.base import ImportRefused
from validation.importers.store import import_path, load_imported, read_checked

PERSONNEL = "worldbank_owid/armed-forces-personnel.csv"
SHARE = "worldbank_owid/military-expenditure-as-share-of-gdp.csv"
ISO3 = re.compile(r"^[A-Z]{3}$")
FIXTURES = Path(__file__).resolve().parents[1] / "data" / "wdi"


def records_by_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        return next(reader), [r for r in reader if r]


@pytest.fixture(scope="module")
def personnel_path(reference_dir) -> Path:
    return reference_dir / PERSONNEL


@pytest.fixture(scope="module")
def share_path(reference_dir) -> Path:
    return reference_dir / SHARE


@pytest.fixture(scope="module")
def personnel(personnel_path):
    return read_checked("wdi", personnel_path)


@pytest.fixture(scope="module")
def share(share_path):
    return read_checked("wdi", share_path)


class TestPersonnel:
    def test_header_names_year_twice_over_four_fields(self, personnel_path):
        header, rows = records_by_csv(personnel_path)
        assert header == ["Entity", "Code", "Year", "Year", "Armed forces personnel, total"]
        assert {len(r) for r in rows} == {4}

    def test_row_counts_and_skipped_aggregates(self, personnel, personnel_path):
        _, rows = records_by_csv(personnel_path)
        countries = [r for r in rows if ISO3.match(r[1])]
        assert len(personnel.tables["manpower"]) == len(countries)
        skipped = len(rows) - len(countries)
        assert skipped > 0
        note = next(n for n in personnel.notes if "not an ISO3 country code" in n)
        assert note.startswith(f"{skipped} rows skipped")
        manpower = personnel.tables["manpower"]
        assert not manpower["country"].str.startswith("OWID").any()

    def test_azerbaijan_2016_by_hand(self, personnel, personnel_path):
        _, rows = records_by_csv(personnel_path)
        value = next(float(r[3]) for r in rows if r[1] == "AZE" and r[2] == "2016")
        manpower = personnel.tables["manpower"]
        got = manpower[(manpower["country"] == "AZE") & (manpower["year"] == 2016)]
        assert len(got) == 1
        got = got.iloc[0]
        assert got["value"] == value
        assert (got["measure"], got["qualifier"]) == ("total_military", "exact")
        assert got["source_id"] == "import-wdi-personnel"
        assert "MS.MIL.TOTL.P1" in got["note"]

    def test_countries_from_entity_and_code(self, personnel, personnel_path):
        _, rows = records_by_csv(personnel_path)
        names = {r[1]: r[0] for r in rows if ISO3.match(r[1])}
        got = personnel.countries.set_index("iso3")["name"]
        assert got["FRA"] == names["FRA"]
        assert "AZE" not in got.index


class TestShareOfGdp:
    def test_row_counts(self, share, share_path):
        _, rows = records_by_csv(share_path)
        countries = [r for r in rows if ISO3.match(r[1])]
        over = [r for r in countries if float(r[3]) > 100]
        assert [(r[1], r[2]) for r in over] == [("KWT", "1991")]
        assert len(share.tables["spending"]) == len(countries) - len(over)
        assert any(n.startswith("1 row above 100% of GDP") and "KWT 1991" in n for n in share.notes)

    def test_armenia_2016_by_hand(self, share, share_path):
        _, rows = records_by_csv(share_path)
        value = next(float(r[3]) for r in rows if r[1] == "ARM" and r[2] == "2016")
        spending = share.tables["spending"]
        got = spending[(spending["country"] == "ARM") & (spending["year"] == 2016)].iloc[0]
        assert got["value"] == value
        assert (got["measure"], got["unit"]) == ("milex_share_gdp_pct", "percent")
        assert got["source_id"] == "import-wdi-milex-share-gdp"

    def test_both_files_are_kept_side_by_side(self, tmp_path, personnel_path, share_path):
        import_path("wdi", personnel_path, tmp_path)
        import_path("wdi", share_path, tmp_path)
        tables = load_imported(tmp_path)
        assert set(tables["manpower"]["source_id"]) == {"import-wdi-personnel"}
        assert set(tables["spending"]["source_id"]) == {"import-wdi-milex-share-gdp"}


# ----------------------------------------------------------------------------- broken copies


def copy_with(tmp_path: Path, source: Path, edit) -> Path:
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / source.name
    path.write_text("".join(edit(lines)), encoding="utf-8")
    return path


class TestBrokenCopies:
    def test_truncated(self, tmp_path, personnel_path):
        path = copy_with(tmp_path, personnel_path, lambda lines: [*lines[:50], "Azerbaijan,AZE"])
        with pytest.raises(ImportRefused) as info:
            wdi.read(path)
        assert str(info.value) == (
            f"{path}:51: -: 2 fields: expected 4 fields (one per column); is the file truncated?"
        )

    def test_wrong_columns(self, tmp_path, personnel_path):
        def rename(lines):
            lines[0] = lines[0].replace("Code", "Country code")
            return lines

        path = copy_with(tmp_path, personnel_path, rename)
        with pytest.raises(ImportRefused) as info:
            wdi.read(path)
        message = str(info.value)
        assert message.startswith(f"{path}:1: -: Entity,Country code,Year")
        assert "not a WDI file this importer knows" in message

    def test_unknown_indicator(self, tmp_path):
        path = tmp_path / "gdp.csv"
        path.write_text("Entity,Code,Year,GDP per capita\nFrance,FRA,2016,40000\n")
        with pytest.raises(ImportRefused, match=r"gdp.csv:1: .*not a WDI file this importer"):
            wdi.read(path)

    def test_non_numeric_value_names_the_file_column(self, tmp_path, personnel_path):
        def edit(lines):
            lines[9] = lines[9].rsplit(",", 1)[0] + ",n/a\n"
            return lines

        path = copy_with(tmp_path, personnel_path, edit)
        with pytest.raises(ImportRefused) as info:
            wdi.read(path)
        assert str(info.value) == (
            f"{path}:10: Armed forces personnel, total: n/a: not a finite number"
        )

    def test_negative_share_and_bad_year(self, tmp_path, share_path):
        def edit(lines):
            lines[4] = lines[4].rsplit(",", 1)[0] + ",-1.5\n"
            parts = lines[6].split(",")
            parts[2] = "19x4"
            lines[6] = ",".join(parts)
            return lines

        path = copy_with(tmp_path, share_path, edit)
        with pytest.raises(ImportRefused) as info:
            wdi.read(path)
        message = str(info.value).splitlines()
        assert f"{path}:7: Year: 19x4: not a whole number" in message
        assert any(
            m.startswith(f"{path}:5: Military expenditure (% of GDP)") and "-1.5" in m
            for m in message
        )


class TestSmallFixtures:
    def test_personnel_fixture(self):
        got = read_checked("wdi", FIXTURES / "armed-forces-personnel_small.csv")
        assert len(got.tables["manpower"]) == 3
        assert "2 rows skipped" in got.notes[0]
        assert "1 blank" in got.notes[0]

    def test_share_fixture(self):
        got = read_checked("wdi", FIXTURES / "military-expenditure-as-share-of-gdp_small.csv")
        assert list(got.tables["spending"]["country"]) == ["ARM", "FRA"]


# ----------------------------------------------------------------------------- the bulk shape

BULK = FIXTURES / "WDIData_small.csv"


@pytest.fixture(scope="module")
def bulk():
    return read_checked("wdi", BULK)


class TestBulk:
    """WDIData_small.csv, checked by hand: ARM and AZE with 3 known and 2 other indicators
    over 2019-2022, Arab World (ARB, a World Bank aggregate) and Euro area (XC) to skip."""

    def test_detected_as_the_bulk_dataset(self, bulk):
        assert (bulk.slot, bulk.dataset) == ("wdi-bulk", "bulk")
        assert list(bulk.sources["source_id"]) == ["import-wdi-bulk"]
        assert set(bulk.tables) == {"manpower", "spending", "wdi_indicators"}

    def test_personnel_to_manpower(self, bulk):
        manpower = bulk.tables["manpower"]
        got = list(manpower[["country", "year", "value"]].itertuples(index=False, name=None))
        assert got == [("ARM", 2019, 49100.0), ("ARM", 2021, 50000.0), ("AZE", 2019, 82000.0)]
        assert set(manpower["measure"]) == {"total_military"}
        assert set(manpower["qualifier"]) == {"exact"}
        assert set(manpower["source_id"]) == {"import-wdi-bulk"}

    def test_spending_share_and_current_usd_in_millions(self, bulk):
        spending = bulk.tables["spending"]
        share = spending[spending["measure"] == "milex_share_gdp_pct"]
        assert sorted(zip(share["country"], share["year"], share["value"], strict=True)) == [
            ("ARM", 2019, 4.7),
            ("ARM", 2020, 4.9),
            ("ARM", 2022, 4.3),
            ("AZE", 2019, 4.0),
            ("AZE", 2020, 5.4),
            ("AZE", 2021, 5.0),
        ]
        assert set(share["unit"]) == {"percent"}
        usd = spending[spending["measure"] == "milex_current_usd_m"]
        assert sorted(zip(usd["country"], usd["year"], usd["value"], strict=True)) == [
            ("ARM", 2019, 643.0),
            ("ARM", 2020, 634.0),
            ("AZE", 2019, 1854.0),
            ("AZE", 2020, 2240.0),
        ]
        assert set(usd["unit"]) == {"usd_m"}

    def test_other_indicators_to_wdi_indicators(self, bulk):
        other = bulk.tables["wdi_indicators"]
        assert list(other.columns) == ["country", "year", "indicator", "value", "source_id"]
        columns = ["country", "year", "indicator", "value"]
        got = sorted(other[columns].itertuples(index=False, name=None))
        assert got == [
            ("ARM", 2019, "NY.GDP.MKTP.KD.ZG", 7.6),
            ("ARM", 2019, "SP.POP.TOTL", 2820602.0),
            ("ARM", 2020, "NY.GDP.MKTP.KD.ZG", -7.2),
            ("ARM", 2020, "SP.POP.TOTL", 2805608.0),
            ("ARM", 2021, "SP.POP.TOTL", 2790974.0),
            ("AZE", 2019, "SP.POP.TOTL", 10024283.0),
            ("AZE", 2020, "SP.POP.TOTL", 10093121.0),
        ]

    def test_aggregates_and_empty_cells_skipped_and_noted(self, bulk):
        assert bulk.notes[0].startswith("2 rows skipped whose Country Code is not a country's")
        assert "Arab World, Euro area" in bulk.notes[0]
        # 10 country rows x 4 years = 40 cells, 20 of them filled.
        assert bulk.notes[1] == "20 empty cells (missing values) of country rows skipped"
        for frame in bulk.tables.values():
            assert not frame["country"].isin(["ARB", "XC"]).any()

    def test_stored_beside_the_owid_files_and_merged(self, tmp_path):
        import_path("wdi", FIXTURES / "armed-forces-personnel_small.csv", tmp_path)
        result = import_path("wdi", BULK, tmp_path)
        assert result.record["slot"] == "wdi-bulk"
        assert result.record["rows"] == {"manpower": 3, "spending": 10, "wdi_indicators": 7}
        tables = load_imported(tmp_path)
        assert set(tables["manpower"]["source_id"]) == {"import-wdi-bulk", "import-wdi-personnel"}
        assert len(tables["wdi_indicators"]) == 7
        assert "wdi_indicators" in wdi.META


class TestBrokenBulk:
    def test_text_in_a_year_cell(self, tmp_path):
        path = copy_with(
            tmp_path, BULK, lambda ls: [*ls[:3], ls[3].replace('"4.9"', '"4,9x"'), *ls[4:]]
        )
        with pytest.raises(ImportRefused) as info:
            wdi.read(path)
        assert str(info.value) == f"{path}:4: 2020: 4,9x: not a finite number"

    def test_negative_personnel(self, tmp_path):
        path = copy_with(
            tmp_path, BULK, lambda ls: [*ls[:7], ls[7].replace('"82000"', '"-82000"'), *ls[8:]]
        )
        with pytest.raises(ImportRefused) as info:
            wdi.read(path)
        assert str(info.value) == f"{path}:8: 2019: -82000: must be >= 0 for this indicator"

    def test_truncated_row(self, tmp_path):
        path = copy_with(tmp_path, BULK, lambda ls: [*ls[:6], '"Armenia","ARM","Pop"\n'])
        with pytest.raises(ImportRefused) as info:
            wdi.read(path)
        assert str(info.value) == (
            f"{path}:7: -: 3 fields: expected 9 fields (one per column); is the file truncated?"
        )

    def test_bad_year_in_header(self, tmp_path):
        path = copy_with(tmp_path, BULK, lambda ls: [ls[0].replace('"2021"', '"21"'), *ls[1:]])
        with pytest.raises(ImportRefused) as info:
            wdi.read(path)
        assert str(info.value) == f"{path}:1: 21: 21: not a year: expected four digits, 1800-2100"

    def test_duplicate_country_indicator(self, tmp_path):
        path = copy_with(tmp_path, BULK, lambda ls: [*ls, ls[2]])
        with pytest.raises(ImportRefused) as info:
            wdi.read(path)
        assert f"{path}:14: " in str(info.value)
