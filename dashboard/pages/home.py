"""Home page: until the overview lands, the embedded datasets with their row counts."""

from __future__ import annotations

from dash import html

from validation import load_catalog

PATH, NAME, ORDER, NAV = "/", "Overview", 0, True


def layout(**_query: str) -> html.Div:
    catalog = load_catalog()
    summary = catalog.summary()
    head = html.Thead(
        html.Tr(
            [html.Th(h) for h in ("Table", "Title", "Rows", "Columns", "Sources cited", "Licence")]
        )
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(html.Code(row.table)),
                    html.Td(row.title),
                    html.Td(row.rows, className="num"),
                    html.Td(row.columns, className="num"),
                    html.Td(row.sources, className="num"),
                    html.Td(catalog.meta.get(row.table, {}).get("licence", "")),
                ],
                id=f"home-table-{row.table}",
            )
            for row in summary.itertuples()
        ]
    )
    total = int(summary["rows"].sum())
    return html.Div(
        [
            html.H1("Embedded datasets"),
            html.P(
                f"{len(summary)} tables, {total} rows, {len(catalog['sources'])} sources. "
                "Every row cites its source; run `milbal validate` to check them.",
                id="home-summary",
            ),
            html.Table([head, body], id="home-datasets", className="data-table"),
        ]
    )
