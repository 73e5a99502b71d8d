"""The CDB90 importer on the shared copy of jrnold/CDB90: row counts, the quirks MANIFEST.md
lists (battles.csv blanks every negative value; WINA -9 for isqno 640 and 656; STRA/STRD -1 for
ARDENNES), every strength, casualty and outcome checked against the wide file read with the csv
module, and broken copies refused with the file, line and column named."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest

from validation.importers import cdb90
from validation.importers.base import ImportRefused

pytestmark = pytest.mark.reference

FILES = ("battles.csv", "belligerents.csv", "terrain.csv", "src-data/CDB90-patched.csv")
MISSING = {"-1", "-9", "9999"}


@pytest.fixture(scope="module")
def folder(reference_dir) -> Path:
    return reference_dir / "cdb90"


@pytest.fixture(scope="module")
def imported(folder):
    return cdb90.read(folder)


@pytest.fixture(scope="module")
def battles(imported) -> pd.DataFrame:
    return imported.tables["battles"].set_index("isqno")


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def wide(folder) -> dict[int, dict[str, str]]:
    return {int(r["ISQNO"]): r for r in rows_of(folder / "src-data" / "CDB90-patched.csv")}


@pytest.fixture
def copy(folder, tmp_path) -> Path:
    """The four files the importer reads, copied to a folder a test may break."""
    target = tmp_path / "cdb90"
    for name in FILES:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(folder / name, target / name)
    return target


def refused(path: Path) -> str:
    with pytest.raises(ImportRefused) as info:
        cdb90.read(path)
    return str(info.value)


def coded(text: str) -> float | None:
    """A wide-file number with CDB90's missing codes as None."""
    return None if text in MISSING else float(text)


class TestShape:
    def test_one_row_per_battle_of_the_wide_file(self, battles, wide):
        assert len(battles) == len(wide) == 660
        assert sorted(battles.index) == sorted(wide)

    def test_36_battles_have_a_parent(self, battles, folder):
        by_hand = {
            int(r["isqno"]): int(r["parent"])
            for r in rows_of(folder / "battles.csv")
            if r["parent"].strip()
        }
        assert len(by_hand) == 36
        got = battles["parent"].dropna()
        assert {int(k): int(v) for k, v in got.items()} == by_hand

    def test_columns_and_source(self, imported):
        frame = imported.tables["battles"]
        assert list(frame.columns) == cdb90.BATTLE_COLUMNS
        assert set(frame["source_id"]) == {"import-cdb90"}
        assert imported.kind == "cdb90"
        assert list(imported.sources["source_id"]) == ["import-cdb90"]
        cdb90.Battles.validate(frame)

    def test_rows_are_indexed_by_their_line_in_the_wide_file(self, imported):
        frame = imported.tables["battles"]
        assert int(frame.index[0]) == 2 and int(frame.loc[2, "isqno"]) == 1


class TestValues:
    def test_every_strength_and_casualty_as_in_the_wide_file(self, battles, wide):
        pairs = {"str_a": "STRA", "str_d": "STRD", "cas_a": "CASA", "cas_d": "CASD"}
        for isqno, row in wide.items():
            for ours, theirs in pairs.items():
                got = battles.at[isqno, ours]
                want = coded(row[theirs])
                assert (pd.isna(got) and want is None) or got == want, (isqno, ours)

    def test_terrain_year_and_posture(self, battles, wide):
        for isqno, row in wide.items():
            assert battles.at[isqno, "terra1"] == row["TERRA1"]
            assert battles.at[isqno, "rugged"] == int(row["TERRA1"].startswith("G"))
            assert battles.at[isqno, "year"] == int(row["ATPBYR1"])
            posture = battles.at[isqno, "post1"]
            assert (pd.isna(posture) and row["POST1"] == "OO") or posture == row["POST1"]
        assert int(battles["rugged"].sum()) == 131

    def test_first_battle_by_hand(self, battles):
        first = battles.loc[1]
        assert first["name"] == "NIEUPORT"
        assert (first["str_a"], first["str_d"], first["cas_a"], first["cas_d"]) == (
            11500,
            11300,
            4000,
            1000,
        )
        assert first["wina"] == -1 and first["terra1"] == "RBD" and first["year"] == 1600

    def test_ardennes_has_no_strengths(self, battles):
        assert battles.at[657, "name"] == "ARDENNES"
        assert pd.isna(battles.at[657, "str_a"]) and pd.isna(battles.at[657, "str_d"])


class TestOutcomeQuirks:
    def test_battles_csv_blanks_attacker_losses_so_wina_comes_from_the_wide_file(
        self, battles, wide, folder
    ):
        blanks = [r for r in rows_of(folder / "battles.csv") if not r["wina"].strip()]
        assert len(blanks) == 219
        losses = [i for i, r in wide.items() if r["WINA"] == "-1"]
        assert len(losses) == 217
        assert sorted(battles.index[battles["wina"] == -1]) == sorted(losses)
        assert int((battles["wina"] == 1).sum()) == 398
        assert int((battles["wina"] == 0).sum()) == 43

    def test_unknown_outcomes_640_and_656_are_empty(self, battles, wide):
        assert wide[640]["WINA"] == wide[656]["WINA"] == "-9"
        assert sorted(battles.index[battles["wina"].isna()]) == [640, 656]

    def test_notes_report_the_quirks_and_the_files_agreeing(self, imported):
        notes = "\n".join(imported.notes)
        assert "640 HIRAM" in notes and "656 JERUSALEM CORRIDOR" in notes
        assert "657 ARDENNES" in notes
        assert "217 attacker losses" in notes
        assert "STRA against belligerents.str (attacker): agree for all 659 battles" in notes
        assert "STRD against belligerents.str (defender): agree for all 659 battles" in notes

    def test_notes_name_a_strength_the_files_disagree_on(self, copy):
        path = copy / "belligerents.csv"
        with path.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            fields, rows = reader.fieldnames, list(reader)
        for row in rows:
            if row["isqno"] == "5" and row["attacker"] == "1":
                wide_value = row["str"]
                row["str"] = "12345"
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=fields, quoting=csv.QUOTE_NONNUMERIC)
            writer.writeheader()
            writer.writerows(rows)
        notes = "\n".join(cdb90.read(copy).notes)
        assert "STRA against belligerents.str (attacker): 1 battles differ: 5 LUTTER " in notes
        assert f"({wide_value} vs 12345)" in notes


class TestBrokenCopies:
    @pytest.mark.parametrize("name", FILES)
    def test_missing_file(self, copy, name):
        (copy / name).unlink()
        message = refused(copy)
        assert str(copy / name) in message and "file not found" in message

    def test_not_a_folder(self, copy):
        assert "not a folder" in refused(copy / "battles.csv")

    def test_missing_column(self, copy):
        path = copy / "belligerents.csv"
        text = path.read_text(encoding="utf-8")
        header, rest = text.split("\n", 1)
        path.write_text(header.replace('"str"', '"strength"') + "\n" + rest, encoding="utf-8")
        message = refused(copy)
        assert f"{path}:1: str: -: missing column" in message

    def test_truncated_in_the_middle_of_a_row(self, copy):
        path = copy / "src-data" / "CDB90-patched.csv"
        data = path.read_bytes()
        lines = data.split(b"\n")
        cut = b"\n".join(lines[:300]) + b"\n" + lines[300][: len(lines[300]) // 2]
        path.write_bytes(cut)
        with path.open(newline="", encoding="utf-8") as f:
            records = list(csv.reader(f))
        header, last = records[0], records[-1]
        message = refused(copy)
        assert f"{path}:301: {header[len(last)]}: {len(last)} fields" in message
        assert "truncated" in message

    def test_truncated_at_a_line_break(self, copy):
        path = copy / "belligerents.csv"
        lines = path.read_text(encoding="utf-8").split("\n")
        path.write_text("\n".join(lines[:1001]) + "\n", encoding="utf-8")
        with path.open(newline="", encoding="utf-8") as f:
            kept = list(csv.DictReader(f))
        first_lacking = min({i for i in range(1, 661)} - {int(r["isqno"]) for r in kept})
        message = refused(copy)
        assert f"{path}:1002: isqno: {first_lacking}:" in message
        assert "truncated" in message

    def test_bad_cell_names_line_and_column(self, copy):
        path = copy / "src-data" / "CDB90-patched.csv"
        with path.open(newline="", encoding="utf-8") as f:
            records = list(csv.reader(f))
        column = records[0].index("WINA")
        records[10][column] = "won"
        with path.open("w", newline="", encoding="utf-8") as f:
            csv.writer(f, quoting=csv.QUOTE_NONNUMERIC).writerows(records)
        message = refused(copy)
        assert f"{path}:11: WINA: won: not a whole number" in message

    def test_refusal_leaves_the_files_unchanged(self, copy):
        path = copy / "terrain.csv"
        text = path.read_text(encoding="utf-8").replace('"terra1"', '"terrain1"', 1)
        path.write_text(text, encoding="utf-8")
        before = {n: ((copy / n).read_bytes(), (copy / n).stat().st_mtime_ns) for n in FILES}
        refused(copy)
        after = {n: ((copy / n).read_bytes(), (copy / n).stat().st_mtime_ns) for n in FILES}
        assert after == before


class TestStore:
    def test_import_stores_the_battles_once(self, folder, tmp_path):
        from validation.importers import store

        first = store.import_path("cdb90", folder, tmp_path)
        assert first.changed and first.record["rows"] == {"battles": 660}
        again = store.import_path("cdb90", folder, tmp_path)
        assert not again.changed
        loaded = store.load_imported(tmp_path)["battles"]
        assert len(loaded) == 660
        assert int(loaded["parent"].notna().sum()) == 36
        assert int((loaded["wina"] == -1).sum()) == 217

    def test_broken_folder_stores_nothing(self, copy, tmp_path):
        from validation.importers import store

        (copy / "terrain.csv").unlink()
        data = tmp_path / "data"
        with pytest.raises(ImportRefused, match=r"terrain\.csv"):
            store.import_path("cdb90", copy, data)
        assert not (data / "cdb90").exists()
