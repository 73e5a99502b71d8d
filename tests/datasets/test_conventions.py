"""Conventions of datasets/: each table has data, metadata and a schema that agree, and cites
sources that exist. A new table that forgets its metadata fails here, not in review."""

from __future__ import annotations

import csv

import pytest
import yaml

from validation import datasets_dir, load_catalog
from validation.schemas import MODELS, REFERENCES

DIR = datasets_dir()
CSVS = sorted(p.stem for p in DIR.glob("*.csv"))
METAS = sorted(p.name.removesuffix(".meta.yaml") for p in DIR.glob("*.meta.yaml"))


def _header(name: str) -> list[str]:
    with (DIR / f"{name}.csv").open(newline="", encoding="utf-8") as f:
        return next(csv.reader(f))


def _meta(name: str) -> dict:
    return yaml.safe_load((DIR / f"{name}.meta.yaml").read_text(encoding="utf-8"))


class TestEveryTableIsComplete:
    def test_every_csv_has_metadata_and_a_schema(self):
        assert CSVS == METAS
        assert set(CSVS) == set(MODELS)

    def test_no_python_package_named_datasets(self):
        assert not (DIR / "__init__.py").exists()

    @pytest.mark.parametrize("name", CSVS)
    def test_metadata_describes_the_table(self, name):
        meta = _meta(name)
        for key in ("title", "description", "licence", "primary_key", "columns"):
            assert meta.get(key), f"{name}.meta.yaml: {key} missing"
        assert list(meta["primary_key"]) == list(MODELS[name].to_schema().unique)

    @pytest.mark.parametrize("name", CSVS)
    def test_every_column_is_described_in_file_order(self, name):
        columns = _meta(name)["columns"]
        assert list(columns) == _header(name)
        for column, info in columns.items():
            assert set(info) == {"title", "unit", "description"}, f"{name}.{column}"
            assert info["title"] and info["description"], f"{name}.{column}"

    @pytest.mark.parametrize("name", CSVS)
    def test_schema_columns_match_the_file(self, name):
        assert list(MODELS[name].to_schema().columns) == _header(name)

    @pytest.mark.parametrize("name", CSVS)
    def test_every_table_but_countries_cites_sources(self, name):
        if name in {"sources", "countries"}:
            return
        assert REFERENCES[name]["source_id"] == ("sources", "source_id")


class TestSources:
    def test_every_source_id_used_exists(self):
        catalog = load_catalog()
        known = set(catalog["sources"]["source_id"])
        for name, frame in catalog.tables.items():
            if name != "sources" and "source_id" in frame:
                assert set(frame["source_id"]) <= known, name

    def test_every_source_is_used(self):
        """By a row, or by a table's metadata as a related work (`related_sources`)."""
        catalog = load_catalog()
        used = set()
        for name, frame in catalog.tables.items():
            if name != "sources" and "source_id" in frame:
                used |= set(frame["source_id"])
        for meta in catalog.meta.values():
            used |= set(meta.get("related_sources", []))
        assert set(catalog["sources"]["source_id"]) == used

    @pytest.mark.parametrize("name", METAS)
    def test_related_sources_exist(self, name):
        known = set(load_catalog()["sources"]["source_id"])
        assert set(_meta(name).get("related_sources", [])) <= known

    def test_every_source_states_its_licence_or_terms(self):
        sources = load_catalog()["sources"]
        assert sources["licence"].notna().all()
