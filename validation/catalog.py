"""The one reader of datasets/: load every table, validate it, and cache the result per process."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from validation.tables import (
    CheckedTable,
    DataValidationError,
    Issue,
    check_references,
    read_table,
    table_name_for,
)
from validation.vocabulary import TABLES

_PROJECT_ROOT = Path(__file__).resolve().parent.parent


def datasets_dir() -> Path:
    """Where the embedded tables live (MILBAL_DATASETS_DIR overrides it, e.g. in tests)."""
    return Path(os.environ.get("MILBAL_DATASETS_DIR", _PROJECT_ROOT / "datasets"))


def display_path(path: Path) -> str:
    """A path as a person would type it: relative to the working directory when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except (ValueError, OSError, RuntimeError):  # elsewhere, or a symbolic link loop
        return str(path)


@dataclass(frozen=True)
class Catalog:
    """Validated tables by name, with their metadata. Treat the frames as read-only.

    `imported`: slot (the kind, or kind-dataset) -> record of each import in MILBAL_DATA_DIR
    whose rows were appended to the tables (a record with a `problem` was left out).
    `world`: slot -> record of each built-in world dataset (datasets/world/) whose rows were
    appended; an import of the same slot replaces it and is listed in `imported` instead."""

    tables: dict[str, pd.DataFrame]
    meta: dict[str, dict]
    imported: dict[str, dict] = field(default_factory=dict)
    world: dict[str, dict] = field(default_factory=dict)
    identity: str = ""  # the key of the data and code it was read from (validation.cache)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def summary(self) -> pd.DataFrame:
        """One row per table: name, title, rows, columns, sources cited."""
        return summarize(self.tables, self.meta)


def summarize(tables: dict[str, pd.DataFrame], meta: dict[str, dict]) -> pd.DataFrame:
    """One row per table: name, title, rows, columns, and distinct sources its rows cite."""
    rows = []
    for name, frame in tables.items():
        cited = frame["source_id"].nunique() if "source_id" in frame and name != "sources" else 0
        rows.append(
            {
                "table": name,
                "title": meta.get(name, {}).get("title", name),
                "rows": len(frame),
                "columns": frame.shape[1],
                "sources": cited,
            }
        )
    return pd.DataFrame(rows, columns=["table", "title", "rows", "columns", "sources"])


def load_directory(directory: Path) -> tuple[dict[str, pd.DataFrame], list[Issue]]:
    """Read and check every table of a datasets folder; returns frames and all issues."""
    checked = []
    issues: list[Issue] = []
    for name in TABLES:
        path = directory / f"{name}.csv"
        table = read_table(path, name, display_path(path))
        checked.append(table)
        issues += table.issues
    frames = {t.name: t.frame for t in checked if t.frame is not None}
    for table in checked:
        if table.frame is not None:
            issues += check_references(table.name, table.frame, frames, display_path(table.path))
    return frames, sorted(issues, key=lambda i: (i.file, i.line or 0))


def validate_paths(
    paths: list[Path], table: str | None, embedded: dict[str, pd.DataFrame]
) -> tuple[list[CheckedTable], list[Issue]]:
    """Check the given files; references resolve against each other first, then `embedded`."""
    checked: list[CheckedTable] = []
    issues: list[Issue] = []
    for path in paths:
        name = table or table_name_for(path)
        if name is None:
            issues.append(
                Issue(
                    display_path(path),
                    None,
                    None,
                    None,
                    "cannot tell which table this is: name it <table>.csv or pass --table "
                    f"({', '.join(TABLES)})",
                )
            )
            continue
        result = read_table(path, name, display_path(path))
        checked.append(result)
        issues += result.issues
    frames = dict(embedded)
    frames.update({t.name: t.frame for t in checked if t.frame is not None})
    for result in checked:
        if result.frame is not None:
            issues += check_references(result.name, result.frame, frames, display_path(result.path))
    return checked, issues


def read_meta(directory: Path) -> dict[str, dict]:
    """Each table's <name>.meta.yaml (title, description, licence, columns)."""
    meta = {}
    for name in TABLES:
        path = directory / f"{name}.meta.yaml"
        if path.exists():
            meta[name] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return meta


@functools.cache
def load_catalog() -> Catalog:
    """All embedded tables, validated (raises DataValidationError listing every problem), with
    the built-in world tables (datasets/world/) and the rows imported into MILBAL_DATA_DIR
    appended (see validation.importers.store).

    Imported rows keep their source ids (`import-<kind>`), so a figure the embedded data and
    an import both give shows up as two sources, not one overwriting the other. Validation
    runs once per content: the checked catalog is kept under a key made of the data files'
    bytes and the validation code (validation.cache), and read back while neither changes."""
    from validation.cache import cached_catalog

    return cached_catalog(read_and_validate)


def read_and_validate() -> Catalog:
    """Read and check every table now, bypassing the cache (load_catalog caches this)."""
    directory = datasets_dir()
    frames, issues = load_directory(directory)
    if issues:
        raise DataValidationError(issues)
    tables = {name: frame.reset_index(drop=True) for name, frame in frames.items()}
    meta = read_meta(directory)
    world, imported = _merge_imported(tables, meta, directory / "world")
    return Catalog(tables=tables, meta=meta, imported=imported, world=world)


def reload_catalog() -> Catalog:
    """Forget the cached catalog (after an import) and load it again."""
    load_catalog.cache_clear()
    return load_catalog()


def _merge_imported(
    tables: dict[str, pd.DataFrame], meta: dict[str, dict], world_dir: Path
) -> tuple[dict[str, dict], dict[str, dict]]:
    """Append the built-in world datasets' rows, then every stored import's, to `tables` (new
    countries and sources only; other tables whole; tables only they have added). An import
    replaces the built-in dataset of the same slot. Returns (world records, import records).
    A built-in dataset that does not check is an error of the embedded data, raised as one."""
    from validation.importers.store import load_imported, records

    stored = records()
    world = {slot: r for slot, r in records(world_dir).items() if slot not in stored}
    problems: dict[str, str] = {}
    if world:
        _append(tables, load_imported(world_dir, exclude=set(stored), problems=problems))
        if problems:
            raise DataValidationError(
                [Issue(str(world_dir / slot), None, None, None, p) for slot, p in problems.items()]
            )
        for slot in world:
            for path in sorted((world_dir / slot).glob("*.meta.yaml")):
                name = path.name.removesuffix(".meta.yaml")
                if name not in meta:
                    meta[name] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if stored:
        _append(tables, load_imported(problems=problems))
        _add_import_meta(stored, problems, meta)
    return world, stored


def _append(tables: dict[str, pd.DataFrame], extra: dict[str, pd.DataFrame]) -> None:
    for name, frame in extra.items():
        if name not in tables:
            tables[name] = frame
            continue
        if name == "countries":
            frame = frame[~frame["iso3"].isin(tables[name]["iso3"])]
        elif name == "sources":
            frame = frame[~frame["source_id"].isin(tables[name]["source_id"])]
        if len(frame):
            tables[name] = pd.concat([tables[name], frame], ignore_index=True)


def _add_import_meta(stored: dict[str, dict], problems: dict[str, str], meta: dict) -> None:
    from validation.importers import get_module

    for slot, record in stored.items():
        if slot in problems:
            record["problem"] = problems[slot]
            continue
        try:
            module_meta = getattr(get_module(record["kind"]), "META", {})
        except (KeyError, ImportError):
            module_meta = {}
        for name in record.get("rows", {}):
            if name not in meta and name in module_meta:
                meta[name] = module_meta[name]
