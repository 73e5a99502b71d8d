"""The chart registry: each chart is defined once (slug, title, parameters, data, figure, caption)
and every output (page, CSV, image, HTML, embed, slide) asks the registry for it.

Chart modules in this package register themselves on import; `load_charts()` imports them all.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import pkgutil
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from dashboard.bounded import bytes_memo, json_size
from dashboard.cite import cite, split_ids
from dashboard.params import Param
from indicators.common import IndicatorError, column_arrays
from validation import load_catalog


@dataclass(frozen=True)
class Chart:
    """One chart. `data(catalog, params)` returns the tidy frame the chart plots (with a
    source_id column); `figure(data, params)` returns a plotly figure as a dict;
    `caption(data, params)` says what it shows in one or two sentences."""

    slug: str
    title: str
    page: str
    params: tuple[Param, ...]
    data: Callable[[Any, Mapping[str, Any]], pd.DataFrame]
    figure: Callable[[pd.DataFrame, Mapping[str, Any]], dict]
    caption: Callable[[pd.DataFrame, Mapping[str, Any]], str]
    units: str = ""
    # Tables the chart needs that come only from an import (`milbal import`), e.g. "battles".
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rendered:
    """A chart drawn for one set of parameters; shared between callers, so never mutate it."""

    chart: Chart
    params: Mapping[str, Any]
    data: pd.DataFrame
    figure: dict
    caption: str
    source_ids: tuple[str, ...]
    source_line: str
    error: str | None = None


REGISTRY: dict[str, Chart] = {}


def register(chart: Chart) -> Chart:
    if chart.slug in REGISTRY:
        raise ValueError(f"chart slug {chart.slug!r} registered twice")
    REGISTRY[chart.slug] = chart
    return chart


@functools.cache
def load_charts() -> dict[str, Chart]:
    """Import every chart module of this package (each registers its charts)."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return REGISTRY


def get_chart(slug: str) -> Chart | None:
    return load_charts().get(slug)


def _message_figure(text: str) -> dict:
    return {
        "data": [],
        "layout": {
            "xaxis": {"visible": False},
            "yaxis": {"visible": False},
            "annotations": [
                {
                    "text": text,
                    "showarrow": False,
                    "xref": "paper",
                    "yref": "paper",
                    "x": 0.5,
                    "y": 0.5,
                    "font": {"size": 14},
                }
            ],
            "height": 320,
        },
    }


_CODE = re.compile(r"\b[A-Z]{3}\b")
# Words in a message that already say what to do.
_ADVICE = ("choose", "import", "fetch", "pick", "select")


def in_words(message: str) -> str:
    """A chart's "no data" message for a reader: country codes named ("Iceland (ISL)"), and,
    where the message does not say what to do, the advice to choose other values."""
    from dashboard.charts.common import country_label

    text = _CODE.sub(lambda m: country_label(m.group(0)), message)
    if not any(word in text.lower() for word in _ADVICE):
        text = text.rstrip(".") + ". Choose other countries, another year or other settings."
    return text


def _frozen(params: Mapping[str, Any]) -> tuple:
    return tuple(sorted(params.items()))


def render(slug: str, params: Mapping[str, Any]) -> Rendered:
    """The chart for these (already validated) parameters, from a per-process cache."""
    return _render(slug, _frozen(params))


# The drawn charts kept per process, by estimated weight (rendered_size): a world map weighs
# ~140 kB, a force ratio ~20 kB: the former bound of 4096 charts allowed 80 to 570 MB.
# Python holds 0.6-3 times the estimate (tracemalloc on each chart drawn at its defaults;
# 2 times for the world map).
RENDER_BYTES = 32 * 1024 * 1024
# The Rendered with its caption and source line, and the pandas objects of its table (~12 kB
# for a one-row table, whatever it holds).
RENDERED_BYTES = 16 * 1024
# A table cell: its 8 bytes, and for text a short str object besides.
CELL_BYTES = 8
TEXT_CELL_BYTES = 64


def rendered_size(rendered: Rendered) -> int:
    """A cheap estimate of the memory a drawn chart holds (~0.05 ms, against 2 ms-6 s to
    draw it): its figure's JSON length and its table's cells, by their kind."""
    data = rendered.data
    rows, columns = data.shape
    text = sum(
        not (pd.api.types.is_numeric_dtype(t) or pd.api.types.is_datetime64_any_dtype(t))
        for t in data.dtypes
    )
    cells = rows * (CELL_BYTES * columns + TEXT_CELL_BYTES * text)
    return RENDERED_BYTES + json_size(rendered.figure) + cells


@bytes_memo(RENDER_BYTES, size=rendered_size)
def _render(slug: str, frozen: tuple) -> Rendered:
    chart = load_charts()[slug]
    params = dict(frozen)
    catalog = load_catalog()
    try:
        data = chart.data(catalog, params)
    except IndicatorError as exc:
        message = f"No data for this selection: {in_words(str(exc))}"
        return Rendered(
            chart, params, pd.DataFrame(), _message_figure(message), message, (), "", error=str(exc)
        )
    cols = column_arrays(data)  # the figure and caption read the same arrays
    ids = tuple(split_ids(dict.fromkeys(cols["source_id"]))) if "source_id" in cols else ()
    return Rendered(
        chart=chart,
        params=params,
        data=data,
        figure=chart.figure(data, params),
        caption=chart.caption(data, params),
        source_ids=ids,
        source_line=cite(ids),
    )


def forget_rendered() -> None:
    """Empty the cache of drawn charts (see forget_drawn_states in dashboard.components)."""
    _render.cache_clear()


_DERIVED: dict[tuple, tuple[tuple[object, ...], object]] = {}


def derived(name: str, tables: tuple[pd.DataFrame, ...], build: Callable[[], Any]) -> Any:
    """build(), computed once per set of table objects and reused while those objects live.

    Catalog tables are shared and read-only, and every control change of a page starts from the
    same unfiltered tables; rebuilding what is derived from them (a timeline, the conflict flags:
    5-10 ms each) in every callback would dominate it. Keyed by identity, checked on each hit.
    """
    key = (name, *map(id, tables))
    hit = _DERIVED.get(key)
    if hit is None or any(a is not b for a, b in zip(hit[0], tables, strict=True)):
        hit = (tables, build())
        _DERIVED[key] = hit
    return hit[1]


# Choices with more values than this (countries: ~200 since the world tables) are warmed at
# their defaults only: drawing every country of every chart would keep both cores busy for
# minutes after start, for no code path the defaults do not already run.
WARM_CHOICES_MAX = 24


def warm_up() -> None:
    """Draw every chart once per value of each short choice: imports statsmodels, fits trends,
    builds the derived tables and runs each figure and caption function once, so the first
    person to open a page does not wait for them. Nothing drawn is kept (the render cache is not
    filled). Run in a background thread."""
    catalog = load_catalog()
    for chart in load_charts().values():
        defaults = {p.name: p.default for p in chart.params}
        variants = [defaults]
        for p in chart.params:
            if p.narrow is not None:
                continue  # one source alone: drawn when asked for (the default is warmed)
            values = p.allowed(catalog) if p.kind in ("choice", "multi") else ()
            if len(values) > WARM_CHOICES_MAX:  # a country list: its defaults warm the code paths
                continue
            if p.kind == "choice":
                variants += [{**defaults, p.name: v} for v in values]
            elif p.kind == "multi":
                variants += [{**defaults, p.name: (v,)} for v in values]
        for params in variants:
            with contextlib.suppress(IndicatorError):  # no data for that country: nothing to warm
                data = chart.data(catalog, params)
                chart.figure(data, params)
                chart.caption(data, params)
