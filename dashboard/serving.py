"""`milbal serve --prod`: the dashboard under gunicorn.

The app is built and warmed up once in the master process (catalog validated, every chart's
data computed), then forked into the workers, which share those pages of memory. Workers are
stateless: an upload lives in the browser's session store, exports in the shared cache
(dashboard.cache), so any worker, on any host, answers any request."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

DEFAULT_TIMEOUT_S = 60
# Threads per worker: a slow request (a large image waiting in its lane, dashboard.export
# .figures) holds one thread, and the worker's other threads answer pages and small images
# meanwhile; every cache and lane of a process is shared by its threads and thread-safe.
THREADS = 6
# Large images that may wait in a worker (each holding a thread, dashboard.export.figures
# .limit_waiting): with the one being drawn, half the threads; the others answer pages and
# small images, which a queue of large ones never reaches.
LARGE_WAITING = THREADS // 2 - 1


def default_workers() -> int:
    """One worker per core."""
    return os.cpu_count() or 1


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8050
    workers: int = 0  # 0: one per core
    timeout: int = DEFAULT_TIMEOUT_S


def gunicorn_options(options: ServeOptions) -> dict[str, Any]:
    """gunicorn's settings: threaded workers (THREADS requests at a time each; a worker whose
    main loop is silent for `timeout` is killed and replaced, and the work of one request is
    bounded by its own limits: image renders by RENDER_TIMEOUT, bodies by MAX_CONTENT_LENGTH),
    access log on stdout, errors on stderr, no control socket, the app loaded before forking."""
    host = f"[{options.host}]" if ":" in options.host else options.host
    return {
        "bind": [f"{host}:{options.port}"],
        "workers": options.workers or default_workers(),
        "worker_class": "gthread",
        "threads": THREADS,
        "timeout": options.timeout,
        "graceful_timeout": min(options.timeout, 30),
        "keepalive": 5,
        "accesslog": "-",
        "errorlog": "-",
        "control_socket_disable": True,
        "preload_app": True,
        "proc_name": "milbal",
    }


class MilbalApplication(BaseApplication):
    """gunicorn serving an already built Flask server (the Dash app's)."""

    def __init__(self, server: Flask, options: dict[str, Any]) -> None:
        self._server = server
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for name, value in self._options.items():
            self.cfg.set(name, value)

    def load(self) -> Flask:
        return self._server


def serve_prod(server: Flask, options: ServeOptions) -> None:
    """Run gunicorn in this process until it is stopped (SIGTERM or SIGINT: graceful)."""
    from dashboard.export.figures import limit_waiting

    limit_waiting("large", LARGE_WAITING)
    MilbalApplication(server, gunicorn_options(options)).run()
