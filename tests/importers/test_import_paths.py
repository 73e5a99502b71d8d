"""`milbal import KIND PATH` on paths that are not what the kind reads: a named pipe, a device,
a folder for a file or a file for a folder, a symbolic link loop. Each is refused in one line
naming the path and what it is, exit 1, nothing stored, never blocking; and CDB90 takes the
.zip of its folder that its messages offer.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from dashboard.cli import main
from tests.security.test_bad_corpus import CDB90_BASE
from validation.importers import store
from validation.importers.base import ImportRefused

ROOT = Path(__file__).resolve().parents[2]
GMI_SMALL = ROOT / "tests" / "data" / "gmi" / "gmi_small.csv"
# The smallest CDB90 folder the importer takes: two battles (the hostile corpus's base).
CDB90 = CDB90_BASE

pytestmark = [
    pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX"),
    pytest.mark.usefixtures("blocking_deadline"),  # tests/conftest.py
]


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("MILBAL_DATA_DIR", str(folder))
    return folder


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(["import", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "internal error" not in err
    return code, err


def cdb90_folder(parent: Path) -> Path:
    folder = parent / "cdb90"
    for name, text in CDB90.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def zipped(folder: Path, archive: Path) -> Path:
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, Path(folder.name) / path.relative_to(folder))
    return archive


def fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def loop(path: Path) -> Path:
    path.symlink_to(path)
    return path


def dev_zero(path: Path) -> Path:
    path.symlink_to("/dev/zero")
    return path


class TestFileKinds:
    @pytest.mark.parametrize("kind", ["gmi", "gfp", "sipri", "wdi", "nmc"])
    @pytest.mark.parametrize(
        ("make", "what"),
        [
            (fifo, "is a named pipe (FIFO), not a regular file"),
            (dev_zero, "is a character device, not a regular file"),
            (loop, "is a symbolic link loop, not a regular file"),
            (Path.mkdir, "is a directory, not a regular file"),
        ],
        ids=["fifo", "dev-zero", "link-loop", "directory"],
    )
    def test_refused_in_one_line(self, tmp_path, data_dir, capsys, kind, make, what):
        path = tmp_path / "file.csv"
        make(path)
        code, err = run(capsys, kind, str(path))
        assert code == 1
        assert err.splitlines() == ["milbal import: refused; nothing stored:", f"{path}: {what}"]
        assert not data_dir.exists()

    def test_the_importers_opening_points_refuse_a_pipe(self, tmp_path):
        """Where an importer opens the file itself (a CSV's text, a workbook's sheet)."""
        from validation.importers.base import open_sheet, read_file_text

        path = fifo(tmp_path / "file.xlsx")
        for read in (read_file_text, lambda p: open_sheet(p, "Sheet1")):
            with pytest.raises(ImportRefused, match=r"named pipe \(FIFO\), not a regular file"):
                read(path)


class TestCdb90:
    def test_pipe_inside_the_folder_names_the_member(self, tmp_path, data_dir, capsys):
        folder = cdb90_folder(tmp_path)
        (folder / "terrain.csv").unlink()
        fifo(folder / "terrain.csv")
        code, err = run(capsys, "cdb90", str(folder))
        assert code == 1
        assert f"{folder / 'terrain.csv'}: -: -: is a named pipe (FIFO), not a regular file" in err

    def test_pipe_for_the_folder(self, tmp_path, data_dir, capsys):
        path = fifo(tmp_path / "cdb90")
        code, err = run(capsys, "cdb90", str(path))
        assert code == 1
        assert err.splitlines()[1] == (
            f"{path}: is a named pipe (FIFO), not a folder; cdb90 imports a folder, or a .zip of it"
        )

    def test_the_zip_its_message_offers_is_taken(self, tmp_path, data_dir, capsys):
        archive = zipped(cdb90_folder(tmp_path), tmp_path / "cdb90.zip")
        code, err = run(capsys, "cdb90", str(archive))
        assert code == 0, err
        record = store.records(data_dir)["cdb90"]
        assert record["file"] == "cdb90.zip"
        assert record["rows"] == {"battles": 2}
        assert record["sha256"] == store.sha256_of(archive)
        assert not store.import_path("cdb90", archive, data_dir).changed

    def test_a_broken_zip_member_is_named_inside_the_archive(self, tmp_path, data_dir):
        folder = cdb90_folder(tmp_path)
        (folder / "terrain.csv").unlink()
        archive = zipped(folder, tmp_path / "cdb90.zip")
        with pytest.raises(ImportRefused) as info:
            store.import_path("cdb90", archive, data_dir)
        assert str(info.value).startswith(f"{archive}/terrain.csv: -: -: file not found")
        assert "milbal-unpack" not in str(info.value)
        assert not data_dir.exists()

    def test_a_file_that_is_not_a_zip(self, tmp_path, data_dir, capsys):
        path = tmp_path / "battles.csv"
        path.write_text(CDB90["battles.csv"], encoding="utf-8")
        code, err = run(capsys, "cdb90", str(path))
        assert code == 1
        assert err.splitlines()[1] == (
            f"{path}: not a .zip archive; cdb90 imports a folder, or a .zip of it"
        )
