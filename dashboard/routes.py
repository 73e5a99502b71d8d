"""Plain HTTP routes beside the Dash pages: table downloads."""

from __future__ import annotations

from flask import Flask, Response, abort, send_file

from dashboard.export.routes import register_export_routes
from validation import datasets_dir
from validation.schemas import MODELS


def register_routes(server: Flask) -> None:
    register_export_routes(server)

    @server.get("/data/<name>.csv")
    def table_csv(name: str):
        """The embedded table's file as it is in datasets/ (it is validated at start-up)."""
        if name not in MODELS:
            abort(
                Response(
                    f"unknown table {name!r}; tables: {', '.join(MODELS)}\n",
                    404,
                    mimetype="text/plain",
                )
            )
        return send_file(
            datasets_dir() / f"{name}.csv",
            mimetype="text/csv",
            as_attachment=True,
            download_name=f"{name}.csv",
        )
