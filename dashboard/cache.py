"""The cache of exported files (CSV, PNG, SVG, PDF, HTML, JSON, briefings, tables), shared by
every worker and host that points at the same store.

In-process by default (a BytesLRU of LOCAL_BYTES per worker); Redis when MILBAL_CACHE_URL is
redis://host:port/db, so that a file drawn by one worker (0.2 s for an image) is served by any
other. Keys hold the catalog's identity (the dataset files, the import records and milbal's own
code), so an import, a data change or an upgrade never serves stale bytes: it only stops
hitting the old keys, which expire (in Redis) or are pushed out (in-process).

Redis is a help, never a wait: each call gives up after REDIS_TIMEOUT_S, and after a failure
(Redis stopped, hung, restarted, the network gone) it is left alone for REDIS_COOL_DOWN_S while
every export is drawn here, then tried again by one request. A bad MILBAL_CACHE_URL is refused
at start-up (CacheConfigError). Redis holds the files' bytes as they are (no pickle), so a
store others can write to cannot run code here."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from flask import Flask, current_app

from dashboard.bounded import BytesLRU
from validation import load_catalog

CACHE_URL_ENV = "MILBAL_CACHE_URL"
# Redis entries are never stale (the key names the data they were drawn from); the timeout only
# bounds how long bytes of an old catalog linger in the store.
CACHE_TIMEOUT_S = 24 * 3600
# In-process store: at most this many bytes of files per worker (an image is ~50-200 kB at
# the default size, a 4000 px PNG several MB, an HTML file ~5 MB with plotly.js inline).
LOCAL_BYTES = 64 * 1024 * 1024
# A file larger than this is served but kept nowhere (in-process or in Redis): one huge image
# would push out dozens of files for one hit, and hold a Redis connection for a long write.
ENTRY_MAX_BYTES = LOCAL_BYTES // 8
# Each Redis call (connect, get, set) waits at most this long; a timeout is not retried.
REDIS_TIMEOUT_S = 0.25
# After a failed call Redis is not asked again for this long (the breaker is open).
REDIS_COOL_DOWN_S = 30.0
KEY_PREFIX = "milbal:"
_EXTENSION = "milbal_cache"
_CODE_DIRS = ("dashboard", "indicators", "validation")
_ROOT = Path(__file__).resolve().parent.parent

log = logging.getLogger(__name__)


class CacheConfigError(ValueError):
    """MILBAL_CACHE_URL is not a usable cache address; the message says why."""


@dataclass(frozen=True)
class CacheConfig:
    """Where exported files are kept: in-process when `url` is empty, else the Redis at `url`."""

    url: str = ""

    @property
    def redis(self) -> bool:
        return bool(self.url)


def cache_config(url: str | None = None) -> CacheConfig:
    """The store MILBAL_CACHE_URL (or `url`) names: in-process where it is unset or empty,
    Redis for redis://[:password@]host[:port][/db]. Raises CacheConfigError naming what is
    wrong."""
    if url is None:
        url = os.environ.get(CACHE_URL_ENV, "")
    url = url.strip()
    if not url:
        return CacheConfig()
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
    return CacheConfig(url)


def describe(config: CacheConfig) -> str:
    """'in-process' or 'redis://host:port/db' (without a password) for the start-up line."""
    if not config.redis:
        return "in-process"
    parts = urlsplit(config.url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}{parts.path or '/0'}"


def redis_client(url: str, timeout: float = REDIS_TIMEOUT_S) -> Any:
    """A redis-py client whose every call gives up after `timeout` seconds. redis-py retries a
    failed call 3 times with backoff by default (a hung server then cost 9-20 s a request):
    here only a refused or dropped connection is retried, once, which costs milliseconds."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return redis.Redis.from_url(
        url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)),
    )


def check_reachable(config: CacheConfig, timeout: float = 3.0) -> None:
    """Ping the Redis of `config` (nothing to do in-process); CacheConfigError if it does not
    answer, so that a server never starts against a store it cannot reach."""
    if not config.redis:
        return
    import redis

    client = redis_client(config.url, timeout)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise CacheConfigError(
            f"{CACHE_URL_ENV}: cannot reach Redis at {describe(config)}: {exc}"
        ) from None
    finally:
        client.close()


class Store(Protocol):
    def get(self, key: str) -> bytes | None: ...

    def put(self, key: str, value: bytes) -> bool: ...


class RedisStore:
    """The exported files in Redis behind a circuit breaker: a call that fails or times out
    opens it, and for `cool_down` seconds every get is a miss and every put is skipped
    without a word to Redis; then the next request tries Redis again (one request: the others
    keep skipping until it answers or fails). One warning per opening, one line when Redis
    answers again."""

    def __init__(
        self,
        url: str,
        client: Any = None,
        cool_down: float = REDIS_COOL_DOWN_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.where = describe(CacheConfig(url))
        self.client = client if client is not None else redis_client(url)
        self.cool_down = cool_down
        self._clock = clock
        self._lock = threading.Lock()
        self._open_until: float | None = None  # None: closed, Redis is asked
        self._trying = False  # one request is trying Redis after a cool-down

    def _may_call(self) -> bool:
        with self._lock:
            if self._open_until is None:
                return True
            now = self._clock()
            if now < self._open_until:
                return False
            self._open_until = now + self.cool_down  # this request tries; the others skip
            self._trying = True
            return True

    def _failed(self, call: str, exc: Exception) -> None:
        with self._lock:
            # calls that were under way when it opened fail too: they do not open it again
            opening = self._open_until is None or self._trying
            self._open_until = self._clock() + self.cool_down
            self._trying = False
        if not opening:
            return
        log.warning(
            "export cache: Redis at %s failed on %s (%s: %s); exports are drawn without it "
            "for %g s, then it is tried again",
            self.where,
            call,
            type(exc).__name__,
            exc,
            self.cool_down,
        )

    def _answered(self) -> None:
        if self._open_until is None:  # closed, as almost always: no lock to take
            return
        with self._lock:
            was_open, self._open_until = self._open_until is not None, None
            self._trying = False
        if was_open:
            log.warning("export cache: Redis at %s answers again", self.where)

    def get(self, key: str) -> bytes | None:
        if not self._may_call():
            return None
        try:
            value = self.client.get(KEY_PREFIX + key)
        except Exception as exc:  # redis.RedisError, OSError: whatever the client raises
            self._failed("get", exc)
            return None
        self._answered()
        return value if isinstance(value, bytes) else None

    def put(self, key: str, value: bytes) -> bool:
        if len(value) > ENTRY_MAX_BYTES or not self._may_call():
            return False
        try:
            self.client.set(KEY_PREFIX + key, value, ex=CACHE_TIMEOUT_S)
        except Exception as exc:
            self._failed("set", exc)
            return False
        self._answered()
        return True


def local_store() -> BytesLRU[bytes]:
    """The in-process store: LOCAL_BYTES of files, none above ENTRY_MAX_BYTES."""
    return BytesLRU(LOCAL_BYTES, ENTRY_MAX_BYTES)


def init_cache(server: Flask) -> Store:
    """Attach the export cache to the Flask server (CacheConfigError on a bad URL)."""
    config = cache_config()
    store: Store = RedisStore(config.url) if config.redis else local_store()
    server.extensions[_EXTENSION] = store
    return store


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
    every request waiting for it) and store nothing; a failing store is a miss (the Store
    keeps its own errors, timeouts and circuit breaker)."""
    store: Store | None = current_app.extensions.get(_EXTENSION)
    if store is not None:
        content = store.get(key)
        if content is not None:
            return content, True

    def keep(content: bytes) -> None:
        if store is not None:
            store.put(key, content)

    return _computed_once(key, compute, keep)
