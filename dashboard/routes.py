"""Plain HTTP routes beside the Dash pages (table downloads), and the security headers every
response carries."""

from __future__ import annotations

from flask import Flask, Response, abort, send_file

from dashboard.export.routes import content_security_policy, register_export_routes
from validation import datasets_dir, load_catalog
from validation.schemas import MODELS

# Set on every response that does not set its own (the embed page sets its CSP: framing as
# MILBAL_FRAME_ANCESTORS says, and the hash of its figure script).
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
SCRIPT_HASHES = "MILBAL_SCRIPT_HASHES"


def register_routes(server: Flask) -> None:
    register_export_routes(server)

    @server.after_request
    def security_headers(response: Response) -> Response:
        """nosniff, same-origin referrers, and a CSP of this app's own files only, framed by
        this app only; the inline scripts of Dash's index are allowed by their hashes
        (server.config[SCRIPT_HASHES], computed at start-up by dashboard.factory)."""
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if "Content-Security-Policy" not in response.headers:
            scripts = server.config.get(SCRIPT_HASHES, ())
            response.headers["Content-Security-Policy"] = content_security_policy("'self'", scripts)
            response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return response

    @server.get("/data/<name>.csv")
    def table_csv(name: str):
        """The embedded table's file as it is in datasets/ (it is validated at start-up); a
        table only the built-in world datasets have (battles, capabilities) as loaded."""
        catalog = load_catalog()
        built_in = {t for r in catalog.world.values() for t in r.get("rows", {})} - set(MODELS)
        if name in built_in:
            return Response(
                catalog[name].to_csv(index=False, lineterminator="\n"),
                mimetype="text/csv",
                headers={"Content-Disposition": f"attachment; filename={name}.csv"},
            )
        if name not in MODELS:
            known = ", ".join([*MODELS, *sorted(built_in)])
            abort(
                Response(f"unknown table {name!r}; tables: {known}\n", 404, mimetype="text/plain")
            )
        return send_file(
            datasets_dir() / f"{name}.csv",
            mimetype="text/csv",
            as_attachment=True,
            download_name=f"{name}.csv",
        )
