"""The GMI importer on BICC's all-years table (the shared copy) and on broken copies of it.

Expected values are read from the file with the csv module in the test, not from the importer."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from validation.catalog import datasets_dir
from validation.importers import gmi
from validation.importers.base import ImportRefused
from validation.importers.store import read_checked
from validation.tables import MAX_DUPLICATES_SHOWN

GMI_FILE = "gmi/gmi_wri_combined_1990_2022.csv"


@pytest.fixture(scope="module")
def gmi_path(reference_dir) -> Path:
    return reference_dir / GMI_FILE


@pytest.fixture(scope="module")
def rows_by_csv(gmi_path) -> list[dict[str, str]]:
    with gmi_path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def imported(gmi_path):
    return read_checked("gmi", gmi_path)


def embedded_iso3() -> set[str]:
    with (datasets_dir() / "countries.csv").open(newline="", encoding="utf-8") as f:
        return {row["iso3"] for row in csv.DictReader(f)}


class TestSharedFile:
    def test_row_counts(self, imported, rows_by_csv):
        ranked = [r for r in rows_by_csv if r["gmi_rank"]]
        assert len(rows_by_csv) == 4877
        assert len(imported.tables["rankings"]) == len(ranked)
        cells = sum(
            1
            for r in ranked
            for c in ("milex_indicator", "personnel_indicator", "weapons_indicator")
            if r[c]
        )
        assert len(imported.tables["gmi_indicators"]) == cells
        new = {r["iso3"] for r in ranked} - embedded_iso3()
        assert set(imported.countries["iso3"]) == new

    def test_azerbaijan_2019_by_hand(self, imported, rows_by_csv):
        row = next(r for r in rows_by_csv if r["iso3"] == "AZE" and r["year"] == "2019")
        field = sum(1 for r in rows_by_csv if r["year"] == "2019" and r["gmi_rank"])
        rankings = imported.tables["rankings"]
        got = rankings[(rankings["country"] == "AZE") & (rankings["edition"] == 2019)]
        assert len(got) == 1
        got = got.iloc[0]
        assert got["index"] == "gmi_revised"
        assert got["rank"] == int(row["gmi_rank"]) == 14
        assert got["of_countries"] == field
        assert got["score"] == pytest.approx(float(row["gmi_score"]), abs=1e-12)
        assert got["score_scale"] == "gmi_revised_points"
        assert got["source_id"] == "import-gmi"
        assert "revised" in got["note"]
        indicators = imported.tables["gmi_indicators"]
        aze = indicators[(indicators["country"] == "AZE") & (indicators["year"] == 2019)]
        assert dict(zip(aze["measure"], aze["value"], strict=True)) == pytest.approx(
            {
                "milex": float(row["milex_indicator"]),
                "personnel": float(row["personnel_indicator"]),
                "weapons": float(row["weapons_indicator"]),
            }
        )

    def test_every_year_ranks_one_to_its_field(self, imported, rows_by_csv):
        field = Counter(r["year"] for r in rows_by_csv if r["gmi_rank"])
        rankings = imported.tables["rankings"]
        for year, n in field.items():
            ranks = rankings.loc[rankings["edition"] == int(year), "rank"]
            assert sorted(ranks) == list(range(1, n + 1))

    def test_never_mixed_with_the_edition_ranks(self, imported):
        assert set(imported.tables["rankings"]["index"]) == {"gmi_revised"}

    def test_unranked_rows_are_skipped_and_counted(self, imported, rows_by_csv):
        unranked = [r for r in rows_by_csv if not r["gmi_rank"]]
        assert len(unranked) == 11
        note = next(n for n in imported.notes if "without gmi_rank" in n)
        assert note.startswith(f"{len(unranked)} rows")
        assert "ARE 2022" in note
        rankings = imported.tables["rankings"]
        assert rankings[(rankings["country"] == "ARE") & (rankings["edition"] == 2022)].empty

    def test_countries_take_the_file_names_and_regions(self, imported, rows_by_csv):
        fra = next(r for r in rows_by_csv if r["iso3"] == "FRA")
        row = imported.countries.set_index("iso3").loc["FRA"]
        assert (row["name"], row["region"]) == (fra["name"], fra["region"])
        assert "AZE" not in set(imported.countries["iso3"])  # embedded: its row wins


# ----------------------------------------------------------------------------- broken copies


def copy_with(tmp_path: Path, source: Path, edit) -> Path:
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / source.name
    path.write_text("".join(edit(lines)), encoding="utf-8")
    return path


def set_cell(lines: list[str], line: int, column: str, value: str) -> list[str]:
    header = next(csv.reader([lines[0]]))
    row = next(csv.reader([lines[line - 1]]))
    row[header.index(column)] = value
    lines[line - 1] = ",".join(row) + "\n"
    return lines


class TestBrokenCopies:
    def test_truncated_in_a_row(self, tmp_path, gmi_path):
        path = copy_with(tmp_path, gmi_path, lambda lines: [*lines[:100], lines[100][:20]])
        cut = path.read_text().splitlines()[-1]
        fields = len(next(csv.reader([cut])))
        with pytest.raises(ImportRefused) as info:
            gmi.read(path)
        assert str(info.value) == (
            f"{path}:101: -: {fields} fields: expected 15 fields (one per column); "
            "is the file truncated?"
        )

    def test_truncated_at_a_row_end_breaks_the_field_count(self, tmp_path, gmi_path):
        # The last year's ranks then run past the number of rows left for that year.
        path = copy_with(tmp_path, gmi_path, lambda lines: lines[:-40])
        with pytest.raises(ImportRefused, match=r"rank/of_countries: .*rank between 1 and"):
            read_checked("gmi", path)

    def test_wrong_columns(self, tmp_path, gmi_path):
        def rename(lines):
            lines[0] = lines[0].replace("gmi_rank", "rank")
            return lines

        path = copy_with(tmp_path, gmi_path, rename)
        with pytest.raises(ImportRefused) as info:
            gmi.read(path)
        assert str(info.value).startswith(f"{path}:1: gmi_rank: -: missing column; the header has:")

    def test_non_numeric_score(self, tmp_path, gmi_path, rows_by_csv):
        path = copy_with(tmp_path, gmi_path, lambda lines: set_cell(lines, 7, "gmi_score", "high"))
        with pytest.raises(ImportRefused) as info:
            gmi.read(path)
        assert str(info.value) == f"{path}:7: gmi_score: high: not a finite number"

    def test_fractional_rank_and_bad_code(self, tmp_path, gmi_path):
        def edit(lines):
            lines = set_cell(lines, 3, "gmi_rank", "4.5")
            return set_cell(lines, 9, "iso3", "Ukr")

        path = copy_with(tmp_path, gmi_path, edit)
        with pytest.raises(ImportRefused) as info:
            gmi.read(path)
        message = str(info.value).splitlines()
        assert f"{path}:3: gmi_rank: 4.5: not a whole number" in message
        assert f"{path}:9: iso3: Ukr: must be a three-letter ISO code in capitals (e.g. AZE)" in (
            message
        )

    def test_duplicate_country_year(self, tmp_path, gmi_path):
        path = copy_with(tmp_path, gmi_path, lambda lines: [*lines, lines[1]])
        last = len(gmi_path.read_text().splitlines()) + 1
        with pytest.raises(ImportRefused, match=rf":{last}: iso3\+year: UKR, 1992: duplicate key"):
            gmi.read(path)

    def test_rows_doubled_listed_up_to_the_cap(self, tmp_path, gmi_path):
        """Each repeat names the first line of its key, the first MAX_DUPLICATES_SHOWN of them;
        then one line says how many more (the file once took minutes to refuse)."""
        path = copy_with(tmp_path, gmi_path, lambda lines: [*lines, *lines[1:]])
        n = len(gmi_path.read_text().splitlines())  # header + n - 1 rows, then those again
        with pytest.raises(ImportRefused) as info:
            gmi.read(path)
        message = str(info.value).splitlines()
        assert len(message) == MAX_DUPLICATES_SHOWN + 1
        assert message[0].startswith(f"{path}:{n + 1}: iso3+year: ")
        assert message[0].endswith("duplicate key: same iso3/year as line 2")
        assert message[-1] == (
            f"{path}:{n + 1 + MAX_DUPLICATES_SHOWN}: iso3+year: -: duplicate key: and "
            f"{n - 1 - MAX_DUPLICATES_SHOWN} more rows from this line on repeat the iso3/year "
            "of a line above (not listed one by one)"
        )

    def test_empty_and_not_utf8(self, tmp_path):
        empty = tmp_path / "empty.csv"
        empty.write_text("")
        with pytest.raises(ImportRefused, match=r"empty\.csv: -: -: file is empty"):
            gmi.read(empty)
        latin = tmp_path / "latin.csv"
        latin.write_bytes("iso3,name\nCIV,C\xf4te\n".encode("latin-1"))
        with pytest.raises(ImportRefused, match=r"latin.csv:2: .*not UTF-8"):
            gmi.read(latin)


class TestSmallFixture:
    """The hand-written fixture in tests/data/gmi (no reference data needed)."""

    def test_maps_ranks_scores_and_indicators(self):
        path = Path(__file__).resolve().parents[1] / "data" / "gmi" / "gmi_small.csv"
        got = read_checked("gmi", path)
        rankings = got.tables["rankings"]
        assert len(rankings) == 6
        assert set(rankings["of_countries"]) == {3}
        arm = rankings[(rankings["country"] == "ARM") & (rankings["edition"] == 2020)].iloc[0]
        assert (arm["rank"], arm["score"]) == (1, 188.75)
        assert len(got.tables["gmi_indicators"]) == 17
        assert "1 empty sub-indicator" in " ".join(got.notes)
        assert list(got.countries["iso3"]) == ["FRA"]

    @pytest.mark.parametrize("copies", [2, 3])
    def test_rows_doubled_or_tripled(self, tmp_path, copies):
        """Every copy of a row is named with the line it repeats, and nothing else is said."""
        path = Path(__file__).resolve().parents[1] / "data" / "gmi" / "gmi_small.csv"
        header, *rows = path.read_text(encoding="utf-8").splitlines(keepends=True)
        doubled = tmp_path / "gmi_doubled.csv"
        doubled.write_text(header + "".join(rows * copies), encoding="utf-8")
        with pytest.raises(ImportRefused) as info:
            gmi.read(doubled)
        message = str(info.value).splitlines()
        n = len(rows)
        repeats = n * (copies - 1)
        shown = min(repeats, MAX_DUPLICATES_SHOWN)  # then one line counts the rest
        assert len(message) == shown + (repeats > shown)
        first = next(csv.reader(rows[:1]))
        assert message[0] == (
            f"{doubled}:{n + 2}: iso3+year: {first[0]}, {first[3]}: duplicate key: same "
            "iso3/year as line 2"
        )
        if repeats > shown:
            assert f"and {repeats - shown} more" in message[-1]
        else:
            assert message[-1].endswith(f"same iso3/year as line {n + 1}")
