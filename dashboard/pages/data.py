"""/data: the catalogue. Each table with its rows, columns and units, validation status and a
download; every source with its licence or terms; the imports found in MILBAL_DATA_DIR, marked
as such; and an upload that checks a publisher's file for this browser session only."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from dash import Input, Output, State, callback, clientside_callback, dcc, html

from dashboard.components import scrolling_box
from validation import datasets_dir, load_catalog
from validation.catalog import load_directory
from validation.importers import FOLDER_KINDS, KINDS, describe_kinds
from validation.vocabulary import TABLES

PATH, NAME, ORDER, NAV = "/data", "Data", 9, True
CHARTS: tuple[str, ...] = ()  # none: its index does not preload plotly.js

PREVIEW_ROWS = 10
# Rows of each table kept in the browser session (sessionStorage holds a few MB per site).
SESSION_ROWS = 20_000


def max_upload_bytes() -> int:
    """The upload cap: MILBAL_MAX_UPLOAD_MB (default 20), read when used."""
    return int(float(os.environ.get("MILBAL_MAX_UPLOAD_MB", "20")) * 1024 * 1024)


def _columns(meta: dict) -> html.Ul:
    items = []
    for name, info in meta.get("columns", {}).items():
        unit = f" [{info['unit']}]" if info.get("unit") else ""
        items.append(html.Li([html.Code(name), f"{unit}: {info.get('description', '')}"]))
    return html.Ul(items, className="column-list")


def _status(issues: list) -> dict[str, str]:
    """table name -> 'valid' or the number of problems `milbal validate` reports for it."""
    counts: dict[str, int] = {}
    for issue in issues:
        name = issue.file.rsplit("/", 1)[-1].removesuffix(".csv")
        counts[name] = counts.get(name, 0) + 1
    return counts


def _when(record: dict) -> str:
    """'2025-01-31 12:00 UTC' from a record's imported_at."""
    stamp = str(record.get("imported_at", ""))
    return stamp[:16].replace("T", " ") + " UTC" if stamp else ""


def _import_label(slot: str, record: dict) -> str:
    return (
        f"{slot}: {record.get('file', '')}, sha256 {str(record.get('sha256', ''))[:12]}, "
        f"{_when(record)}"
    )


def imported_rows(
    imported: dict[str, dict], added: Mapping[str, int] | None = None
) -> dict[str, list[tuple[str, int, dict]]]:
    """table -> [(slot, rows, record)] of the imports that added rows to it. `countries` and
    `sources` are given by `added` (what the imports added in fact: two imports naming the
    same new country add it once), under the first import that names one."""
    out: dict[str, list[tuple[str, int, dict]]] = {}
    added = added or {}
    first = {}
    for slot, record in imported.items():
        if record.get("problem"):
            continue
        for table, n in record.get("rows", {}).items():
            out.setdefault(table, []).append((slot, int(n), record))
        first.setdefault("sources", (slot, record))
        if record.get("countries"):
            first.setdefault("countries", (slot, record))
    for table, (slot, record) in first.items():
        if added.get(table):
            out[table] = [(slot if len(imported) == 1 else "imports", added[table], record)]
    return out


def built_in_rows(world: dict[str, dict]) -> dict[str, list[tuple[str, int, dict]]]:
    """table -> [(slot, rows, record)] of the built-in world datasets (datasets/world/); their
    countries are in countries.csv, their one source row each in sources."""
    out: dict[str, list[tuple[str, int, dict]]] = {}
    for slot, record in world.items():
        for table, n in {**record.get("rows", {}), "sources": 1}.items():
            out.setdefault(table, []).append((slot, int(n), record))
    return out


def _origin_cell(
    built_in: list[tuple[str, int, dict]], imported: list[tuple[str, int, dict]]
) -> html.Td:
    if not built_in and not imported:
        return html.Td("", className="imported-none")
    items = [
        html.Li(f"{n:,} row{'s' * (n != 1)} built in from {slot} ({record.get('publisher', '')})")
        for slot, n, record in built_in
    ] + [
        html.Li(
            f"{n:,} row{'s' * (n != 1)} imported from "
            + (_import_label(slot, record) if slot != "imports" else "several imports")
        )
        for slot, n, record in imported
    ]
    return html.Td(html.Ul(items), className="imported" if imported else "built-in")


def tables_section() -> html.Section:
    catalog = load_catalog()
    hand, issues = load_directory(datasets_dir())
    problems = _status(issues)
    summary = catalog.summary()
    world = built_in_rows(catalog.world)
    in_world = {t: sum(n for _, n, _ in entries) for t, entries in world.items()}
    added = {
        t: len(catalog[t]) - len(hand.get(t, ())) - in_world.get(t, 0)
        for t in ("countries", "sources")
    }
    by_table = imported_rows(catalog.imported, added)
    rows = []
    for row in summary.itertuples():
        meta = catalog.meta.get(row.table, {})
        if row.table in TABLES or row.table in in_world:
            status = "valid" if row.table not in problems else f"{problems[row.table]} problems"
            download = html.A(
                "CSV",
                href=f"/data/{row.table}.csv",
                download=f"{row.table}.csv",
                id=f"data-download-{row.table}",
            )
        else:
            status, download = "imported", ""
        rows.append(
            html.Tr(
                [
                    html.Td(html.Code(row.table)),
                    html.Td(
                        [
                            html.Strong(row.title),
                            html.P(meta.get("description", "")),
                            html.Details([html.Summary(f"{row.columns} columns"), _columns(meta)]),
                        ]
                    ),
                    html.Td(row.rows, className="num"),
                    html.Td(row.sources, className="num"),
                    html.Td(status, className=f"status {status.split()[0]}"),
                    html.Td(meta.get("licence", "")),
                    html.Td(download),
                    _origin_cell(world.get(row.table, []), by_table.get(row.table, [])),
                ],
                id=f"data-table-{row.table}",
            )
        )
    head = html.Thead(
        html.Tr(
            [
                html.Th(h)
                for h in (
                    "Table",
                    "Contents",
                    "Rows",
                    "Sources cited",
                    "Validation",
                    "Licence",
                    "Download",
                    "Built in / imported",
                )
            ]
        )
    )
    total = int(summary["rows"].sum())
    n_imported = sum(n for entries in by_table.values() for _, n, _ in entries)
    n_world = sum(in_world.values())
    parts = [f"{n_world:,} built in from public datasets"] if n_world else []
    if n_imported:
        parts.append(f"{n_imported:,} imported")
    also = f" ({' and '.join(parts)}, marked below)" if parts else ""
    return html.Section(
        [
            html.H2("Tables", id="data-tables-title"),
            html.P(
                f"{len(summary)} tables, {total:,} rows{also}, {len(catalog['sources'])} sources. "
                "Every row cites its source; `milbal validate` checks the embedded tables.",
                id="data-summary",
            ),
            scrolling_box(
                html.Table([head, html.Tbody(rows)], id="data-tables", className="data-table"),
                "data-tables-title",
            ),
        ]
    )


def imports_section() -> html.Section:
    """The imports in MILBAL_DATA_DIR: file, sha256, time, rows per table, notes."""
    imported = load_catalog().imported
    intro = html.P(
        [
            "Public datasets imported with ",
            html.Code("milbal import <kind> <path>"),
            f" (kinds: {', '.join(KINDS)}); the dashboard reads them when it starts. ",
            "Imported rows keep their source id (import-<kind>), so where they and the "
            "embedded rows give the same figure, both are shown.",
        ]
    )
    if not imported:
        return html.Section(
            [html.H2("Imports"), intro, html.P("No imports.", id="data-imports-none")]
        )
    rows = []
    for slot, record in imported.items():
        tables = ", ".join(f"{t}: {n:,}" for t, n in record.get("rows", {}).items())
        notes = [html.Li(n) for n in record.get("notes", [])]
        if record.get("problem"):
            notes.insert(0, html.Li(f"not loaded: {record['problem']}", className="problem"))
        rows.append(
            html.Tr(
                [
                    html.Td(html.Code(slot)),
                    html.Td(record.get("file", "")),
                    html.Td(
                        html.Code(str(record.get("sha256", ""))[:12]),
                        title=str(record.get("sha256", "")),
                    ),
                    html.Td(_when(record)),
                    html.Td(tables),
                    html.Td(html.Ul(notes) if notes else ""),
                ],
                id=f"data-import-{slot}",
            )
        )
    head = html.Thead(
        html.Tr([html.Th(h) for h in ("Import", "File", "sha256", "Imported", "Rows", "Notes")])
    )
    return html.Section(
        [
            html.H2("Imports", id="data-imports-title"),
            intro,
            scrolling_box(
                html.Table([head, html.Tbody(rows)], id="data-imports", className="data-table"),
                "data-imports-title",
            ),
        ]
    )


def sources_section() -> html.Section:
    sources = load_catalog()["sources"]
    rows = [
        html.Tr(
            [
                html.Td(html.Code(s.source_id)),
                html.Td(
                    [
                        s.title,
                        html.Br(),
                        html.Small(
                            " · ".join(
                                str(x)
                                for x in (s.author, s.publisher, s.published)
                                if isinstance(x, str) and x
                            )
                        ),
                    ]
                ),
                html.Td(
                    html.A("link", href=s.url, rel="noopener noreferrer", target="_blank")
                    if isinstance(s.url, str)
                    else ""
                ),
                html.Td(s.licence),
            ],
            id=f"data-source-{s.source_id}",
        )
        for s in sources.itertuples()
    ]
    head = html.Thead(html.Tr([html.Th(h) for h in ("Source", "Title", "URL", "Licence or terms")]))
    return html.Section(
        [
            html.H2("Sources", id="data-sources-title"),
            scrolling_box(
                html.Table([head, html.Tbody(rows)], id="data-sources", className="data-table"),
                "data-sources-title",
            ),
        ]
    )


# --------------------------------------------------------------------------------------- upload


def upload_section() -> html.Section:
    cap = max_upload_bytes()
    kinds = describe_kinds()
    return html.Section(
        [
            html.H2("Check a file"),
            html.P(
                f"Check a publisher's file against its importer without importing it: the file "
                f"(at most {cap / 1024 / 1024:g} MB; a .zip of the folder for "
                f"{', '.join(sorted(FOLDER_KINDS & set(kinds))) or 'folder kinds'}) is read on "
                "the server and deleted at once, and the rows are kept in this browser tab's "
                "session only. To add a file to the dashboard for everyone, use "
                "`milbal import`."
            ),
            html.Div(
                [
                    html.Label(
                        "Kind of file", htmlFor="data-upload-kind", id="data-upload-kind-label"
                    ),
                    dcc.Dropdown(
                        id="data-upload-kind",
                        options=[{"label": f"{k}: {d}", "value": k} for k, d in kinds.items()],
                        value=next(iter(kinds), None),
                        clearable=False,
                    ),
                ],
                className="control",
            ),
            dcc.Upload(
                html.Div(["Drop a file here, or ", html.A("choose a file", href="#")]),
                id="data-upload",
                multiple=False,
                style={
                    "border": "2px dashed #8a8a8a",
                    "borderRadius": "6px",
                    "padding": "1rem",
                    "textAlign": "center",
                    "margin": "0.75rem 0",
                },
            ),
            dcc.Store(id="data-upload-cap", data=cap),
            dcc.Store(id="data-upload-pending", storage_type="memory"),
            dcc.Store(id="data-upload-store", storage_type="session"),
            html.Div(id="data-upload-refusal", className="messages", role="alert"),
            dcc.Loading(html.Div(id="data-upload-result")),
        ],
        id="data-upload-section",
    )


def _safe_name(name: str | None) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name or "upload").name).strip("._")
    return cleaned[:120] or "upload"


def _decode(contents: str, filename: str, cap: int) -> bytes:
    """The bytes of a dcc.Upload data URL, refusing one above the cap before decoding it."""
    from validation.importers.base import ImportRefused

    _, sep, b64 = (contents or "").partition(",")
    if not sep:
        raise ImportRefused(f"{filename}: the upload did not arrive as a data URL")
    size = len(b64) * 3 // 4 - b64[-2:].count("=")  # padding: a file of the cap is let in
    if size > cap:
        raise ImportRefused(_too_large(filename, size, cap))
    try:
        data = base64.b64decode(b64, validate=True)
    except (binascii.Error, ValueError):
        raise ImportRefused(f"{filename}: the upload is not valid base64") from None
    if len(data) > cap:
        raise ImportRefused(_too_large(filename, len(data), cap))
    return data


def _too_large(filename: str, size: int, cap: int) -> str:
    return (
        f"{filename}: file too large ({size / 1024 / 1024:.1f} MB): the upload limit is "
        f"{cap / 1024 / 1024:g} MB (MILBAL_MAX_UPLOAD_MB)"
    )


def _split(frame: pd.DataFrame) -> dict:
    """A frame as JSON-ready {columns, data} (missing -> None, dates as YYYY-MM-DD)."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d")
    out = out.astype(object).where(out.notna(), None)
    return {"columns": [str(c) for c in out.columns], "data": out.values.tolist()}


def check_upload(kind: str | None, filename: str | None, contents: str | None) -> dict:
    """An uploaded file read and checked by its kind's importer, in a temporary folder deleted
    before returning; nothing goes to MILBAL_DATA_DIR. Returns {ok: True, kind, file, sha256,
    rows, notes, tables} or {ok: False, message}."""
    # The importers are imported here, on the first upload: they import pandera, which a server
    # that reads its catalog from the cache does not otherwise need (see validation.vocabulary).
    from validation.importers.base import ImportRefused
    from validation.importers.store import read_checked, unpack_zip

    name = _safe_name(filename)
    try:
        if kind not in KINDS:
            raise ImportRefused(f"choose a kind of file ({', '.join(KINDS)})")
        data = _decode(contents or "", name, max_upload_bytes())
        digest = hashlib.sha256(data).hexdigest()
        with tempfile.TemporaryDirectory(prefix="milbal-upload-") as tmp:
            path = Path(tmp) / name
            path.write_bytes(data)
            del data
            if kind in FOLDER_KINDS:
                path = unpack_zip(path, Path(tmp) / "unpacked", label=name)
            try:
                imported = read_checked(kind, path)
            except ImportRefused as exc:
                raise ImportRefused(
                    str(exc).replace(str(path) + "/", name + "/").replace(str(path), name)
                ) from None
    except ImportRefused as exc:
        return {"ok": False, "message": str(exc)}
    notes = list(imported.notes)
    tables = {}
    for table, frame in imported.tables.items():
        if len(frame) > SESSION_ROWS:
            notes.append(
                f"{table}: the first {SESSION_ROWS:,} of {len(frame):,} rows are kept in this "
                "session"
            )
        tables[table] = _split(frame.head(SESSION_ROWS))
    if len(imported.countries):
        tables["countries"] = _split(imported.countries)
    return {
        "ok": True,
        "kind": kind,
        "file": name,
        "sha256": digest,
        "rows": imported.rows(),
        "notes": notes,
        "tables": tables,
    }


def _preview(table: str, split: dict) -> html.Div:
    head = html.Thead(html.Tr([html.Th(c) for c in split["columns"]]))
    body = html.Tbody(
        [
            html.Tr([html.Td("" if v is None else str(v)) for v in row])
            for row in split["data"][:PREVIEW_ROWS]
        ]
    )
    return html.Div(
        [
            html.H3(f"{table}: first rows", id=f"data-upload-preview-{table}-title"),
            scrolling_box(
                html.Table([head, body], className="data-table", id=f"data-upload-preview-{table}"),
                f"data-upload-preview-{table}-title",
            ),
        ]
    )


def upload_summary(result: dict) -> list:
    """What the checked upload holds: its tables and rows, notes, and a preview."""
    rows = result["rows"]
    return [
        html.P(
            f"{result['file']} ({result['kind']}, sha256 {result['sha256'][:12]}): valid; "
            + ", ".join(f"{t} {n:,} rows" for t, n in rows.items())
            + ". Kept in this browser session only; not imported.",
            id="data-upload-summary",
        ),
        html.Ul([html.Li(n) for n in result["notes"]], id="data-upload-notes"),
        *[_preview(t, s) for t, s in result["tables"].items()],
    ]


# Refuse an oversized file in the browser, before sending it (the server checks again).
clientside_callback(
    """function(contents, filename, kind, cap) {
        if (!contents) { return [null, ""]; }
        const b64 = contents.slice(contents.indexOf(",") + 1);
        const padding = b64.endsWith("==") ? 2 : (b64.endsWith("=") ? 1 : 0);
        const size = Math.floor(b64.length * 3 / 4) - padding;
        if (size > cap) {
            const mb = x => (x / 1048576).toFixed(1);
            return [null, filename + ": file too large (" + mb(size) + " MB): the upload " +
                    "limit is " + (cap / 1048576) + " MB (MILBAL_MAX_UPLOAD_MB)"];
        }
        return [{contents: contents, filename: filename, kind: kind}, ""];
    }""",
    Output("data-upload-pending", "data"),
    Output("data-upload-refusal", "children"),
    Input("data-upload", "contents"),
    State("data-upload", "filename"),
    State("data-upload-kind", "value"),
    State("data-upload-cap", "data"),
    prevent_initial_call=True,
)


@callback(
    Output("data-upload-result", "children"),
    Output("data-upload-store", "data"),
    Input("data-upload-pending", "data"),
    prevent_initial_call=True,
)
def on_upload(pending: dict | None):
    if not pending:
        return "", None
    result = check_upload(pending.get("kind"), pending.get("filename"), pending.get("contents"))
    if not result["ok"]:
        return html.Pre(result["message"], id="data-upload-message", className="messages"), None
    return upload_summary(result), result


def layout(**_query: str) -> html.Div:
    return html.Div(
        [
            html.H1("Data catalogue"),
            html.P(
                "The embedded tables, typed by hand from the sources they cite, and checked "
                "against their schemas when the dashboard starts; and the public datasets "
                "imported beside them, marked as imported.",
                className="lead",
            ),
            tables_section(),
            imports_section(),
            upload_section(),
            sources_section(),
        ]
    )
