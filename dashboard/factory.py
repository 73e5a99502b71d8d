"""Build the Dash app. Pages live in dashboard/pages and register themselves."""

from __future__ import annotations

from pathlib import Path

import dash
from dash import Dash, html

_HERE = Path(__file__).resolve().parent


def create_app() -> Dash:
    """The dashboard with every page; serves its scripts and styles itself (no CDN)."""
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder=str(_HERE / "pages"),
        assets_folder=str(_HERE / "assets"),
        serve_locally=True,
        title="milbal",
        update_title=None,
    )
    app.layout = html.Div(
        [
            html.Header(
                [
                    html.A("milbal", href="/", className="brand"),
                    html.Span(
                        "military balance indicators, every number sourced", className="tagline"
                    ),
                ],
                className="site-header",
            ),
            html.Main(dash.page_container, className="content"),
        ]
    )
    return app
