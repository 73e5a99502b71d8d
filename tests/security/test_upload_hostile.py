"""Hostile uploads to /data's file check (dashboard.pages.data.check_upload, the function the
upload callback calls): over the size cap, the wrong type, a zip bomb as .xlsx and as a CDB90
.zip, formula cells, script tags in names, thousands of columns. Each is refused with a message
naming the uploaded file (never the server's temporary path), nothing is written to
MILBAL_DATA_DIR, and the temporary folder is gone afterwards."""

from __future__ import annotations

import base64
import io
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest

from dashboard.pages.data import check_upload

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
GMI_SMALL = Path(__file__).resolve().parents[1] / "data" / "gmi" / "gmi_small.csv"


def data_url(content: bytes, mime: str = "text/csv") -> str:
    return f"data:{mime};base64," + base64.b64encode(content).decode()


def leftovers() -> list[str]:
    return sorted(p.name for p in Path(tempfile.gettempdir()).glob("milbal-upload-*"))


def bomb(member: str, megabytes: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open(member, "w") as out:
            for _ in range(megabytes):
                out.write(b"\0" * (1024 * 1024))
    return buffer.getvalue()


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("MILBAL_DATA_DIR", str(folder))
    return folder


def refused(kind: str, filename: str, content: bytes, *expected: str) -> str:
    before = leftovers()
    result = check_upload(kind, filename, data_url(content))
    assert not result["ok"], result
    message = result["message"]
    for text in expected:
        assert text in message, message
    assert "milbal-upload-" not in message, "the server's temporary path is not shown"
    assert "Traceback" not in message
    assert leftovers() == before
    return message


CASES = [
    ("gmi", "gmi_script_name.csv", "gmi_script_name.csv:3: name:", "HTML markup"),
    ("gmi", "gmi_formula.csv", "gmi_formula.csv:3: name: @SUM(1+1):", "spreadsheet formula"),
    ("wdi", "wdi_formula.csv", "wdi_formula.csv:2: Entity:", "spreadsheet formula"),
    ("gfp", "gfp2018_script.csv", "gfp2018_script.csv:3: Country:", "HTML markup"),
    ("nmc", "png_image.csv", "png_image.csv:1:", "a PNG image, not CSV text"),
    ("gmi", "utf16.csv", "utf16.csv:1:", "UTF-16 text"),
    ("gmi", "workbook_named.csv", "workbook_named.csv:1:", "a zip archive"),
    ("sipri", "csv_named.xlsx", "csv_named.xlsx:", "holds text (a CSV file?)"),
    ("nmc", "binary_junk.csv", "binary_junk.csv:1:", "binary data"),
]


@pytest.mark.parametrize(("kind", "name", "where", "rule"), CASES, ids=[c[1] for c in CASES])
def test_corpus_files_refused(data_dir, kind, name, where, rule):
    refused(kind, name, (BAD / name).read_bytes(), where, rule)
    assert not data_dir.exists()


def test_over_the_size_cap_refused_before_decoding(data_dir, monkeypatch):
    monkeypatch.setenv("MILBAL_MAX_UPLOAD_MB", "0.01")
    content = GMI_SMALL.read_bytes() * 40
    refused("gmi", "big.csv", content, "big.csv: file too large", "MILBAL_MAX_UPLOAD_MB")
    assert not data_dir.exists()


def test_wrong_type_for_a_folder_kind(data_dir):
    refused("cdb90", "battles.csv", b"isqno,war\n1,A\n", "battles.csv: not a .zip archive")


def test_unknown_kind(data_dir):
    refused("exe", "x.csv", b"a\n", "choose a kind of file")


def test_zip_bomb_xlsx_refused_unopened(data_dir, monkeypatch):
    monkeypatch.setenv("MILBAL_MAX_UNPACKED_MB", "4")

    def never(*args, **kwargs):
        raise AssertionError("openpyxl opened the zip bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    content = bomb("xl/worksheets/sheet1.xml", 32)
    assert len(content) < 100_000
    for kind in ("sipri", "gfp"):
        refused(kind, "bomb.xlsx", content, "bomb.xlsx:", "refused unopened", "zip bomb")
    assert not data_dir.exists()


def test_zip_bomb_for_a_folder_kind(data_dir, monkeypatch):
    monkeypatch.setenv("MILBAL_MAX_FILE_MB", "4")
    refused(
        "cdb90", "cdb90.zip", bomb("cdb90/battles.csv", 32), "cdb90.zip (unpacked)", "too large"
    )
    assert not data_dir.exists()


def test_thousands_of_columns(data_dir):
    names = ["iso3", "name", "region", "year", *(f"c{i}" for i in range(2996))]
    content = (",".join(names) + "\n" + ",".join("1" for _ in names) + "\n").encode()
    refused("gmi", "wide.csv", content, "wide.csv:1:", "3000 columns", "too many columns")


def test_thousands_of_columns_in_a_workbook(data_dir):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "data"
    sheet.append(["2020 ranking"])
    sheet.append(["Military Strength", "Military Strength Power Index", *range(3000)])
    buffer = io.BytesIO()
    book.save(buffer)
    refused("gfp", "wide.xlsx", buffer.getvalue(), "wide.xlsx[data]:2:", "too many columns")


def test_a_hostile_file_name_is_made_safe(data_dir):
    message = refused(
        "gmi",
        "<img src=x onerror=alert(1)>/../=cmd.csv",
        (BAD / "gmi_header_only.csv").read_bytes(),
        "no data rows",
    )
    assert "<" not in message and ".." not in message
    assert message.startswith("cmd.csv:2:")


@pytest.mark.parametrize(
    "cell",
    ["-2+3+cmd|' /C calc'!A0", "+cmd|' /C calc'!A0", " -1+1", "=1+1", "@SUM(A1)"],
    ids=["minus", "plus", "space-minus", "equals", "at"],
)
def test_formula_cells_refused_whatever_their_sign(data_dir, cell):
    content = GMI_SMALL.read_text().replace("FRA,France,", f"FRA,{cell},", 1).encode()
    where = f"signs.csv:4: name: {cell.strip()}:"  # the reader strips a cell's spaces
    refused("gmi", "signs.csv", content, where, "spreadsheet formula")
    assert not data_dir.exists()


@pytest.mark.parametrize("cell", ["-5", "-0.25", "+3", "-1e3"])
def test_plain_numbers_are_not_formulas(data_dir, cell):
    content = GMI_SMALL.read_text().replace("Western Europe", cell).encode()
    result = check_upload("gmi", "numbers.csv", data_url(content))
    assert result["ok"], result.get("message")
