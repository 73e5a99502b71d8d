"""/data/<table>.csv goes through the one CSV writer (csv_bytes): the validated table with the
file's columns and rows, its formula-like text cells neutralised, its numbers as numbers."""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from dashboard.export.tables import csv_bytes, data_table
from tests.conftest import ROOT
from tests.export.conftest import clear_caches
from validation import datasets_dir, load_catalog
from validation.schemas import MODELS
from validation.tables import read_table

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
# Notes a spreadsheet would run, and how the download must give them.
HOSTILE_NOTES = {
    "=1+1": "'=1+1",
    "+SUM(A1)": "'+SUM(A1)",
    "-2+3": "'-2+3",
    "@SUM(1+1)": "'@SUM(1+1)",
    "=cmd|' /C calc'!A0": "'=cmd|' /C calc'!A0",
    "-5": "-5",  # a plain number written as text: a spreadsheet reads it as -5, nothing runs
}


def _cells(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))


def _file_cells(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def _expected_text(cell: str) -> str:
    if cell.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def _same_number(got: str, expected: str) -> bool:
    if got == "" or expected == "":
        return got == expected
    return float(got) == float(expected)


def _assert_cells(got: list[list[str]], expected: list[list[str]], numeric: set[str]) -> None:
    """Same header and rows; numbers equal as numbers, text as neutralised."""
    assert got[0] == expected[0]
    assert len(got) == len(expected)
    header = got[0]
    for line, (row, want) in enumerate(zip(got[1:], expected[1:], strict=True), start=2):
        for column, cell, raw in zip(header, row, want, strict=True):
            if column in numeric:
                assert _same_number(cell, raw), (line, column, cell, raw)
            else:
                assert cell == _expected_text(raw), (line, column, cell, raw)


def _numeric(frame: pd.DataFrame) -> set[str]:
    return {c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])}


@pytest.mark.parametrize("name", list(MODELS))
def test_an_embedded_table_is_its_file_validated(client, name):
    response = client.get(f"/data/{name}.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == f"attachment; filename={name}.csv"
    path = datasets_dir() / f"{name}.csv"
    numeric = _numeric(read_table(path, name).frame)
    _assert_cells(_cells(response.data), _file_cells(path), numeric)


@pytest.mark.parametrize("name", ["battles", "capabilities"])
def test_a_built_in_table_is_the_table_loaded(client, name):
    frame = load_catalog()[name]
    got = pd.read_csv(io.BytesIO(client.get(f"/data/{name}.csv").data))
    assert list(got.columns) == list(frame.columns)
    assert len(got) == len(frame)
    for column in _numeric(frame):  # battles: wina is -1 where the defender won
        pd.testing.assert_series_equal(
            got[column].astype("float64"), frame[column].astype("float64"), check_names=False
        )


@pytest.fixture
def hostile_notes(tmp_path) -> Iterator[Path]:
    """A copy of datasets/ whose first manpower notes hold HOSTILE_NOTES, read by the app."""
    folder = tmp_path / "datasets"
    folder.mkdir()
    for pattern in ("*.csv", "*.meta.yaml"):
        for source in (ROOT / "datasets").glob(pattern):
            shutil.copy2(source, folder / source.name)
    rows = _file_cells(folder / "manpower.csv")
    note = rows[0].index("note")
    for row, cell in zip(rows[1:], HOSTILE_NOTES, strict=False):
        row[note] = cell
    with (folder / "manpower.csv").open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MILBAL_DATASETS_DIR", str(folder))
        clear_caches()
        try:
            yield folder
        finally:
            patch.delenv("MILBAL_DATASETS_DIR")
            clear_caches()


def test_hostile_cells_of_a_file_are_neutralised(client, hostile_notes):
    response = client.get("/data/manpower.csv")
    assert response.status_code == 200
    got = _cells(response.data)
    note = got[0].index("note")
    assert [row[note] for row in got[1 : 1 + len(HOSTILE_NOTES)]] == list(HOSTILE_NOTES.values())
    numeric = _numeric(read_table(hostile_notes / "manpower.csv", "manpower").frame)
    _assert_cells(got, _file_cells(hostile_notes / "manpower.csv"), numeric)


def test_hostile_names_of_the_hostile_datasets_are_neutralised(client, hostile):
    got = _cells(client.get("/data/countries.csv").data)
    names = {row[0]: row[1] for row in got[1:]}
    assert names["AZE"] == '\'=HYPERLINK("http://example.invalid","Azerbaijan")'
    assert names["ARM"] == "<script>window.__pwned=1</script>Armenia"  # text, not a formula
    titles = {row[0]: row[2] for row in _cells(client.get("/data/sources.csv").data)[1:]}
    assert titles["rv-essay"].startswith("'@SUM(1+1) ")


HOSTILE_TABLE = pd.DataFrame(
    {
        "country": ["=1+1", "+SUM(A1)", "-2+3", "@x", "\tx", "\rx", "-5", "Azerbaijan"],
        "value": [-5, -0.25, 0.0, 1e-7, 12345678.5, -1e20, 3.0, float("nan")],
        "count": pd.array([-5, 0, 7, None, 1, 2, 3, -1], dtype="Int64"),
        "date": pd.to_datetime(["2020-09-27"] * 8),
        "mixed": ["=A1", -3, None, "@me", 2.5, "ok", "+1", "-x"],
        "kind": pd.Categorical(["=cat", "dog", "-cow", "@y", "dog", "dog", "dog", "dog"]),
    }
)
HOSTILE_WRITTEN = {
    "country": ["'=1+1", "'+SUM(A1)", "'-2+3", "'@x", "'\tx", "'\rx", "-5", "Azerbaijan"],
    "mixed": ["'=A1", "-3", "", "'@me", "2.5", "ok", "+1", "'-x"],
    "kind": ["'=cat", "dog", "'-cow", "'@y", "dog", "dog", "dog", "dog"],
}


class TestCsvBytes:
    def test_text_cells_neutralised_cell_by_cell(self):
        rows = _cells(csv_bytes(HOSTILE_TABLE))
        header = rows[0]
        assert header == list(HOSTILE_TABLE.columns)
        for column, expected in HOSTILE_WRITTEN.items():
            assert [row[header.index(column)] for row in rows[1:]] == expected, column
        assert {row[header.index("date")] for row in rows[1:]} == {"2020-09-27"}

    def test_numbers_round_trip(self):
        back = pd.read_csv(io.BytesIO(csv_bytes(HOSTILE_TABLE)))
        pd.testing.assert_series_equal(back["value"], HOSTILE_TABLE["value"])
        pd.testing.assert_series_equal(
            back["count"].astype("Int64"), HOSTILE_TABLE["count"], check_dtype=False
        )
        rows = _cells(csv_bytes(HOSTILE_TABLE))
        assert [row[1] for row in rows[1:3]] == ["-5.0", "-0.25"]
        assert [row[2] for row in rows[1:2]] == ["-5"]

    def test_the_table_given_is_left_as_it_is(self):
        before = HOSTILE_TABLE.copy()
        csv_bytes(HOSTILE_TABLE)
        pd.testing.assert_frame_equal(HOSTILE_TABLE, before)

    def test_the_route_writes_what_data_table_gives(self, client, monkeypatch):
        store = client.application.extensions["milbal_cache"]
        store.clear()
        monkeypatch.setattr("dashboard.routes.data_table", lambda name: HOSTILE_TABLE)
        try:
            response = client.get("/data/events.csv")
        finally:
            store.clear()  # the next request of events.csv gets the real table
        assert response.data == csv_bytes(HOSTILE_TABLE)


def test_data_table_refuses_other_names():
    with pytest.raises(KeyError):
        data_table("secrets")
