"""A chart's table and CSV: the data it plots, with units and sources, safe in a spreadsheet."""

from __future__ import annotations

import csv
import io
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard.charts import load_charts, render
from dashboard.export import chart_table, file_name, neutralise, to_csv
from tests.export.conftest import SLUGS, defaults

ROOT_DATASETS = "datasets"


def _read(content: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(content), keep_default_na=True)


def _figure_numbers(figure: dict) -> list[float]:
    """Every finite number the figure plots on x or y (not dates or labels); a point whose
    other coordinate is None is not drawn (it breaks a line: a missing edition); a bar with a
    base is drawn from its base to base + length, which is the number it plots."""
    found = []
    for trace in figure["data"]:
        xs, ys = trace.get("x") or [], trace.get("y") or []
        bases = trace.get("base")
        if bases is not None:
            if trace.get("orientation", "v") == "h":
                xs = [b + v for b, v in zip(bases, xs, strict=True)]
            else:
                ys = [b + v for b, v in zip(bases, ys, strict=True)]
        drawn = len(xs) == len(ys)
        for values, others in ((xs, ys), (ys, xs)):
            for i, value in enumerate(values):
                number = isinstance(value, (int, float)) and not isinstance(value, bool)
                if drawn and others[i] is None:
                    continue
                if number and math.isfinite(value):
                    found.append(float(value))
    return found


@pytest.mark.parametrize("slug", SLUGS)
def test_csv_parses_and_holds_what_the_chart_plots(slug):
    rendered = render(slug, defaults(slug))
    table = _read(to_csv(rendered))
    data = rendered.data
    assert len(table) == len(data) > 0
    assert {"unit", "source", "source_id"} <= set(table.columns)
    # Every numeric column of the data comes back with the same numbers.
    numeric = data.select_dtypes("number").columns
    assert len(numeric) > 0
    for column in numeric:
        expected = data[column].astype("float64").to_numpy()
        got = table[column].astype("float64").to_numpy()
        np.testing.assert_allclose(got, expected, rtol=1e-12, equal_nan=True, err_msg=column)
    # And every number drawn in the figure is in the CSV (the figure rounds to 3-4 places).
    in_csv = np.sort(table.select_dtypes("number").to_numpy(dtype=float).ravel())
    in_csv = in_csv[np.isfinite(in_csv)]
    for value in _figure_numbers(rendered.figure):
        nearest = in_csv[np.argmin(np.abs(in_csv - value))]
        assert math.isclose(nearest, value, rel_tol=1e-4, abs_tol=1e-3), (slug, value)


@pytest.mark.parametrize("slug", SLUGS)
def test_every_row_has_a_unit_and_a_readable_source(slug):
    rendered = render(slug, defaults(slug))
    table = _read(to_csv(rendered))
    titles = {}
    # the embedded sources (the built-in world tables' too), and those of the imports in the
    # data folder (read with csv here)
    imported = Path(os.environ["MILBAL_DATA_DIR"]).glob("*/sources.csv")
    built_in = Path(ROOT_DATASETS).glob("world/*/sources.csv")
    for path in [Path(f"{ROOT_DATASETS}/sources.csv"), *built_in, *imported]:
        with path.open(newline="", encoding="utf-8") as f:
            titles.update({row["source_id"]: row["title"] for row in csv.DictReader(f)})
    for row in table.itertuples():
        if isinstance(row.source_id, str):
            for sid in row.source_id.split(";"):
                assert titles[sid.strip()] in row.source, (slug, sid)
    if "unit" not in rendered.data:
        assert set(table["unit"]) == {load_charts()[slug].units}
    else:
        assert table["unit"].notna().sum() == rendered.data["unit"].notna().sum()


def test_country_codes_get_their_names_beside_them():
    table = chart_table(render("equipment-counts", defaults("equipment-counts")))
    columns = list(table.columns)
    assert columns[columns.index("country") + 1] == "country_name"
    names = dict(zip(table["country"], table["country_name"], strict=True))
    assert names == {"AZE": "Azerbaijan", "ARM": "Armenia"}


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("-12", "-12"),
        ("+3.5", "+3.5"),
        ("-1.5e3", "-1.5e3"),
        ("Azerbaijan", "Azerbaijan"),
        ("a=b", "a=b"),
        ("", ""),
        (-5, -5),
        (2.5, 2.5),
    ],
)
def test_neutralise(cell, expected):
    assert neutralise(cell) == expected


def test_csv_neutralises_text_and_keeps_numbers(monkeypatch):
    """A rendered chart whose text cells begin with formula characters and whose numbers are
    negative: the text is quoted, the numbers are written as numbers."""
    base = render("rank-gap", defaults("rank-gap"))
    data = base.data.head(3).copy()
    data["index"] = ["=1+1", "@SUM(A1)", "\tx"]
    data["gap"] = [-10.0, -3.5, 4.0]
    data["unit"] = ["-ranks", "+ranks", "\rranks"]
    hostile = type(base)(**{**base.__dict__, "data": data})
    text = to_csv(hostile).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [r["index"] for r in rows] == ["'=1+1", "'@SUM(A1)", "'\tx"]
    assert [r["unit"] for r in rows] == ["'-ranks", "'+ranks", "'\rranks"]
    assert [r["gap"] for r in rows] == ["-10.0", "-3.5", "4.0"]
    assert _read(text.encode())["gap"].tolist() == [-10.0, -3.5, 4.0]


def test_csv_of_a_selection_without_data_is_an_empty_table():
    rendered = render("equipment-counts", {**defaults("equipment-counts"), "year": 1990})
    if rendered.error is None:
        pytest.fail("expected no equipment data for 1990")
    assert to_csv(rendered) == b"unit,source_id,source\r\n"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, "force-ratio.csv"),
        (
            {"a": "AZE", "b": "ARM", "terrain": "mountain"},
            "force-ratio_a-AZE_b-ARM_terrain-mountain.csv",
        ),
        ({"share_a": 50.0, "year": 2020}, "force-ratio_share_a-50_year-2020.csv"),
        ({"countries": ("AZE", "ARM")}, "force-ratio_countries-AZE-ARM.csv"),
        ({"a": '../x"; rm -rf /'}, "force-ratio_a-x-rm-rf.csv"),
    ],
)
def test_file_name(params, expected):
    assert file_name("force-ratio", params, "csv") == expected
