"""The export cache in one process: in-process by default, a hit gives the same bytes, a
change of the data is a miss, a bad MILBAL_CACHE_URL is refused at start, a store that fails
at run time is a miss, not an error."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from dashboard.bounded import BytesLRU
from dashboard.cache import (
    ENTRY_MAX_BYTES,
    LOCAL_BYTES,
    CacheConfigError,
    cache_config,
    catalog_identity,
    describe,
    local_store,
)
from tests.conftest import ROOT, _free_port
from tests.serving.conftest import clear_caches


def test_in_process_by_default(app, monkeypatch):
    monkeypatch.delenv("MILBAL_CACHE_URL", raising=False)
    assert not cache_config().redis
    assert describe(cache_config()) == "in-process"
    store = app.server.extensions["milbal_cache"]
    assert isinstance(store, BytesLRU)
    assert (store.max_bytes, store.max_entry_bytes) == (LOCAL_BYTES, ENTRY_MAX_BYTES)


class TestInProcessBound:
    """The in-process store is bounded by the bytes it holds: 45 large PNGs once took a
    server from 212 to 425 MB when it was bounded by a count of files."""

    def test_files_beyond_the_bound_push_out_the_oldest(self):
        store = local_store()
        size = 4 * 1024 * 1024
        for i in range(45):
            assert store.put(f"png-{i}", bytes([i]) * size)
            assert store.total_bytes <= LOCAL_BYTES
        assert store.total_bytes == LOCAL_BYTES // size * size
        kept = LOCAL_BYTES // size
        assert [i for i in range(45) if f"png-{i}" in store] == list(range(45 - kept, 45))
        assert store.get("png-44") == bytes([44]) * size

    def test_a_file_above_the_entry_limit_is_served_not_kept(self, client, monkeypatch):
        store = client.application.extensions["milbal_cache"]
        monkeypatch.setattr(store, "max_entry_bytes", 100)
        store.clear()
        url = "/chart/force-ratio.csv?a=AZE&b=ARM"
        first, second = client.get(url), client.get(url)
        assert len(first.data) > 100
        assert first.data == second.data
        assert [r.headers["X-Milbal-Cache"] for r in (first, second)] == ["miss", "miss"]
        assert store.total_bytes == 0


@pytest.mark.parametrize("ext", ["csv", "json", "html"])
def test_second_request_is_a_hit_with_the_same_bytes(client, ext):
    url = f"/chart/equipment-counts.{ext}?a=TUR&b=IRN"
    first, second = client.get(url), client.get(url)
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.headers["X-Milbal-Cache"] == "miss"
    assert second.headers["X-Milbal-Cache"] == "hit"
    assert first.data == second.data
    assert first.headers["Content-Disposition"] == second.headers["Content-Disposition"]


def test_key_is_the_parsed_parameters(client):
    first = client.get("/chart/force-ratio.csv?a=ARM&b=AZE&terrain=mountain")
    assert first.status_code == 200
    again = client.get("/chart/force-ratio.csv?terrain=mountain&b=aze&a=arm")
    assert again.headers["X-Milbal-Cache"] == "hit"
    other = client.get("/chart/force-ratio.csv?a=ARM&b=AZE&terrain=general")
    assert other.headers["X-Milbal-Cache"] == "miss"


def test_refused_requests_are_not_cached(client):
    for _ in range(2):
        response = client.get("/chart/force-ratio.csv?terrain=moon")
        assert response.status_code == 400
        assert "X-Milbal-Cache" not in response.headers


def test_a_data_change_is_a_miss_with_new_bytes(client, tmp_path, monkeypatch):
    folder = tmp_path / "datasets"
    shutil.copytree(ROOT / "datasets", folder)
    url = "/chart/force-ratio.csv?a=AZE&b=ARM"
    monkeypatch.setenv("MILBAL_DATASETS_DIR", str(folder))
    clear_caches()
    try:
        before = catalog_identity()
        client.get(url)
        assert client.get(url).headers["X-Milbal-Cache"] == "hit"
        countries = folder / "countries.csv"
        countries.write_text(countries.read_text().replace(",Armenia,", ",Republic of Armenia,"))
        clear_caches()  # as a restart after the change would
        assert catalog_identity() != before
        changed = client.get(url)
        assert changed.headers["X-Milbal-Cache"] == "miss"
        assert b"Republic of Armenia" in changed.data
    finally:
        monkeypatch.delenv("MILBAL_DATASETS_DIR")
        clear_caches()


@pytest.mark.parametrize(
    "url, says",
    [
        ("http://127.0.0.1:6379/0", "scheme must be redis://"),
        ("127.0.0.1:6379", "scheme must be redis://"),
        ("redis://", "no host"),
        ("redis://127.0.0.1:notaport/0", "not a URL"),
        ("redis://127.0.0.1:70000/0", "not a URL"),
        ("redis://127.0.0.1:6379/zero", "database 'zero' is not a number"),
        ("redis://127.0.0.1:6379/0?x=1", "no query"),
    ],
)
def test_bad_urls_are_refused_naming_the_problem(url, says):
    with pytest.raises(CacheConfigError, match="MILBAL_CACHE_URL") as caught:
        cache_config(url)
    assert says in str(caught.value)


def test_redis_url_without_password_in_the_start_line():
    config = cache_config("redis://:secret@127.0.0.1:6390/2")
    assert config.redis
    assert describe(config) == "redis://127.0.0.1:6390/2"


def test_app_refuses_a_bad_url(monkeypatch):
    from dashboard.factory import create_app

    monkeypatch.setenv("MILBAL_CACHE_URL", "memcached://127.0.0.1")
    with pytest.raises(CacheConfigError, match="scheme must be redis://"):
        create_app()


def test_a_store_that_fails_at_run_time_is_a_miss(client, monkeypatch):
    from dashboard.factory import create_app

    monkeypatch.setenv("MILBAL_CACHE_URL", f"redis://127.0.0.1:{_free_port()}/0")  # nobody there
    failing = create_app().server.test_client()
    expected = client.get("/chart/force-ratio.csv").data
    for _ in range(2):
        response = failing.get("/chart/force-ratio.csv")
        assert response.status_code == 200
        assert response.headers["X-Milbal-Cache"] == "miss"
        assert response.data == expected


@pytest.mark.parametrize(
    "url, says",
    [
        ("ftp://cache.example.org/0", "the scheme must be redis://"),
        ("redis://127.0.0.1:{port}/0", "cannot reach Redis at redis://127.0.0.1:{port}/0"),
    ],
)
def test_serve_refuses_to_start(url, says):
    port = _free_port()
    result = subprocess.run(
        [sys.executable, "-m", "dashboard.cli", "serve", "--prod", "--port", str(_free_port())],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "MILBAL_CACHE_URL": url.format(port=port)},
    )
    assert result.returncode == 2
    assert says.format(port=port) in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
