"""The importers are tested against the 2020 case's own tables (tests/conftest.py
`case_datasets`): what an import adds (new countries, tables such as battles) is then visible,
as it is for every country the built-in world tables do not name. Module-scoped and autouse,
so that it is set up before the modules' own fixtures (files read once per module) and undone
after each module: tests/ has no __init__.py, and a "package" fixture of a plain folder lives
until the session ends, which left every later test (tests/serving's /data/countries.csv) on
the six-country case tables."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="module", autouse=True)
def _case_datasets(case_datasets) -> Iterator[Path]:
    from dashboard import charts
    from validation import load_catalog

    patch = pytest.MonkeyPatch()
    patch.setenv("MILBAL_DATASETS_DIR", str(case_datasets))
    load_catalog.cache_clear()
    charts._render.cache_clear()
    yield case_datasets
    patch.undo()
    load_catalog.cache_clear()
    charts._render.cache_clear()
