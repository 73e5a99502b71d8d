"""Importers of the publishers' datasets: one module per kind, each with KIND, DESCRIPTION and
read(path) -> Imported. `KINDS` lists the kinds whose module is present, in merge order."""

from __future__ import annotations

import importlib
import importlib.util
import os
from pathlib import Path
from types import ModuleType

# Every kind we know of, in the order imported rows are merged (an earlier kind's country name
# wins over a later one's).
KNOWN_KINDS = ("gmi", "gfp", "sipri", "wdi", "nmc", "cdb90")
# Kinds whose input is a folder rather than one file (a .zip of it over --from-url or upload).
FOLDER_KINDS = frozenset({"cdb90"})


def _present(kind: str) -> bool:
    return importlib.util.find_spec(f"{__name__}.{kind}") is not None


KINDS: dict[str, str] = {kind: f"{__name__}.{kind}" for kind in KNOWN_KINDS if _present(kind)}


def get_module(kind: str) -> ModuleType:
    """The importer module of a kind (imported on first use); KeyError for an unknown kind."""
    return importlib.import_module(KINDS[kind])


def data_dir() -> Path:
    """MILBAL_DATA_DIR, else $XDG_DATA_HOME/milbal, else ~/.local/share/milbal.

    Defined here rather than in validation.importers.store (which re-exports it) because the
    catalog cache hashes this folder on every start, and the store imports pandera."""
    explicit = os.environ.get("MILBAL_DATA_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "milbal"


def describe_kinds() -> dict[str, str]:
    """kind -> its DESCRIPTION (a module that fails to import is described by its error)."""
    out = {}
    for kind in KINDS:
        try:
            out[kind] = get_module(kind).DESCRIPTION
        except Exception as exc:  # a half-written module must not take the others down
            out[kind] = f"(unavailable: {type(exc).__name__}: {exc})"
    return out


__all__ = ["FOLDER_KINDS", "KINDS", "KNOWN_KINDS", "data_dir", "describe_kinds", "get_module"]
