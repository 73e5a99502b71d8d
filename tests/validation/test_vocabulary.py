"""validation.vocabulary holds the tables' names and constants without pandera; validation.schemas
builds its models from them and re-exports them. The two must not drift apart, and a dashboard
that reads its catalog from the cache must start without importing pandera (a few tenths of a
second of every cold start).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from validation import schemas, vocabulary
from validation.cache import cached_catalog
from validation.catalog import read_and_validate

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_models_are_the_tables_in_their_order():
    assert tuple(schemas.MODELS) == vocabulary.TABLES


def test_every_constant_is_listed_and_re_exported_as_the_same_object():
    constants = {n for n in vars(vocabulary) if n.isupper() and not n.startswith("_")}
    assert constants == set(vocabulary.__all__)
    assert set(vocabulary.__all__) <= set(schemas.__all__)
    for name in vocabulary.__all__:
        assert getattr(schemas, name) is getattr(vocabulary, name), name


def test_a_cached_catalog_and_the_app_import_no_pandera():
    """The validated catalog is in the cache (filled here if need be); a fresh interpreter that
    reads it, imports the command line and builds the app has not imported pandera."""
    cached_catalog(read_and_validate)
    script = (
        "import sys\n"
        "from validation import load_catalog\n"
        "load_catalog()\n"
        "import dashboard.cli\n"
        "from dashboard.factory import create_app\n"
        "create_app()\n"
        "print(sorted(m for m in sys.modules if m.partition('.')[0] == 'pandera'"
        " or m == 'validation.schemas'))\n"
    )
    path = os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": path},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
