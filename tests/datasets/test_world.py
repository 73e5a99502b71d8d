"""The built-in world tables (datasets/world/): made by our importers from the pinned public files,
rebuilt to the same bytes, described, cited, and merged into the catalog on first start."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from dashboard.cli import main
from validation import datasets_dir, load_catalog
from validation.importers.base import ImportRefused
from validation.importers.build import build_world
from validation.importers.registry import DATASETS, embedded_datasets
from validation.importers.store import import_path, records
from validation.schemas import MODELS

DIR = datasets_dir()
WORLD = DIR / "world"
SLOTS = sorted(p.name for p in WORLD.iterdir() if p.is_dir())


def _tables(slot: str) -> list[str]:
    return sorted(p.stem for p in (WORLD / slot).glob("*.csv"))


def _header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as f:
        return next(csv.reader(f))


@pytest.fixture
def fresh_catalog():
    load_catalog.cache_clear()
    yield
    load_catalog.cache_clear()


class TestEveryBuiltInDatasetIsDescribed:
    def test_one_folder_per_openly_licensed_dataset_and_none_for_the_others(self):
        assert sorted(d.key for d in embedded_datasets()) == SLOTS
        assert {d.kind for d in embedded_datasets()} == {"wdi", "nmc", "cdb90"}
        for dataset in DATASETS:
            if dataset.kind in {"gfp", "gmi", "sipri"}:
                assert not dataset.embedded, dataset.key

    @pytest.mark.parametrize("slot", SLOTS)
    def test_record_names_the_pinned_files_and_how_it_was_made(self, slot):
        record = json.loads((WORLD / slot / "record.json").read_text(encoding="utf-8"))
        pinned = {d.key: d for d in DATASETS}[slot]
        assert record["made_by"] == "milbal build-datasets"
        assert record["kind"] == pinned.kind
        assert [f["sha256"] for f in record["files"]] == [f.sha256 for f in pinned.files]
        assert record["licence"] == pinned.licence
        assert record["notes"], "what was skipped and why"
        for table, n in record["rows"].items():
            with (WORLD / slot / f"{table}.csv").open(encoding="utf-8") as f:
                assert sum(1 for _ in csv.reader(f)) - 1 == n

    @pytest.mark.parametrize("slot", SLOTS)
    def test_every_table_has_metadata_describing_its_columns_in_file_order(self, slot):
        for table in _tables(slot):
            if table in {"sources", "countries"}:
                continue
            meta = yaml.safe_load((WORLD / slot / f"{table}.meta.yaml").read_text())
            for key in ("title", "description", "licence", "primary_key", "columns"):
                assert meta.get(key), f"{slot}/{table}.meta.yaml: {key}"
            assert list(meta["columns"]) == _header(WORLD / slot / f"{table}.csv")
            for column, info in meta["columns"].items():
                assert info.get("title") and info.get("description"), f"{table}.{column}"

    @pytest.mark.parametrize("slot", SLOTS)
    def test_its_source_row_states_the_licence(self, slot):
        sources = pd.read_csv(WORLD / slot / "sources.csv", dtype=str)
        assert len(sources) == 1
        assert sources["licence"].iloc[0].strip()
        licence = sources["licence"].iloc[0]
        assert any(term in licence for term in ("CC BY 4.0", "COW terms", "ODC-BY")), licence


class TestCountries:
    def test_countries_csv_names_every_country_of_the_world_tables(self):
        listed = set(pd.read_csv(DIR / "countries.csv", dtype=str)["iso3"])
        for slot in SLOTS:
            for table in _tables(slot):
                frame = pd.read_csv(WORLD / slot / f"{table}.csv", dtype=str)
                if "country" in frame:
                    assert set(frame["country"]) <= listed, f"{slot}/{table}"

    def test_aggregates_are_not_countries(self):
        countries = pd.read_csv(DIR / "countries.csv", dtype=str, keep_default_na=False)
        assert countries["iso3"].str.fullmatch(r"[A-Z]{3}").all()
        names = set(countries["name"])
        for aggregate in ("World", "Arab World", "Euro area", "High income", "South Asia"):
            assert aggregate not in names
        assert not countries["region"].str.contains("not given").any()

    def test_the_pairs_a_user_asks_for_are_listed_by_name(self):
        countries = pd.read_csv(DIR / "countries.csv", dtype=str).set_index("iso3")["name"]
        for code, name in {
            "IND": "India",
            "PAK": "Pakistan",
            "GRC": "Greece",
            "TUR": "Turkey",
            "RUS": "Russia",
            "UKR": "Ukraine",
        }.items():
            assert countries[code] == name


class TestCatalogHasTheWorldOnFirstStart:
    def test_world_rows_are_in_the_catalog_with_nothing_imported(self, fresh_catalog):
        catalog = load_catalog()
        assert catalog.imported == {}
        assert sorted(catalog.world) == SLOTS
        assert len(catalog["battles"]) == 660
        assert "capabilities" in catalog.tables
        manpower = catalog["manpower"]
        for code in ("IND", "PAK", "GRC", "TUR", "RUS", "UKR"):
            rows = manpower[(manpower["country"] == code) & (manpower["year"] == 2016)]
            assert set(rows["source_id"]) >= {"import-wdi-personnel", "import-nmc"}, code

    def test_a_value_equals_the_publishers_file(self, fresh_catalog, reference_dir):
        # an independent route: the OWID file read with the csv module, not our importer
        with (reference_dir / "worldbank_owid/armed-forces-personnel.csv").open() as f:
            rows = list(csv.reader(f))[1:]
        india = {int(r[2]): float(r[3]) for r in rows if r[1] == "IND"}
        manpower = load_catalog()["manpower"]
        ours = manpower[
            (manpower["country"] == "IND") & (manpower["source_id"] == "import-wdi-personnel")
        ].set_index("year")["value"]
        assert ours.to_dict() == india

    def test_the_meta_of_tables_only_the_world_has_is_read(self, fresh_catalog):
        meta = load_catalog().meta
        assert meta["battles"]["licence"].startswith("ODC-BY")
        assert "CINC" in meta["capabilities"]["description"] or meta["capabilities"]["title"]


class TestRebuild:
    def test_rebuild_from_the_reference_data_equals_the_committed_tables(
        self, tmp_path, reference_dir, monkeypatch
    ):
        copy = tmp_path / "datasets"
        shutil.copytree(DIR, copy)
        shutil.rmtree(copy / "world")
        monkeypatch.setenv("MILBAL_DATASETS_DIR", str(copy))
        monkeypatch.setenv("MILBAL_DATA_DIR", str(tmp_path / "no-imports"))
        assert main(["build-datasets", "--from", str(reference_dir)]) == 0
        for path in sorted(WORLD.rglob("*")):
            if path.is_file():
                rebuilt = copy / path.relative_to(DIR)
                assert rebuilt.read_bytes() == path.read_bytes(), path.relative_to(DIR)
        assert sorted(p.relative_to(copy) for p in (copy / "world").rglob("*")) == sorted(
            p.relative_to(DIR) for p in WORLD.rglob("*")
        )
        assert (copy / "countries.csv").read_bytes() == (DIR / "countries.csv").read_bytes()

    def test_a_file_whose_sha256_differs_is_refused_and_nothing_is_written(
        self, tmp_path, monkeypatch, capsys
    ):
        # hand-made stand-ins at the registry's paths: the first one's hash is not the pinned one
        reference = tmp_path / "reference"
        for dataset in embedded_datasets():
            for item in dataset.files:
                path = reference / item.name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text("Entity,Code,Year,value\nIndia,IND,2016,1\n")
        copy = tmp_path / "datasets"
        shutil.copytree(DIR, copy)
        before = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()}
        monkeypatch.setenv("MILBAL_DATASETS_DIR", str(copy))
        assert main(["build-datasets", "--from", str(reference)]) == 1
        err = capsys.readouterr().err
        first = embedded_datasets()[0].files[0]
        assert "refused; nothing written" in err
        assert first.name in err and first.sha256 in err
        assert hashlib.sha256(b"x").hexdigest() not in err
        after = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()}
        assert after == before
        with pytest.raises(ImportRefused, match="missing"):
            build_world(tmp_path / "nowhere", copy)

    def test_unknown_dataset_and_missing_folder_are_usage_errors(self, tmp_path, capsys):
        assert main(["build-datasets", "--from", str(tmp_path), "gfp-2020"]) == 2
        assert "built-in ones: wdi-personnel" in capsys.readouterr().err
        assert main(["build-datasets", "--from", str(tmp_path / "absent")]) == 2
        assert "not a folder" in capsys.readouterr().err


class TestImportsBesideTheWorldTables:
    def test_importing_the_very_file_that_was_built_in_adds_nothing(
        self, tmp_path, reference_dir, fresh_catalog, monkeypatch, capsys
    ):
        monkeypatch.setenv("MILBAL_DATA_DIR", str(tmp_path))
        path = reference_dir / "cow_nmc" / "NMC-60-abridged.csv"
        result = import_path("nmc", path, tmp_path)
        assert not result.changed
        assert result.record["made_by"] == "milbal build-datasets"
        assert records(tmp_path) == {}
        assert main(["import", "nmc", str(path)]) == 0
        assert "already built into milbal" in capsys.readouterr().out

    def test_an_import_of_the_same_dataset_replaces_the_built_in_one(
        self, tmp_path, fresh_catalog, monkeypatch
    ):
        # a hand-made WDI personnel file in OWID's shape (another edition, say)
        path = tmp_path / "armed-forces-personnel.csv"
        path.write_text(
            'Entity,Code,Year,Year,"Armed forces personnel, total"\n'
            "India,IND,2018,3000000\nPakistan,PAK,2018,900000\n",
            encoding="utf-8",
        )
        data = tmp_path / "data"
        monkeypatch.setenv("MILBAL_DATA_DIR", str(data))
        result = import_path("wdi", path, data)
        assert result.changed and result.record["slot"] == "wdi-personnel"
        load_catalog.cache_clear()
        catalog = load_catalog()
        assert "wdi-personnel" not in catalog.world and "wdi-personnel" in catalog.imported
        wdi = catalog["manpower"][catalog["manpower"]["source_id"] == "import-wdi-personnel"]
        assert sorted(zip(wdi["country"], wdi["value"], strict=True)) == [
            ("IND", 3_000_000.0),
            ("PAK", 900_000.0),
        ]
        # the other built-in datasets stay
        assert "nmc" in catalog.world and len(catalog["battles"]) == 660


def test_every_world_table_is_a_table_we_have_a_schema_for():
    from validation.importers.store import table_model

    for dataset in embedded_datasets():
        for table in _tables(dataset.key):
            assert table in MODELS or table_model(dataset.kind, table) is not None, table


def test_fetching_a_built_in_dataset_downloads_it_and_imports_nothing(
    reference_dir, tmp_path, monkeypatch, capsys
):
    from tests.importers.test_fetch import serve

    monkeypatch.setenv("MILBAL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MILBAL_CACHE_DIR", str(tmp_path / "cache"))
    with serve(reference_dir) as (base, requested):
        monkeypatch.setenv("MILBAL_FETCH_MIRROR", base)
        assert main(["fetch", "nmc"]) == 0
    assert [r.split("?")[0] for r in requested] == ["/cow_nmc/NMC-60-abridged.csv"]
    assert "nmc: cow_nmc/NMC-60-abridged.csv: already built into milbal" in capsys.readouterr().out
    assert records(tmp_path / "data") == {}
