"""Cold start (issue 15): a page with charts asks for the scripts that draw them in its index
(<link rel=preload>), at the very URLs dcc.Graph's loader asks for later, so that each travels
once and early; `milbal serve`'s background warm-up waits for the first page to be served and
runs at the lowest CPU priority."""

from __future__ import annotations

import os
import re
import sys
import threading

import pytest

import dashboard.factory as factory
from dashboard.factory import CHART_SCRIPTS, lower_thread_priority, warm_up_when_idle
from tests.serving.test_headers import ROUTER_CALLBACK

PRELOAD = re.compile(r'<link rel="preload" as="script" href="([^"]+)">')


@pytest.mark.parametrize("path", ["/", "/force-ratio", "/world", "/history"])
def test_a_page_with_charts_preloads_the_scripts_that_draw_them(client, path):
    page = client.get(path).get_data(as_text=True)
    assert PRELOAD.findall(page) == list(CHART_SCRIPTS)
    for src in CHART_SCRIPTS:
        assert client.get(src).status_code == 200, src


@pytest.mark.parametrize("path", ["/data", "/no-such-page"])
def test_a_page_without_charts_preloads_nothing(client, path):
    assert PRELOAD.findall(client.get(path).get_data(as_text=True)) == []


@pytest.mark.browser
def test_each_preloaded_script_travels_once(live_server, page):
    """Preloaded at the URL the chunk loader uses: Chromium fetches each script once (a
    preload at another URL would be a second download of plotly.js, 1.3 MB)."""
    page.set_default_timeout(90_000)
    page.goto(live_server + "/force-ratio")
    page.locator("#page .js-plotly-plot .main-svg").first.wait_for()
    page.wait_for_load_state("networkidle")
    assert page.console_errors == []
    for src in CHART_SCRIPTS:
        name = src.rsplit("/", 1)[1]
        fetched = [u for u in page.requested if u.split("?")[0].endswith("/" + name)]
        assert fetched == [live_server + src], (name, fetched)


@pytest.fixture
def fresh_first_page(monkeypatch):
    """The first-page signal as in a process that has served nothing yet."""
    monkeypatch.setattr(factory, "first_page_served", threading.Event())


def test_the_warm_up_waits_for_the_first_page(monkeypatch, fresh_first_page, client):
    started = threading.Event()
    monkeypatch.setattr(factory, "warm_up", started.set)
    worker = threading.Thread(target=warm_up_when_idle, args=(30,), daemon=True)
    worker.start()
    assert not started.wait(0.3)  # nothing served yet: still waiting
    # the router's callback, as the browser calls it for a first page
    response = client.post("/_dash-update-component", json=ROUTER_CALLBACK)
    assert response.status_code == 200
    assert started.wait(10)
    worker.join(10)


def test_the_warm_up_starts_anyway_after_its_wait(monkeypatch, fresh_first_page):
    started = threading.Event()
    monkeypatch.setattr(factory, "warm_up", started.set)
    # in a thread of its own, as `milbal serve` runs it (it lowers its thread's priority)
    worker = threading.Thread(target=warm_up_when_idle, args=(0.05,), daemon=True)
    worker.start()  # nobody comes: it goes ahead
    assert started.wait(10)
    worker.join(10)


def test_the_warm_up_thread_alone_gets_the_lowest_priority():
    """Linux gives a thread a priority of its own: 19 there; elsewhere the call changes
    nothing and raises nothing."""
    seen = {}
    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert before < 19

    def lowered():
        lower_thread_priority()
        seen["thread"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    worker = threading.Thread(target=lowered)
    worker.start()
    worker.join(10)
    assert seen["thread"] == (19 if sys.platform.startswith("linux") else before)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before
