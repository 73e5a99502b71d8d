"""A Redis that hangs or fails costs an export milliseconds, not seconds: each call gives up
after REDIS_TIMEOUT_S, and after a failure Redis is left alone for REDIS_COOL_DOWN_S (the
breaker is open) while exports are drawn without it, with one warning per opening. Fake
clients stand in for Redis; a socket that accepts and never answers stands in for a stopped
(SIGSTOP) one."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import redis

from dashboard.cache import (
    ENTRY_MAX_BYTES,
    KEY_PREFIX,
    REDIS_COOL_DOWN_S,
    REDIS_TIMEOUT_S,
    RedisStore,
    redis_client,
)
from tests.conftest import _free_port

URL = "redis://127.0.0.1:6379/0"
CSV_URL = "/chart/force-ratio.csv?a=AZE&b=ARM"


class FakeRedis:
    """A client whose calls are counted; `failure` (an exception) is raised after `delay`
    seconds, as redis-py raises TimeoutError when its socket timeout runs out."""

    def __init__(self, failure: Exception | None = None, delay: float = 0.0) -> None:
        self.failure = failure
        self.delay = delay
        self.calls: list[str] = []
        self.data: dict[str, bytes] = {}

    def _call(self, name: str) -> None:
        self.calls.append(name)
        time.sleep(self.delay)
        if self.failure is not None:
            raise self.failure

    def get(self, key: str) -> bytes | None:
        self._call("get")
        return self.data.get(key)

    def set(self, key: str, value: bytes, ex: int | None = None) -> bool:
        self._call("set")
        self.data[key] = value
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "dashboard.cache"]


class TestBreaker:
    def test_a_failure_opens_it_for_the_cool_down_with_one_warning(self, caplog):
        fake, clock = FakeRedis(redis.TimeoutError("Timeout reading from socket")), Clock()
        store = RedisStore(URL, client=fake, clock=clock)
        caplog.set_level(logging.WARNING, "dashboard.cache")
        assert store.get("a") is None
        assert fake.calls == ["get"]
        for _ in range(20):
            clock.now += REDIS_COOL_DOWN_S / 40
            assert store.get("a") is None
            assert store.put("a", b"bytes") is False
        assert fake.calls == ["get"]  # not touched during the cool-down
        (warning,) = _warnings(caplog)
        assert "redis://127.0.0.1:6379/0 failed on get (TimeoutError" in warning
        assert f"without it for {REDIS_COOL_DOWN_S:g} s" in warning

    def test_after_the_cool_down_one_request_tries_again(self, caplog):
        fake, clock = FakeRedis(redis.ConnectionError("refused")), Clock()
        store = RedisStore(URL, client=fake, clock=clock)
        caplog.set_level(logging.WARNING, "dashboard.cache")
        store.get("a")
        clock.now += REDIS_COOL_DOWN_S
        fake.failure = None
        assert store.put("a", b"bytes") is True  # tried: Redis answers, the breaker closes
        assert store.get("a") == b"bytes"
        assert fake.calls == ["get", "set", "get"]
        assert fake.data == {KEY_PREFIX + "a": b"bytes"}
        assert _warnings(caplog)[-1] == f"export cache: Redis at {URL} answers again"

    def test_a_failed_retry_opens_it_again_for_another_cool_down(self, caplog):
        fake, clock = FakeRedis(OSError("network unreachable")), Clock()
        store = RedisStore(URL, client=fake, clock=clock)
        caplog.set_level(logging.WARNING, "dashboard.cache")
        store.get("a")
        clock.now += REDIS_COOL_DOWN_S
        assert store.get("a") is None
        clock.now += REDIS_COOL_DOWN_S / 2
        assert store.get("a") is None
        assert fake.calls == ["get", "get"]
        assert len(_warnings(caplog)) == 2  # one per opening

    def test_calls_under_way_when_it_opens_do_not_warn_again(self, caplog):
        fake = FakeRedis(redis.TimeoutError("timeout"), delay=0.2)
        store = RedisStore(URL, client=fake)
        caplog.set_level(logging.WARNING, "dashboard.cache")
        threads = [threading.Thread(target=store.get, args=("a",)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert fake.calls == ["get"] * 4  # all four began before the first failed
        assert len(_warnings(caplog)) == 1

    def test_a_value_above_the_limit_is_not_sent(self):
        fake = FakeRedis()
        store = RedisStore(URL, client=fake)
        assert store.put("big", b"x" * (ENTRY_MAX_BYTES + 1)) is False
        assert store.put("small", b"x" * 1000) is True
        assert fake.calls == ["set"]
        assert list(fake.data) == [KEY_PREFIX + "small"]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port where connections are accepted (by the kernel) and never answered: what a
    client sees of a Redis stopped with SIGSTOP."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield listener.getsockname()[1]


def test_the_client_gives_up_after_its_timeout_without_retrying(silent_port):
    client = redis_client(f"redis://127.0.0.1:{silent_port}/0")
    started = time.monotonic()
    with pytest.raises(redis.TimeoutError):
        client.get("a")
    # redis-py's defaults (no timeout, 3 retries with backoff) waited 9-20 s here
    assert time.monotonic() - started < 4 * REDIS_TIMEOUT_S
    client.close()


class TestHungRedisBehindTheApp:
    """Exports from a server whose Redis hangs: the first request loses one timeout, the next
    ones none; every answer is the right file."""

    @pytest.fixture
    def hung_client(self, monkeypatch, silent_port):
        from dashboard.factory import create_app

        monkeypatch.setenv("MILBAL_CACHE_URL", f"redis://127.0.0.1:{silent_port}/0")
        return create_app().server.test_client()

    def test_exports_cost_one_timeout_then_none(self, hung_client, client, caplog):
        caplog.set_level(logging.WARNING, "dashboard.cache")
        expected = client.get(CSV_URL).data
        client.get(CSV_URL)  # drawn and kept by the render cache: what follows times Redis
        timings = []
        for _ in range(5):
            started = time.monotonic()
            response = hung_client.get(CSV_URL)
            timings.append(time.monotonic() - started)
            assert response.status_code == 200
            assert response.headers["X-Milbal-Cache"] == "miss"
            assert response.data == expected
        # redis-py's defaults waited 9-20 s a request here; the first now waits one timeout
        # (the margin is for a busy test machine), the next ones do not ask Redis at all
        assert timings[0] < 1.0, timings
        assert max(timings[1:]) < 1.0, timings
        assert len(_warnings(caplog)) == 1

    def test_the_store_is_not_touched_during_the_cool_down(self, hung_client, monkeypatch):
        store = hung_client.application.extensions["milbal_cache"]
        fake = FakeRedis(redis.TimeoutError("Timeout reading from socket"), REDIS_TIMEOUT_S)
        monkeypatch.setattr(store, "client", fake)
        for _ in range(3):
            assert hung_client.get(CSV_URL).status_code == 200
        assert fake.calls == ["get"]


def test_a_refused_connection_costs_milliseconds():
    store = RedisStore(f"redis://127.0.0.1:{_free_port()}/0")  # nobody there
    started = time.monotonic()
    assert store.get("a") is None
    assert store.put("a", b"x") is False
    assert time.monotonic() - started < REDIS_TIMEOUT_S
