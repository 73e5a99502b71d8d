"""Heavy and hostile image requests (issue 16): sizes refused up front, an overrun render stopped
and its browser replaced, small images drawn in a lane of their own, identical requests drawn
once, a full queue refused with Retry-After. All but the overrun test draw with a fake renderer
that sleeps in proportion to the pixels, so they are fast and need no Chromium."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from dashboard.charts import render
from dashboard.export import figures
from dashboard.export.figures import (
    MAX_PIXELS,
    ImageQueueFull,
    RenderOverrun,
    check_size,
    to_image,
)
from tests.export.conftest import defaults, png_size

# The fake renderer: seconds a megapixel (16 MP, the largest image: 0.4 s).
FAKE_S_PER_MP = 0.025


def _rank_gap():
    return render("rank-gap", defaults("rank-gap"))


class FakeDraw:
    """Stands in for figures._draw: sleeps FAKE_S_PER_MP a megapixel, after waiting for `gate`
    (open unless a test closes it), and notes what it drew (lane, width, height, scale)."""

    def __init__(self) -> None:
        self.drawn: list[tuple[str, int, int, float]] = []
        self.gate = threading.Event()
        self.gate.set()

    def __call__(self, lane, rendered, fmt, width, height, scale) -> bytes:
        assert self.gate.wait(10)
        time.sleep(figures.pixels(width, height, scale) / 1e6 * FAKE_S_PER_MP)
        self.drawn.append((lane.name, width, height, scale))
        return f"{fmt} {width}x{height}@{scale:g}".encode()


@pytest.fixture
def fake_draw(monkeypatch) -> Iterator[FakeDraw]:
    fake = FakeDraw()
    monkeypatch.setattr(figures, "_draw", fake)
    yield fake
    fake.gate.set()


@pytest.fixture
def fresh_cache(client) -> Iterator[None]:
    """The export cache emptied after the test: the fake renderer's bytes must not be served
    to a later test."""
    yield
    client.application.extensions["milbal_cache"].clear()


def _in_threads(work, count: int) -> list[threading.Thread]:
    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    return threads


def _wait_until(condition, timeout: float = 5.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.005)


class TestSizeLimits:
    @pytest.mark.parametrize(
        ("query", "named"),
        [
            ("width=\u0663\u0660\u0660", "width"),  # Arabic-Indic 300
            ("width=\uff12\uff10\uff10", "width"),  # fullwidth 200
            ("height=1_000", "height"),
            ("height=1e3", "height"),
            ("scale=\u0662", "scale"),  # Arabic-Indic 2
            ("scale=inf", "scale"),
            ("width=-300", "width"),
        ],
    )
    def test_sizes_only_in_ascii_digits(self, client, query, named):
        response = client.get(f"/chart/force-ratio.png?{query}")
        assert response.status_code == 400
        assert response.mimetype == "text/plain"
        body = response.data.decode()
        assert body.startswith(f"{named}: ") and "ASCII digits" in body

    def test_image_scale_named_as_given(self, client):
        response = client.get("/chart/equipment-counts.png?scale=log&image_scale=\uff11")
        assert response.status_code == 400
        assert response.data.decode().startswith("image_scale: ")

    def test_too_many_pixels_answer_400_naming_the_limit_and_the_values(self, client):
        response = client.get("/chart/force-ratio.png?width=4000&height=4000&scale=4")
        assert response.status_code == 400 and response.mimetype == "text/plain"
        body = response.data.decode()
        assert body.startswith("width, height, scale: 4000 x 4000 at scale 4 is 256.0 megapixels")
        assert "the limit is 16 megapixels" in body

    def test_too_many_pixels_named_image_scale_where_the_chart_has_a_scale(self, client):
        response = client.get("/chart/equipment-counts.svg?width=4000&height=3000&image_scale=2")
        assert response.status_code == 400
        assert response.data.decode().startswith("width, height, image_scale: ")

    @pytest.mark.parametrize(
        "size", [(4000, 4000, 1), (2000, 2000, 2), (1000, 1000, 4), (1200, 675, 0.5)]
    )
    def test_sizes_within_the_limit_pass(self, size):
        check_size(*size)

    def test_the_limit_is_16_megapixels(self):
        assert MAX_PIXELS == 16_000_000
        with pytest.raises(ValueError, match=r"^width, height, scale: 4000 x 4000 at scale 1\.1"):
            check_size(4000, 4000, 1.1)

    def test_a_refused_size_draws_nothing(self, client, fake_draw):
        client.get("/chart/force-ratio.png?width=4000&height=4000&scale=2")
        client.get("/chart/force-ratio.png?width=\u0663\u0660\u0660")
        assert fake_draw.drawn == []


class TestLanes:
    def test_default_and_briefing_sizes_are_small_and_the_largest_large(self, fake_draw):
        rendered = _rank_gap()
        for size in ((1200, 675, 1), (1200, 675, 2), (1200, 675, 1.5), (4000, 4000, 1)):
            to_image(rendered, "png", *size)
        assert [lane for lane, *_ in fake_draw.drawn] == ["small", "small", "small", "large"]

    def test_a_small_image_is_not_kept_waiting_behind_large_ones(self, fake_draw):
        """Six 16 MP images queued (2.4 s with the fake renderer), then a 201 px one: it is
        drawn at once, before most of the large ones."""
        rendered = _rank_gap()
        threads = _in_threads(lambda i: to_image(rendered, "png", 4000, 4000 - i, 1), 6)
        _wait_until(lambda: len(figures._LANES["large"]._waiting) == 5)
        start = time.monotonic()
        assert to_image(rendered, "png", 201, 201, 1) == b"png 201x201@1"
        assert time.monotonic() - start < 0.2
        large_before = sum(1 for lane, *_ in fake_draw.drawn if lane == "large")
        for thread in threads:
            thread.join(10)
        assert large_before <= 1
        assert len(fake_draw.drawn) == 7

    def test_one_lane_draws_in_arrival_order(self, fake_draw):
        rendered = _rank_gap()
        fake_draw.gate.clear()
        threads = []
        for i, height in enumerate((2000, 2100, 2200, 2300)):
            threads += _in_threads(lambda _, h=height: to_image(rendered, "svg", 3000, h, 1), 1)
            _wait_until(lambda i=i: len(figures._LANES["large"]._waiting) == i)
        fake_draw.gate.set()
        for thread in threads:
            thread.join(10)
        assert [height for _, _, height, _ in fake_draw.drawn] == [2000, 2100, 2200, 2300]


class TestQueueFull:
    def test_refused_at_once_when_the_queue_is_full(self, monkeypatch, fake_draw):
        monkeypatch.setattr(figures._LANES["large"], "depth", 2)
        rendered = _rank_gap()
        fake_draw.gate.clear()
        threads = _in_threads(lambda i: to_image(rendered, "png", 4000, 4000 - i, 1), 3)
        _wait_until(lambda: len(figures._LANES["large"]._waiting) == 2)
        start = time.monotonic()
        with pytest.raises(ImageQueueFull, match="2 large images are waiting") as refused:
            to_image(rendered, "png", 3999, 3999, 1)
        assert time.monotonic() - start < 0.05
        assert refused.value.retry_after == figures.RETRY_AFTER_S
        fake_draw.gate.set()
        # small images have their own queue
        assert to_image(rendered, "png", 400, 300, 1) == b"png 400x300@1"
        for thread in threads:
            thread.join(10)
        assert len(fake_draw.drawn) == 4

    def test_route_answers_503_with_retry_after(self, client, monkeypatch, fake_draw, fresh_cache):
        monkeypatch.setattr(figures._LANES["large"], "depth", 1)
        fake_draw.gate.clear()
        answers: dict[int, object] = {}

        def get(i: int) -> None:
            url = f"/chart/rank-gap.png?width=4000&height={3990 - i}"
            answers[i] = client.application.test_client().get(url)

        threads = _in_threads(get, 2)
        _wait_until(lambda: len(figures._LANES["large"]._waiting) == 1)
        response = client.get("/chart/rank-gap.png?width=4000&height=3900")
        assert response.status_code == 503
        assert response.mimetype == "text/plain"
        assert response.headers["Retry-After"] == str(figures.RETRY_AFTER_S)
        assert response.data.decode().startswith("image export is busy: 1 large images")
        fake_draw.gate.set()
        for thread in threads:
            thread.join(10)
        assert [answers[i].status_code for i in (0, 1)] == [200, 200]


class TestSingleFlight:
    def test_identical_requests_at_once_are_drawn_once(self, client, fake_draw, fresh_cache):
        url = "/chart/rank-gap.png?width=3000&height=3001"  # 9 MP: 0.23 s to draw
        answers: dict[int, object] = {}

        def get(i: int) -> None:
            answers[i] = client.application.test_client().get(url)

        for thread in _in_threads(get, 5):
            thread.join(10)
        assert len(fake_draw.drawn) == 1
        assert {a.status_code for a in answers.values()} == {200}
        assert {a.data for a in answers.values()} == {b"png 3000x3001@1"}
        assert sorted(a.headers["X-Milbal-Cache"] for a in answers.values()) == [
            "hit",
            "hit",
            "hit",
            "hit",
            "miss",
        ]

    def test_a_failure_reaches_every_waiting_request_and_is_not_kept(
        self, client, monkeypatch, fresh_cache
    ):
        calls = []

        def failing(lane, rendered, fmt, width, height, scale):
            calls.append(width)
            time.sleep(0.2)
            raise RenderOverrun("image export took longer than 20 s and was stopped")

        monkeypatch.setattr(figures, "_draw", failing)
        url = "/chart/rank-gap.svg?width=3001"
        answers: dict[int, object] = {}

        def get(i: int) -> None:
            answers[i] = client.application.test_client().get(url)

        for thread in _in_threads(get, 3):
            thread.join(10)
        assert len(calls) == 1
        assert [answers[i].status_code for i in range(3)] == [503, 503, 503]
        assert b"longer than 20 s" in answers[0].data
        assert client.get(url).status_code == 503
        assert len(calls) == 2  # asked again afterwards: drawn again, not a kept failure


def test_an_overrun_render_is_stopped_and_the_next_image_is_drawn(chromium, monkeypatch):
    """A render over its time limit is cancelled and its browser killed; the next image gets a
    new browser and is drawn. An image takes 0.2-0.5 s; 0.01 s is made the limit."""
    rendered = _rank_gap()
    lane = figures._LANES["small"]
    before = lane.browser()
    monkeypatch.setattr(figures, "RENDER_TIMEOUT", 0.01)
    start = time.monotonic()
    with pytest.raises(RenderOverrun, match=r"longer than 0\.01 s"):
        to_image(rendered, "png", 777, 555, 1)
    assert time.monotonic() - start < 1
    _wait_until(lambda: before.kaleido.subprocess.poll() is not None)
    monkeypatch.setattr(figures, "RENDER_TIMEOUT", 20)
    assert png_size(to_image(rendered, "png", 777, 555, 1)) == (777, 555)
    assert lane.browser() is not before


def test_the_large_lane_holds_few_threads_under_prod(monkeypatch):
    """serve --prod keeps the large lane's queue below a worker's threads (dashboard.serving),
    also in the workers it forks (new lanes take the depth set)."""
    from dashboard import serving
    from dashboard.export import figures

    monkeypatch.setattr(figures, "_DEPTHS", dict(figures._DEPTHS))
    figures.limit_waiting("large", serving.LARGE_WAITING)
    try:
        assert figures._LANES["large"].depth == serving.LARGE_WAITING
        figures._new_lanes()  # as after a fork
        assert figures._LANES["large"].depth == serving.LARGE_WAITING
        assert figures._LANES["small"].depth == figures.QUEUE_DEPTH
        # one drawn and LARGE_WAITING waiting: half the threads at most
        assert serving.LARGE_WAITING + 1 <= serving.THREADS // 2
    finally:
        figures._LANES["large"].depth = figures.QUEUE_DEPTH
