"""Paths that are not regular files, and cells no parser expects: `milbal validate` answers each
with one line naming the file (and line and column where there is one), exit 1, never blocking,
never reading without end, never a Python exception's name.

Named pipes and links are made in tmp_path; an alarm fails a test that would block instead of
letting it hang the run.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from dashboard.cli import main
from validation.catalog import datasets_dir, load_directory, validate_paths
from validation.files import FileRefused, check_folder, open_regular, read_bounded
from validation.tables import Issue

EMBEDDED_DIR = Path(__file__).resolve().parents[2] / "datasets"

pytestmark = [
    pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX"),
    pytest.mark.usefixtures("blocking_deadline"),  # tests/conftest.py
]


@pytest.fixture(scope="module")
def embedded():
    frames, issues = load_directory(datasets_dir())
    assert issues == []
    return frames


def fifo(folder: Path, name: str = "manpower.csv") -> Path:
    path = folder / name
    os.mkfifo(path)
    return path


def link(folder: Path, name: str, target: str | Path) -> Path:
    path = folder / name
    path.symlink_to(target)
    return path


def validate(capsys, path: Path) -> tuple[int, str]:
    """`milbal validate --table manpower PATH` in this process: exit code and stderr."""
    code = main(["validate", "--table", "manpower", str(path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert "Error" not in err and "internal error" not in err
    return code, err


def manpower_with(column: str, value: str) -> str:
    """The embedded manpower table with one cell of line 2 replaced."""
    rows = list(csv.reader(io.StringIO((EMBEDDED_DIR / "manpower.csv").read_text("utf-8"))))
    rows[1][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


# Each case: how to make the path, and what the one line says it is.
NOT_REGULAR = {
    "fifo": (lambda d: fifo(d), "is a named pipe (FIFO), not a regular file"),
    "fifo-behind-link": (
        lambda d: link(d, "manpower.csv", fifo(d, "pipe")),
        "is a named pipe (FIFO), not a regular file",
    ),
    "dev-zero": (
        lambda d: link(d, "manpower.csv", "/dev/zero"),
        "is a character device, not a regular file",
    ),
    "directory": (
        lambda d: (d / "manpower.csv").mkdir() or d / "manpower.csv",
        "is a directory, not a regular file",
    ),
    "link-loop": (
        lambda d: link(d, "manpower.csv", d / "manpower.csv"),
        "is a symbolic link loop, not a regular file",
    ),
    "two-link-loop": (
        lambda d: link(d, "a.csv", link(d, "manpower.csv", d / "a.csv")),
        "is a symbolic link loop, not a regular file",
    ),
    "broken-link": (
        lambda d: link(d, "manpower.csv", d / "nowhere.csv"),
        "is a broken symbolic link (what it points to does not exist)",
    ),
}


class TestNotRegularFiles:
    @pytest.mark.parametrize("case", list(NOT_REGULAR))
    def test_library_issue(self, tmp_path, embedded, case):
        make, rule = NOT_REGULAR[case]
        path = make(tmp_path)
        _, issues = validate_paths([path], "manpower", embedded)
        assert issues == [Issue(str(path), None, None, None, rule)]

    @pytest.mark.parametrize("case", ["fifo", "dev-zero", "directory", "link-loop"])
    def test_cli_one_line(self, tmp_path, capsys, case):
        make, rule = NOT_REGULAR[case]
        path = make(tmp_path)
        code, err = validate(capsys, path)
        assert code == 1
        assert err.splitlines() == [f"{path}: -: -: {rule}", "1 problem found"]

    def test_a_pipe_with_a_writer_is_refused_too(self, tmp_path, embedded):
        """Refused by its type, not by what arrives: the writer is never read from."""
        path = fifo(tmp_path)
        writer = os.open(path, os.O_RDWR)  # holds the pipe open, as a writer would
        try:
            os.write(writer, (EMBEDDED_DIR / "manpower.csv").read_bytes()[:4096])
            _, issues = validate_paths([path], "manpower", embedded)
        finally:
            os.close(writer)
        assert [i.rule for i in issues] == ["is a named pipe (FIFO), not a regular file"]


class TestFilesModule:
    def test_open_regular_does_not_block_on_a_pipe(self, tmp_path):
        with pytest.raises(FileRefused, match=r"named pipe \(FIFO\)"):
            open_regular(fifo(tmp_path))

    def test_read_bounded_stops_at_the_limit_when_the_size_says_nothing(self):
        """Files of /proc report a size of 0: the bound, not the size, stops the read."""
        path = Path("/proc/self/maps")
        if not path.exists() or path.stat().st_size != 0:
            pytest.skip("needs Linux's /proc")
        with pytest.raises(FileRefused) as info:
            read_bounded(path, 16)
        assert info.value.reason.startswith("file too large")

    def test_check_folder_names_what_is_there(self, tmp_path):
        with pytest.raises(FileRefused, match="is a named pipe \\(FIFO\\), not a folder"):
            check_folder(fifo(tmp_path, "cdb90"))
        with pytest.raises(FileRefused, match="folder not found"):
            check_folder(tmp_path / "absent")


class TestNoExceptionNames:
    def test_file_of_only_a_byte_order_mark_is_empty(self, tmp_path, capsys):
        path = tmp_path / "manpower.csv"
        path.write_bytes(b"\xef\xbb\xbf")
        code, err = validate(capsys, path)
        assert code == 1
        assert err.splitlines() == [
            f"{path}: -: -: file is empty: nothing but a byte-order mark or blanks",
            "1 problem found",
        ]

    def test_byte_order_mark_and_blank_lines_is_empty(self, tmp_path, embedded):
        path = tmp_path / "manpower.csv"
        path.write_bytes(b"\xef\xbb\xbf\r\n \n")
        _, issues = validate_paths([path], None, embedded)
        assert [i.rule for i in issues] == [
            "file is empty: nothing but a byte-order mark or blanks"
        ]

    @pytest.mark.parametrize(
        ("column", "value"),
        [
            ("year", "1" * 23),
            ("year", "-" + "9" * 23),
            ("year", "9223372036854775808"),  # int64's maximum + 1: typed as uint64
            ("year", "18446744073709551616"),  # beyond uint64
            ("year", "1" * 16),
        ],
    )
    def test_huge_whole_number_names_line_and_column(self, tmp_path, capsys, column, value):
        path = tmp_path / "manpower.csv"
        path.write_text(manpower_with(column, value), encoding="utf-8")
        code, err = validate(capsys, path)
        assert code == 1
        line = next(x for x in err.splitlines() if x.startswith(f"{path}:2: {column}: {value}: "))
        if abs(int(value)) > 2**53 - 1:  # beyond what a float holds exactly
            assert line.endswith("too large for a whole number (beyond 9,007,199,254,740,991)")
        else:  # typed, then checked like any year
            assert "year" in line
        assert "Error" not in err and "Traceback" not in err

    def test_fifteen_digits_are_typed_and_checked(self, tmp_path, embedded):
        path = tmp_path / "manpower.csv"
        path.write_text(manpower_with("year", "9" * 15), encoding="utf-8")
        _, issues = validate_paths([path], None, embedded)
        assert [(i.line, i.column, i.rule) for i in issues] == [(2, "year", "must be <= 2100")]
