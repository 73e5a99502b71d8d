"""The COW NMC importer: the shared v6 abridged CSV against its rows read with the csv module
(milper and tpop x 1000 as persons, milex / 1000 as US$ m, cinc; -9 missing), the ccode -> ISO3
table (the six key states, predecessor years, historical states skipped and noted), a hand-written
sample in tests/data/nmc/, and broken copies refused with file, line and column named."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from validation.importers import nmc, store
from validation.importers.base import ImportRefused
from validation.importers.countries import COUNTRIES, iso3_for_ccode

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "nmc" / "nmc_abridged.csv"
# COW codes (and years) without a present-day ISO3 state: the GDR, West Germany,
# Czechoslovakia, Zanzibar, the two Yemens, South Vietnam; Yugoslavia before 2006, the USSR
# before 1992, North Vietnam before 1976 (the code then continues as Serbia, Russia, Vietnam).
HISTORICAL = {260, 265, 315, 511, 678, 680, 817}
PREDECESSOR_UNTIL = {345: 2005, 365: 1991, 816: 1975}


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def refused(path: Path) -> str:
    with pytest.raises(ImportRefused) as info:
        nmc.read(path)
    return str(info.value)


def one(frame: pd.DataFrame, country: str, year: int) -> float:
    hit = frame[(frame["country"] == country) & (frame["year"] == year)]
    assert len(hit) == 1, hit
    return float(hit["value"].iloc[0])


class TestCcodes:
    @pytest.mark.parametrize(
        ("ccode", "iso3"),
        [(371, "ARM"), (372, "GEO"), (373, "AZE"), (630, "IRN"), (640, "TUR"), (365, "RUS")],
    )
    def test_key_states(self, ccode, iso3):
        assert iso3_for_ccode(ccode, 2016) == iso3

    def test_predecessor_years_have_no_iso3(self):
        assert iso3_for_ccode(365, 1991) is None  # USSR
        assert iso3_for_ccode(365, 1992) == "RUS"
        assert iso3_for_ccode(345, 1990) is None  # Yugoslavia
        assert iso3_for_ccode(345, 2010) == "SRB"
        assert iso3_for_ccode(640, 1900) is None  # Ottoman Empire
        assert iso3_for_ccode(265, 1980) is None  # GDR

    def test_every_iso3_has_a_name_and_region(self):
        assert all(name and region for name, region in COUNTRIES.values())


@pytest.fixture(scope="module")
def path(reference_dir) -> Path:
    return reference_dir / "cow_nmc" / "NMC-60-abridged.csv"


@pytest.fixture(scope="module")
def rows(path) -> list[dict[str, str]]:
    return rows_of(path)


@pytest.fixture(scope="module")
def shared(path):
    return nmc.read(path)


@pytest.mark.reference
class TestSharedFile:
    def test_every_state_since_1946_is_mapped_or_historical(self, rows):
        for r in rows:
            ccode, year = int(r["ccode"]), int(r["year"])
            if year < 1946 or ccode in HISTORICAL or year <= PREDECESSOR_UNTIL.get(ccode, 0):
                continue
            assert iso3_for_ccode(ccode, year), (r["stateabb"], ccode, year)

    def test_row_counts(self, rows, shared):
        assert len(rows) == 15951
        mapped = [r for r in rows if iso3_for_ccode(int(r["ccode"]), int(r["year"]))]
        tables = shared.tables
        manpower = tables["manpower"]
        personnel = manpower[manpower["measure"] == "total_military"]
        population = manpower[manpower["measure"] == "population"]
        assert len(personnel) == sum(r["milper"] != "-9" for r in mapped)
        assert len(population) == sum(r["tpop"] != "-9" for r in mapped)
        assert len(manpower) == len(personnel) + len(population)
        assert len(tables["spending"]) == sum(r["milex"] != "-9" for r in mapped)
        assert len(tables["capabilities"]) == sum(r["cinc"] != "-9" for r in mapped)

    def test_armenia_milper_2016(self, rows, shared):
        row = next(r for r in rows if r["ccode"] == "371" and r["year"] == "2016")
        manpower = shared.tables["manpower"]
        personnel = manpower[manpower["measure"] == "total_military"]
        assert one(personnel, "ARM", 2016) == int(row["milper"]) * 1000
        hit = manpower[(manpower["country"] == "ARM") & (manpower["year"] == 2016)]
        assert hit["measure"].tolist() == ["total_military", "population"]
        assert hit["qualifier"].tolist() == ["exact", "exact"]

    def test_population_in_persons(self, rows, shared):
        """tpop is in thousands, a few with decimals (4517.6): stored as persons."""
        manpower = shared.tables["manpower"]
        population = manpower[manpower["measure"] == "population"]
        for ccode, iso3, year in (("750", "IND", "2016"), ("371", "ARM", "2016")):
            row = next(r for r in rows if r["ccode"] == ccode and r["year"] == year)
            assert one(population, iso3, int(year)) == pytest.approx(float(row["tpop"]) * 1000)
        decimal = next(
            r for r in rows if "." in r["tpop"] and iso3_for_ccode(int(r["ccode"]), int(r["year"]))
        )
        iso3 = iso3_for_ccode(int(decimal["ccode"]), int(decimal["year"]))
        assert one(population, iso3, int(decimal["year"])) == pytest.approx(
            float(decimal["tpop"]) * 1000
        )

    def test_milex_and_cinc(self, rows, shared):
        for ccode, iso3 in (("373", "AZE"), ("372", "GEO"), ("640", "TUR")):
            row = next(r for r in rows if r["ccode"] == ccode and r["year"] == "2016")
            assert one(shared.tables["spending"], iso3, 2016) == int(row["milex"]) / 1000
            assert one(shared.tables["capabilities"], iso3, 2016) == float(row["cinc"])

    def test_ussr_years_not_filed_under_russia(self, shared):
        russia = shared.tables["manpower"].query("country == 'RUS'")
        assert russia["year"].min() == 1992

    def test_notes_list_historical_states(self, shared):
        notes = "\n".join(shared.notes)
        for state in ("GDR (265)", "YUG (345)", "RUS (365) 1816-1991", "CZE (315)"):
            assert state in notes
        assert "-9 (missing) skipped" in notes

    def test_countries(self, shared):
        codes = set(shared.countries["iso3"])
        assert {"ARM", "AZE", "GEO", "IRN", "TUR", "RUS", "WSM"} <= codes


class TestSample:
    @pytest.fixture
    def imported(self):
        return nmc.read(SAMPLE)

    def test_tables_and_index(self, imported):
        rows = rows_of(SAMPLE)
        # GDR 1989 and RUS (USSR) 1991 skipped; -9 milex for RUS 1991 and GRG, -9 milper AZE.
        manpower = imported.tables["manpower"]
        personnel = manpower[manpower["measure"] == "total_military"]
        population = manpower[manpower["measure"] == "population"]
        assert len(personnel) == 9
        assert len(population) == 10  # every mapped row has tpop
        assert len(imported.tables["spending"]) == 9
        assert len(imported.tables["capabilities"]) == 10
        line = next(
            i for i, r in enumerate(rows, start=2) if r["stateabb"] == "ARM" and r["year"] == "2016"
        )
        assert personnel.loc[line, "value"] == 49_000
        arm = next(r for r in rows if r["stateabb"] == "ARM" and r["year"] == "2016")
        assert population.loc[line, "value"] == float(arm["tpop"]) * 1000
        assert "AZE" not in set(personnel["country"])
        assert "AZE" in set(population["country"])

    def test_small_cinc_in_e_notation(self, imported):
        assert one(imported.tables["capabilities"], "WSM", 2016) == pytest.approx(4.67e-06)

    def test_germany_from_1990(self, imported):
        assert one(imported.tables["spending"], "DEU", 1990) == 42_000

    def test_schema_of_capabilities(self, imported):
        nmc.SCHEMAS["capabilities"].validate(imported.tables["capabilities"])

    def test_source(self, imported):
        source = imported.sources.iloc[0]
        assert source["source_id"] == "import-nmc"
        assert "2021" in source["note"]


class TestBrokenFiles:
    def write(self, tmp_path: Path, lines: list[str]) -> Path:
        path = tmp_path / "nmc.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    @pytest.fixture
    def lines(self) -> list[str]:
        return SAMPLE.read_text(encoding="utf-8").splitlines()

    def test_truncated_file(self, tmp_path, lines):
        text = "\n".join(lines)
        path = tmp_path / "nmc.csv"
        path.write_text(text[: text.index("ARM,371,2016") + 20], encoding="utf-8")
        message = refused(path)
        assert f"{path}:8:" in message and "fields" in message

    def test_missing_column(self, tmp_path, lines):
        lines[0] = lines[0].replace("milper", "personnel")
        path = self.write(tmp_path, lines)
        message = refused(path)
        assert f"{path}:1: milper" in message and "missing column" in message

    def test_non_numeric_value(self, tmp_path, lines):
        lines[6] = lines[6].replace(",45,", ",4S,")
        path = self.write(tmp_path, lines)
        assert f"{path}:7: milper: 4S: not a whole number" in refused(path)

    def test_negative_other_than_minus_nine(self, tmp_path, lines):
        lines[6] = lines[6].replace(",45,", ",-8,")
        path = self.write(tmp_path, lines)
        assert f"{path}:7: milper: -8" in refused(path)

    def test_duplicate_state_year(self, tmp_path, lines):
        path = self.write(tmp_path, [*lines, lines[7]])
        message = refused(path)
        assert f"{path}:14:" in message and "duplicate" in message

    def test_input_file_unchanged(self, tmp_path, lines):
        lines[6] = lines[6].replace(",45,", ",x,")
        path = self.write(tmp_path, lines)
        before, mtime = path.read_bytes(), path.stat().st_mtime_ns
        refused(path)
        assert path.read_bytes() == before and path.stat().st_mtime_ns == mtime


class TestStore:
    def test_import_into_a_data_dir(self, tmp_path):
        data = tmp_path / "data"
        result = store.import_path("nmc", SAMPLE, data)
        assert result.changed
        assert result.record["rows"] == {"manpower": 9 + 10, "spending": 9, "capabilities": 10}
        assert not store.import_path("nmc", SAMPLE, data).changed
        loaded = store.load_imported(data)
        assert len(loaded["capabilities"]) == 10
        assert set(loaded["manpower"]["source_id"]) == {"import-nmc"}
