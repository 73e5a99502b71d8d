"""Plain HTTP routes beside the Dash pages (table downloads), the security headers every
response carries, and how responses travel: compressed (brotli or gzip, as the browser accepts)
and, for files whose URL changes with their content, cached by the browser for a year."""

from __future__ import annotations

import os
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from dash.exceptions import InvalidCallbackReturnValue
from dash.fingerprint import check_fingerprint
from flask import Flask, Request, Response, request
from werkzeug.exceptions import HTTPException

from dashboard.cache import cached_bytes, export_key
from dashboard.export.figures import ExportError
from dashboard.export.routes import CACHE_HEADER, content_security_policy, register_export_routes
from dashboard.export.tables import built_in_tables, csv_bytes, data_table
from dashboard.memory import release_free_memory
from validation.vocabulary import TABLES

# Set on every response that does not set its own (the embed page sets its CSP: framing as
# MILBAL_FRAME_ANCESTORS says, and the hash of its figure script).
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
SCRIPT_HASHES = "MILBAL_SCRIPT_HASHES"

# MILBAL_COMPRESS=0 serves every response as it is (the page weight benchmark's baseline).
COMPRESS_ENV = "MILBAL_COMPRESS"
SUITES = "/_dash-component-suites/"
ASSETS = "/assets/"
PLOTLY_JS_ROUTE = "/chart/plotly.min.js"
# A URL that names its content (Dash's fingerprinted suites, an asset's ?m=<mtime>, the embed
# page's plotly.min.js?v=<digest>): the browser keeps it a year and never asks again.
IMMUTABLE = "public, max-age=31536000, immutable"
# A URL that does not (world_110m.json, which plotly.js fetches by name; the chunks Dash's
# scripts load by name, async-graph.js and the pages' plotly.min.js): kept, but asked again
# each time (ETag / Last-Modified: 304 Not Modified when unchanged).
REVALIDATE = "public, no-cache"
# Dash's own routes: its scripts, callbacks, layout and dependencies.
DASH_ROUTES = "/_dash-"
CALLBACK_ROUTE = "/_dash-update-component"
# Where Dash calls a callback's function (the frames its debug mode marks): a traceback through
# one is an error of the callback, not of the request.
_CALLBACK_MODULE = "dash._callback"
_CALLBACK_FRAMES = frozenset({"_invoke_callback", "_async_invoke_callback"})
SERVER_ERROR = "internal error: the server could not answer this request (the error is logged)\n"


def compression_enabled() -> bool:
    return os.environ.get(COMPRESS_ENV, "1").strip().lower() not in {"0", "false", "no", "off"}


def _static_key(req: Request) -> str:
    """The key of a response whose compressed form may be kept for the process's life: a
    component suite (Dash serves one file per path, whatever the fingerprint says) or the
    embed page's plotly.js. Anything else (pages, callbacks, exports) is compressed afresh."""
    path = req.path
    if path.startswith(SUITES):
        return "static:" + check_fingerprint(path)[0]
    if path == PLOTLY_JS_ROUTE:
        return "static:" + path
    return ""


class StaticCompressCache:
    """flask-compress's cache of compressed bodies, holding only the static files'
    (_static_key): plotly.js takes 0.2 s to compress, once per process rather than per
    request. Bounded, so that made-up fingerprints cannot grow it."""

    MAX_ENTRIES = 128
    LARGE = 256 * 1024

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self._store.get(key)

    def set(self, key: str, value: bytes) -> None:
        if ";static:" in key and (key in self._store or len(self._store) < self.MAX_ENTRIES):
            fresh = key not in self._store
            self._store[key] = value
            if fresh and len(value) > self.LARGE:
                # compressing plotly.js (4.8 MB) leaves ~20 MB of the compressor's freed
                # buffers with the C allocator: give them back, once per file and process
                release_free_memory()


def compress_config() -> Mapping[str, Any]:
    """flask-compress's settings (Dash's compress=True installs it): brotli where the browser
    takes it, else gzip; text, JSON, JavaScript, CSV and SVG (not PNG, PDF or PPTX, compressed
    already); Flask's streamed files (assets) compressed as they stream and still answered
    304 when unchanged."""
    return {
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_ALGORITHM_STREAMING": ["br", "gzip"],
        "COMPRESS_MIMETYPES": [
            "text/html",
            "text/css",
            "text/plain",
            "text/csv",
            "text/javascript",
            "application/javascript",
            "application/json",
            "image/svg+xml",
            "image/x-icon",
            "image/vnd.microsoft.icon",
        ],
        "COMPRESS_BR_LEVEL": 5,
        "COMPRESS_CACHE_BACKEND": StaticCompressCache,
        "COMPRESS_CACHE_KEY": _static_key,
        # Dash names its assets blueprint _dash_assets
        "COMPRESS_STREAMING_ENDPOINT_CONDITIONAL": ["static", "_dash_assets.static"],
    }


def cache_control(path: str, query: Mapping[str, str], response: Response) -> None:
    """Cache-Control for the static files (IMMUTABLE or REVALIDATE); the rest as it is."""
    if response.status_code not in (200, 304):
        return
    if path.startswith(SUITES):
        # the chunks Dash's scripts load by name (async-graph.js, plotly.min.js) carry an ETag
        fingerprinted = check_fingerprint(path)[1]
        response.headers["Cache-Control"] = IMMUTABLE if fingerprinted else REVALIDATE
    elif path.startswith(ASSETS):
        response.headers["Cache-Control"] = IMMUTABLE if query.get("m") else REVALIDATE


def _plain(text: str, status: int, headers: Mapping[str, str] | None = None) -> Response:
    return Response(text, status, headers=dict(headers or {}), mimetype="text/plain")


def _in_callback(traceback: TracebackType | None) -> bool:
    """Whether the error was raised inside a callback's own function (not in Dash's reading of
    the request around it)."""
    while traceback is not None:
        frame = traceback.tb_frame
        if (
            frame.f_code.co_name in _CALLBACK_FRAMES
            and frame.f_globals.get("__name__") == _CALLBACK_MODULE
        ):
            return True
        traceback = traceback.tb_next
    return False


def error_response(error: Exception) -> Response | HTTPException:
    """The answer to a request that raised: a malformed request to Dash's routes (a path out of
    its component suites, a callback body naming no callback, or no body of the right shape) is
    a 4xx, a bug of ours a 500; each a line of plain text, never a traceback (which the log
    keeps). Other routes' HTTP errors (404, 405, their own 400s) pass as they are."""
    path = request.path
    if isinstance(error, HTTPException):
        if not path.startswith(DASH_ROUTES) or error.code is None:
            return error
        headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        return _plain(f"{error.code} {error.name}: {error.description}\n", error.code, headers)
    if path.startswith(SUITES):
        return _plain("not found: no such file among Dash's component suites\n", 404)
    bug = _in_callback(error.__traceback__) or isinstance(error, InvalidCallbackReturnValue)
    if path == CALLBACK_ROUTE and not bug:
        return _plain(
            "bad callback request: the body names no callback of this app, or is malformed\n", 400
        )
    return _plain(SERVER_ERROR, 500)


def register_error_handlers(server: Flask) -> None:
    """Answer failures with error_response, logging each with its traceback (a 4xx as a
    warning, a 500 as an error). Dash's debug mode (milbal serve --debug) puts its own handler
    in place, which shows the traceback to the developer."""

    @server.errorhandler(Exception)
    def on_error(error: Exception):
        response = error_response(error)
        if not isinstance(error, HTTPException):
            status = response.status_code
            level = server.logger.error if status >= 500 else server.logger.warning
            level(
                "%s %s answered %s: %s",
                request.method,
                request.path[:200],
                status,
                type(error).__name__,
                exc_info=error,
            )
        return response


def register_routes(server: Flask) -> None:
    register_export_routes(server)
    register_error_handlers(server)

    @server.after_request
    def security_headers(response: Response) -> Response:
        """nosniff, same-origin referrers, and a CSP of this app's own files only, framed by
        this app only; the inline scripts of Dash's index are allowed by their hashes
        (server.config[SCRIPT_HASHES], computed at start-up by dashboard.factory)."""
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        cache_control(request.path, request.args, response)
        if "Content-Security-Policy" not in response.headers:
            scripts = server.config.get(SCRIPT_HASHES, ())
            response.headers["Content-Security-Policy"] = content_security_policy("'self'", scripts)
            response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return response

    @server.get("/data/<name>.csv")
    def table_csv(name: str):
        """A table of the catalog (data_table: the embedded file's rows as validated, or a
        table only the built-in world datasets have) through the one CSV writer, so that its
        text cells are neutralised like every other CSV's; cached like the exports, and
        answered 304 when the browser has it (ETag)."""
        known = [*TABLES, *built_in_tables()]
        if name not in known:
            message = f"unknown table {name!r}; tables: {', '.join(known)}\n"
            return Response(message, 404, mimetype="text/plain")
        try:
            content, hit = cached_bytes(
                export_key("table", name), lambda: csv_bytes(data_table(name))
            )
        except ExportError as exc:
            return Response(f"{exc}\n", 503, mimetype="text/plain")
        response = Response(content, mimetype="text/csv")
        response.headers["Content-Disposition"] = f"attachment; filename={name}.csv"
        response.headers[CACHE_HEADER] = "hit" if hit else "miss"
        response.add_etag()
        return response.make_conditional(request)
