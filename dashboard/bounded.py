"""Caches bounded by the bytes they hold, not by how many entries: one drawn world map or one
4000 px PNG weighs as much as hundreds of small charts, so a count bound lets a few heavy
requests grow a server by hundreds of megabytes (45 large PNGs took it from 212 to 425 MB).

Each entry is weighed once, when it is kept (len of a file's bytes; an estimate for drawn
charts and page answers, see json_size), and the least recently used entries leave first."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

import orjson

V = TypeVar("V")
_JSON_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY


class BytesLRU(Generic[V]):
    """Values by key, at most `max_bytes` in all as `size(value)` weighs them; the least
    recently used leave first. A value heavier than `max_entry_bytes` is not kept (it would
    push out many others for one hit). Safe to share between threads."""

    def __init__(
        self,
        max_bytes: int,
        max_entry_bytes: int | None = None,
        size: Callable[[V], int] = len,  # type: ignore[assignment]
    ) -> None:
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_bytes if max_entry_bytes is None else max_entry_bytes
        self._size = size
        self._entries: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._total = 0

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            hit = self._entries.get(key)
            if hit is None:
                return None
            self._entries.move_to_end(key)
            return hit[0]

    def put(self, key: Hashable, value: V) -> bool:
        """Keep `value` under `key` (the oldest entries leave to make room); False when it
        is too heavy to keep."""
        weight = self._size(value)
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._total -= old[1]
            if weight > self.max_entry_bytes:
                return False
            while self._entries and self._total + weight > self.max_bytes:
                _, (_, freed) = self._entries.popitem(last=False)
                self._total -= freed
            self._entries[key] = (value, weight)
            self._total += weight
            return True

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._total = 0

    @property
    def total_bytes(self) -> int:
        """The weight of what is kept now (never above max_bytes)."""
        return self._total

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._entries


def bytes_memo(
    max_bytes: int, size: Callable[[Any], int]
) -> Callable[[Callable[..., V]], Callable[..., V]]:
    """functools.lru_cache bounded by weight: fn's results by its (hashable, positional)
    arguments in a BytesLRU of `max_bytes` (fn never returns None). The wrapper keeps
    lru_cache's cache_clear() and has the store as .cache."""

    def wrap(fn: Callable[..., V]) -> Callable[..., V]:
        store: BytesLRU[Any] = BytesLRU(max_bytes, size=size)

        @functools.wraps(fn)
        def memoized(*args: Hashable) -> V:
            hit = store.get(args)
            if hit is not None:
                return hit
            value = fn(*args)
            store.put(args, value)
            return value

        memoized.cache = store  # type: ignore[attr-defined]
        memoized.cache_clear = store.clear  # type: ignore[attr-defined]
        return memoized

    return wrap


def _plain(value: Any) -> Any:
    to_plain = getattr(value, "to_plotly_json", None)  # a Dash component
    return to_plain() if callable(to_plain) else str(value)


def json_size(value: Any) -> int:
    """The length of `value` as JSON (orjson: ~0.05 ms for a 35 kB figure), the estimate of a
    figure's or a page answer's weight: Python holds the same numbers and strings in a few
    times less or more, not in orders of magnitude more."""
    return len(orjson.dumps(value, default=_plain, option=_JSON_OPTIONS))
