"""Every chart of the registry taken out of the dashboard: its data as CSV, its figure as PNG,
SVG, PDF, standalone HTML or plotly JSON, an embeddable page, and a PowerPoint briefing
(dashboard.export.briefing, imported where it is used: it loads python-pptx)."""

from collections.abc import Mapping
from typing import Any

from dashboard.charts import Rendered
from dashboard.export.embed import embed_page
from dashboard.export.figures import (
    DEFAULT_HEIGHT,
    DEFAULT_SCALE,
    DEFAULT_WIDTH,
    IMAGE_FORMATS,
    ExportError,
    export_figure,
    to_html,
    to_image,
    to_json,
)
from dashboard.export.tables import chart_table, file_name, neutralise, to_csv

FORMATS = ("csv", "png", "svg", "pdf", "html", "json")


class NoData(LookupError):
    """A chart with nothing to draw for its parameters: exporting it would give an empty file
    that looks like a result. The message says why (a route answers 404, the CLI exits 1)."""


def no_data_reason(rendered: Rendered) -> str | None:
    """Why this chart has nothing to draw, or None when it has data."""
    if rendered.error is not None:
        return rendered.error
    if rendered.data.empty:
        return "the chart has no rows for these parameters"
    return None


def require_data(rendered: Rendered) -> None:
    """NoData naming the chart and the reason, when it has nothing to draw."""
    reason = no_data_reason(rendered)
    if reason is not None:
        raise NoData(f"{rendered.chart.slug}: no data for these parameters: {reason}")


def export_chart(rendered: Rendered, ext: str, size: Mapping[str, Any] | None = None) -> bytes:
    """The chart as a file of format `ext` (one of FORMATS); images at size width, height,
    scale. Every export of one chart comes through here (routes, CLI): a chart with no data
    raises NoData instead of giving an empty file."""
    require_data(rendered)
    if ext == "csv":
        return to_csv(rendered)
    if ext in IMAGE_FORMATS:
        size = size or {}
        return to_image(
            rendered,
            ext,
            size.get("width", DEFAULT_WIDTH),
            size.get("height", DEFAULT_HEIGHT),
            size.get("scale", DEFAULT_SCALE),
        )
    if ext == "html":
        return to_html(rendered)
    return to_json(rendered)


__all__ = [
    "FORMATS",
    "IMAGE_FORMATS",
    "ExportError",
    "NoData",
    "chart_table",
    "embed_page",
    "export_chart",
    "export_figure",
    "file_name",
    "neutralise",
    "no_data_reason",
    "require_data",
    "to_csv",
    "to_html",
    "to_image",
    "to_json",
]
