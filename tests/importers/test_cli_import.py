"""`milbal import`: what it prints, its exit codes (0 stored or unchanged, 1 refused file,
2 usage), and never a traceback."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.cli import main
from validation.importers import KINDS

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "data"
GMI_SMALL = FIXTURES / "gmi" / "gmi_small.csv"


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("MILBAL_DATA_DIR", str(folder))
    return folder


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["import", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


class TestImport:
    def test_stores_and_says_what(self, data_dir, capsys):
        code, out, err = run(capsys, "gmi", str(GMI_SMALL))
        assert code == 0, err
        sha = hashlib.sha256(GMI_SMALL.read_bytes()).hexdigest()
        assert out.splitlines()[0] == f"gmi: gmi_small.csv (sha256 {sha[:12]})"
        assert "tables: rankings 6 rows, gmi_indicators 17 rows; new countries: 1" in out
        assert "note: 1 rows without gmi_rank skipped" in out
        assert f"stored in {data_dir / 'gmi'}" in out
        assert (data_dir / "gmi" / "record.json").is_file()

    def test_same_file_again(self, data_dir, capsys):
        run(capsys, "gmi", str(GMI_SMALL))
        code, out, _ = run(capsys, "gmi", str(GMI_SMALL))
        assert code == 0
        assert out.startswith("gmi_small.csv: already imported (same sha256): nothing changed")

    def test_refused_file_exit_1_with_the_message(self, data_dir, tmp_path, capsys):
        bad = tmp_path / "gmi_bad.csv"
        lines = GMI_SMALL.read_text().splitlines(keepends=True)
        lines[3] = lines[3].replace("120", "lots")
        bad.write_text("".join(lines))
        code, out, err = run(capsys, "gmi", str(bad))
        assert code == 1
        assert out == ""
        assert err.splitlines() == [
            "milbal import: refused; nothing stored:",
            f"{bad}:4: gmi_score: lots: not a finite number",
        ]
        assert not data_dir.exists()

    def test_missing_file_exit_1(self, data_dir, tmp_path, capsys):
        code, _, err = run(capsys, "wdi", str(tmp_path / "nope.csv"))
        assert code == 1
        assert f"{tmp_path / 'nope.csv'}: file not found" in err

    def test_unknown_kind_lists_the_kinds(self, data_dir, capsys):
        code, _, err = run(capsys, "gdp", str(GMI_SMALL))
        assert code == 2
        assert err.startswith("milbal import: unknown kind 'gdp'; kinds: gmi: BICC")
        for kind in KINDS:
            assert f"{kind}: " in err

    @pytest.mark.parametrize(
        ("argv", "message"),
        [
            ((), "give KIND and PATH"),
            (("gmi",), "gmi: give PATH"),
            (("gmi", "--from-url", "http://127.0.0.1:9/x.csv"), "--from-url needs --sha256"),
            (("gmi", "--from-url", "http://127.0.0.1:9/x.csv", "--sha256", "xyz"), "not 64 hex"),
            (("gmi", "--from-url", "ftp://127.0.0.1/x.csv", "--sha256", "a" * 64), "not an http"),
            (("gmi", "x.csv", "--sha256", "a" * 64), "--sha256 goes with --from-url"),
            (("gmi", "x.csv", "--from-url", "http://127.0.0.1:9/x"), "PATH or --from-url"),
            (("--list", "gmi"), "--list takes no KIND"),
        ],
    )
    def test_usage_errors_exit_2(self, data_dir, capsys, argv, message):
        code, _, err = run(capsys, *argv)
        assert code == 2
        assert message in err

    def test_download_failure_exit_1(self, data_dir, capsys):
        code, _, err = run(
            capsys, "gmi", "--from-url", "http://127.0.0.1:9/x.csv", "--sha256", "a" * 64
        )
        assert code == 1
        assert "http://127.0.0.1:9/x.csv: download failed" in err


class TestReplace:
    @pytest.fixture
    def part(self, tmp_path) -> Path:
        """gmi_small.csv cut to two rows: poorer than the whole."""
        path = tmp_path / "gmi_part.csv"
        path.write_text("".join(GMI_SMALL.read_text().splitlines(keepends=True)[:3]))
        return path

    def test_a_poorer_file_is_refused_exit_1(self, data_dir, part, capsys):
        run(capsys, "gmi", str(GMI_SMALL))
        code, out, err = run(capsys, "gmi", str(part))
        assert code == 1 and out == ""
        assert err.startswith("milbal import: refused; nothing stored:\n")
        assert "rankings 2 rows instead of 6" in err and "--replace" in err
        assert json.loads((data_dir / "gmi" / "record.json").read_text())["file"] == GMI_SMALL.name

    def test_replace_stores_it(self, data_dir, part, capsys):
        run(capsys, "gmi", str(GMI_SMALL))
        code, out, err = run(capsys, "--replace", "gmi", str(part))
        assert code == 0, err
        assert "tables: rankings 2 rows, gmi_indicators 6 rows" in out


def test_a_second_process_refuses_while_the_slot_is_locked(tmp_path):
    """Two processes: this one holds the gmi slot's lock, `milbal import gmi` in another waits
    MILBAL_IMPORT_WAIT seconds, then refuses naming this process."""
    from validation.importers.store import slot_lock

    data = tmp_path / "data"
    data.mkdir()
    env = {**os.environ, "MILBAL_DATA_DIR": str(data), "MILBAL_IMPORT_WAIT": "0.5"}
    command = [sys.executable, "-m", "dashboard.cli", "import", "gmi", str(GMI_SMALL)]
    with slot_lock(data, "gmi"):
        second = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    assert second.returncode == 1
    assert second.stderr.splitlines()[1:] == [
        f"another import of gmi is running (pid {os.getpid()}); try again when it ends; "
        "nothing imported"
    ]
    assert not (data / "gmi").exists()
    again = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    assert again.returncode == 0, again.stderr


class TestList:
    def test_empty(self, data_dir, capsys):
        code, out, _ = run(capsys, "--list")
        assert code == 0
        assert out == f"no imports in {data_dir}\n"

    def test_lists_each_import(self, data_dir, capsys):
        run(capsys, "gmi", str(GMI_SMALL))
        run(capsys, "wdi", str(FIXTURES / "wdi" / "armed-forces-personnel_small.csv"))
        code, out, _ = run(capsys, "--list")
        assert code == 0
        assert "gmi: gmi_small.csv" in out
        assert "wdi: armed-forces-personnel_small.csv" in out
        assert f"stored in {data_dir / 'wdi-personnel'}" in out


def test_the_installed_command_end_to_end(tmp_path):
    """The real process: exit codes and no traceback, with its own data folder."""
    env = {**os.environ, "MILBAL_DATA_DIR": str(tmp_path / "data")}
    command = [sys.executable, "-m", "dashboard.cli", "import"]
    ok = subprocess.run([*command, "gmi", str(GMI_SMALL)], env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    bad = subprocess.run(
        [*command, "gmi", str(FIXTURES / "wdi" / "armed-forces-personnel_small.csv")],
        env=env,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1
    assert ":1: gmi_rank: -: missing column" in bad.stderr
    assert "Traceback" not in bad.stderr
    usage = subprocess.run([*command, "nope", "x"], env=env, capture_output=True, text=True)
    assert usage.returncode == 2
    assert "Traceback" not in usage.stderr
