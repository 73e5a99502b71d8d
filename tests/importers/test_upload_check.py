"""The /data upload's server side (dashboard.pages.data.check_upload): the size cap, the
temporary file deleted at once, nothing written to MILBAL_DATA_DIR, precise refusals."""

from __future__ import annotations

import base64
import io
import tempfile
import zipfile
from pathlib import Path

import pytest

from dashboard.pages import data
from dashboard.pages.data import check_upload

FIXTURES = Path(__file__).resolve().parents[1] / "data"
GMI_SMALL = FIXTURES / "gmi" / "gmi_small.csv"


def data_url(content: bytes) -> str:
    return "data:text/csv;base64," + base64.b64encode(content).decode()


def leftovers() -> list[str]:
    return sorted(p.name for p in Path(tempfile.gettempdir()).glob("milbal-upload-*"))


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("MILBAL_DATA_DIR", str(folder))
    return folder


def test_a_valid_file(data_dir):
    before = leftovers()
    result = check_upload("gmi", "gmi_small.csv", data_url(GMI_SMALL.read_bytes()))
    assert result["ok"]
    assert result["rows"] == {"rankings": 6, "gmi_indicators": 17}
    assert result["tables"]["rankings"]["columns"][0] == "index"
    assert len(result["tables"]["rankings"]["data"]) == 6
    assert result["tables"]["countries"]["data"] == [["FRA", "France", "Western Europe"]]
    assert leftovers() == before
    assert not data_dir.exists()


def test_the_cap_is_checked_before_decoding(data_dir, monkeypatch):
    monkeypatch.setenv("MILBAL_MAX_UPLOAD_MB", "0.0001")
    result = check_upload("gmi", "gmi_small.csv", data_url(GMI_SMALL.read_bytes()))
    assert not result["ok"]
    assert result["message"].startswith("gmi_small.csv: file too large")
    assert "MILBAL_MAX_UPLOAD_MB" in result["message"]


@pytest.mark.parametrize("extra", [0, 1, 2])
def test_a_file_of_the_cap_is_let_in(data_dir, monkeypatch, extra):
    """The size is told from the base64 text without its padding: a file of the cap exactly
    (whatever its length modulo 3) is checked, one byte more is refused."""
    content = GMI_SMALL.read_bytes()[:100] + b"\n" * (948 + extra)
    monkeypatch.setattr(data, "max_upload_bytes", lambda: len(content))
    assert "file too large" not in check_upload("gmi", "x.csv", data_url(content))["message"]
    bigger = check_upload("gmi", "x.csv", data_url(content + b"\n"))["message"]
    assert bigger.startswith("x.csv: file too large")


def test_refusals_name_the_uploaded_file(data_dir):
    lines = GMI_SMALL.read_text().splitlines(keepends=True)
    lines[3] = lines[3].replace("120", "lots")
    content = "".join(lines).encode()
    result = check_upload("gmi", "../../etc/mine.csv", data_url(content))
    assert result == {"ok": False, "message": "mine.csv:4: gmi_score: lots: not a finite number"}
    assert check_upload("gmi", "x.csv", "data:text/csv;base64,@@@")["message"] == (
        "x.csv: the upload is not valid base64"
    )
    assert "choose a kind" in check_upload("nope", "x.csv", data_url(b"a"))["message"]
    assert not data_dir.exists()


def test_a_folder_kind_takes_a_zip(data_dir, reference_dir):
    buffer = io.BytesIO()
    folder = reference_dir / "cdb90"
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in folder.rglob("*"):
            if path.is_file():
                zf.write(path, Path("cdb90") / path.relative_to(folder))
    result = check_upload("cdb90", "cdb90.zip", data_url(buffer.getvalue()))
    assert result["ok"], result.get("message")
    bad = io.BytesIO()
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("../x.csv", "a\n")
    result = check_upload("cdb90", "cdb90.zip", data_url(bad.getvalue()))
    assert result["message"] == (
        "cdb90.zip: ../x.csv: unsafe path in the archive (absolute or '..'); nothing imported"
    )
