"""/data: the catalogue. Each table with its rows, columns and units, validation status and a
download; every source with its licence or terms."""

from __future__ import annotations

from dash import html

from validation import datasets_dir, load_catalog
from validation.catalog import load_directory

PATH, NAME, ORDER, NAV = "/data", "Data", 9, True


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


def tables_section() -> html.Section:
    catalog = load_catalog()
    _, issues = load_directory(datasets_dir())
    problems = _status(issues)
    summary = catalog.summary()
    rows = []
    for row in summary.itertuples():
        meta = catalog.meta.get(row.table, {})
        status = "valid" if row.table not in problems else f"{problems[row.table]} problems"
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
                    html.Td(
                        html.A(
                            "CSV",
                            href=f"/data/{row.table}.csv",
                            download=f"{row.table}.csv",
                            id=f"data-download-{row.table}",
                        )
                    ),
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
                )
            ]
        )
    )
    total = int(summary["rows"].sum())
    return html.Section(
        [
            html.H2("Tables"),
            html.P(
                f"{len(summary)} tables, {total} rows, {len(catalog['sources'])} sources. "
                "Every row cites its source; `milbal validate` checks them.",
                id="data-summary",
            ),
            html.Table([head, html.Tbody(rows)], id="data-tables", className="data-table"),
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
            html.H2("Sources"),
            html.Table([head, html.Tbody(rows)], id="data-sources", className="data-table"),
        ]
    )


def layout(**_query: str) -> html.Div:
    return html.Div(
        [
            html.H1("Data catalogue"),
            html.P(
                "The embedded tables, typed by hand from the sources they cite, and checked "
                "against their schemas when the dashboard starts.",
                className="lead",
            ),
            tables_section(),
            sources_section(),
        ]
    )
