"""Validate once per content: the checked catalog is kept on disk under a key made of the data
(every file of datasets/, the world tables included, and each stored import's files) and the
validation code, and read back while neither changes.

Checking the ~70,000 rows of the built-in world tables costs seconds; reading the checked frames
back costs milliseconds. Hashing the files is what decides, never a time stamp of ours: an
edited row, a new import, an upgrade of milbal, pandas or pandera each give a new key, so a
stale catalog is never used. A cache that cannot be read or written is skipped, not an error.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from validation.catalog import Catalog

_CODE_ROOT = Path(__file__).resolve().parent
_KEEP = 8  # catalogs kept (a few data folders side by side, as the tests use)
_VERSION = 1  # of the pickled layout


def cache_dir() -> Path:
    """MILBAL_CACHE_DIR, else $XDG_CACHE_HOME/milbal, else ~/.cache/milbal."""
    explicit = os.environ.get("MILBAL_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "milbal"


def _digest_tree(digest, root: Path, *, contents: bool) -> None:
    if not root.is_dir():
        digest.update(b"absent\0")
        return
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if rel.startswith(".") or "/." in rel or "__pycache__" in rel:
            continue
        digest.update(rel.encode() + b"\0")
        if contents:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        else:  # an import's files: its record names the source file's sha256 and time
            stat = path.stat()
            digest.update(f"{stat.st_size}:{stat.st_mtime_ns}".encode())
        digest.update(b"\n")


def _code_identity() -> bytes:
    digest = hashlib.sha256(f"v{_VERSION}".encode())
    for name in ("pandas", "pandera", "numpy"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            digest.update(f"{name}={metadata.version(name)}\0".encode())
    for path in sorted(_CODE_ROOT.rglob("*.py")):
        digest.update(path.relative_to(_CODE_ROOT).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.digest()


_CODE = _code_identity()


def data_identity() -> str:
    """The key of what the catalog is read from: datasets/ (with world/) by content, the
    imports in MILBAL_DATA_DIR by name, size and modification time, and the validation code."""
    from validation.catalog import datasets_dir
    from validation.importers import data_dir

    digest = hashlib.sha256(_CODE)
    _digest_tree(digest, datasets_dir(), contents=True)
    digest.update(b"--imports--\0")
    _digest_tree(digest, data_dir(), contents=False)
    return digest.hexdigest()


def cached_catalog(load: Callable[[], Catalog]) -> Catalog:
    """The catalog for the current data: read back when this content was checked before,
    else `load()` (which validates and may raise) and keep the result."""
    key = data_identity()
    folder = cache_dir() / "catalog"
    path = folder / f"{key}.pickle"
    with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
        with path.open("rb") as f:
            catalog = pickle.load(f)
        if getattr(catalog, "identity", None) == key:
            return catalog
    catalog = dataclasses.replace(load(), identity=key)
    _store(folder, path, catalog)
    return catalog


def _store(folder: Path, path: Path, catalog: Catalog) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".tmp", delete=False) as f:
            pickle.dump(catalog, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(f.name, path)
        kept = sorted(folder.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[_KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        with contextlib.suppress(OSError, NameError):
            Path(f.name).unlink(missing_ok=True)
