"""/compare: two countries side by side for one year, one row per indicator (manpower, GFP and
GMI rankings, SIPRI spending, equipment). Every value carries its source; where sources disagree
the cell shows the spread and an amber flag that opens the list of every source's value."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import dash
import numpy as np
import pandas as pd
from dash import Input, Output, html

from dashboard.charts import derived
from dashboard.charts.common import country_name, measure_words, pair_pickers
from dashboard.cite import cite
from dashboard.components import (
    control_id,
    control_outputs,
    control_updates,
    controls,
    is_first_call,
    message_items,
    messages,
    page_params,
    remembers_states,
    settled_from_controls,
)
from dashboard.params import to_query
from dashboard.style import fmt_number
from indicators.common import interval_of
from indicators.conflicts import CONFLICT_FIELDS, flag_source_conflicts
from validation import Catalog, load_catalog
from validation.schemas import MANPOWER_MEASURES

PATH, NAME, ORDER, NAV = "/compare", "Compare", 1, True
PAGE = "compare"
# Countries and years offered are those with a figure in any table the comparison reads.
PARAMS = pair_pickers(
    {"manpower": "year", "rankings": "edition", "spending": "year", "equipment": "year"},
    "figures",
)
TABLE_ID = "compare-table"
FLAG_TEXT = "⚑ sources disagree"
MISSING = "-"
# Fields of a value/low/high table any of which, reported differently, makes a conflict.
RANGE_FIELDS = ("value", "low", "high")

EQUIPMENT_NAMES = {
    "afv": "armoured fighting vehicles",
    "sp_artillery": "self-propelled artillery",
    "mlrs": "rocket launchers (MLRS)",
    "aircraft_total": "aircraft, all types",
    "naval_total": "naval vessels, all types",
    "uav": "UAVs",
}
SPENDING_ROWS = (
    ("milex_current_usd_m", "Military spending", "USD m, current prices", "usd"),
    ("milex_share_gdp_pct", "Military spending, share of GDP", "% of GDP", "percent"),
)
FORMATS: dict[str, Callable[[float], str]] = {
    "number": fmt_number,
    "rank": lambda x: f"{x:.0f}",
    "score": lambda x: f"{x:.4f}",
    "usd": lambda x: f"{x:,.1f}",
    "percent": lambda x: f"{x:.2f}",
}
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

Report = tuple[str, float, float]  # (source_id, low, high) of one source's figure


# --- the rows (pure) ------------------------------------------------------------------------


def _conflicted_keys(frame: pd.DataFrame, table: str) -> frozenset:
    """(key..., field) of every cell that sources report differently, by flag_source_conflicts
    over the whole table. Kept per table object (catalog frames are shared and read-only): the
    flagging costs ~9 ms a table, too slow to repeat in every callback."""
    keys, _ = CONFLICT_FIELDS[table]

    def build() -> frozenset:
        flagged = flag_source_conflicts(frame, table)
        return frozenset(flagged[[*keys, "field"]].itertuples(index=False, name=None))

    return derived(f"conflicts-{table}", (frame,), build)


def _select(
    frame: pd.DataFrame, pair: tuple[str, str], year_column: str, year: int, columns: Sequence[str]
) -> list[tuple]:
    """The two countries' rows of one year as tuples of `columns`. Plain numpy masks: the table
    is rebuilt on every control change, and pandas filtering costs about a millisecond a step;
    the column arrays are taken once per table object."""
    arrays = derived("compare-columns", (frame,), lambda: {c: frame[c].to_numpy() for c in frame})
    country = arrays["country"]
    mask = (country == pair[0]) | (country == pair[1])
    mask &= arrays[year_column] == year
    found = np.flatnonzero(mask)
    picked = [arrays[c] for c in columns]
    return [tuple(arr[i] for arr in picked) for i in found]


def _interval_reports(records: Iterable[tuple]) -> dict[tuple, list[Report]]:
    """(country, key) -> [(source_id, low, high)], from (country, key, value, low, high,
    source_id) records, by the interval rule of indicators.common."""
    out: dict[tuple, list[Report]] = {}
    for country, key, value, low, high, sid in records:
        lo, _, hi = interval_of(value, low, high)
        if lo == lo:
            out.setdefault((country, key), []).append((sid, lo, hi))
    return out


def _point_reports(records: Iterable[tuple]) -> dict[tuple, list[Report]]:
    """(country, key) -> [(source_id, x, x)], from (country, key, x, source_id) records; a
    missing x is no report."""
    out: dict[tuple, list[Report]] = {}
    for country, key, x, sid in records:
        if not pd.isna(x):
            out.setdefault((country, key), []).append((sid, float(x), float(x)))
    return out


def _cell(reports: Sequence[Report], conflicted: bool, fmt: str) -> tuple[str, list, list]:
    """(text, source ids, conflict list) of one cell: the value, or the range over every report;
    the conflict list holds (source_id, value) per report, a value being (low, high) for a range."""
    if not reports:
        return MISSING, [], []
    show = FORMATS[fmt]
    lo = min(r[1] for r in reports)
    hi = max(r[2] for r in reports)
    # One figure when its ends read alike (1,854.2 and 1,854.1647 at the cell's precision).
    text = show(lo) if show(lo) == show(hi) else f"{show(lo)}-{show(hi)}"
    sources = list(dict.fromkeys(r[0] for r in reports))
    conflict = [(s, x if x == y else (x, y)) for s, x, y in reports] if conflicted else []
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


def _in_order(present: Iterable[str], preferred: Sequence[str]) -> list[str]:
    present = set(present)
    return [m for m in preferred if m in present] + sorted(present - set(preferred))


def _words(code: str, names: dict[str, str] | None = None) -> str:
    return (names or {}).get(code, code.replace("_", " "))


def compare_rows(catalog: Catalog, a: str, b: str, year: int) -> pd.DataFrame:
    """compare_records as a frame (one row per indicator, COLUMNS)."""
    return pd.DataFrame(compare_records(catalog, a, b, year), columns=COLUMNS)


def compare_records(catalog: Catalog, a: str, b: str, year: int) -> list[dict]:
    """One row per indicator for countries a and b in `year`: manpower (every measure the data
    has that year), GFP rank and PowerIndex and GMI rank of the year's edition, SIPRI spending,
    and every equipment category of that year. a_text/b_text show the value, or the range over
    its sources; a_conflict/b_conflict list (source_id, value) when flag_source_conflicts finds
    that the sources disagree, and are empty otherwise."""
    pair = (a, b)
    rows: list[dict] = []

    manpower = catalog["manpower"]
    mp = _select(
        manpower, pair, "year", year, ("country", "measure", "value", "low", "high", "source_id")
    )
    mp_reports = _interval_reports(mp)
    mp_flags = _conflicted_keys(manpower, "manpower")
    names = measure_words(catalog)
    for m in _in_order({r[1] for r in mp}, MANPOWER_MEASURES):
        cells = [
            (mp_reports.get((c, m), []), any((c, year, m, f) in mp_flags for f in RANGE_FIELDS))
            for c in pair
        ]
        rows.append(
            _row(
                "Manpower",
                f"manpower-{m}",
                f"Manpower: {names.get(m, _words(m))}",
                "persons",
                "number",
                cells,
            )
        )

    rankings = catalog["rankings"]
    rk = _select(
        rankings,
        pair,
        "edition",
        year,
        ("index", "country", "rank", "score", "score_scale", "source_id"),
    )
    ranks = _point_reports((c, i, r, sid) for i, c, r, _, _, sid in rk)
    power = _point_reports(
        (c, i, x, sid) for i, c, _, x, scale, sid in rk if scale == "gfp_powerindex"
    )
    rk_flags = _conflicted_keys(rankings, "rankings")
    for key, label, unit, fmt, reports, index, field in (
        ("gfp-rank", "GFP rank", "rank (1 = strongest)", "rank", ranks, "gfp", "rank"),
        ("gfp-score", "GFP PowerIndex", "score (lower = stronger)", "score", power, "gfp", "score"),
        ("gmi-rank", "GMI rank", "rank (1 = most militarised)", "rank", ranks, "gmi", "rank"),
    ):
        cells = [(reports.get((c, index), []), (index, year, c, field) in rk_flags) for c in pair]
        rows.append(_row("Rankings", key, f"{label}, {year} edition", unit, fmt, cells))

    spending = catalog["spending"]
    sp = _point_reports(
        _select(spending, pair, "year", year, ("country", "measure", "value", "source_id"))
    )
    sp_flags = _conflicted_keys(spending, "spending")
    for measure, label, unit, fmt in SPENDING_ROWS:
        cells = [(sp.get((c, measure), []), (c, year, measure, "value") in sp_flags) for c in pair]
        rows.append(_row("Military spending", f"sipri-{measure}", label, unit, fmt, cells))

    equipment = catalog["equipment"]
    eq = _select(
        equipment, pair, "year", year, ("country", "category", "value", "low", "high", "source_id")
    )
    eq_reports = _interval_reports(eq)
    eq_flags = _conflicted_keys(equipment, "equipment")
    categories = derived("compare-categories", (equipment,), lambda: equipment["category"].unique())
    for cat in _in_order({r[1] for r in eq}, categories):
        cells = [
            (eq_reports.get((c, cat), []), any((c, year, cat, f) in eq_flags for f in RANGE_FIELDS))
            for c in pair
        ]
        name = _words(cat, EQUIPMENT_NAMES)
        rows.append(
            _row(
                "Equipment",
                f"equipment-{cat}",
                name[:1].upper() + name[1:],
                "items",
                "number",
                cells,
            )
        )

    return rows


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


@functools.lru_cache(maxsize=1024)
def source_mark(source_id: str) -> dict:
    """The source id, small, with its full citation as its title (hover, or focus by keyboard).
    Shared between tables: treat as read-only."""
    citation = cite([source_id])
    return el(
        "Sup",
        el("Abbr", source_id, title=citation, tabIndex=0),
        class_name="source-mark",
        style={"whiteSpace": "nowrap"},
    )


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
            el("Summary", FLAG_TEXT, class_name="conflict-flag"),
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


def layout(**query: str) -> html.Div:
    values, problems = page_params(PARAMS, query)
    a, b, year = values["a"], values["b"], values["year"]
    return html.Div(
        [
            html.H1("Compare two countries"),
            html.P(
                "Two countries side by side for one year: personnel, the Global Firepower and "
                "Global Militarisation rankings of that year's edition, military spending (SIPRI, "
                "World Bank, COW) "
                "and equipment counts. A dash means the data has no figure for that cell.",
                className="lead",
            ),
            messages(PAGE, problems),
            controls(PAGE, PARAMS, values),
            html.Table(
                table_for(a, b, year),
                id=TABLE_ID,
                className="data-table compare-table",
            ),
        ]
    )


@dash.callback(
    Output("url", "search", allow_duplicate=True),
    Output(TABLE_ID, "children"),
    Output(f"{PAGE}-messages", "children"),
    *control_outputs(PAGE, PARAMS),
    *[Input(control_id(PAGE, p.name), "value") for p in PARAMS],
    prevent_initial_call=True,
)
@remembers_states(len(PARAMS))
def update_table(*raw: Any) -> tuple:
    """Controls -> the table, the pickers and the URL's query (as register_page_callback)."""
    values, problems = settled_from_controls(PARAMS, raw)
    if is_first_call(len(PARAMS)):
        n_pickers = len(control_outputs(PAGE, PARAMS))
        return to_query(PARAMS, values), *([dash.no_update] * (2 + n_pickers))
    table = table_for(values["a"], values["b"], values["year"])
    return (
        to_query(PARAMS, values),
        table,
        message_items(problems),
        *control_updates(PARAMS, values),
    )
