"""HTTP routes of the exports: /chart/index.json, /chart/<slug>.<ext>, the embed page
/chart/<slug> and /briefing.pptx. Bad input answers 4xx with a plain message naming the
parameter; nothing answers a traceback."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, request

from dashboard.charts import Chart, Rendered, get_chart, load_charts, render
from dashboard.export import FORMATS
from dashboard.export.embed import embed_page
from dashboard.export.figures import (
    DEFAULT_HEIGHT,
    DEFAULT_SCALE,
    DEFAULT_WIDTH,
    HEIGHT_RANGE,
    IMAGE_FORMATS,
    SCALE_RANGE,
    WIDTH_RANGE,
    ExportError,
    full_view_query,
    plotly_js,
    to_html,
    to_image,
    to_json,
)
from dashboard.export.tables import file_name, to_csv
from dashboard.params import Param, ParamError, parse_query
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


def _text(message: str, status: int) -> Response:
    response = Response(message.rstrip("\n") + "\n", status, mimetype="text/plain")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def frame_ancestors() -> str:
    """The CSP frame-ancestors sources from MILBAL_FRAME_ANCESTORS (default '*', any site),
    kept to one directive on one line."""
    value = os.environ.get(FRAME_ANCESTORS_ENV, "").split(";")[0]
    value = " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", value).split())
    return value or "*"


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
    values, _ = parse_query((*chart.params, *options), query, load_catalog(), strict=True)
    size = {p.name.removeprefix("image_"): values.pop(p.name) for p in options}
    return values, size


def _stated(chart: Chart, query: Mapping[str, str], values: Mapping[str, Any]) -> dict[str, Any]:
    """The chart parameters the query gave, in the chart's order: what a file is named after."""
    return {p.name: values[p.name] for p in chart.params if query.get(p.name, "") != ""}


def _download(content: bytes, ext: str, name: str) -> Response:
    response = Response(content, 200, mimetype=MIMETYPES[ext])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def chart_index() -> dict[str, Any]:
    """Every chart: slug, title, page, units, parameters (kind, default, allowed values or
    range) and the URLs of its outputs."""
    catalog = load_catalog()

    def described(p: Param) -> dict[str, Any]:
        default = list(p.default) if isinstance(p.default, tuple) else p.default
        entry: dict[str, Any] = {"name": p.name, "label": p.label, "kind": p.kind}
        entry["default"] = default
        if p.kind in ("choice", "multi"):
            entry["allowed"] = p.allowed(catalog)
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


def _export(rendered: Rendered, ext: str, size: Mapping[str, Any]) -> bytes:
    if ext == "csv":
        return to_csv(rendered)
    if ext in IMAGE_FORMATS:
        return to_image(rendered, ext, size["width"], size["height"], size["scale"])
    if ext == "html":
        return to_html(rendered)
    return to_json(rendered)


def register_export_routes(server: Flask) -> None:
    @server.get("/chart/index.json")
    def chart_index_json():
        return chart_index()

    @server.get("/chart/plotly.min.js")
    def chart_plotly_js():
        response = Response(plotly_js(), 200, mimetype="text/javascript")
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response

    @server.get("/chart/<slug>.<any(csv, png, svg, pdf, html, json):ext>")
    def chart_export(slug: str, ext: str):
        chart = get_chart(slug)
        if chart is None:
            return _text(f"unknown chart {slug!r}; the charts are listed at /chart/index.json", 404)
        try:
            query = _query()
            values, size = parse_chart_query(chart, query, image=ext in IMAGE_FORMATS)
            content = _export(render(slug, values), ext, size)
        except ParamError as exc:
            return _text(str(exc), 400)
        except ExportError as exc:
            return _text(str(exc), 503)
        return _download(content, ext, file_name(slug, _stated(chart, query, values), ext))

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
        response = Response(embed_page(rendered, full_view_query(rendered)), 200)
        response.mimetype = "text/html"
        response.headers["Content-Security-Policy"] = f"frame-ancestors {frame_ancestors()}"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @server.get("/briefing.pptx")
    def briefing_pptx():
        from dashboard.export.briefing import UnknownChart, build_briefing

        try:
            query = _query()
            slugs = query.get("charts", "").split(",")
            content = build_briefing(slugs, query)
        except UnknownChart as exc:
            return _text(str(exc), 404)
        except ParamError as exc:
            return _text(str(exc), 400)
        except ExportError as exc:
            return _text(str(exc), 503)
        response = Response(
            content,
            200,
            mimetype="application/vnd.openxmlformats-officedocument.presentationml.presentation",
        )
        name = file_name("briefing", {"charts": [s for s in slugs if s.strip()]}, "pptx")
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
