"""The cache of exported files (CSV, PNG, SVG, PDF, HTML, JSON, briefings), shared by every
worker and host that points at the same store.

In-process (flask-caching's SimpleCache) by default; Redis when MILBAL_CACHE_URL is
redis://host:port/db, so that a file drawn by one worker (0.2 s for an image) is served by any
other. Keys hold the catalog's identity (the dataset files, the import records and milbal's own
code), so an import, a data change or an upgrade never serves stale bytes: it only stops
hitting the old keys, which expire.

A store that fails at run time (Redis restarted, network gone) is a miss, logged, never an
error page; a bad MILBAL_CACHE_URL is refused at start-up (CacheConfigError)."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app
from flask_caching import Cache

from validation import load_catalog

CACHE_URL_ENV = "MILBAL_CACHE_URL"
# Entries are never stale (the key names the data they were drawn from); the timeout only
# bounds how long bytes of an old catalog linger in the store.
CACHE_TIMEOUT_S = 24 * 3600
# In-process store: at most this many files per worker (an image is ~50-200 kB).
LOCAL_ENTRIES = 256
KEY_PREFIX = "milbal:"
_EXTENSION = "milbal_cache"
_CODE_DIRS = ("dashboard", "indicators", "validation")
_ROOT = Path(__file__).resolve().parent.parent

log = logging.getLogger(__name__)


class CacheConfigError(ValueError):
    """MILBAL_CACHE_URL is not a usable cache address; the message says why."""


def cache_config(url: str | None = None) -> dict[str, Any]:
    """flask-caching's configuration for MILBAL_CACHE_URL (or `url`): SimpleCache where it is
    unset or empty, RedisCache for redis://[:password@]host[:port][/db]. Raises
    CacheConfigError naming what is wrong."""
    if url is None:
        url = os.environ.get(CACHE_URL_ENV, "")
    url = url.strip()
    common = {"CACHE_DEFAULT_TIMEOUT": CACHE_TIMEOUT_S, "CACHE_KEY_PREFIX": KEY_PREFIX}
    if not url:
        return {**common, "CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": LOCAL_ENTRIES}
    where = f"{CACHE_URL_ENV}={url!r}"
    try:
        parts = urlsplit(url)
        port = parts.port  # a port that is not a number in 0-65535 raises ValueError
    except ValueError as exc:
        raise CacheConfigError(f"{where}: not a URL ({exc})") from None
    if parts.scheme not in ("redis", "rediss"):
        raise CacheConfigError(
            f"{where}: the scheme must be redis:// (or rediss://), as in redis://127.0.0.1:6379/0"
        )
    if not parts.hostname:
        raise CacheConfigError(f"{where}: no host, as in redis://127.0.0.1:6379/0")
    db = parts.path.strip("/") or "0"
    if not db.isdigit():
        raise CacheConfigError(f"{where}: the database {db!r} is not a number, as in /0")
    if parts.query or parts.fragment:
        raise CacheConfigError(f"{where}: no query or fragment allowed")
    if port == 0:
        raise CacheConfigError(f"{where}: port 0 is not a server's port")
    return {**common, "CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": url}


def describe(config: Mapping[str, Any]) -> str:
    """'in-process' or 'redis://host:port/db' (without a password) for the start-up line."""
    if config["CACHE_TYPE"] != "RedisCache":
        return "in-process"
    parts = urlsplit(config["CACHE_REDIS_URL"])
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}{parts.path or '/0'}"


def check_reachable(config: Mapping[str, Any], timeout: float = 3.0) -> None:
    """Ping the Redis of `config` (nothing to do in-process); CacheConfigError if it does not
    answer, so that a server never starts against a store it cannot reach."""
    if config["CACHE_TYPE"] != "RedisCache":
        return
    import redis

    client = redis.Redis.from_url(
        config["CACHE_REDIS_URL"], socket_connect_timeout=timeout, socket_timeout=timeout
    )
    try:
        client.ping()
    except redis.RedisError as exc:
        raise CacheConfigError(
            f"{CACHE_URL_ENV}: cannot reach Redis at {describe(config)}: {exc}"
        ) from None
    finally:
        client.close()


def init_cache(server: Flask) -> Cache:
    """Attach the export cache to the Flask server (CacheConfigError on a bad URL)."""
    cache = Cache(config=cache_config())
    cache.init_app(server)
    server.extensions[_EXTENSION] = cache
    return cache


# ------------------------------------------------------------------------------ identity

_identity_lock = threading.Lock()
_identity: tuple[object, str] | None = None


def _digest_files(digest: Any, paths: list[Path], root: Path) -> None:
    for path in paths:
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")


def _code_identity() -> str:
    digest = hashlib.sha256()
    for name in _CODE_DIRS:
        _digest_files(digest, sorted((_ROOT / name).rglob("*.py")), _ROOT)
    return digest.hexdigest()


_CODE = _code_identity()


def catalog_identity() -> str:
    """A short hash of what the exports are drawn from: the catalog's own key (the dataset
    files, built-in world tables included, the imports and the validation code; see
    validation.cache) and milbal's code. Follows validation.load_catalog's cache, so a
    reloaded catalog gets a new identity."""
    global _identity
    catalog = load_catalog()
    with _identity_lock:
        if _identity is not None and _identity[0] is catalog:
            return _identity[1]
        digest = hashlib.sha256(_CODE.encode())
        digest.update(catalog.identity.encode())
        _identity = (catalog, digest.hexdigest()[:24])
        return _identity[1]


def export_key(kind: str, *parts: Any) -> str:
    """The cache key of one file: its kind ('chart', 'briefing'), the catalog identity and
    `parts` (slug, format, the parsed parameters...), hashed to a fixed length."""
    text = json.dumps([kind, catalog_identity(), *parts], sort_keys=True, default=repr)
    return f"{kind}:{hashlib.sha256(text.encode()).hexdigest()}"


class _Flight:
    """One computation of a key, and its outcome for the callers that wait for it."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.content = b""
        self.error: BaseException | None = None


_flights_lock = threading.Lock()
_flights: dict[str, _Flight] = {}


def _computed_once(
    key: str, compute: Callable[[], bytes], store: Callable[[bytes], None]
) -> tuple[bytes, bool]:
    """(content, shared): compute() and store() by the first caller of `key`; a caller that
    comes while it runs waits for its content (or its exception) instead of computing it again.
    Within this process: each worker computes its own."""
    with _flights_lock:
        flight = _flights.get(key)
        first = flight is None
        if first:
            flight = _flights[key] = _Flight()
    if not first:
        flight.done.wait()
        if flight.error is not None:
            raise flight.error
        return flight.content, True
    try:
        flight.content = compute()
        store(flight.content)
    except BaseException as exc:
        flight.error = exc
        raise
    finally:
        with _flights_lock:
            del _flights[key]
        flight.done.set()
    return flight.content, False


def cached_bytes(key: str, compute: Callable[[], bytes]) -> tuple[bytes, bool]:
    """(content, hit): the stored content under `key`, else compute() stored and returned; hit
    is also true for a request given the content another one computed at the same time (five
    identical requests at once compute it once). Exceptions of compute() pass through (to
    every request waiting for it) and store nothing; a failing store is a miss."""
    cache: Cache | None = current_app.extensions.get(_EXTENSION)
    if cache is not None:
        try:
            content = cache.get(key)
        except Exception as exc:  # the store's own errors (redis.ConnectionError, ...)
            log.warning("export cache: get failed: %s", exc)
            content = None
        if isinstance(content, bytes):
            return content, True

    def store(content: bytes) -> None:
        if cache is None:
            return
        try:
            cache.set(key, content)
        except Exception as exc:
            log.warning("export cache: set failed: %s", exc)

    return _computed_once(key, compute, store)
