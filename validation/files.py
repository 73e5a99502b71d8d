"""Open a person's file only when it is a regular file, and read it with a byte bound.

A path given to `milbal validate` or `milbal import` may name anything: a named pipe (reading
it waits for a writer forever), a character device such as /dev/zero (endless, and its size is
0, so a size check lets it through), a folder, a link that points at itself. The file type is
checked after links are followed, before the file is opened, and again on the opened file (the
path may have been swapped in between); the open does not wait on a pipe. Each refusal is a
phrase naming what the path is, for a one-line message.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

# (test of st_mode, what a path of that type is)
_TYPES = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
# O_NONBLOCK: opening a named pipe swapped in after the check returns at once instead of waiting
# for a writer. O_NOCTTY: a terminal device never becomes our controlling terminal.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)


class FileRefused(OSError):
    """A path that is not a readable regular file (or folder); `reason` says what it is."""

    def __init__(self, reason: str, value: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.value = value


def _kind(mode: int) -> str:
    for test, what in _TYPES:
        if test(mode):
            return what
    return "of another type"


def _stat_reason(path: Path, exc: OSError, expected: str = "a regular file") -> str:
    if exc.errno == errno.ELOOP:
        return f"is a symbolic link loop, not {expected}"
    if exc.errno == errno.ENOENT and os.path.islink(path):
        return "is a broken symbolic link (what it points to does not exist)"
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return "file not found" if expected == "a regular file" else "folder not found"
    if exc.errno == errno.ENAMETOOLONG:
        return "file name too long"
    return f"cannot read file: {exc.strerror or exc}"


def _mode(path: Path, expected: str) -> int:
    try:
        return os.stat(path).st_mode
    except OSError as exc:
        raise FileRefused(_stat_reason(path, exc, expected)) from None
    except ValueError:  # a NUL byte in the path: no such file can exist
        missing = FileNotFoundError(errno.ENOENT, "no such file")
        raise FileRefused(_stat_reason(path, missing, expected)) from None


def check_regular(path: Path) -> None:
    """FileRefused unless `path` (links followed) is a regular file."""
    mode = _mode(path, "a regular file")
    if not stat.S_ISREG(mode):
        raise FileRefused(f"is {_kind(mode)}, not a regular file")


def check_folder(path: Path) -> None:
    """FileRefused unless `path` (links followed) is a directory."""
    mode = _mode(path, "a folder")
    if not stat.S_ISDIR(mode):
        what = "a regular file" if stat.S_ISREG(mode) else _kind(mode)
        raise FileRefused(f"is {what}, not a folder")


def open_regular(path: Path) -> BinaryIO:
    """The file opened for binary reading, or FileRefused saying what the path is instead."""
    check_regular(path)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise FileRefused(_stat_reason(path, exc)) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise FileRefused(f"is {_kind(mode)}, not a regular file")
        if _OPEN_FLAGS & getattr(os, "O_NONBLOCK", 0):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; a larger one is refused unread when
    its size says so, and after `limit` + 1 bytes when it does not (a file that grows, or one of
    /proc that reports 0)."""
    with open_regular(path) as f:
        size = os.fstat(f.fileno()).st_size
        if size > limit:
            raise FileRefused(too_large(limit), f"{size / 1024 / 1024:.1f} MB")
        data = f.read(limit + 1)
    if len(data) > limit:
        raise FileRefused(too_large(limit), f"over {limit / 1024 / 1024:.1f} MB")
    return data


def too_large(limit: int) -> str:
    """The rule a file over the size limit breaks."""
    return (
        f"file too large: the limit is {limit / 1024 / 1024:.0f} MB "
        "(set MILBAL_MAX_FILE_MB to raise it)"
    )
