"""HTTP routes of the exports: /chart/index.json, /chart/<slug>.<ext>, the embed page
/chart/<slug> and /briefing.pptx. Bad input answers 4xx with a plain message naming the
parameter; nothing answers a traceback."""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

from flask import Flask, Response, request

from dashboard.cache import cached_bytes, export_key
from dashboard.charts import Chart, get_chart, load_charts, render
from dashboard.export import FORMATS, NoData, export_chart
from dashboard.export.embed import embed_page, plotly_js_version
from dashboard.export.figures import (
    DEFAULT_HEIGHT,
    DEFAULT_SCALE,
    DEFAULT_WIDTH,
    HEIGHT_RANGE,
    IMAGE_FORMATS,
    SCALE_RANGE,
    WIDTH_RANGE,
    ExportError,
    ImageQueueFull,
    check_size,
    full_view_query,
    plotly_js,
)
from dashboard.export.tables import file_name
from dashboard.params import Param, ParamError, parse_query, settle_unstated
from validation import load_catalog

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "json": "application/json",
}
# Image size options. A chart parameter of the same name (equipment-counts has a `scale`)
# takes the plain name; the image option is then given as image_<name>.
IMAGE_OPTIONS = (
    Param("width", "Image width (px)", "int", DEFAULT_WIDTH, lo=WIDTH_RANGE[0], hi=WIDTH_RANGE[1]),
    Param(
        "height", "Image height (px)", "int", DEFAULT_HEIGHT, lo=HEIGHT_RANGE[0], hi=HEIGHT_RANGE[1]
    ),
    Param("scale", "Image scale", "percent", DEFAULT_SCALE, lo=SCALE_RANGE[0], hi=SCALE_RANGE[1]),
)
FRAME_ANCESTORS_ENV = "MILBAL_FRAME_ANCESTORS"
CACHE_HEADER = "X-Milbal-Cache"
# Scripts in a page that the browser runs: not a src= script, not a data block (JSON); HTML
# comments first removed (Dash's index has an IE-only script inside one).
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
_DATA_TYPE = re.compile(r"""\btype\s*=\s*["']?application/json""", re.I)
# An image size as ASCII digits with a decimal point at most: int() and float() would also take
# other scripts' digits (Arabic-Indic, fullwidth), underscores (1_000), exponents and nan.
_SIZE_NUMBER = re.compile(r" *(?:[0-9]+\.?[0-9]*|\.[0-9]+) *")


def _text(message: str, status: int) -> Response:
    response = Response(message.rstrip("\n") + "\n", status, mimetype="text/plain")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _unavailable(exc: ExportError) -> Response:
    """503 with the reason; with Retry-After when images wait in a full queue."""
    response = _text(str(exc), 503)
    if isinstance(exc, ImageQueueFull):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def frame_ancestors() -> str:
    """The CSP frame-ancestors sources from MILBAL_FRAME_ANCESTORS (default '*', any site),
    kept to one directive on one line."""
    value = os.environ.get(FRAME_ANCESTORS_ENV, "").split(";")[0]
    value = " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", value).split())
    return value or "*"


def inline_script_hashes(page: str) -> tuple[str, ...]:
    """The CSP sources ('sha256-...') of every inline script `page` runs."""
    hashes = []
    for match in _SCRIPT.finditer(_COMMENT.sub("", page)):
        attributes, body = match.groups()
        if re.search(r"\bsrc\s*=", attributes, re.I) or _DATA_TYPE.search(attributes):
            continue
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    return tuple(dict.fromkeys(hashes))


def content_security_policy(frame_sources: str = "'self'", scripts: Iterable[str] = ()) -> str:
    """The Content-Security-Policy of every response (the one place that builds it): this
    app's own files only, nothing from outside. `scripts` are the hashes of the inline scripts
    the page runs (Dash's renderer and its inline clientside callbacks; the embed page's
    figure); inline styles are allowed because plotly.js and Dash's components set them;
    `frame_sources` says who may frame the page ('self', or MILBAL_FRAME_ANCESTORS for the
    embed page)."""
    script_src = " ".join(("'self'", *scripts))
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src {script_src}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {frame_sources}",
        )
    )


def _query() -> dict[str, str]:
    """The request's query as one value per key; a key given twice is an error naming it."""
    args = request.args
    for key in args:
        if len(args.getlist(key)) > 1:
            raise ParamError(f"{key}: given more than once")
    return args.to_dict()


def image_options(chart: Chart) -> tuple[Param, ...]:
    """The image size options for this chart, renamed image_<name> where the chart has a
    parameter of that name."""
    own = {p.name for p in chart.params}
    return tuple(
        Param(f"image_{p.name}", p.label, p.kind, p.default, lo=p.lo, hi=p.hi)
        if p.name in own
        else p
        for p in IMAGE_OPTIONS
    )


def parse_chart_query(
    chart: Chart, query: Mapping[str, str], image: bool = False
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(chart parameter values, image size values) from a query, strictly: an unknown key or a
    bad value raises ParamError naming it. Image options are accepted only when `image`."""
    options = image_options(chart) if image else ()
    for p in options:
        raw = query.get(p.name, "")
        if raw and not _SIZE_NUMBER.fullmatch(raw):
            raise ParamError(
                f"{p.name}: {raw!r} is not a number in ASCII digits (0-9, with a decimal point "
                "at most)"
            )
    catalog = load_catalog()
    values, _ = parse_query((*chart.params, *options), query, catalog, strict=True)
    settle_unstated(chart.params, values, query, catalog)
    size = {p.name.removeprefix("image_"): values.pop(p.name) for p in options}
    if options:
        try:
            names = tuple(p.name for p in options)
            check_size(size["width"], size["height"], size["scale"], names=names)
        except ValueError as exc:
            raise ParamError(str(exc)) from None
    return values, size


def _stated(chart: Chart, query: Mapping[str, str], values: Mapping[str, Any]) -> dict[str, Any]:
    """The chart parameters the query gave, in the chart's order: what a file is named after."""
    return {p.name: values[p.name] for p in chart.params if query.get(p.name, "") != ""}


def _download(content: bytes, ext: str, name: str, hit: bool) -> Response:
    response = Response(content, 200, content_type=MIMETYPES[ext])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers[CACHE_HEADER] = "hit" if hit else "miss"
    return response


def chart_index() -> dict[str, Any]:
    """Every chart: slug, title, page, units, parameters (kind, default, allowed values in
    codes and in people's words, or range) and the URLs of its outputs. A default of null is
    decided by the data (the force ratio's measure: the best the pair has that year)."""
    catalog = load_catalog()

    def described(p: Param) -> dict[str, Any]:
        default = list(p.default) if isinstance(p.default, tuple) else p.default
        entry: dict[str, Any] = {"name": p.name, "label": p.label, "kind": p.kind}
        entry["default"] = default
        if p.kind in ("choice", "multi"):
            entry["allowed"] = p.allowed(catalog)
            if p.labels is not None or p.words is not None:
                entry["labels"] = [p.label_of(catalog, v) for v in entry["allowed"]]
            if p.narrow is not None:
                entry["narrowed"] = (
                    "only the values that report the other parameters' selection are taken"
                )
        else:
            entry["min"], entry["max"] = p.lo, p.hi
        return entry

    charts = []
    for chart in load_charts().values():
        charts.append(
            {
                "slug": chart.slug,
                "title": chart.title,
                "page": chart.page,
                "units": chart.units,
                "needs_import": list(chart.needs),
                "params": [described(p) for p in chart.params],
                "image_options": [described(p) for p in image_options(chart)],
                "embed": f"/chart/{chart.slug}",
                "formats": {ext: f"/chart/{chart.slug}.{ext}" for ext in FORMATS},
            }
        )
    return {"charts": charts, "briefing": "/briefing.pptx?charts=<slug>,<slug>&<params>"}


def register_export_routes(server: Flask) -> None:
    @server.get("/chart/index.json")
    def chart_index_json():
        return chart_index()

    @server.get("/chart/plotly.min.js")
    def chart_plotly_js():
        """plotly.js for the embed page: kept a year under the URL the page names (its digest
        in ?v=), else revalidated (ETag); compressed like every response."""
        response = Response(plotly_js(), 200, mimetype="text/javascript")
        immutable = request.args.get("v") == plotly_js_version()
        response.headers["Cache-Control"] = (
            "public, max-age=31536000, immutable" if immutable else "public, no-cache"
        )
        response.add_etag()
        return response.make_conditional(request)

    @server.get("/chart/<slug>.<any(csv, png, svg, pdf, html, json):ext>")
    def chart_export(slug: str, ext: str):
        chart = get_chart(slug)
        if chart is None:
            return _text(f"unknown chart {slug!r}; the charts are listed at /chart/index.json", 404)
        try:
            query = _query()
            values, size = parse_chart_query(chart, query, image=ext in IMAGE_FORMATS)
            # Keyed on the parsed values (a=aze and a=AZE are one file), not the raw query.
            key = export_key("chart", slug, ext, sorted(values.items()), sorted(size.items()))
            content, hit = cached_bytes(key, lambda: export_chart(render(slug, values), ext, size))
        except ParamError as exc:
            return _text(str(exc), 400)
        except NoData as exc:
            return _text(str(exc), 404)
        except ExportError as exc:
            return _unavailable(exc)
        return _download(content, ext, file_name(slug, _stated(chart, query, values), ext), hit)

    @server.get("/chart/<slug>")
    def chart_embed(slug: str):
        chart = get_chart(slug)
        if chart is None:
            return _text(f"unknown chart {slug!r}; the charts are listed at /chart/index.json", 404)
        try:
            values, _ = parse_chart_query(chart, _query())
        except ParamError as exc:
            return _text(str(exc), 400)
        rendered = render(slug, values)
        page = embed_page(rendered, full_view_query(rendered))
        # The page has one inline script (the figure); were a label ever to open another,
        # none would be allowed to run.
        scripts = inline_script_hashes(page)
        response = Response(page, 200)
        response.mimetype = "text/html"
        response.headers["Content-Security-Policy"] = content_security_policy(
            frame_ancestors(), scripts if len(scripts) == 1 else ()
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @server.get("/briefing.pptx")
    def briefing_pptx():
        from dashboard.export.briefing import UnknownChart, build_briefing

        try:
            query = _query()
            slugs = query.get("charts", "").split(",")
            key = export_key("briefing", sorted(query.items()))
            content, hit = cached_bytes(key, lambda: build_briefing(slugs, query))
        except (UnknownChart, NoData) as exc:
            return _text(str(exc), 404)
        except ParamError as exc:
            return _text(str(exc), 400)
        except ExportError as exc:
            return _unavailable(exc)
        response = Response(
            content,
            200,
            mimetype="application/vnd.openxmlformats-officedocument.presentationml.presentation",
        )
        name = file_name("briefing", {"charts": [s for s in slugs if s.strip()]}, "pptx")
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        response.headers[CACHE_HEADER] = "hit" if hit else "miss"
        return response
