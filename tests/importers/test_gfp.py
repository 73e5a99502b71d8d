"""The GFP importer on the four shapes: the shared 2018 CSV, 2020 workbook, 2023 clean CSV and
2025 CSV against their cells read with csv/openpyxl; the quirks MANIFEST.md lists (2 dp
PowerIndex and "1,590.00" in 2018, a repeated Russia row, no rank in 2020 and 2023, Indian digit
grouping and misaligned navy names in 2020, "Turkiye" in 2025) on hand-written samples in
tests/data/gfp/; broken copies refused with the file, line (or sheet row) and column named."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from validation.importers import gfp, store
from validation.importers.base import ImportRefused

DATA = Path(__file__).resolve().parent.parent / "data" / "gfp"
SAMPLES = {
    2018: DATA / "gfp2018_sample.csv",
    2023: DATA / "gfp2023_sample.csv",
    2025: DATA / "gfp2025_sample.csv",
}
SHARED = {
    2018: "gfp2018_military_strength_ranking.csv",
    2020: "gfp2020_world_military_power.xlsx",
    2023: "gfp2023_clean.csv",
    2025: "gfp2025_global_military_firepower.csv",
}


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def cell(text: str) -> object:
    if text == "":
        return None
    try:
        return float(text)
    except ValueError:
        return text


def build_2020(target: Path, edit=None) -> Path:
    """The 2020 workbook's shape: sheet 'data', block titles on row 1, header on row 2."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "data"
    with (DATA / "gfp2020_data_sheet.csv").open(newline="", encoding="utf-8") as f:
        for row in csv.reader(f):
            sheet.append([cell(c) for c in row])
    if edit:
        edit(sheet)
    book.save(target)
    return target


def refused(path: Path) -> str:
    with pytest.raises(ImportRefused) as info:
        gfp.read(path)
    return str(info.value)


def ranking(imported, country: str) -> pd.Series:
    r = imported.tables["rankings"]
    hit = r[r["country"] == country]
    assert len(hit) == 1, hit
    return hit.iloc[0]


def count(imported, country: str, category: str) -> int | None:
    e = imported.tables["equipment"]
    hit = e[(e["country"] == country) & (e["category"] == category)]
    return None if hit.empty else int(hit["value"].iloc[0])


@pytest.fixture(scope="module")
def shared(reference_dir):
    return {edition: gfp.read(reference_dir / "gfp" / name) for edition, name in SHARED.items()}


@pytest.mark.reference
class TestSharedFiles:
    def test_2018_rank_and_powerindex(self, reference_dir, shared):
        rows = rows_of(reference_dir / "gfp" / SHARED[2018])
        for name, iso3 in (("Azerbaijan", "AZE"), ("Armenia", "ARM")):
            row = next(r for r in rows if r["Country"].strip() == name)
            got = ranking(shared[2018], iso3)
            assert got["rank"] == int(row["No"])
            assert got["score"] == float(row["Pwrindx"])
            assert got["edition"] == 2018 and got["of_countries"] == len(rows)
        assert (ranking(shared[2018], "AZE")["rank"], ranking(shared[2018], "ARM")["rank"]) == (
            53,
            84,
        )
        # "1,590.00": Azerbaijan's armoured fighting vehicles
        row = next(r for r in rows if r["Country"] == "Azerbaijan")
        assert row["Armored Fighting Vehicles"] == "1,590.00"
        assert count(shared[2018], "AZE", "afv") == 1590

    def test_2020_powerindex_without_rank(self, reference_dir, shared):
        book = openpyxl.load_workbook(reference_dir / "gfp" / SHARED[2020], read_only=True)
        rows = list(book["data"].iter_rows(values_only=True))
        book.close()
        header = rows[1]
        by_name = {r[0]: r for r in rows[2:] if r[0]}
        aze = ranking(shared[2020], "AZE")
        assert aze["score"] == by_name["Azerbaijan"][1] == 0.9463
        assert pd.isna(aze["rank"])  # no rank is invented from the PowerIndex order
        assert shared[2020].tables["rankings"]["rank"].isna().all()
        assert aze["of_countries"] == len(by_name) == 138
        tanks = header.index("Tank Strength value")
        assert count(shared[2020], "AZE", "tanks") == by_name["Azerbaijan"][tanks]
        assert (
            count(shared[2020], "ARM", "afv")
            == by_name["Armenia"][header.index("AFV/APC Strength value")]
        )

    def test_2020_budget_with_indian_digit_grouping(self, reference_dir, shared):
        book = openpyxl.load_workbook(reference_dir / "gfp" / SHARED[2020], read_only=True)
        rows = list(book["data"].iter_rows(values_only=True))
        book.close()
        budget = rows[1].index("defense spending budget value")
        written = next(r for r in rows if r[0] == "Azerbaijan")[budget]
        assert written == "2,80,50,00,000"
        spending = shared[2020].tables["spending"].query("country == 'AZE'")
        assert spending["value"].tolist() == [int(written.replace(",", "")) / 1e6]
        assert spending["measure"].tolist() == ["defence_budget_usd_m"]

    def test_2020_naval_only_where_the_block_names_the_country(self, reference_dir, shared):
        book = openpyxl.load_workbook(reference_dir / "gfp" / SHARED[2020], read_only=True)
        rows = list(book["data"].iter_rows(values_only=True))
        book.close()
        name = rows[1].index("Navy Fleet Strengths")
        aligned = [r for r in rows[2:] if r[0] and r[name] == r[0]]
        naval = shared[2020].tables["equipment"].query("category == 'naval_total'")
        assert len(naval) == len(aligned)
        unaligned = [r[0] for r in rows[2:] if r[0] and r[name] != r[0]]
        note = next(n for n in shared[2020].notes if n.startswith("naval_total"))
        assert all(country in note for country in unaligned)

    def test_2023_powerindex_and_no_rank(self, reference_dir, shared):
        rows = rows_of(reference_dir / "gfp" / SHARED[2023])
        row = next(r for r in rows if r[""] == "azerbaijan")
        got = ranking(shared[2023], "AZE")
        assert got["score"] == float(row["power_index"]) and pd.isna(got["rank"])
        assert count(shared[2023], "AZE", "tanks") == int(row["tanks"])
        assert count(shared[2023], "USA", "tanks") is not None  # united-states-of-america
        # 'artillery' is SP + towed together: neither category is produced
        categories = set(shared[2023].tables["equipment"]["category"])
        assert not categories & {"sp_artillery", "towed_artillery"}

    def test_2025_rank_and_turkiye(self, reference_dir, shared):
        rows = rows_of(reference_dir / "gfp" / SHARED[2025])
        row = next(r for r in rows if r["country"] == "Turkiye")
        got = ranking(shared[2025], "TUR")
        assert got["rank"] == int(row["rank"]) and pd.isna(got["score"])
        assert pd.isna(got["score_scale"])

    def test_row_counts(self, reference_dir, shared):
        for imported in shared.values():
            assert (
                len(imported.tables["rankings"])
                == imported.tables["rankings"]["of_countries"].iloc[0]
            )
            assert not any(n.startswith("no ISO3") for n in imported.notes), imported.notes
        for edition in (2018, 2023, 2025):
            rows = rows_of(reference_dir / "gfp" / SHARED[edition])
            assert len(shared[edition].tables["rankings"]) == len(rows)
        # equipment: one row per non-empty count in each category's column (11, 11, 9, 11)
        rows = rows_of(reference_dir / "gfp" / SHARED[2025])
        columns = gfp.GFP2025.equipment.values()
        assert len(shared[2025].tables["equipment"]) == sum(
            r[c] != "" for r in rows for c in columns
        )

    def test_editions_and_sources(self, shared):
        for edition, imported in shared.items():
            assert set(imported.tables["rankings"]["edition"]) == {edition}
            assert set(imported.tables["equipment"]["year"]) == {edition}
            source = imported.sources.iloc[0]
            sid = f"import-gfp-{edition}"  # one source per edition, kept side by side
            assert source["source_id"] == sid and source["published"] == str(edition)
            assert imported.dataset == str(edition)
            for table in imported.tables.values():
                assert set(table["source_id"]) == {sid}

    def test_editions_stand_side_by_side_in_the_store(self, reference_dir, tmp_path):
        data = tmp_path / "data"
        for edition in (2018, 2025):
            assert store.import_path("gfp", reference_dir / "gfp" / SHARED[edition], data).changed
        ranks = store.load_imported(data)["rankings"]
        aze = ranks[ranks["country"] == "AZE"].set_index("edition")["rank"].to_dict()
        rows = rows_of(reference_dir / "gfp" / SHARED[2018])
        (row,) = [r for r in rows if r["Country"].strip() == "Azerbaijan"]
        assert aze[2018] == int(row["No"])
        assert set(aze) == {2018, 2025}


class TestSamples:
    def test_2018_repeated_russia_kept_once(self):
        imported = gfp.read(SAMPLES[2018])
        rankings = imported.tables["rankings"]
        assert rankings["country"].tolist() == ["USA", "RUS", "TUR", "AZE", "ARM"]
        assert set(rankings["of_countries"]) == {5}
        assert any(
            "Russia appears on 2 rows (lines 3, 4); line 3 kept" in n for n in imported.notes
        )

    def test_2018_grouped_numbers_and_trailing_space(self):
        imported = gfp.read(SAMPLES[2018])
        assert count(imported, "USA", "tanks") == 5884
        assert count(imported, "USA", "afv") == 38822
        assert count(imported, "AZE", "afv") == 1590
        assert ranking(imported, "AZE")["score"] == 0.9
        assert ranking(imported, "AZE")["note"] == "PowerIndex rounded to 2 dp in this file"

    def test_2020_workbook(self, tmp_path):
        imported = gfp.read(build_2020(tmp_path / "gfp2020.xlsx"))
        assert ranking(imported, "AZE")["score"] == 0.9463
        assert imported.tables["rankings"]["rank"].isna().all()
        assert count(imported, "AZE", "tanks") == 570
        assert count(imported, "AZE", "naval_total") == 31
        assert count(imported, "TUR", "naval_total") == 194
        assert count(imported, "ARM", "naval_total") is None  # empty navy block
        assert count(imported, "SSD", "naval_total") is None  # navy block names South Korea
        assert count(imported, "SSD", "tanks") is not None  # land columns align
        note = next(n for n in imported.notes if n.startswith("naval_total"))
        assert "misaligned: South Sudan" in note and "empty: Armenia" in note
        budgets = imported.tables["spending"].set_index("country")["value"]
        assert budgets["AZE"] == 2805 and budgets["ARM"] == 1385  # "2,80,50,00,000" US$
        # the sheet row is the index: Azerbaijan is on row 3
        assert ranking(imported, "AZE").name == 3

    def test_2023_slugs(self):
        imported = gfp.read(SAMPLES[2023])
        assert imported.tables["rankings"]["country"].tolist() == [
            "USA",
            "TUR",
            "AZE",
            "ARM",
            "BLZ",
        ]
        assert count(imported, "AZE", "naval_total") == 24  # written 24.0
        assert count(imported, "ARM", "afv") == 11896
        assert imported.tables["rankings"]["rank"].isna().all()

    def test_2025_turkiye_and_empty_cells(self):
        imported = gfp.read(SAMPLES[2025])
        assert ranking(imported, "TUR")["rank"] == 2
        assert count(imported, "ARM", "tanks") is None  # empty cell: missing, not an error
        assert count(imported, "ARM", "afv") == 4135

    def test_a_country_on_many_rows_noted_once(self, tmp_path):
        rows = list(csv.reader(SAMPLES[2025].open(newline="", encoding="utf-8")))
        path = tmp_path / "doubled.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            csv.writer(f, lineterminator="\n").writerows([rows[0], *rows[1:], *rows[1:], *rows[1:]])
        imported = gfp.read(path)
        assert imported.tables["rankings"]["country"].is_unique
        n = len(rows) - 1
        notes = [note for note in imported.notes if "appears on 3 rows" in note]
        assert len(notes) == n
        assert (
            f"Turkiye appears on 3 rows (lines 3, {3 + n}, {3 + 2 * n}); line 3 kept "
            "(the rows are identical)"
        ) in notes


class TestBrokenFiles:
    def copy(self, tmp_path: Path, edition: int) -> Path:
        path = tmp_path / SAMPLES[edition].name
        shutil.copy2(SAMPLES[edition], path)
        return path

    def replace_cell(self, path: Path, line: int, column: str, value: str) -> None:
        rows = list(csv.reader(path.open(newline="", encoding="utf-8")))
        rows[line - 1][rows[0].index(column)] = value
        with path.open("w", newline="", encoding="utf-8") as f:
            csv.writer(f, lineterminator="\n").writerows(rows)

    def test_truncated_file(self, tmp_path):
        path = self.copy(tmp_path, 2025)
        text = path.read_text(encoding="utf-8")
        path.write_text(text[: len(text) - 100], encoding="utf-8")
        message = refused(path)
        assert f"{path}:5:" in message and "fields" in message

    def test_unknown_shape(self, tmp_path):
        path = self.copy(tmp_path, 2018)
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("Pwrindx", "Index", 1), encoding="utf-8")
        message = refused(path)
        assert f"{path}:1: Pwrindx: -: missing column" in message

    @pytest.mark.parametrize(
        ("edition", "line", "column", "value", "rule"),
        [
            (2018, 5, "Combat Tanks", "five", "not a whole number"),
            (2018, 6, "Pwrindx", "0,9x", "not a finite number"),
            (2023, 3, "tanks", "12.5", "not a whole number"),
            (2025, 4, "rank", "third", "not a whole number"),
        ],
    )
    def test_value_that_cannot_be_parsed(self, tmp_path, edition, line, column, value, rule):
        path = self.copy(tmp_path, edition)
        self.replace_cell(path, line, column, value)
        assert f"{path}:{line}: {column}: {value}: {rule}" in refused(path)

    def test_negative_count(self, tmp_path):
        path = self.copy(tmp_path, 2025)
        self.replace_cell(path, 3, "armored_fighting_vehicles", "-4")
        assert f"{path}:3: armored_fighting_vehicles: -4" in refused(path)

    def test_workbook_wrong_sheet(self, tmp_path):
        def rename(sheet):
            sheet.title = "Sheet1"

        path = build_2020(tmp_path / "gfp2020.xlsx", rename)
        message = refused(path)
        assert str(path) in message and "'data'" in message and "'Sheet1'" in message

    def test_workbook_bad_value_names_sheet_row_and_column(self, tmp_path):
        def spoil(sheet):
            sheet["R4"] = "many"  # Armenia's 'Tank Strength value'

        path = build_2020(tmp_path / "gfp2020.xlsx", spoil)
        assert f"{path}[data]:4: Tank Strength value: many: not a whole number" in refused(path)

    def test_workbook_bad_budget(self, tmp_path):
        def spoil(sheet):
            sheet["AL3"] = "2,80,50,00,OOO"  # Azerbaijan's 'defense spending budget value'

        path = build_2020(tmp_path / "gfp2020.xlsx", spoil)
        message = refused(path)
        assert f"{path}[data]:3: defense spending budget value: 2,80,50,00,OOO" in message

    def test_workbook_missing_powerindex(self, tmp_path):
        def drop(sheet):
            sheet["B2"] = "Index"

        path = build_2020(tmp_path / "gfp2020.xlsx", drop)
        assert f"{path}[data]:2: Military Strength Power Index: -: missing column" in refused(path)

    @pytest.mark.parametrize("edition", [2018, 2023, 2025])
    def test_a_file_cut_to_its_first_columns(self, tmp_path, edition):
        """A scrape cut to rank, name and score: refused naming what it lost, where it used to
        import as rankings without equipment or budget."""
        rows = list(csv.reader(SAMPLES[edition].open(newline="", encoding="utf-8")))
        path = tmp_path / f"cut-{edition}.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            csv.writer(f, lineterminator="\n").writerows([r[:4] for r in rows])
        message = refused(path)
        shape = {2018: gfp.GFP2018, 2023: gfp.GFP2023, 2025: gfp.GFP2025}[edition]
        lost = [c for c in shape.columns if c not in rows[0][:4]]
        assert lost and shape.equipment["tanks"] in lost
        for column in lost:
            assert f"{path}:1: {column}: -: missing column" in message

    def test_workbook_missing_columns(self, tmp_path):
        def cut(sheet):
            sheet.delete_cols(17, 6)  # Tank Strength ... Self-Propelled Artillery Strength value

        path = build_2020(tmp_path / "gfp2020.xlsx", cut)
        message = refused(path).splitlines()
        assert len(message) == 3
        for column in ("Tank Strength value", "AFV/APC Strength value"):
            assert f"{path}[data]:2: {column}: -: missing column (3 of the 15 columns read " in (
                "\n".join(message)
            )

    def test_workbook_formula_cell(self, tmp_path):
        def formula(sheet):
            sheet["R4"] = "=1/0"  # Armenia's 'Tank Strength value'

        path = build_2020(tmp_path / "gfp2020.xlsx", formula)
        assert refused(path) == (
            f"{path}[data]:4: Tank Strength value: =1/0: a spreadsheet formula, not a number"
        )

    def test_truncated_workbook(self, tmp_path):
        path = build_2020(tmp_path / "gfp2020.xlsx")
        path.write_bytes(path.read_bytes()[:1500])
        assert "not an .xlsx workbook" in refused(path)

    def test_input_file_unchanged(self, tmp_path):
        path = self.copy(tmp_path, 2018)
        self.replace_cell(path, 5, "Combat Tanks", "five")
        before, mtime = path.read_bytes(), path.stat().st_mtime_ns
        refused(path)
        assert path.read_bytes() == before and path.stat().st_mtime_ns == mtime


class TestStore:
    def test_import_into_a_data_dir(self, tmp_path):
        data = tmp_path / "data"
        path = build_2020(tmp_path / "gfp2020.xlsx")
        result = store.import_path("gfp", path, data)
        assert result.changed
        imported = gfp.read(path)
        assert result.record["rows"] == {
            name: len(imported.tables[name]) for name in ("rankings", "equipment", "spending")
        }
        assert not store.import_path("gfp", path, data).changed
        loaded = store.load_imported(data)
        assert set(loaded["rankings"]["edition"]) == {2020}
        assert "SSD" in set(loaded["countries"]["iso3"])

    def test_a_cut_file_never_replaces_the_full_import(self, tmp_path):
        data = tmp_path / "data"
        store.import_path("gfp", SAMPLES[2018], data)
        before = store.records(data)
        rows = list(csv.reader(SAMPLES[2018].open(newline="", encoding="utf-8")))
        path = tmp_path / "cut.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            csv.writer(f, lineterminator="\n").writerows([r[:4] for r in rows])
        with pytest.raises(ImportRefused, match="Combat Tanks: -: missing column"):
            store.import_path("gfp", path, data, replace=True)
        assert store.records(data) == before

    @pytest.mark.parametrize(("edition", "ranked"), [(2018, 5), (2023, 5), (2025, 4)])
    def test_csv_samples_pass_our_schemas(self, tmp_path, edition, ranked):
        result = store.import_path("gfp", SAMPLES[edition], tmp_path / "data")
        assert result.record["rows"]["rankings"] == ranked
