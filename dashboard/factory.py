"""Build the Dash app: a header with the page links, and a router that draws a page from its
path and query string. The router listens to the path only, so a page rewriting its own query
(to keep the URL shareable) is not redrawn from scratch."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType, ModuleType

import flask
from dash import ClientsideFunction, Dash, Input, Output, State, dcc, html
from werkzeug.exceptions import RequestEntityTooLarge

from dashboard import pages
from dashboard.cache import init_cache
from dashboard.components import query_of
from dashboard.export.routes import inline_script_hashes
from dashboard.memory import release_free_memory
from dashboard.routes import (
    SCRIPT_HASHES,
    compress_config,
    compression_enabled,
    register_routes,
)

_HERE = Path(__file__).resolve().parent

# What the server reads of a request body beyond the largest upload /data checks: that upload
# arrives base64-encoded (4/3 of its size) inside a callback's JSON, and this is room for the
# rest of that JSON. See max_request_bytes().
REQUEST_MARGIN_BYTES = 1024 * 1024


def max_request_bytes() -> int:
    """The largest request body any route reads (Flask's MAX_CONTENT_LENGTH): the /data upload
    cap (MILBAL_MAX_UPLOAD_MB, 20 MB by default) as base64, plus REQUEST_MARGIN_BYTES; 28 MB
    by default. A larger body is refused with 413 from its Content-Length, before it is read,
    and one sent without a length is cut off once it passes the limit."""
    from dashboard.pages.data import max_upload_bytes

    return -(-max_upload_bytes() * 4 // 3) + REQUEST_MARGIN_BYTES


def check_request_size() -> None:
    """Refuse a body over MAX_CONTENT_LENGTH on every route, whether or not the route reads
    it: by its Content-Length, unread; or, sent without one (chunked), once reading it passes
    the limit (werkzeug alone would cut it there and hand on the truncated body)."""
    request = flask.request
    limit = flask.current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None:
        if request.content_length > limit:
            raise RequestEntityTooLarge()
        return
    if "chunked" not in request.headers.get("Transfer-Encoding", "").lower():
        return
    request.get_data(cache=True)
    if getattr(request.stream, "is_exhausted", False):
        request.stream.read(1)  # past the limit: werkzeug raises RequestEntityTooLarge


def refuse_too_large(error: RequestEntityTooLarge) -> flask.Response:
    """413 in a line of plain text naming the limit (not werkzeug's HTML page)."""
    limit = flask.current_app.config["MAX_CONTENT_LENGTH"]
    return flask.Response(
        f"request too large: this server reads at most {limit / 1024 / 1024:.0f} MB\n",
        413,
        mimetype="text/plain",
    )


def load_pages() -> list[ModuleType]:
    """Every module of dashboard/pages with PATH, NAME, ORDER and layout(**query)."""
    modules = [
        importlib.import_module(f"{pages.__name__}.{m.name}")
        for m in pkgutil.iter_modules(pages.__path__)
    ]
    return sorted((m for m in modules if hasattr(m, "PATH")), key=lambda m: m.ORDER)


def warm_up() -> None:
    """Compute what the pages need before anyone asks: every chart's data (see
    dashboard.charts.warm_up) and each page's own warm_up(), where a page has one."""
    from dashboard.charts import warm_up as warm_charts

    warm_charts()
    for module in load_pages():
        if hasattr(module, "warm_up"):
            module.warm_up()
    release_free_memory()


def not_found(path: str) -> html.Div:
    return html.Div(
        [
            html.H1("Page not found"),
            html.P(f"There is no page at {path}."),
            html.A("Back to the overview", href="/"),
        ]
    )


# Dash's index page, in English (lang), with its scripts in a plain block rather than a
# <footer>: a footer is a landmark, and this one would hold nothing a reader sees.
INDEX_STRING = """<!DOCTYPE html>
<html lang="en">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        <div>
            {%config%}
            {%scripts%}
            {%renderer%}
        </div>
    </body>
</html>"""

SITE = "milbal"


def page_titles(page_modules: list[ModuleType]) -> dict[str, str]:
    """path -> the title of its page ("Force ratio - milbal")."""
    return {m.PATH: f"{m.NAME} - {SITE}" for m in page_modules}


# The scripts dcc.Graph loads only once a page's layout holds a graph (Dash's async chunks),
# which is after the router's callback has answered: a page with charts asks for them in its
# index instead (<link rel=preload>), so that plotly.js (1.3 MB compressed) travels while the
# renderer starts and the router computes the page. The paths are the ones the chunk loader
# asks for, without a query, so that the browser finds the preloaded bodies.
CHART_SCRIPTS = (
    "/_dash-component-suites/dash/dcc/async-graph.js",
    "/_dash-component-suites/dash/dcc/async-dropdown.js",
    "/_dash-component-suites/plotly/package_data/plotly.min.js",
)


class MilbalDash(Dash):
    """Dash whose index carries the requested page's own title (the browser's tab, a
    bookmark, a screen reader's first words; the a11y asset keeps it after navigation) and,
    on a page with charts, preloads the scripts that draw them (CHART_SCRIPTS)."""

    titles: Mapping[str, str] = MappingProxyType({})
    charted: frozenset[str] = frozenset()

    def interpolate_index(self, **kwargs):
        if flask.has_request_context():
            path = flask.request.path.rstrip("/") or "/"
            kwargs["title"] = self.titles.get(path, f"Page not found - {SITE}")
            if path in self.charted:
                kwargs["metas"] = kwargs.get("metas", "") + "".join(
                    f'<link rel="preload" as="script" href="{self.get_relative_path(src)}">'
                    for src in CHART_SCRIPTS
                )
        return super().interpolate_index(**kwargs)


def create_app() -> Dash:
    """The dashboard with every page; serves its scripts and styles itself (no CDN). Raises
    dashboard.cache.CacheConfigError when MILBAL_CACHE_URL is not a usable address. Responses
    are compressed (brotli or gzip; dashboard.routes.compress_config) unless MILBAL_COMPRESS=0.
    Request bodies over max_request_bytes() are refused with 413 on every route."""
    # The Flask server made here so that flask-compress, which Dash installs on it, reads our
    # settings (Dash's own would leave brotli out).
    server = flask.Flask(__name__)
    server.config.update(compress_config())
    server.config["MAX_CONTENT_LENGTH"] = max_request_bytes()
    server.before_request(check_request_size)
    server.register_error_handler(RequestEntityTooLarge, refuse_too_large)
    app = MilbalDash(
        __name__,
        server=server,
        compress=compression_enabled(),
        assets_folder=str(_HERE / "assets"),
        serve_locally=True,
        title=SITE,
        update_title=None,
        suppress_callback_exceptions=True,
        index_string=INDEX_STRING,
    )
    init_cache(app.server)
    register_routes(app.server)
    page_modules = load_pages()
    adopt_page_callbacks(app)
    by_path = {m.PATH: m for m in page_modules}
    app.titles = page_titles(page_modules)
    app.charted = frozenset(m.PATH for m in page_modules if getattr(m, "CHARTS", None) != ())
    nav = html.Nav(
        [dcc.Link(m.NAME, href=m.PATH, className="nav-link") for m in page_modules if m.NAV],
        className="site-nav",
        **{"aria-label": "Pages"},
    )
    app.layout = html.Div(
        [
            dcc.Location(id="url", refresh=False),
            html.A("Skip to the page's content", href="#page", className="skip-link"),
            html.Header(
                [html.A(SITE, href="/", className="brand"), nav],
                className="site-header",
            ),
            html.Main(id="page", className="content", tabIndex="-1"),
            dcc.Store(id="page-titles", data=app.titles),
            dcc.Store(id="page-title"),
        ]
    )
    app.clientside_callback(
        ClientsideFunction(namespace="milbal_a11y", function_name="title"),
        Output("page-title", "data"),
        Input("url", "pathname"),
        State("page-titles", "data"),
    )

    @app.callback(Output("page", "children"), Input("url", "pathname"), State("url", "search"))
    def route(pathname: str | None, search: str | None):
        module = by_path.get((pathname or "/").rstrip("/") or "/")
        if module is None:
            return not_found(pathname or "/")
        return module.layout(**query_of(search))

    allow_index_scripts(app)
    return app


# The pages' callbacks, as dash.callback registered them when the pages were imported.
_PAGE_CALLBACKS: tuple[dict, list, list] | None = None


def adopt_page_callbacks(app: Dash) -> None:
    """Give `app` every page's callbacks. dash.callback keeps them in Dash's global lists, and
    the first app to serve a request (or render its index) takes them for itself: a process
    that creates several apps (the tests, a host embedding two) would leave the later ones with
    pages whose controls do nothing. They are kept here once and given to each app."""
    global _PAGE_CALLBACKS
    from dash import _callback

    if _PAGE_CALLBACKS is None:
        _PAGE_CALLBACKS = (
            dict(_callback.GLOBAL_CALLBACK_MAP),
            list(_callback.GLOBAL_CALLBACK_LIST),
            list(_callback.GLOBAL_INLINE_SCRIPTS),
        )
        _callback.GLOBAL_CALLBACK_MAP.clear()
        _callback.GLOBAL_CALLBACK_LIST.clear()
        _callback.GLOBAL_INLINE_SCRIPTS.clear()
    callbacks, listed, scripts = _PAGE_CALLBACKS
    app.callback_map.update(callbacks)
    app._callback_list.extend(listed)
    app._inline_scripts.extend(scripts)


def allow_index_scripts(app: Dash) -> None:
    """Let the CSP allow the inline scripts of the index Dash serves (its renderer, and the
    inline clientside callbacks), by their hashes: the index is the same for every request
    once every page and callback is registered, which they are by now."""
    with app.server.test_request_context("/"):
        index = app.index()
    app.server.config[SCRIPT_HASHES] = inline_script_hashes(index)
