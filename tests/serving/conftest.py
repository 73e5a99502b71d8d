"""Fixtures of the serving tests: `milbal serve --prod` in a subprocess, a real redis-server
on 127.0.0.1, the in-process app."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT, _free_port, missing

START_TIMEOUT_S = 90


@dataclass
class ProdServer:
    """A running `milbal serve --prod`: its URL, process and output files."""

    url: str
    port: int
    proc: subprocess.Popen
    stdout: Path
    stderr: Path

    def output(self) -> str:
        return self.stdout.read_text()

    def errors(self) -> str:
        return self.stderr.read_text()

    def stop(self, timeout: float = 20) -> int:
        """SIGTERM (gunicorn's graceful stop); the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise


def start_prod(folder: Path, *args: str, env: dict[str, str] | None = None) -> ProdServer:
    """Start `milbal serve --prod ARGS` on a free port of 127.0.0.1 (not waiting for it)."""
    port = _free_port()
    stdout, stderr = folder / f"serve-{port}.out", folder / f"serve-{port}.err"
    with stdout.open("w") as out, stderr.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "dashboard.cli", "serve", "--prod", "--port", str(port), *args],
            cwd=ROOT,
            stdout=out,
            stderr=err,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
    return ProdServer(f"http://127.0.0.1:{port}", port, proc, stdout, stderr)


def wait_ready(server: ProdServer) -> None:
    """Until the server answers / with 200; a failure names what it printed."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if server.proc.poll() is not None:
            pytest.fail(f"milbal serve --prod exited early:\n{server.errors()}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(server.url + "/", timeout=2) as response,
        ):
            if response.status == 200:
                return
        if time.monotonic() > deadline:
            pytest.fail(f"milbal serve --prod did not answer within {START_TIMEOUT_S} s")
        time.sleep(0.2)


@contextlib.contextmanager
def prod_servers(folder: Path, *argsets: tuple[str, ...], env=None) -> Iterator[list[ProdServer]]:
    """Several `milbal serve --prod` started together, ready; every one stopped after."""
    servers = [start_prod(folder, *args, env=env) for args in argsets]
    try:
        for server in servers:
            wait_ready(server)
        yield servers
    finally:
        for server in servers:
            if server.proc.poll() is None:
                server.proc.kill()
                server.proc.wait()


@pytest.fixture
def redis_url(tmp_path) -> Iterator[str]:
    """Debian's redis-server on 127.0.0.1 and a free port, nothing saved to disk; its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        missing("redis-server not found (apt-get install redis-server)")
    port = _free_port()
    log = (tmp_path / "redis.log").open("w")
    options = ["--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
    proc = subprocess.Popen(
        [binary, *options, "--dir", str(tmp_path)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        import redis

        client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    output = (tmp_path / "redis.log").read_text()
                    pytest.fail(f"redis-server did not start:\n{output}")
                time.sleep(0.05)
        client.close()
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def clear_caches() -> None:
    """Everything cached from the data (catalog, rendered charts, names, citations), so the
    next call reads the folders the environment names."""
    from dashboard import charts, cite
    from dashboard.charts import common
    from dashboard.pages import overview
    from validation import load_catalog

    load_catalog.cache_clear()
    charts._render.cache_clear()
    overview._content.cache_clear()
    common._names.cache_clear()
    cite._embedded_citations.cache_clear()


@pytest.fixture(scope="session")
def app():
    from dashboard.factory import create_app

    return create_app()


@pytest.fixture(scope="session")
def client(app):
    return app.server.test_client()
