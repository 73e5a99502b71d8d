"""The importers are tested against the 2020 case's own tables (tests/conftest.py
`case_datasets`): what an import adds (new countries, tables such as battles) is then visible,
as it is for every country the built-in world tables do not name. Package-wide, so that the
modules' own fixtures (files read once per module) see it too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="package", autouse=True)
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
