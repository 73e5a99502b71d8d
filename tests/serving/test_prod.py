"""`milbal serve --prod`: gunicorn answers pages and callbacks on 127.0.0.1 only, logs access
lines to stdout, stops cleanly on SIGTERM; two servers sharing one Redis share exports."""

from __future__ import annotations

import json
import urllib.request

from dashboard.serving import ServeOptions, default_workers, gunicorn_options
from tests.serving.conftest import prod_servers
from tests.serving.test_headers import ROUTER_CALLBACK

LISTEN = "0A"  # TCP state LISTEN in /proc/net/tcp


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.status, dict(response.headers), response.read()


def post_json(url: str, body: dict) -> tuple[int, bytes]:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, response.read()


def listening_addresses(port: int) -> set[str]:
    """The IPv4/IPv6 addresses (hex, as the kernel gives them) listening on `port`."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]  # noqa: SIM115
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == LISTEN and int(hex_port, 16) == port:
                found.add(address)
    return found


def test_options_default_to_one_worker_per_core_on_localhost(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 6)
    assert default_workers() == 6
    options = gunicorn_options(ServeOptions())
    assert options["bind"] == ["127.0.0.1:8050"]
    assert options["workers"] == 6
    assert options["timeout"] == 60
    assert options["control_socket_disable"] is True
    assert options["accesslog"] == "-"


def test_prod_serves_pages_and_callbacks_then_stops_cleanly(tmp_path):
    runtime = tmp_path / "runtime"  # where gunicorn would put its control socket
    runtime.mkdir()
    env = {"XDG_RUNTIME_DIR": str(runtime)}
    with prod_servers(tmp_path, ("--workers", "2", "--timeout", "30"), env=env) as (server,):
        for path in ("/", "/force-ratio?terrain=mountain", "/data/countries.csv"):
            status, headers, _ = get(server.url + path)
            assert status == 200
            assert headers["X-Content-Type-Options"] == "nosniff"
            assert "default-src 'self'" in headers["Content-Security-Policy"]
        status, body = post_json(server.url + "/_dash-update-component", ROUTER_CALLBACK)
        assert status == 200
        assert b"Compare two countries" in body

        assert listening_addresses(server.port) == {"0100007F"}  # 127.0.0.1 only

        assert server.stop() == 0
        out, err = server.output(), server.errors()
    assert f"serving on {server.url} with gunicorn, 2 workers, timeout 30 s" in out
    assert '"GET /force-ratio?terrain=mountain HTTP/1.1" 200' in out
    assert '"POST /_dash-update-component HTTP/1.1" 200' in out
    assert f"Listening at: {server.url}" in err
    assert err.count("Booting worker") == 2
    assert "Shutting down: Master" in err
    assert "Traceback" not in err
    assert list(runtime.iterdir()) == []  # no control socket


def test_two_servers_share_one_redis(tmp_path, redis_url):
    """An export drawn by one gunicorn is served from Redis by another, byte for byte."""
    env = {"MILBAL_CACHE_URL": redis_url}
    one, two = ("--workers", "1"), ("--workers", "1")
    with prod_servers(tmp_path, one, two, env=env) as (first, second):
        url = "/chart/force-ratio.png?a=AZE&b=ARM&terrain=mountain&width=800&height=450"
        status, headers, drawn = get(first.url + url)
        assert status == 200
        assert headers["X-Milbal-Cache"] == "miss"
        status, headers, served = get(second.url + url)
        assert status == 200
        assert headers["X-Milbal-Cache"] == "hit"
        assert served == drawn
        assert served.startswith(b"\x89PNG")
        csv_url = "/chart/force-ratio.csv?a=AZE&b=ARM"
        assert get(second.url + csv_url)[1]["X-Milbal-Cache"] == "miss"
        assert get(first.url + csv_url)[1]["X-Milbal-Cache"] == "hit"
        assert first.stop() == 0 and second.stop() == 0
    for server in (first, second):
        assert f"export cache {redis_url}" in server.output()
