"""Build the embedded world tables (datasets/world/) from the publishers' files with our own
importers, so every pair of countries has data on first start.

Only openly licensed datasets are built in (registry entries marked `embedded`: World Bank WDI
via OWID, COW NMC, CDB90); GFP, GMI and SIPRI stay import-only. Each dataset becomes a folder in
the store's layout (validation.importers.store): one CSV per table, its sources.csv row with
the licence, countries.csv (empty: countries.csv of datasets/ lists them all), a record.json
saying which file (pinned sha256) made it and what was skipped, and a <table>.meta.yaml per
table. The output depends on the input files and the code only (no time stamps), so a rebuild
from the same files gives the same bytes, which a test checks.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from validation.files import FileRefused, check_regular
from validation.importers import get_module
from validation.importers.base import COUNTRY_COLUMNS, ImportRefused
from validation.importers.countries import COUNTRIES
from validation.importers.registry import PublicDataset, embedded_datasets
from validation.importers.store import RECORD, _write_csv, read_checked, sha256_of, table_model

WORLD = "world"
MADE_BY = "milbal build-datasets"
# Countries the WDI files name that the importers' ISO3 table leaves out on purpose (no name
# lookup should map to them), with the UN M49 sub-region that countries.csv follows.
REGIONS = {"PSE": "Western Asia"}


@dataclass(frozen=True)
class Built:
    """One dataset built in: its folder and rows per table."""

    key: str
    folder: Path
    rows: dict[str, int]
    new_countries: int


def world_dir(datasets: Path) -> Path:
    """Where the built-in world tables live inside a datasets folder."""
    return datasets / WORLD


def check_pinned(dataset: PublicDataset, reference: Path) -> list[Path]:
    """The dataset's files under `reference`, each checked against its pinned sha256;
    ImportRefused naming the file when one is missing or differs."""
    paths = []
    for item in dataset.files:
        path = reference / item.name
        try:
            check_regular(path)
        except FileRefused as exc:
            reason = "missing" if exc.reason == "file not found" else exc.reason
            raise ImportRefused(f"{path}: {reason} (needed for {dataset.key})") from None
        digest = sha256_of(path)
        if digest != item.sha256:
            raise ImportRefused(
                f"{path}: sha256 {digest} is not the pinned {item.sha256} of {dataset.key}; "
                "refusing to build from a different file"
            )
        paths.append(path)
    return paths


def build_world(
    reference: Path,
    datasets: Path,
    *,
    keys: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Built]:
    """Rebuild datasets/world/ (and the countries it adds to datasets/countries.csv) from the
    pinned publishers' files under `reference` (laid out as the reference data folder).

    Every file is checked against its pinned hash before anything is written; the world
    folder is replaced only when every dataset has been read and checked."""
    chosen = [d for d in embedded_datasets() if keys is None or d.key in keys]
    for dataset in chosen:
        check_pinned(dataset, reference)
    target = world_dir(datasets)
    out: list[Built] = []
    with tempfile.TemporaryDirectory(prefix="milbal-build-") as tmp:
        stage = Path(tmp) / "stage"
        empty_store = Path(tmp) / "store"
        empty_store.mkdir()
        results = []
        for dataset in chosen:
            if progress:
                progress(f"{dataset.key}: reading {', '.join(f.name for f in dataset.files)}")
            source = _staged(dataset, reference, stage)
            results.append((dataset, read_checked(dataset.kind, source, empty_store)))
        countries = _countries_with(datasets, [imported.countries for _, imported in results])
        built = Path(tmp) / WORLD
        built.mkdir()
        for dataset, imported in results:
            folder = built / dataset.key
            folder.mkdir()
            _write_dataset(folder, dataset, imported, datasets)
            out.append(
                Built(dataset.key, target / dataset.key, imported.rows(), len(imported.countries))
            )
        if keys is not None and target.exists():  # keep the datasets not rebuilt
            for old in target.iterdir():
                if old.is_dir() and not (built / old.name).exists():
                    shutil.copytree(old, built / old.name)
        _write_csv(countries, datasets / "countries.csv")
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(built, target)
    return out


def _staged(dataset: PublicDataset, reference: Path, stage: Path) -> Path:
    """Copy only the pinned files into a fresh folder (a folder kind must not read files that
    were not checked), and return what the importer takes: the file, or the folder."""
    for item in dataset.files:
        to = stage / item.name
        to.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(reference / item.name, to)
    if dataset.folder:
        return stage / dataset.folder
    return stage / dataset.files[0].name


def _countries_with(datasets: Path, added: list[pd.DataFrame]) -> pd.DataFrame:
    """datasets/countries.csv with every country the world tables name, by the ISO3 table's
    name and region where it has one (the importer's otherwise); sorted by code."""
    current = pd.read_csv(datasets / "countries.csv", dtype=str, keep_default_na=False)
    extra = pd.concat(added, ignore_index=True) if added else current.iloc[:0]
    extra = extra[~extra["iso3"].isin(current["iso3"])].drop_duplicates("iso3")
    rows = [
        {"iso3": code, "name": COUNTRIES[code][0], "region": COUNTRIES[code][1]}
        if code in COUNTRIES
        else {"iso3": code, "name": name, "region": REGIONS.get(code, region)}
        for code, name, region in extra[COUNTRY_COLUMNS].itertuples(index=False)
    ]
    merged = pd.concat([current, pd.DataFrame(rows, columns=COUNTRY_COLUMNS)], ignore_index=True)
    return merged.sort_values("iso3").reset_index(drop=True)


def _write_dataset(folder: Path, dataset: PublicDataset, imported, datasets: Path) -> None:
    for name, frame in imported.tables.items():
        _write_csv(frame, folder / f"{name}.csv")
        meta = _meta(name, dataset, datasets)
        (folder / f"{name}.meta.yaml").write_text(
            yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=100),
            encoding="utf-8",
        )
    sources = imported.sources.assign(title=imported.sources["title"].map(_built_in_title))
    _write_csv(sources, folder / "sources.csv")
    _write_csv(imported.countries.iloc[:0], folder / "countries.csv")
    record = {
        "kind": imported.kind,
        "dataset": imported.dataset,
        "slot": dataset.key,
        "file": ", ".join(f.name for f in dataset.files),
        "files": [{"name": f.name, "url": f.url, "sha256": f.sha256} for f in dataset.files],
        "sha256": _folder_digest(dataset) if dataset.folder else dataset.files[0].sha256,
        "made_by": MADE_BY,
        "publisher": dataset.publisher,
        "licence": dataset.licence,
        "rows": imported.rows(),
        "source_id": ", ".join(imported.sources["source_id"].astype(str)),
        "notes": imported.notes,
    }
    (folder / RECORD).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


def _meta(name: str, dataset: PublicDataset, datasets: Path) -> dict:
    """The table's metadata: the embedded table's columns (or the importer's), with this
    dataset's title, licence and how it was made."""
    path = datasets / f"{name}.meta.yaml"
    if path.exists():
        base = yaml.safe_load(path.read_text(encoding="utf-8"))
    else:  # a table only imports have (battles, capabilities): its importer's META
        base = dict(getattr(get_module(dataset.kind), "META", {}).get(name, {}))
    files = ", ".join(f"{f.name} (sha256 {f.sha256[:12]})" for f in dataset.files)
    return {
        "title": f"{_built_in_title(base.get('title', name))}: {dataset.publisher}",
        "description": (
            f"{dataset.adds[:1].upper()}{dataset.adds[1:]}. Built in by `{MADE_BY}` with "
            f"milbal's {dataset.kind} importer from {files}; what was skipped and why is in "
            "record.json."
        ),
        "licence": dataset.licence,
        "primary_key": base.get("primary_key") or _key(dataset.kind, name),
        "columns": base.get("columns"),
    }


def _built_in_title(title: str) -> str:
    """An importer's title without its "imported" mark: these rows ship with milbal."""
    for mark in (", imported", " (imported)"):
        title = title.replace(mark, "")
    return title


def _key(kind: str, table: str) -> list[str] | None:
    model = table_model(kind, table)
    unique = model.to_schema().unique if model is not None else None
    return list(unique) if unique else None


def _folder_digest(dataset: PublicDataset) -> str:
    """The store's hash of a folder: its files' relative paths and hashes (store.sha256_of)."""
    digest = hashlib.sha256()
    prefix = f"{dataset.folder}/"
    for item in sorted(dataset.files, key=lambda f: f.name.removeprefix(prefix)):
        digest.update(item.name.removeprefix(prefix).encode())
        digest.update(b"\0" + item.sha256.encode() + b"\n")
    return digest.hexdigest()
