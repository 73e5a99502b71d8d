"""Malformed requests to Dash's own routes: a path out of the component suites, a callback body
that is not one. Each is answered 4xx with a line of plain text; the traceback goes to the server
log only. A callback of ours that raises is a 500, still without a traceback in the body."""

from __future__ import annotations

import json
import logging

import pytest
from dash import Dash, Input, Output, html

from dashboard.routes import SERVER_ERROR, register_error_handlers

CALLBACK = "/_dash-update-component"
ROUTER_CALLBACK = {
    "output": "page.children",
    "outputs": {"id": "page", "property": "children"},
    "inputs": [{"id": "url", "property": "pathname", "value": "/"}],
    "state": [{"id": "url", "property": "search", "value": ""}],
    "changedPropIds": ["url.pathname"],
}
TRAVERSALS = [
    "/_dash-component-suites/../../app.py",
    "/_dash-component-suites/..%2f..%2fapp.py",
    "/_dash-component-suites/..%2F..%2Fapp.py",
    "/_dash-component-suites/dash/..%2f..%2f..%2fapp.py",
    "/_dash-component-suites/dash/deps/..%2f..%2f__init__.py",
    "/_dash-component-suites/dash/%2e%2e/%2e%2e/app.py",
    "/_dash-component-suites/plotly/..%2f..%2fdashboard%2fcli.py",
    "/_dash-component-suites/dash/dcc/%00.js",
    "/_dash-component-suites/nope/x.js",
    "/_dash-component-suites/dash/nope.js",
]


def unknown_output(output_id: str) -> dict:
    return {
        "output": f"{output_id}.children",
        "outputs": {"id": output_id, "property": "children"},
        "inputs": [],
        "changedPropIds": [],
    }


BODIES = {
    "null": "null",
    "empty-list": "[]",
    "empty-object": "{}",
    "string": '"page.children"',
    "output-only": '{"output": "page.children"}',
    "output-not-text": '{"output": 5}',
    "unknown-output": json.dumps(unknown_output("nope")),
    "100-kb-output": json.dumps(unknown_output("x" * 100_000)),
    "inputs-null": json.dumps({**ROUTER_CALLBACK, "inputs": None}),
    "input-not-object": json.dumps({**ROUTER_CALLBACK, "inputs": [1]}),
    "invalid-json": '{"output": ',
}


def assert_plain(response, status: int) -> str:
    body = response.get_data(as_text=True)
    assert response.status_code == status, body[:200]
    assert response.mimetype == "text/plain"
    assert "Traceback" not in body and 'File "' not in body
    assert len(body) < 300 and body.count("\n") == 1
    return body


class TestComponentSuites:
    @pytest.mark.parametrize("path", TRAVERSALS)
    def test_out_of_the_suites_is_404(self, client, caplog, path):
        with caplog.at_level(logging.WARNING):
            response = client.get(path)
        assert assert_plain(response, 404).startswith("not found")
        logged = [r for r in caplog.records if r.exc_info]
        assert logged and logged[-1].levelno == logging.WARNING

    def test_a_real_suite_file_is_still_served(self, client):
        response = client.get("/_dash-component-suites/dash/dcc/dash_core_components.js")
        assert response.status_code == 200

    def test_security_headers_on_the_error(self, client):
        response = client.get(TRAVERSALS[1])
        assert response.headers["X-Content-Type-Options"] == "nosniff"


class TestCallbackRoute:
    @pytest.mark.parametrize("name", list(BODIES))
    def test_malformed_body_is_400(self, client, caplog, name):
        with caplog.at_level(logging.WARNING):
            response = client.post(CALLBACK, data=BODIES[name], content_type="application/json")
        body = assert_plain(response, 400)
        assert "x" * 100 not in body
        if name != "invalid-json":  # Flask's own 400, raised before Dash reads anything
            assert any(r.exc_info for r in caplog.records)

    def test_body_without_content_type_is_415(self, client):
        assert_plain(client.post(CALLBACK, data="null"), 415)

    def test_the_router_still_answers(self, client):
        assert client.post(CALLBACK, json=ROUTER_CALLBACK).status_code == 200


@pytest.fixture(scope="module")
def failing_app(app):
    """A small Dash app with our error handlers and a callback that fails (after the
    dashboard's app, so that it takes none of the pages' callbacks)."""
    small = Dash(__name__)
    small.layout = html.Div([html.Button(id="go"), html.Div(id="out")])

    @small.callback(Output("out", "children"), Input("go", "n_clicks"))
    def broken(n_clicks):
        raise ValueError("a bug of ours")

    register_error_handlers(small.server)
    return small


def test_a_failing_callback_of_ours_is_500_without_traceback(failing_app, caplog):
    body = {
        "output": "out.children",
        "outputs": {"id": "out", "property": "children"},
        "inputs": [{"id": "go", "property": "n_clicks", "value": 1}],
        "changedPropIds": ["go.n_clicks"],
    }
    with caplog.at_level(logging.ERROR):
        response = failing_app.server.test_client().post(CALLBACK, json=body)
    assert assert_plain(response, 500) == SERVER_ERROR
    assert "a bug of ours" not in response.get_data(as_text=True)
    errors = [r for r in caplog.records if r.levelno == logging.ERROR and r.exc_info]
    assert errors and "a bug of ours" in str(errors[-1].exc_info[1])
