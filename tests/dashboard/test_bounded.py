"""The in-process caches are bounded by the bytes they hold: the export files (dashboard.cache),
the drawn charts (dashboard.charts.render) and the page answers (remembers_states). Inserting
beyond a bound pushes out the least recently used; the recent entries stay."""

from __future__ import annotations

import pytest

from dashboard import charts, components
from dashboard.bounded import BytesLRU, bytes_memo, json_size
from dashboard.charts import RENDER_BYTES, render, rendered_size
from dashboard.components import STATES_BYTES, forget_drawn_states, remembers_states
from tests.export.conftest import defaults


class TestBytesLRU:
    def test_the_bound_holds_and_the_recent_entries_survive(self):
        store: BytesLRU[bytes] = BytesLRU(1000)
        for i in range(50):
            store.put(i, b"x" * 90)
            assert store.total_bytes <= 1000
        assert store.total_bytes == 990
        assert [k for k in range(50) if k in store] == list(range(39, 50))

    def test_a_read_entry_is_recent(self):
        store: BytesLRU[bytes] = BytesLRU(300)
        for key in "abc":
            store.put(key, b"x" * 100)
        assert store.get("a") == b"x" * 100
        store.put("d", b"x" * 100)
        assert ("a" in store, "b" in store) == (True, False)

    def test_an_entry_above_its_limit_is_not_kept_nor_its_old_value(self):
        store: BytesLRU[bytes] = BytesLRU(1000, max_entry_bytes=100)
        store.put("a", b"x" * 10)
        store.put("b", b"x" * 10)
        assert store.put("a", b"x" * 101) is False
        assert "a" not in store and store.get("b") == b"x" * 10
        assert store.total_bytes == 10

    def test_a_replaced_entry_counts_once(self):
        store: BytesLRU[bytes] = BytesLRU(1000)
        for size in (400, 300, 500):
            store.put("a", b"x" * size)
        assert (len(store), store.total_bytes) == (1, 500)

    def test_memo_weighs_results_with_its_size_function(self):
        calls = []

        @bytes_memo(100, size=lambda s: len(s) * 10)
        def shout(word: str) -> str:
            calls.append(word)
            return word.upper()

        assert [shout(w) for w in ("ab", "cd", "ab")] == ["AB", "CD", "AB"]
        assert calls == ["ab", "cd"]
        assert shout.cache.total_bytes == 40
        shout("efghijk")  # 70: "cd" leaves ("ab" was read after it)
        assert shout.cache.total_bytes == 90
        assert calls == ["ab", "cd", "efghijk"]
        shout("ab")
        shout("cd")
        assert calls == ["ab", "cd", "efghijk", "cd"]
        shout.cache_clear()
        assert shout.cache.total_bytes == 0


def test_json_size_is_the_json_length():
    assert json_size({"x": [1, 2.5, None], "t": "é"}) == len('{"x":[1,2.5,null],"t":"é"}'.encode())


class TestRenderCache:
    def test_bounded_by_the_estimated_weight_of_the_charts(self):
        assert charts._render.cache.max_bytes == RENDER_BYTES

    def test_a_map_weighs_more_than_a_single_ratio(self):
        small = rendered_size(render("force-ratio", defaults("force-ratio")))
        large = rendered_size(render("world-map", defaults("world-map")))
        assert 16 * 1024 < small < large

    def test_drawing_beyond_the_bound_keeps_the_latest(self, monkeypatch):
        forget_drawn_states()
        store = charts._render.cache
        slugs = ["force-ratio", "equipment-counts", "rank-gap", "world-map", "history-fit"]
        sizes = [rendered_size(render(slug, defaults(slug))) for slug in slugs]
        assert store.total_bytes == sum(sizes)
        forget_drawn_states()
        bound = sum(sizes[-2:])
        monkeypatch.setattr(store, "max_bytes", bound)
        drawn = [render(slug, defaults(slug)) for slug in slugs]
        assert store.total_bytes <= bound
        assert len(store) == 2
        # the latest two are the very objects drawn; the first is drawn anew
        assert render("history-fit", defaults("history-fit")) is drawn[-1]
        assert render("world-map", defaults("world-map")) is drawn[-2]
        assert render("force-ratio", defaults("force-ratio")) is not drawn[0]
        forget_drawn_states()


class TestPageAnswers:
    @pytest.fixture
    def answers(self):
        store = components._ANSWERS
        forget_drawn_states()
        yield store
        forget_drawn_states()

    def test_one_store_for_every_page_bounded_in_bytes(self, answers):
        assert answers.max_bytes == STATES_BYTES

    def test_answers_beyond_the_bound_keep_the_latest(self, answers, monkeypatch):
        monkeypatch.setattr(answers, "max_bytes", 10_000)
        calls = []

        @remembers_states(2)
        def page(value: str, year: int) -> list:
            calls.append((value, year))
            return [value * 1000, year]  # ~1 kB of JSON an answer

        for year in range(40):
            page("x", year)
        assert answers.total_bytes <= 10_000
        assert len(answers) == 9
        calls.clear()
        assert page("x", 39) == ["x" * 1000, 39]
        assert page("x", 31) == ["x" * 1000, 31]
        assert calls == []  # the latest nine are kept
        page("x", 0)
        assert calls == [("x", 0)]  # the first was pushed out
