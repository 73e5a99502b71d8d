"""Interaction latency in the browser: each page's real control operated in Chromium, from the
click on a dropdown option to the first animation frame that shows the new state, against a
static page with plotly.js and the same figures embedded (the lower bound: no server, no Dash),
interleaved in one run (issue 15).

    .venv/bin/python benchmarks/bench_interaction.py [--interactions 80] [--pages / /equipment]

Method. `milbal serve` runs on 127.0.0.1 (its own empty data folder: the built-in tables). For
each page with controls, one control is operated, cycling through a few of its options: / the
year; /compare and /equipment country B; /force-ratio the terrain (its country B lists only
countries with figures of the same measure, two here); /rankings the index; /attrition the
side; /world the indicator; /history the era. /data has no charts: it is skipped.
The options are those the page lists for its other (default) values that it draws without a
message (no refused pair, no chart with nothing to draw), each drawing other charts, none
moving another control, so that the cycle comes back to where it started.

The static page is built by this benchmark from the figures the app draws for the same states
(the page's layout, in-process: the same dcc.Graph figures and plotly config; the world
outlines from the app's assets), its graphs sized as the app's, served with plotly.js from the
installed plotly package by a tiny server on 127.0.0.1; its control is a listbox whose option
runs Plotly.react on every chart from the state's JSON (parsed per interaction, as
Dash parses its response). Both are operated the same way: click the control, then click the
option; a capture-phase 'click' listener on document takes performance.now() at the option
click, and app and static interactions alternate, so both meet the same machine.

Dash's floor, in the same interleaved run: the page's control and graphs alone in a Dash app
(no other component, no asset script) whose one callback runs in the browser and hands each
dcc.Graph the state's figure from a dcc.Store (the figures above, computed before): the
cheapest interaction Dash can do, so floor / static is what Dash's renderer and components
cost on that page, and app / floor what milbal adds to them (the request, the server, the
other outputs, its own scripts). Operated as the app is.

"Shows the new state": every chart of the page (the app's `#chart-<slug>` graphs, the static
page's divs of the same ids) draws what it draws for that state. A fingerprint of the drawn
SVG (the text of ticks, legends, titles and annotations; each trace's paths and points, and
the shapes, with their geometry, transform and style; as a sorted list per chart, since
Plotly.react may reorder the elements; the hover layer left out) is taken for each state in a
warm-up of two rounds that is not counted (a state may be drawn a fraction of a pixel apart
after the page load than after another state: each drawing seen is kept). While measuring, a
requestAnimationFrame loop started by the click compares the charts with the state's
fingerprints in every frame, and the latency is performance.now() in the first frame callback
where they match (the frame about to be painted). Cards and tables that a page redraws too
(/, /compare, /world) are not waited for: the static page has none. Between interactions the
benchmark waits until no callback request is in flight and the charts stay the same for
0.1 s, and moves the mouse off the charts.
Each interaction has a time limit (--timeout): a state not shown in time stops the run, naming
the page, the side and the option.

The app's latency is split with the browser's resource timing of /_dash-update-component (a
fetch wrapper counts the requests in flight): client before the request (click -> the first
request's fetch), server (that request's start -> the last response's end, loopback included),
client after the response (-> the frame that shows the new state).

Cold start and memory (issue 15), in the same run: seconds from process start to the first
page with its charts drawn in Chromium (a fresh browser context each time: nothing cached),
`milbal serve` on / against Dash's documented minimal app (pandas + plotly.express, as in
bench_callbacks), --cold-runs each, interleaved; and the resident memory of `milbal serve`
after the interactions above (every page drawn, its states cached), against the budget of
300 MB and against the minimal app's after its page is drawn.

Budgets (issue 15): each page's median within 2.0x the static page's median, p95 within 2.5x
the static p95; cold start no slower than the minimal app; memory within 300 MB. Exit code 1
if a budget is missed.
"""

from __future__ import annotations

import argparse
import functools
import html
import http.server
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from _process import free_port, stop  # benchmarks/, the script's folder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))

BUDGET_MEDIAN, BUDGET_P95 = 2.0, 2.5
BUDGET_COLD, BUDGET_RSS_MB = 1.0, 300
# Every graph of the page drawn: the test of "first page with its charts drawn".
CHARTS_DRAWN = """() => { const g = document.querySelectorAll('.dash-graph');
  return g.length > 0 && [...g].every(x => x.querySelector('.main-svg')); }"""
# The control operated on each page with controls (its parameter's name).
CONTROLS = {
    "/": "year",
    "/compare": "b",
    "/force-ratio": "terrain",
    "/rankings": "index",
    "/equipment": "b",
    "/attrition": "side",
    "/world": "indicator",
    "/history": "era",
}
SKIPPED = {"/data": "no charts"}
VIEWPORT = {"width": 1400, "height": 900}
CHROMIUM = "/usr/bin/chromium"

# In both pages, before any script of theirs: the click time, the frame probe, the fetch
# wrapper (requests in flight) and resource timing of the callback requests.
PROBE = """
(() => {
  const B = (window.__bench = {t0: null, shown: null, expected: null, ids: [], inflight: 0,
                               armed: false, resolve: null});
  performance.setResourceTimingBufferSize(100000);
  const origFetch = window.fetch;
  window.fetch = function (...args) {
    B.inflight += 1;
    const done = () => { B.inflight -= 1; };
    const p = origFetch.apply(this, args);
    p.then(r => r.clone().arrayBuffer().then(done, done), done);
    return p;
  };
  B.fingerprint = (ids) => {
    // per chart, its drawn elements as a sorted list: plotly.react may keep a trace's group
    // and move it, so the order of the elements is not part of what the chart shows
    const charts = [];
    for (const id of ids) {
      const el = document.getElementById(id);
      const svgs = el ? el.querySelectorAll('svg.main-svg') : [];
      if (!svgs.length) { charts.push(id + ':none'); continue; }
      const parts = [];
      for (const svg of svgs) {
        for (const n of svg.querySelectorAll(
            'text, g.trace path, g.trace rect, .shapelayer path, .imagelayer image')) {
          if (n.closest('.hoverlayer')) continue;
          if (n.tagName === 'text') { parts.push('t' + n.textContent); continue; }
          const d = n.getAttribute('d') || '';
          parts.push((d.length < 400 ? d : 'L' + d.length) + '|' +
                     (n.getAttribute('transform') || '') + '|' + (n.getAttribute('style') || ''));
        }
      }
      charts.push(id + ':\\n' + parts.sort().join('\\n'));
    }
    return charts.join('\\n');
  };
  const frame = () => {
    if (!B.armed) return;
    if (B.expected.includes(B.fingerprint(B.ids))) {
      B.shown = performance.now();
      B.armed = false;
      B.resolve && B.resolve();
      return;
    }
    requestAnimationFrame(frame);
  };
  B.arm = (ids, expected) => {
    B.ids = ids; B.expected = expected; B.t0 = null; B.shown = null; B.armed = true;
    performance.clearResourceTimings();
    B.done = new Promise(r => { B.resolve = r; });
  };
  document.addEventListener('click', e => {
    if (!B.armed || B.t0 !== null) return;
    if (e.target.closest && e.target.closest('[role=option]')) {
      B.t0 = performance.now();
      requestAnimationFrame(frame);
    }
  }, true);
  B.result = () => {
    const reqs = performance.getEntriesByType('resource')
      .filter(e => e.name.includes('_dash-update-component') && e.startTime >= B.t0
              && e.responseEnd <= B.shown);
    const out = {total: B.shown - B.t0, requests: reqs.length};
    if (reqs.length) {
      const start = Math.min(...reqs.map(e => e.startTime));
      const end = Math.max(...reqs.map(e => e.responseEnd));
      out.before = start - B.t0; out.server = end - start; out.after = B.shown - end;
    }
    return out;
  };
})();
"""

STATIC_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>static {path}</title>
<script src="/plotly.min.js"></script>
<style>
body {{ font-family: sans-serif; margin: 16px; }}
#control {{ padding: 6px 12px; min-width: 270px; text-align: left; }}
#list {{ position: absolute; background: #fff; border: 1px solid #888; z-index: 10; }}
#list [role=option] {{ padding: 6px 12px; cursor: pointer; }}
#list [role=option]:hover {{ background: #eef; }}
</style></head><body>
<h1>static {path}</h1>
<button id="control" type="button" aria-haspopup="listbox">{first}</button>
<div id="list" role="listbox" hidden>{options}</div>
{divs}
<script>
const STATES = {states};
const CONFIGS = {configs};
const list = document.getElementById('list');
const control = document.getElementById('control');
function draw(i) {{
  for (const [id, json] of Object.entries(STATES[i].figures)) {{
    const fig = JSON.parse(json);
    Plotly.react(id, fig.data || [], fig.layout || {{}}, CONFIGS[id]);
  }}
}}
control.addEventListener('click', () => {{ list.hidden = !list.hidden; }});
list.addEventListener('click', e => {{
  const opt = e.target.closest('[role=option]');
  if (!opt) return;
  list.hidden = true;
  control.textContent = opt.textContent;
  draw(Number(opt.dataset.i));
}});
draw(0);
</script></body></html>
"""


# Dash's floor: the page's control and graphs alone in a Dash app (no other component, no
# asset script), whose one callback runs in the browser and hands dcc.Graph the state's figures
# from a dcc.Store (the figures the app draws, computed before). No Dash interaction can do
# less: what it takes over the static page is the cost of Dash's renderer and components.
FLOOR_APP = """
import json, sys
from dash import Dash, Input, Output, State, dcc, html
spec = json.load(open(sys.argv[1], encoding="utf-8"))
app = Dash(__name__, serve_locally=True, update_title=None, assets_folder=sys.argv[2])
states, ids = spec["states"], spec["ids"]
app.layout = html.Div([
    dcc.Dropdown(
        id=spec["control"],
        options=[{"label": s["label"], "value": i} for i, s in enumerate(states)],
        value=0, clearable=False, searchable=True,
    ),
    dcc.Store(id="floor-figures", data=[[f for _, f, _ in s["figures"]] for s in states]),
    *[
        dcc.Graph(id=i, figure=f, config=c, style={"width": f"{w}px", "height": f"{h}px"})
        for (i, f, c), (w, h) in zip(states[0]["figures"], spec["sizes"])
    ],
])
app.clientside_callback(
    "function (i, figures) { return figures[i]; }",
    [Output(i, "figure") for i in ids],
    Input(spec["control"], "value"),
    State("floor-figures", "data"),
    prevent_initial_call=True,
)
app.run(host="127.0.0.1", port=int(sys.argv[3]))
"""


def start_floor(spec: Mapping[str, Any], sizes: Mapping[str, tuple[float, float]], folder: Path):
    """Dash's floor for one page (FLOOR_APP) on a free port of 127.0.0.1: (process, URL). Its
    assets are the app's data files only (the world outlines a map fetches), no script."""
    assets = folder / "assets"
    if not assets.exists():
        for path in (ROOT / "dashboard" / "assets").rglob("*"):
            if path.is_file() and path.suffix not in (".js", ".css"):
                target = assets / path.relative_to(ROOT / "dashboard" / "assets")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(path.read_bytes())
    (folder / "floor.py").write_text(FLOOR_APP, encoding="utf-8")
    spec_file = folder / "spec.json"
    spec_file.write_text(
        json.dumps({**spec, "sizes": [sizes[i] for i in spec["ids"]]}), encoding="utf-8"
    )
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(folder / "floor.py"), str(spec_file), str(assets), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_http(proc, port, "Dash's floor app")
    return proc, f"http://127.0.0.1:{port}/"


def wait_http(proc: subprocess.Popen, port: int, name: str, deadline_s: float = 90) -> None:
    import http.client

    t0 = time.perf_counter()
    while time.perf_counter() - t0 < deadline_s:
        if proc.poll() is not None:
            raise SystemExit(f"{name} stopped (exit code {proc.returncode})")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/_dash-layout")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"{name} did not start within {deadline_s} s")


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


def start_app(port: int, data_dir: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "dashboard.cli", "serve", "--port", str(port)]
    env = {**os.environ, "MILBAL_DATA_DIR": data_dir}
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wait_http(proc, port, "`milbal serve`")
    return proc


class StaticServer:
    """plotly.js from the installed plotly package, the app's world outlines (the map's
    topojsonURL) and the generated static pages, on 127.0.0.1."""

    def __init__(self) -> None:
        import plotly

        self.files: dict[str, tuple[bytes, str]] = {}
        plotly_js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
        self.files["/plotly.min.js"] = (plotly_js.read_bytes(), "text/javascript")
        for path in (ROOT / "dashboard" / "assets").rglob("*"):
            if path.is_file():
                url = "/assets/" + path.relative_to(ROOT / "dashboard" / "assets").as_posix()
                self.files[url] = (path.read_bytes(), "application/json")
        files = self.files

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body, kind = files.get(self.path.split("?")[0], (None, ""))
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "max-age=3600")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def add(self, url: str, html: str) -> str:
        self.files[url] = (html.encode(), "text/html; charset=utf-8")
        return f"http://127.0.0.1:{self.port}{url}"

    def close(self) -> None:
        self.httpd.shutdown()


def graphs(tree: Any, out: list) -> list[tuple[str, dict, dict]]:
    """(id, figure, config) of every dcc.Graph in a layout, in page order."""
    if hasattr(tree, "to_plotly_json"):
        tree = tree.to_plotly_json()
    if isinstance(tree, dict):
        props = tree.get("props")
        if tree.get("type") == "Graph" and isinstance(props, dict):
            out.append((props["id"], props["figure"], props.get("config") or {}))
        for value in (props or {}).values() if isinstance(props, dict) else ():
            graphs(value, out)
    elif isinstance(tree, list | tuple):
        for child in tree:
            graphs(child, out)
    return out


def _jsonable(value: Any) -> Any:
    import plotly.io

    return json.loads(plotly.io.json.to_json_plotly(value))


@functools.cache
def _app():
    from dashboard.factory import create_app

    return create_app()


def page_states(path: str, name: str, count: int) -> dict[str, Any]:
    """The page's states for the benchmark: the default, then options of the control `name`
    (as the dropdown lists them) that keep every other value and draw other charts, each of
    them with data (no chart showing its "nothing to draw" message), up to
    `count` states; for each, the label of its option and the figures the app draws."""
    from dashboard.components import picks
    from dashboard.factory import load_pages
    from dashboard.params import to_query

    module = next(m for m in load_pages() if path == m.PATH)
    param = next(p for p in module.PARAMS if p.name == name)
    app = _app()
    from dashboard.components import page_params, query_of

    def settled(query: Mapping[str, str]) -> dict[str, Any] | None:
        values, problems = page_params(module.PARAMS, query)
        return None if problems else values

    def figures(values: Mapping[str, Any]) -> list[tuple[str, dict, dict]]:
        with app.server.test_request_context(path):
            found = graphs(module.layout(**query_of(to_query(module.PARAMS, values))), [])
        return [(i, _jsonable(f), c) for i, f, c in found]

    first = settled({})
    labels = {o["value"]: o["label"] for o in picks(param, first)}
    states = [{"value": first[name], "label": labels[first[name]], "figures": figures(first)}]
    seen = [json.dumps(states[0]["figures"], sort_keys=True)]
    for value in labels:
        if len(states) >= count:
            break
        if value == first[name]:
            continue
        query = query_of(to_query(module.PARAMS, {**first, name: value}))
        values = settled(query)
        if values is None:
            continue  # refused or corrected (a message above the page): not a view to time
        others = {k: v for k, v in values.items() if k != name}
        if values[name] != value or others != {k: v for k, v in first.items() if k != name}:
            continue  # it would move another control: the cycle would not come back
        figs = figures(values)
        if [i for i, _, _ in figs] != [i for i, _, _ in states[0]["figures"]] or any(
            not f.get("data") for _, f, _ in figs
        ):
            continue  # a chart with nothing to draw (its message instead): not a view to time
        key = json.dumps(figs, sort_keys=True)
        if key in seen:
            continue
        seen.append(key)
        states.append({"value": value, "label": labels[value], "figures": figs})
    if len(states) < 2:
        raise SystemExit(f"{path}: no second state for control {name!r}")
    return {
        "path": path,
        "control": f"{module.PAGE}-{name}",
        "query": to_query(module.PARAMS, first),
        "states": states,
        "ids": [i for i, _, _ in states[0]["figures"]],
    }


def static_html(spec: Mapping[str, Any], sizes: Mapping[str, tuple[float, float]]) -> str:
    options = "".join(
        f'<div role="option" data-i="{i}">{html.escape(s["label"])}</div>'
        for i, s in enumerate(spec["states"])
    )
    divs = "\n".join(
        f'<div id="{i}" style="width:{w:.0f}px;height:{h:.0f}px"></div>'
        for i, (w, h) in sizes.items()
    )
    states = [{"figures": {i: json.dumps(f) for i, f, _ in s["figures"]}} for s in spec["states"]]
    configs = {i: c for i, _, c in spec["states"][0]["figures"]}
    return STATIC_PAGE.format(
        path=spec["path"],
        first=spec["states"][0]["label"],
        options=options,
        divs=divs,
        states=json.dumps(states).replace("</", "<\\/"),
        configs=json.dumps(configs),
    )


class Side:
    """One browser tab (the app or the static page) and its cycle of states."""

    def __init__(self, page, name: str, control: str, spec: Mapping[str, Any]) -> None:
        self.page, self.name, self.control, self.spec = page, name, control, spec
        self.ids = spec["ids"]
        # the drawings seen of each state (a state may be drawn a fraction of a pixel apart
        # after another state than after the page load: plotly's automargins)
        self.fingerprints: list[set[str]] = [set() for _ in spec["states"]]
        self.drawn = ""  # the fingerprint on screen
        self.at = 0  # the state on screen

    def fingerprint(self) -> str:
        return self.page.evaluate("ids => __bench.fingerprint(ids)", self.ids)

    def settle(self, timeout_s: float, quiet_s: float = 0.3) -> str:
        """Wait until no callback request is in flight and the charts stay the same for
        quiet_s; the fingerprint then."""
        deadline = time.perf_counter() + timeout_s
        last, since = None, time.perf_counter()
        while time.perf_counter() < deadline:
            busy = self.page.evaluate("__bench.inflight")
            now = self.fingerprint()
            if busy or now != last or ":none" in now:
                last, since = now, time.perf_counter()
            elif time.perf_counter() - since >= quiet_s:
                return now
            self.page.wait_for_timeout(30)
        raise SystemExit(
            f"{self.spec['path']} ({self.name}): the charts did not settle within {timeout_s} s"
        )

    def interact(self, timeout_s: float, measure: bool) -> dict[str, float] | None:
        """Choose the next state's option; with measure, time the click to the frame that
        shows it (its fingerprint known), else wait for it to settle and learn it."""
        nxt = (self.at + 1) % len(self.spec["states"])
        label = self.spec["states"][nxt]["label"]
        expected = sorted(self.fingerprints[nxt])
        if measure and not expected:
            raise SystemExit(f"{self.spec['path']} ({self.name}): state {label!r} not learnt")
        self.page.mouse.move(2, 2)
        self.page.locator(f"#{self.control}").click()
        option = self.page.get_by_role("option", name=label, exact=True)
        option.wait_for(state="visible", timeout=timeout_s * 1000)
        self.page.evaluate("([ids, fps]) => __bench.arm(ids, fps)", [self.ids, expected])
        option.click()
        result = None
        if measure:
            shown = self.page.evaluate(
                "ms => Promise.race([__bench.done.then(() => true),"
                " new Promise(r => setTimeout(() => r(false), ms))])",
                timeout_s * 1000,
            )
            if not shown:
                raise SystemExit(
                    f"{self.spec['path']} ({self.name}): the state after choosing {label!r} "
                    f"was not on screen within {timeout_s} s of the option click"
                )
            result = self.page.evaluate("__bench.result()")
        self.page.evaluate("__bench.armed = false")
        self.page.mouse.move(2, 2)
        if not measure:  # learning: wait for the charts to change, then to settle
            deadline = time.perf_counter() + timeout_s
            while self.fingerprint() == self.drawn:
                if time.perf_counter() > deadline:
                    raise SystemExit(
                        f"{self.spec['path']} ({self.name}): choosing {label!r} did not change "
                        f"the charts within {timeout_s} s"
                    )
                self.page.wait_for_timeout(30)
        now = self.settle(timeout_s, quiet_s=0.1 if measure else 0.3)
        if measure and now not in expected:
            raise SystemExit(
                f"{self.spec['path']} ({self.name}): after {label!r} the charts moved on from "
                "the drawing measured, to one not seen while learning"
            )
        if not measure:
            self.learn(nxt, now, label)
        self.at, self.drawn = nxt, now
        return result

    def learn(self, state: int, drawn: str, label: str) -> None:
        for other, seen in enumerate(self.fingerprints):
            if other != state and drawn in seen:
                raise SystemExit(
                    f"{self.spec['path']} ({self.name}): the charts for {label!r} are drawn as "
                    "for another state: the probe cannot tell them apart"
                )
        self.fingerprints[state].add(drawn)


def run_page(browser, app_url: str, static: StaticServer, spec, args) -> dict[str, Any]:
    app_page = browser.new_page(viewport=VIEWPORT)
    static_page = browser.new_page(viewport=VIEWPORT)
    floor_page = browser.new_page(viewport=VIEWPORT)
    floor = None
    folder = tempfile.TemporaryDirectory(prefix="milbal-bench-floor-")
    try:
        for page in (app_page, static_page, floor_page):
            page.add_init_script(PROBE)
        app_page.goto(app_url + spec["path"] + spec["query"])
        for i in spec["ids"]:
            app_page.wait_for_selector(f"#{i} .main-svg", timeout=args.timeout * 1000)
        sizes = {
            i: tuple(
                app_page.evaluate(
                    "id => { const r = document.getElementById(id).getBoundingClientRect();"
                    " return [r.width, r.height]; }",
                    i,
                )
            )
            for i in spec["ids"]
        }
        url = static.add(f"/static{spec['path'].rstrip('/')}/index.html", static_html(spec, sizes))
        static_page.goto(url)
        floor, floor_url = start_floor(spec, sizes, Path(folder.name))
        floor_page.goto(floor_url)
        sides = [
            Side(app_page, "app", spec["control"], spec),
            Side(static_page, "static", "control", spec),
            Side(floor_page, "floor", spec["control"], spec),
        ]
        for side in sides:
            side.drawn = side.settle(args.timeout)
            side.learn(0, side.drawn, spec["states"][0]["label"])
        # warm-up, not counted: two rounds to learn each state's drawing (the first state's
        # after the last, not only after the page load), then --warmup more
        n_states = len(spec["states"])
        for _ in range(2 * n_states):
            for side in sides:
                side.interact(args.timeout, measure=False)
        for _ in range(args.warmup):
            for side in sides:
                side.interact(args.timeout, measure=True)
        results: dict[str, list[dict[str, float]]] = {side.name: [] for side in sides}
        for n in range(args.interactions):
            # each side first, second and last in turn
            order = sides[n % 3 :] + sides[: n % 3]
            for side in order:
                results[side.name].append(side.interact(args.timeout, measure=True))
        probe = (
            "ids => { const t = performance.now(); for (let i = 0; i < 20; i++)"
            " __bench.fingerprint(ids); return (performance.now() - t) / 20; }"
        )
        results["probe"] = [
            {"total": page.evaluate(probe, spec["ids"])}
            for page in (app_page, static_page, floor_page)
        ]
        return results
    finally:
        for page in (app_page, static_page, floor_page):
            page.close()
        if floor is not None:
            stop(floor)
        folder.cleanup()


def rss_mb(pid: int) -> float:
    """Resident memory of a process (Linux /proc), MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise SystemExit(f"no VmRSS for process {pid}")


def cold_starts(browser, runs: int, data_dir: str, timeout_s: float) -> dict[str, Any]:
    """Seconds from process start to the first page with its charts drawn, per app, runs
    interleaved; the minimal app's memory once its page is drawn (MB, median)."""
    import http.client

    from bench_callbacks import BARE_APPS  # benchmarks/, the script's folder

    minimal = "minimal Dash, pandas + px"
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(textwrap.dedent(BARE_APPS[minimal]))
        script = f.name
    cmds = {
        "milbal serve": [sys.executable, "-m", "dashboard.cli", "serve", "--port"],
        minimal: [sys.executable, script],
    }
    times: dict[str, list[float]] = {name: [] for name in cmds}
    memory: list[float] = []
    try:
        for _ in range(runs):
            for name, cmd in cmds.items():
                port = free_port()
                t0 = time.perf_counter()
                proc = subprocess.Popen(
                    [*cmd, str(port)],
                    cwd=ROOT,
                    env={**os.environ, "MILBAL_DATA_DIR": data_dir},
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                try:
                    while True:
                        if time.perf_counter() - t0 > timeout_s:
                            raise SystemExit(f"{name} did not answer within {timeout_s} s")
                        try:
                            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                            conn.request("GET", "/")
                            if conn.getresponse().status == 200:
                                break
                        except OSError:
                            time.sleep(0.02)
                    context = browser.new_context(viewport=VIEWPORT)
                    try:
                        page = context.new_page()
                        page.goto(f"http://127.0.0.1:{port}/")
                        page.wait_for_function(CHARTS_DRAWN, timeout=timeout_s * 1000)
                        times[name].append(time.perf_counter() - t0)
                    finally:
                        context.close()
                    if name == minimal:
                        memory.append(rss_mb(proc.pid))
                finally:
                    stop(proc)
    finally:
        Path(script).unlink()
    return {
        "ours": statistics.median(times["milbal serve"]),
        "minimal": statistics.median(times[minimal]),
        "minimal_mb": statistics.median(memory),
    }


def report(rows: list[tuple[str, dict[str, list[dict[str, float]]]]]) -> list[str]:
    """Print the table; the pages over budget."""
    print(
        f"\n{'page':<13}{'app p50':>8}{'p95':>7}{'static p50':>11}{'p95':>7}{'x p50':>7}"
        f"{'x p95':>7}{'floor p50':>10}{'p95':>7}{'floor/st':>9}{'app/floor':>10}"
        f"   app split p50: before / server / after{'probe':>9}"
    )
    failures = []
    for path, results in rows:
        app, base, floor = (
            [r["total"] for r in results[side]] for side in ("app", "static", "floor")
        )
        r50 = statistics.median(app) / statistics.median(base)
        r95 = p95(app) / p95(base)
        split = [r for r in results["app"] if "before" in r]
        if split:
            parts = [statistics.median(r[k] for r in split) for k in ("before", "server", "after")]
            text = " / ".join(f"{v:5.1f}" for v in parts) + f" ({len(split)}/{len(app)} fetched)"
        else:
            text = "no callback request"
        over = [
            f"{label} > {budget}x"
            for label, ratio, budget in (("p50", r50, BUDGET_MEDIAN), ("p95", r95, BUDGET_P95))
            if ratio > budget
        ]
        if over:
            failures.append(f"{path} ({', '.join(over)})")
        probe = max(r["total"] for r in results["probe"])
        print(
            f"{path:<13}{statistics.median(app):>8.1f}{p95(app):>7.1f}"
            f"{statistics.median(base):>11.1f}{p95(base):>7.1f}{r50:>7.2f}{r95:>7.2f}"
            f"{statistics.median(floor):>10.1f}{p95(floor):>7.1f}"
            f"{statistics.median(floor) / statistics.median(base):>9.2f}"
            f"{statistics.median(app) / statistics.median(floor):>10.2f}"
            f"   {text}{probe:>9.2f}"
        )
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interactions", type=int, default=80, help="measured, per page and side")
    parser.add_argument("--warmup", type=int, default=4, help="uncounted interactions per side")
    parser.add_argument("--states", type=int, default=4, help="states in each page's cycle")
    parser.add_argument("--pages", nargs="+", default=list(CONTROLS), help="paths, e.g. / /world")
    parser.add_argument("--timeout", type=float, default=15, help="seconds per interaction")
    parser.add_argument("--cold-runs", type=int, default=3, help="cold starts per app (0: none)")
    args = parser.parse_args()
    asked = args.pages if args.pages != list(CONTROLS) else [*CONTROLS, *SKIPPED]
    for path in asked:
        if path not in CONTROLS:
            print(f"{path}: skipped ({SKIPPED.get(path, 'not a page with controls')})")
    pages = [p for p in args.pages if p in CONTROLS]
    data_dir = tempfile.mkdtemp(prefix="milbal-bench-data-")
    os.environ["MILBAL_DATA_DIR"] = data_dir

    from playwright.sync_api import sync_playwright

    specs = {path: page_states(path, CONTROLS[path], args.states) for path in pages}
    port = free_port()
    proc = start_app(port, data_dir)
    static = StaticServer()
    rows = []
    cold: dict[str, Any] = {}
    memory = None
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            try:
                for path in pages:
                    spec = specs[path]
                    labels = ", ".join(s["label"] for s in spec["states"])
                    print(f"{path}: #{spec['control']} over {labels}", flush=True)
                    results = run_page(browser, f"http://127.0.0.1:{port}", static, spec, args)
                    rows.append((path, results))
                memory = rss_mb(proc.pid)  # after warm-up: every page drawn, states cached
                stop(proc)
                if args.cold_runs:
                    print(f"cold starts: {args.cold_runs} per app", flush=True)
                    cold = cold_starts(browser, args.cold_runs, data_dir, 120)
            finally:
                browser.close()
    finally:
        static.close()
        stop(proc)

    failures = report(rows)
    if memory is not None:
        line = (
            f"\nserver memory after the interactions: {memory:.0f} MB (budget {BUDGET_RSS_MB} MB: "
        )
        line += f"{memory / BUDGET_RSS_MB:.2f} of it"
        if cold:
            base = cold["minimal_mb"]
            line += f"; {memory / base:.2f}x the minimal app's {base:.0f} MB"
        print(line + ")")
        if memory > BUDGET_RSS_MB:
            failures.append("memory")
    if cold:
        ratio = cold["ours"] / cold["minimal"]
        print(
            f"cold start to the first page with its charts drawn, median of {args.cold_runs}: "
            f"milbal serve {cold['ours']:.2f} s, Dash's minimal app {cold['minimal']:.2f} s: "
            f"ratio {ratio:.2f} (budget {BUDGET_COLD})"
        )
        if ratio > BUDGET_COLD:
            failures.append("cold start")
    print(
        f"\nms; {args.interactions} interactions per page and side, interleaved, after "
        f"{args.warmup} uncounted; x = app / static; floor = Dash's floor (the page's control "
        "and graphs alone in a Dash app, the state's figures handed over by a callback in the "
        "browser), floor/st = floor / static, app/floor = app / floor; probe = ms of one "
        "check of the charts in a frame (every side pays it).\n"
        f"Budgets: median <= {BUDGET_MEDIAN}x static, p95 <= {BUDGET_P95}x static."
    )
    if failures:
        print("over budget: " + "; ".join(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
