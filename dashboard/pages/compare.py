"""/compare: two countries side by side for one year. Above, the balance profile (every
indicator both have as the ratio A:B) and their personnel and spending over the years; below,
the table, one row per indicator (manpower, GFP and GMI rankings, spending, equipment). Every
value carries its source; where sources disagree the cell shows the spread and an amber flag
that opens the list of every source's value."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any

import dash
import orjson
import pandas as pd
from dash import Input, Output, html

from dashboard.charts.balance import FORMATS, PARAMS, Report, pair_indicators
from dashboard.charts.common import country_name
from dashboard.cite import cite
from dashboard.components import (
    chart_answers,
    chart_block,
    chart_outputs,
    cited_source,
    control_id,
    control_outputs,
    control_state,
    control_updates,
    controls,
    is_first_call,
    message_items,
    messages,
    page_params,
    plain_ids,
    plain_stores,
    register_plain,
    remembers_states,
    scrolling_box,
    settled_from_controls,
)
from dashboard.components import source_mark as marked
from dashboard.params import to_query
from validation import Catalog, load_catalog

PATH, NAME, ORDER, NAV = "/compare", "Compare", 1, True
PAGE = "compare"
CHARTS = ("balance-profile", "balance-over-time")
TABLE_ID = "compare-table"
FLAG_TEXT = "⚑ sources disagree"
# The flag's text goes into the table as a JSON string escaped to ASCII (\u2691), which the
# browser reads as FLAG_TEXT. One character beyond ASCII anywhere in an answer has Python decode,
# escape and encode the whole answer (~40 KB) at two bytes a character: ~0.25 ms more for each
# /compare answer with a flag, in the server's request thread.
FLAG_JSON = orjson.Fragment(json.dumps(FLAG_TEXT, ensure_ascii=True).encode())
MISSING = "-"
COLUMNS = [
    "group",
    "key",
    "indicator",
    "unit",
    "format",
    "a_text",
    "b_text",
    "a_sources",
    "b_sources",
    "a_conflict",
    "b_conflict",
]
# The flag must read as a warning without a stylesheet change: dark amber on light amber.

# --- the rows (pure) ------------------------------------------------------------------------


def _cell(reports: Sequence[Report], conflicted: bool, fmt: str) -> tuple[str, list, list]:
    """(text, source ids, conflict list) of one cell: the value, or the range over every report;
    the conflict list holds (source_id, value) per report, a value being (low, high) for a range."""
    if not reports:
        return MISSING, [], []
    show = FORMATS[fmt]
    lo = min(r[1] for r in reports)
    hi = max(r[3] for r in reports)
    # One figure when its ends read alike (1,854.2 and 1,854.1647 at the cell's precision).
    text = show(lo) if show(lo) == show(hi) else f"{show(lo)}-{show(hi)}"
    sources = list(dict.fromkeys(r[0] for r in reports))
    conflict = [(s, x if x == y else (x, y)) for s, x, _, y in reports] if conflicted else []
    return text, sources, conflict


def _row(group: str, key: str, indicator: str, unit: str, fmt: str, cells: Sequence) -> dict:
    (a_text, a_src, a_con), (b_text, b_src, b_con) = (_cell(r, c, fmt) for r, c in cells)
    return dict(
        zip(
            COLUMNS,
            (group, key, indicator, unit, fmt, a_text, b_text, a_src, b_src, a_con, b_con),
            strict=True,
        )
    )


def compare_rows(catalog: Catalog, a: str, b: str, year: int) -> pd.DataFrame:
    """compare_records as a frame (one row per indicator, COLUMNS)."""
    return pd.DataFrame(compare_records(catalog, a, b, year), columns=COLUMNS)


def compare_records(catalog: Catalog, a: str, b: str, year: int) -> list[dict]:
    """One row per indicator for countries a and b in `year` (dashboard.charts.balance.
    pair_indicators: manpower, GFP and GMI ranks of the year's edition, spending and equipment).
    a_text/b_text show the value, or the range over its sources; a_conflict/b_conflict list
    (source_id, value) when flag_source_conflicts finds that the sources disagree, and are
    empty otherwise."""
    return [
        _row(
            i.group,
            i.key,
            i.indicator,
            i.unit,
            i.fmt,
            [(i.a_reports, i.a_conflicted), (i.b_reports, i.b_conflicted)],
        )
        for i in pair_indicators(catalog, a, b, year)
    ]


# --- the table (plain component dicts) ------------------------------------------------------
# The table is rebuilt on every control change. Dash component objects cost ~30 us each to
# create and as much again to serialise; the table has ~200 of them. It is built here as the
# plain dicts Dash sends ({type, namespace, props}), which render the same in the browser.


def el(tag: str, children: Any = None, **props: Any) -> dict:
    """An html.<tag> element as Dash sends it; `class_name` becomes className."""
    if "class_name" in props:
        props["className"] = props.pop("class_name")
    if children is not None:
        props["children"] = children
    return {"type": tag, "namespace": "dash_html_components", "props": props}


def source_mark(source_id: str) -> dict:
    """The source in people's words ("GFP 2020"), small, with its full citation and id shown
    while hovered or focused (see dashboard.components.source_mark). Shared between tables:
    treat as read-only."""
    return _source_mark(source_id, id(load_catalog()["sources"]))


@functools.lru_cache(maxsize=1024)
def _source_mark(source_id: str, _sources: int) -> dict:
    return marked(*cited_source(source_id))


def _shown(value: Any, fmt: str) -> str:
    show = FORMATS[fmt]
    return f"{show(value[0])}-{show(value[1])}" if isinstance(value, tuple) else show(value)


def conflict_flag(conflict: Sequence[tuple[str, Any]], fmt: str) -> dict:
    """The amber flag; opened, it lists every source's value with its citation."""
    items = [
        el("Li", [el("Strong", _shown(value, fmt)), " ", source_mark(sid), " ", cite([sid])])
        for sid, value in conflict
    ]
    return el(
        "Details",
        [
            el("Summary", FLAG_JSON, class_name="conflict-flag"),
            el("Ul", items, class_name="conflict-list"),
        ],
        class_name="conflict",
    )


def _value_cell(text: str, sources: list, conflict: list, fmt: str, cell_id: str) -> dict:
    children: list[Any] = [el("Span", text, class_name="value")]
    children += [source_mark(s) for s in sources]
    if conflict:
        children.append(conflict_flag(conflict, fmt))
    return el("Td", children, id=cell_id, class_name="num missing" if text == MISSING else "num")


def compare_table(rows: pd.DataFrame | list[dict], a: str, b: str, year: int) -> list[dict]:
    """Children of the compare table: caption, header, and one body row per indicator with a
    heading row before each group."""
    header = el(
        "Thead",
        el(
            "Tr",
            [
                el("Th", "Indicator", scope="col"),
                el("Th", "Unit", scope="col"),
                el("Th", f"{country_name(a)} ({a})", scope="col"),
                el("Th", f"{country_name(b)} ({b})", scope="col"),
            ],
        ),
    )
    body: list[dict] = []
    group = None
    records = rows.to_dict("records") if isinstance(rows, pd.DataFrame) else rows
    for r in records:
        if r["group"] != group:
            group = r["group"]
            body.append(el("Tr", el("Th", group, colSpan=4, scope="colgroup"), class_name="group"))
        key, fmt = r["key"], r["format"]
        body.append(
            el(
                "Tr",
                [
                    el("Th", r["indicator"], scope="row"),
                    el("Td", r["unit"]),
                    _value_cell(
                        r["a_text"], r["a_sources"], r["a_conflict"], fmt, f"compare-{key}-a"
                    ),
                    _value_cell(
                        r["b_text"], r["b_sources"], r["b_conflict"], fmt, f"compare-{key}-b"
                    ),
                ],
                id=f"compare-row-{key}",
            )
        )
    caption = el(
        "Caption",
        f"{country_name(a)} and {country_name(b)}, {year}. A small mark after a value names its "
        "source (hover or focus it for the citation); an amber flag means the sources disagree.",
    )
    return [caption, header, el("Tbody", body)]


@functools.lru_cache(maxsize=512)
def table_for(a: str, b: str, year: int) -> list:
    """The table's children for the embedded catalog, kept per selection (treat as read-only),
    as plain dicts so that a callback returning them serialises quickly."""
    return compare_table(compare_records(load_catalog(), a, b, year), a, b, year)


def warm_up() -> None:
    """Build the conflict flags of every table once (see dashboard.factory.warm_up)."""
    compare_rows(load_catalog(), *(p.default for p in PARAMS))


LEAD = (
    "Two countries side by side for one year. The balance profile puts every indicator both "
    "have as a ratio on one scale centred on 1:1, with the 3:1 and 6:1 rules of thumb marked; "
    "below it, their personnel and military spending over the years; then the table of every "
    "figure: personnel, the Global Firepower and Global Militarisation rankings of that year's "
    "edition, military spending (SIPRI, World Bank, COW) and equipment counts. A dash means the "
    "data has no figure for that cell."
)


def layout(**query: str) -> html.Div:
    values, problems = page_params(PARAMS, query)
    return html.Div(
        [
            html.H1("Compare two countries"),
            html.P(LEAD, className="lead"),
            messages(PAGE, problems),
            controls(PAGE, PARAMS, values),
            *[chart_block(slug, values) for slug in CHARTS],
            html.H2("Every figure, with its sources", id=f"{TABLE_ID}-title"),
            scrolling_box(
                # drawn by the browser from table_for's tree (dashboard.components.plain_ids)
                html.Table(id=TABLE_ID, className="data-table compare-table"),
                f"{TABLE_ID}-title",
            ),
            *plain_stores(TABLE_ID),
        ]
    )


register_plain(TABLE_ID)


@dash.callback(
    Output("url", "search", allow_duplicate=True),
    Output(plain_ids(TABLE_ID)[0], "data"),
    Output(f"{PAGE}-messages", "children"),
    *control_outputs(PAGE, PARAMS),
    *chart_outputs(CHARTS),
    *[Input(control_id(PAGE, p.name), "value") for p in PARAMS],
    control_state(PAGE),
    prevent_initial_call=True,
)
@remembers_states(len(PARAMS))
def update_table(*args: Any) -> tuple:
    """Controls -> the table (its tree, which the browser draws: components.plain_ids), the
    pickers, the charts (with their downloads and embed snippets) and the URL's query (as
    register_page_callback). The last argument is the record of the pickers' lists
    (control_state). Its first call, as the page appears, answers the table (the page comes
    without it) and the tidied URL."""
    raw, shown = args[: len(PARAMS)], (args[len(PARAMS)] if len(args) > len(PARAMS) else None)
    values, problems = settled_from_controls(PARAMS, raw)
    table = table_for(values["a"], values["b"], values["year"])
    if is_first_call(len(PARAMS)):
        n_rest = len(control_outputs(PAGE, PARAMS)) + len(chart_outputs(CHARTS))
        return to_query(PARAMS, values), table, *([dash.no_update] * (1 + n_rest))
    return (
        to_query(PARAMS, values),
        table,
        message_items(problems),
        *control_updates(PARAMS, values, raw, shown),
        *chart_answers(CHARTS, values),
    )
