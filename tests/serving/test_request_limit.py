"""Request bodies over the server's limit (dashboard.factory.max_request_bytes) are refused with
413 and a line of plain text on every route, before they are read; the largest upload /data
checks, and every ordinary callback, still pass."""

from __future__ import annotations

import base64
import io
import json

import pytest

from dashboard.factory import REQUEST_MARGIN_BYTES, max_request_bytes
from dashboard.pages.data import max_upload_bytes

MB = 1024 * 1024
ROUTER_CALLBACK = {
    "output": "page.children",
    "outputs": {"id": "page", "property": "children"},
    "inputs": [{"id": "url", "property": "pathname", "value": "/data"}],
    "state": [{"id": "url", "property": "search", "value": ""}],
    "changedPropIds": ["url.pathname"],
}


class Body(io.RawIOBase):
    """A request body of `size` bytes made as it is read, counting what the server reads."""

    def __init__(self, size: int):
        self.size = size
        self.position = 0
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = 0) -> int:
        self.position = {0: offset, 1: self.position + offset, 2: self.size + offset}[whence]
        return self.position

    def readinto(self, buffer) -> int:
        n = max(0, min(len(buffer), self.size - self.position))
        buffer[:n] = b" " * n
        self.position += n
        self.read_bytes += n
        return n


def assert_refused(response) -> None:
    assert response.status_code == 413
    assert response.mimetype == "text/plain"
    limit = f"{max_request_bytes() / MB:.0f} MB"
    assert response.get_data(as_text=True) == (
        f"request too large: this server reads at most {limit}\n"
    )
    assert "Content-Security-Policy" in response.headers


def test_the_limit_takes_the_largest_upload_as_base64(app):
    assert app.server.config["MAX_CONTENT_LENGTH"] == max_request_bytes()
    assert max_request_bytes() >= max_upload_bytes() * 4 / 3 + REQUEST_MARGIN_BYTES
    assert max_request_bytes() < max_upload_bytes() * 4 / 3 + 2 * REQUEST_MARGIN_BYTES


@pytest.mark.parametrize("megabytes", [133, 400])
@pytest.mark.parametrize("path", ["/_dash-update-component", "/data", "/chart/force-ratio"])
def test_large_bodies_refused_unread(client, path, megabytes):
    body = Body(megabytes * MB)
    response = client.post(
        path, input_stream=body, content_length=body.size, content_type="application/json"
    )
    assert_refused(response)
    assert body.read_bytes == 0


def test_a_body_without_a_length_is_cut_at_the_limit(client):
    body = Body(133 * MB)
    response = client.post(
        "/_dash-update-component",
        environ_overrides={"wsgi.input": body, "wsgi.input_terminated": True},
        headers={"Transfer-Encoding": "chunked", "Content-Type": "application/json"},
    )
    assert_refused(response)
    assert body.read_bytes <= max_request_bytes() + 64 * 1024


def test_a_small_body_without_a_length_is_read(client):
    data = json.dumps(ROUTER_CALLBACK).encode()
    response = client.post(
        "/_dash-update-component",
        environ_overrides={"wsgi.input": io.BytesIO(data), "wsgi.input_terminated": True},
        headers={"Transfer-Encoding": "chunked", "Content-Type": "application/json"},
    )
    assert response.status_code == 200
    assert "Data catalogue" in response.get_data(as_text=True)


def test_an_ordinary_callback_still_works(client):
    response = client.post("/_dash-update-component", json=ROUTER_CALLBACK)
    assert response.status_code == 200
    assert "Data catalogue" in response.get_data(as_text=True)


def test_the_largest_upload_reaches_its_check(client):
    """A file of the upload cap, as the browser sends it (a base64 data URL in the upload
    callback), is read and answered by the callback, not refused by the server."""
    contents = "data:text/csv;base64," + base64.b64encode(b"\0" * max_upload_bytes()).decode()
    pending = {"contents": contents, "filename": "big.csv", "kind": "gmi"}
    callback = {
        "output": "..data-upload-result.children...data-upload-store.data..",
        "outputs": [
            {"id": "data-upload-result", "property": "children"},
            {"id": "data-upload-store", "property": "data"},
        ],
        "inputs": [{"id": "data-upload-pending", "property": "data", "value": pending}],
        "changedPropIds": ["data-upload-pending.data"],
    }
    body = json.dumps(callback).encode()
    assert len(body) > max_upload_bytes() * 4 / 3
    response = client.post("/_dash-update-component", data=body, content_type="application/json")
    assert response.status_code == 200
    assert "big.csv:1: -: NUL byte at character 1: binary data" in response.get_data(as_text=True)
