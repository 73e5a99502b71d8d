"""What `milbal` prints when its output or its input is hostile: a reader that closes the pipe
(`milbal import --list | head -1`) ends it quietly, exit 141, no BrokenPipeError; an error names
the file (and line and column where there is one), never a Python exception's name."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard import cli
from validation.tables import TOO_LARGE

ROOT = Path(__file__).resolve().parents[2]
GMI_SMALL = ROOT / "tests" / "data" / "gmi" / "gmi_small.csv"


def fake_imports(folder: Path, n: int) -> Path:
    """`n` stored imports as `milbal import --list` reads them (record.json only)."""
    for i in range(n):
        slot = folder / f"gmi-{i}"
        slot.mkdir(parents=True)
        record = {"kind": "gmi", "file": f"gmi_{i}.csv", "sha256": f"{i:064x}", "rows": {}}
        (slot / "record.json").write_text(json.dumps(record), encoding="utf-8")
    return folder


class TestBrokenPipe:
    @pytest.mark.parametrize("argv", [("import", "--list"), ("fetch", "--list")])
    def test_closed_reader_ends_quietly(self, tmp_path, argv):
        """stdout is a pipe whose reader has gone before the first write: every write fails."""
        env = {**os.environ, "MILBAL_DATA_DIR": str(fake_imports(tmp_path / "data", 3))}
        read_end, write_end = os.pipe()
        os.close(read_end)
        try:
            result = subprocess.run(
                [sys.executable, "-m", "dashboard.cli", *argv],
                stdout=write_end,
                stderr=subprocess.PIPE,
                env=env,
                cwd=ROOT,
                timeout=120,
            )
        finally:
            os.close(write_end)
        assert result.stderr.decode() == ""
        assert result.returncode == cli.EXIT_BROKEN_PIPE

    def test_head_takes_the_first_line(self, tmp_path):
        """The shell pipeline itself: head's line, and nothing on stderr."""
        env = {**os.environ, "MILBAL_DATA_DIR": str(fake_imports(tmp_path / "data", 400))}
        result = subprocess.run(
            ["sh", "-c", f'"{sys.executable}" -m dashboard.cli import --list | head -1'],
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=120,
        )
        assert result.returncode == 0
        assert result.stdout == "gmi: gmi_0.csv (sha256 000000000000)\n"
        assert result.stderr == ""

    def test_in_process_exit_code(self, monkeypatch, capsys):
        def gone(args):
            raise BrokenPipeError(32, "Broken pipe")

        monkeypatch.setattr(cli, "cmd_fetch", gone)
        assert cli.main(["fetch", "--list"]) == cli.EXIT_BROKEN_PIPE
        assert capsys.readouterr().err == ""


class TestMessages:
    def test_internal_error_names_no_exception(self, monkeypatch, capsys):
        def bug(args):
            raise KeyError("manpower")

        monkeypatch.setattr(cli, "cmd_validate", bug)
        assert cli.main(["validate"]) == cli.EXIT_BAD_DATA
        err = capsys.readouterr().err
        assert err.startswith("milbal validate: internal error (a bug in milbal")
        assert "KeyError" not in err and "Traceback" not in err

    def test_unwritable_output_names_the_file(self, tmp_path, capsys):
        target = tmp_path / "absent" / "chart.csv"
        code = cli.main(["export", "force-ratio", "-f", "csv", "-o", str(target)])
        assert code == cli.EXIT_BAD_DATA
        assert capsys.readouterr().err == (f"milbal export: {target}: No such file or directory\n")

    def test_import_of_a_23_digit_year_names_line_and_column(self, tmp_path, monkeypatch, capsys):
        """The GMI importer types its cells with the tables' own code (validation.tables)."""
        monkeypatch.setenv("MILBAL_DATA_DIR", str(tmp_path / "data"))
        lines = GMI_SMALL.read_text(encoding="utf-8").splitlines(keepends=True)
        assert lines[1].startswith("AZE,Azerbaijan,Eastern Europe,2019,")
        lines[1] = lines[1].replace(",2019,", f",{'1' * 23},", 1)
        path = tmp_path / "gmi.csv"
        path.write_text("".join(lines), encoding="utf-8")
        assert cli.main(["import", "gmi", str(path)]) == cli.EXIT_BAD_DATA
        err = capsys.readouterr().err
        assert err.splitlines()[1:] == [f"{path}:2: year: {'1' * 23}: {TOO_LARGE}"]
