"""Every chart of the registry taken out of the dashboard: its data as CSV, its figure as PNG,
SVG, PDF, standalone HTML or plotly JSON, an embeddable page, and a PowerPoint briefing
(dashboard.export.briefing, imported where it is used: it loads python-pptx)."""

from dashboard.export.embed import embed_page
from dashboard.export.figures import (
    IMAGE_FORMATS,
    ExportError,
    export_figure,
    to_html,
    to_image,
    to_json,
)
from dashboard.export.tables import chart_table, file_name, neutralise, to_csv

FORMATS = ("csv", "png", "svg", "pdf", "html", "json")

__all__ = [
    "FORMATS",
    "IMAGE_FORMATS",
    "ExportError",
    "chart_table",
    "embed_page",
    "export_figure",
    "file_name",
    "neutralise",
    "to_csv",
    "to_html",
    "to_image",
    "to_json",
]
