"""A chart's data as a table: what it plots, with units, sources and readable country names; a
table of the catalog as it is downloaded; and the one CSV writer of every CSV milbal gives
(csv_bytes), neutralised against spreadsheet formula injection."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from dashboard.charts import Rendered
from dashboard.cite import citations, split_ids
from dashboard.export.figures import ExportError
from validation import datasets_dir, load_catalog
from validation.tables import read_table
from validation.vocabulary import TABLES

# OWASP (CSV injection): a cell starting with one of these is read as a formula by spreadsheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A text cell that is a plain number ('-12', '+3.5e2') is not a formula: it stays as written.
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_UNSAFE = re.compile(r"[^A-Za-z0-9.]+")
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_]+")

_LOOKUPS: dict[str, tuple[object, dict[str, str]]] = {}


def _lookup(table: str, build) -> dict[str, str]:
    """A dictionary built from a catalog table, kept while that table is the same object
    (another datasets directory gives other objects, so nothing stale is reused)."""
    frame = load_catalog()[table]
    hit = _LOOKUPS.get(table)
    if hit is None or hit[0] is not frame:
        hit = (frame, build(frame))
        _LOOKUPS[table] = hit
    return hit[1]


def _names() -> dict[str, str]:
    return _lookup("countries", lambda f: dict(zip(f["iso3"], f["name"], strict=True)))


def _citations() -> dict[str, str]:
    return _lookup("sources", citations)


def _is_text(series: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(series) or series.dtype == object


def _country_columns(data: pd.DataFrame, names: Mapping[str, str]) -> list[str]:
    """Columns whose every value is a country code of the catalog."""
    found = []
    for column in data.columns:
        series = data[column]
        if column == "source_id" or not _is_text(series):
            continue
        values = series.dropna()
        if len(values) and all(isinstance(v, str) and v in names for v in values):
            found.append(column)
    return found


def chart_table(rendered: Rendered) -> pd.DataFrame:
    """The tidy data the chart plots (rendered.data, every row and column), with a `unit` column
    (the data's own, else the chart's units), a `source` citation beside `source_id`, and a
    `<column>_name` beside each column of country codes."""
    data = rendered.data
    if rendered.error is not None or data.empty:
        return pd.DataFrame(columns=["unit", "source_id", "source"])
    names = _names()
    countries = set(_country_columns(data, names))
    known = _citations()
    out: dict[str, Any] = {}
    for column in data.columns:
        out[column] = data[column]
        if column in countries:
            out[f"{column}_name"] = data[column].map(names)
        if column == "source_id":
            out["source"] = data[column].map(
                lambda cell: "; ".join(known.get(sid, sid) for sid in split_ids([cell]))
            )
    table = pd.DataFrame(out, index=data.index).reset_index(drop=True)
    if "unit" not in table:
        table["unit"] = rendered.chart.units
    if "source_id" not in table:
        table["source_id"] = ""
        table["source"] = ""
    return table


def neutralise(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula, prefixed with a single quote (OWASP);
    anything else (numbers, plain-number text, other text) unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def _may_hold_text(series: pd.Series) -> bool:
    """Anything but numbers (booleans too), dates and durations: text, categories, objects."""
    dtype = series.dtype
    return not (
        pd.api.types.is_numeric_dtype(dtype)
        or pd.api.types.is_datetime64_any_dtype(dtype)
        or pd.api.types.is_timedelta64_dtype(dtype)
    )


def csv_bytes(table: pd.DataFrame) -> bytes:
    """`table` as UTF-8 CSV, the one writer of every CSV milbal serves or saves (/chart/<slug>.csv,
    /data/<table>.csv, `milbal export`): every text cell neutralised (OWASP, see neutralise),
    numeric columns written as numbers (-5 stays -5), CRLF line ends (RFC 4180: the csv module
    then quotes every cell holding a CR or an LF). The table itself is left as it is."""
    safe = {
        column: table[column].map(neutralise, na_action="ignore")
        if _may_hold_text(table[column])
        else table[column]
        for column in table.columns
    }
    out = pd.DataFrame(safe, index=table.index, columns=table.columns)
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def to_csv(rendered: Rendered) -> bytes:
    """chart_table as CSV (csv_bytes)."""
    return csv_bytes(chart_table(rendered))


def built_in_tables() -> list[str]:
    """The tables only the built-in world datasets have (battles, capabilities), sorted."""
    catalog = load_catalog()
    return sorted({t for r in catalog.world.values() for t in r.get("rows", {})} - set(TABLES))


def data_table(name: str) -> pd.DataFrame:
    """The download of a catalog table (/data/<name>.csv): the rows and columns of
    datasets/<name>.csv as validated (coerced by its schema), not the file's bytes; a table
    only the built-in world datasets have, as loaded. KeyError for another name; ExportError
    when the file no longer validates (changed since the server started)."""
    if name in TABLES:
        path = datasets_dir() / f"{name}.csv"
        checked = read_table(path, name)
        if checked.frame is None or checked.issues:
            raise ExportError(f"datasets/{name}.csv does not validate: run `milbal validate`")
        return checked.frame
    if name in built_in_tables():
        return load_catalog()[name]
    raise KeyError(name)


def _slugged(text: str) -> str:
    return _UNSAFE.sub("-", text).strip("-.")


def file_name(slug: str, params: Mapping[str, Any], ext: str) -> str:
    """'<slug>_<name>-<value>_..._.<ext>' from the given parameter values, in their order, with
    only letters, digits, '.', '-' and '_' (e.g. force-ratio_a-AZE_b-ARM_terrain-mountain.csv)."""
    parts = [_slugged(slug) or "chart"]
    for name, value in params.items():
        if isinstance(value, (list, tuple)):
            text = "-".join(str(v) for v in value)
        elif isinstance(value, float):
            text = f"{value:g}"
        else:
            text = str(value)
        parts.append(f"{_NAME_UNSAFE.sub('-', str(name))}-{_slugged(text)}")
    stem = "_".join(parts)[:180].rstrip("-_.")
    return f"{stem}.{_slugged(ext)}"
