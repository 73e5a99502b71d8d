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
