"""Building blocks of pages: controls made from chart parameters, chart blocks, messages, and
the one callback shape every page uses (controls -> charts + URL)."""

from __future__ import annotations

import functools
import threading
import zlib
from collections.abc import Callable, Mapping, Sequence
from html import escape
from typing import Any
from urllib.parse import parse_qsl

import dash
import flask
from dash import Input, Output, State, dcc, html

from dashboard.bounded import BytesLRU, json_size
from dashboard.charts import Rendered, derived, forget_rendered, get_chart, render
from dashboard.cite import citations, short_label
from dashboard.export.embed import frame_height
from dashboard.geo import ASSET_FOLDER, is_geo
from dashboard.params import Param, ParamError, parse_query, settle, to_query
from dashboard.style import plotly_config
from validation import load_catalog


def control_id(page: str, name: str) -> str:
    return f"{page}-{name}"


def picks(param: Param, values: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The options of a parameter's dropdown for these values, in people's words (see
    Param.listed). Built once per listed sequence (the pickers' lists are memoised per
    catalog): labels for 200 countries cost about 0.4 ms, and every control change of a page
    with pickers sends them. Treat as read-only."""
    listed = param.listed(load_catalog(), values)
    key = (param, id(listed))
    with _PICKS_LOCK:
        hit = _PICKS.get(key)
    if hit is not None and hit[0] is listed:
        return hit[1]
    catalog = load_catalog()
    show = (lambda v: param.label_of(catalog, v)) if param.labels is not None else param.show
    options = [{"label": show(v), "value": v} for v in listed]
    with _PICKS_LOCK:
        if len(_PICKS) >= 1024:
            _PICKS.clear()
        _PICKS[key] = (listed, options)
    return options


_PICKS: dict[tuple[Param, int], tuple[Sequence[Any], list[dict[str, Any]]]] = {}
_PICKS_LOCK = threading.Lock()


def narrowed(param: Param) -> bool:
    """Whether a parameter's control lists what the other values allow (its options change)."""
    return param.offered is not None or param.options is not None or param.narrow is not None


def control(
    page: str, param: Param, value: Any, values: Mapping[str, Any] | None = None
) -> html.Div:
    """A labelled control for a parameter, keyboard-usable, with the given initial value; a
    dropdown of what the page can draw for a narrowed parameter (the other `values` decide)."""
    cid = control_id(page, param.name)
    if param.kind in ("choice", "multi") or narrowed(param):
        widget = dcc.Dropdown(
            id=cid,
            options=picks(param, {**(values or {}), param.name: value}),
            value=list(value) if param.kind == "multi" else value,
            multi=param.kind == "multi",
            clearable=False,
            searchable=True,
        )
    elif param.kind == "percent":
        widget = dcc.Slider(
            id=cid,
            min=param.lo,
            max=param.hi,
            step=1,
            value=value,
            marks={int(m): f"{int(m)}%" for m in (param.lo, 25, 50, 75, param.hi)},
            tooltip={"placement": "bottom", "always_visible": False},
            updatemode="drag",
        )
    else:
        widget = dcc.Input(
            id=cid, type="number", min=param.lo, max=param.hi, step=1, value=value, debounce=True
        )
    # The label's id names dropdowns and sliders too (dashboard/assets/a11y.js): their
    # focusable parts are drawn by Dash, out of reach of a <label for>.
    label = html.Label(param.label, htmlFor=cid, id=f"{cid}-label")
    return html.Div([label, widget], className="control")


# Download links under every chart: (label, extension of its /chart/<slug>.<ext> route).
DOWNLOADS = (
    ("Download CSV", "csv"),
    ("PNG", "png"),
    ("SVG", "svg"),
    ("PDF", "pdf"),
    ("HTML", "html"),
)


def _origin() -> str:
    """This server's origin as the browser reached it, for a snippet pasted elsewhere; empty
    (a relative src) outside a request."""
    return flask.request.host_url.rstrip("/") if flask.has_request_context() else ""


def export_links(
    slug: str, params: Mapping[str, Any], origin: str | None = None
) -> tuple[list[str], str]:
    """The download hrefs (in DOWNLOADS order) and the iframe snippet of a chart drawn with
    these values of its parameters: the same query its page would carry. `origin` defaults to
    this request's (see _origin)."""
    origin = _origin() if origin is None else origin
    hrefs, snippet = _links(slug, tuple(sorted(params.items())), origin)
    return list(hrefs), snippet


@functools.lru_cache(maxsize=4096)
def _links(slug: str, frozen: tuple, origin: str) -> tuple[tuple[str, ...], str]:
    chart = get_chart(slug)
    query = to_query(chart.params, dict(frozen))
    hrefs = tuple(f"/chart/{slug}.{ext}{query}" for _, ext in DOWNLOADS)
    # The query is URL-encoded and its '&name=' stays literal inside an attribute (HTML5),
    # so the src is left readable; the origin comes from the Host header: escape it.
    src = f"{escape(origin)}/chart/{slug}{query}"
    # as tall as the chart with its title and caption need (dashboard.export.embed)
    height = frame_height(render(slug, dict(frozen)))
    snippet = (
        f'<iframe src="{src}" width="100%" height="{height}" style="border:0" '
        f'title="{escape(chart.title)}" loading="lazy"></iframe>'
    )
    return hrefs, snippet


def _exports(slug: str, params: Mapping[str, Any]) -> html.Div:
    hrefs, snippet = export_links(slug, params)
    links = [
        html.A(
            label,
            href=href,
            download="",
            title=f"Download this chart as {ext.upper()}",
            id=f"download-{slug}-{ext}",
            className="download",
        )
        for (label, ext), href in zip(DOWNLOADS, hrefs, strict=True)
    ]
    embed = html.Details(
        [
            html.Summary("Embed"),
            html.Label("Copy this HTML into a page:", htmlFor=f"embed-{slug}"),
            dcc.Textarea(id=f"embed-{slug}", value=snippet, readOnly=True, rows=3),
        ],
        className="embed",
    )
    return html.Div([*links, embed], className="chart-exports", role="group")


def graph_config(figure: Mapping[str, Any]) -> dict[str, Any]:
    """A dcc.Graph's plotly.js config; for a map, where plotly.js reads the world outlines:
    this app's own asset (dashboard.geo), fetched once per page load, never a CDN."""
    config: dict[str, Any] = plotly_config()
    if is_geo(figure):
        config["topojsonURL"] = dash.get_asset_url(ASSET_FOLDER)
    return config


# Content the browser draws as plain elements (assets/plain.js) rather than as Dash components:
# a tree of html components, as the server builds it (to_plain's dicts), sent as the data of a
# store; the holder (a component with an id and no children) receives it. For large content
# that only changes as a whole (a table of a few hundred cells): as components, it would be
# visited by Dash's renderer on every later update of the page, whatever that update changes.
# Only dash_html_components are drawn: links are plain <a> (a full page load), no dcc.


def plain_ids(holder_id: str) -> tuple[str, str]:
    """(the store whose data is the holder's content, the store the drawing answers to).
    Named after the holder, but not starting with a page's prefix: a page's own callback is
    the one whose inputs all do (the benchmarks and the fuzz tests find it so)."""
    return f"content-of-{holder_id}", f"drawn-{holder_id}"


def plain_stores(holder_id: str) -> list[dcc.Store]:
    """The two stores of plain_ids, for the page's layout (beside the holder)."""
    return [dcc.Store(id=store) for store in plain_ids(holder_id)]


def register_plain(holder_id: str) -> None:
    """The browser's drawing of the holder's content whenever its store changes (a page
    callback outputs plain_ids(holder_id)[0], "data"; its first call too, since the page comes
    without the content)."""
    content, drawn = plain_ids(holder_id)
    dash.clientside_callback(
        dash.ClientsideFunction(namespace="milbal_plain", function_name="draw"),
        Output(drawn, "data"),
        Input(content, "data"),
        State(holder_id, "id"),
        prevent_initial_call=True,
    )


def chart_block(slug: str, params: Mapping[str, Any], level: int = 2) -> html.Section:
    """Title (a heading of this `level`), graph, caption, source line and downloads of one
    chart, drawn for these parameters. The graph and its caption are a <figure>: the caption is
    the chart's text alternative. A chart with nothing to draw shows only its message (see
    caption_of)."""
    rendered = render(slug, own_values(slug, params))
    chart = rendered.chart
    own = dict(rendered.params)
    heading = getattr(html, f"H{level}")
    return html.Section(
        [
            heading(chart.title, id=f"title-{slug}"),
            html.Figure(
                [
                    dcc.Graph(
                        id=f"chart-{slug}",
                        figure=rendered.figure,
                        config=graph_config(rendered.figure),
                    ),
                    html.Figcaption(
                        caption_of(rendered), id=f"caption-{slug}", className="caption"
                    ),
                ],
                className="chart-figure",
            ),
            html.P(rendered.source_line, id=f"sources-{slug}", className="source-line"),
            _exports(slug, own),
        ],
        className="chart-block",
        id=f"block-{slug}",
        **{"aria-labelledby": f"title-{slug}"},
    )


def caption_of(rendered: Rendered) -> str | dict[str, Any]:
    """What a chart's caption shows: its caption, or, when the chart has nothing to draw for
    these values, its message marked as such; the stylesheet then hides the empty graph, the
    source line and the downloads (.chart-block:has(.chart-empty)), so the reader sees one
    message saying what to do. A plain dict, as message_items."""
    if rendered.error is None:
        return rendered.caption
    return to_plain(html.Span(rendered.caption, className="chart-empty", role="status"))


def own_values(slug: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """A chart's parameter values from a page's: a parameter the page has no control for
    (equipment-ratio's source on /force-ratio) keeps its default."""
    return {p.name: values.get(p.name, p.default) for p in get_chart(slug).params}


def messages(page: str, items: Sequence[str]) -> html.Div:
    """Problems with the query string, shown above the page; empty when there are none."""
    return html.Div(
        [html.P(m) for m in items],
        id=f"{page}-messages",
        className="messages",
        role="status",
    )


def source_mark(label: str, tip: str, conflict: bool = False) -> dict[str, Any]:
    """A small mark after a value naming its source in people's words (`label`, e.g. "GFP
    2020"), which shows `tip` (the citations, with the source ids) while hovered or focused: a
    tab stop whose text, the tip included, a screen reader reads. A plain dict (see to_plain):
    tables of them are rebuilt on every control change."""
    return {
        "type": "Span",
        "namespace": "dash_html_components",
        "props": {
            "className": "source-mark conflict" if conflict else "source-mark",
            "tabIndex": 0,
            "children": [
                label,
                {
                    "type": "Span",
                    "namespace": "dash_html_components",
                    "props": {"className": "cite-tip", "role": "tooltip", "children": tip},
                },
            ],
        },
    }


def cited_source(source_id: str) -> tuple[str, str]:
    """A source id as source_mark shows it: ("GFP 2020", "Global Firepower, ... (2020); id
    gfp-2020-xlsx"), from the catalog's sources table (imported sources included)."""
    sources = load_catalog()["sources"]
    labels, texts = derived("source-words", (sources,), lambda: _source_words(sources))
    return labels.get(source_id, source_id), f"{texts.get(source_id, source_id)}; id {source_id}"


def _source_words(sources) -> tuple[dict[str, str], dict[str, str]]:
    labels = {row["source_id"]: short_label(row) for _, row in sources.iterrows()}
    return labels, citations(sources)


def scrolling_box(content: Any, labelled_by: str) -> html.Div:
    """A wide table in a box of its own that scrolls sideways on a narrow screen (the page does
    not), reachable by keyboard and named by the heading `labelled_by` (its id)."""
    return html.Div(
        content,
        className="table-scroll",
        tabIndex="0",
        role="region",
        **{"aria-labelledby": labelled_by},
    )


def message_items(items: Sequence[str]) -> list[dict[str, Any]]:
    """The children of a page's messages as plain dicts (see to_plain): a callback's response
    holding a component object misses orjson's fast path, and plotly then walks every dict and
    list of the response (the pickers' options, the figures) in Python, ~1 ms a response."""
    return [to_plain(html.P(m)) for m in items]


def page_params(params: Sequence[Param], query: Mapping[str, str]):
    """Values for a page's parameters from its query string, leniently, settled to what the
    page can draw (see dashboard.params.settle), with messages."""
    catalog = load_catalog()
    values, problems = parse_query(params, query, catalog)
    given = [k for k, v in query.items() if v not in (None, "")]
    return values, problems + settle(params, values, given, catalog)


def controls(page: str, params: Sequence[Param], values: Mapping[str, Any]) -> html.Div:
    """A page's controls, drawn for these (settled) values, with the record of the lists they
    show (see control_updates)."""
    return html.Div(
        [
            *[control(page, p, values[p.name], values) for p in params],
            dcc.Store(id=lists_id(page), data=lists_key(params, values)),
        ],
        className="controls",
    )


def lists_id(page: str) -> str:
    return f"{page}-lists"


def lists_key(params: Sequence[Param], values: Mapping[str, Any]) -> str:
    """Which lists a page's narrowed controls show for these values: a checksum of each list
    (the same in every worker process), e.g. 'a=1234;b=5678'."""
    catalog = load_catalog()
    return ";".join(
        f"{p.name}={_list_sum(p.listed(catalog, values))}" for p in params if narrowed(p)
    )


def _list_sum(listed: Sequence[Any]) -> int:
    key = id(listed)
    with _PICKS_LOCK:
        hit = _SUMS.get(key)
    if hit is not None and hit[0] is listed:
        return hit[1]
    total = zlib.crc32("\x1f".join(map(str, listed)).encode())
    with _PICKS_LOCK:
        if len(_SUMS) >= 1024:
            _SUMS.clear()
        _SUMS[key] = (listed, total)
    return total


_SUMS: dict[int, tuple[Sequence[Any], int]] = {}


def control_outputs(page: str, params: Sequence[Param]) -> list[Output]:
    """Options and value of every narrowed control, and the record of the lists shown: a
    callback that settles the values sets them (a value settled to another is shown; the lists
    follow the other values). Its callback reads control_state(page)."""
    outputs = [
        Output(control_id(page, p.name), prop)
        for p in params
        if narrowed(p)
        for prop in ("options", "value")
    ]
    return [*outputs, Output(lists_id(page), "data")]


def control_state(page: str) -> State:
    """The record of the lists a page's controls show, read by its callback (control_updates)."""
    return State(lists_id(page), "data")


def control_updates(
    params: Sequence[Param],
    values: Mapping[str, Any],
    raw: Sequence[Any] | None = None,
    shown: str | None = None,
) -> list[Any]:
    """The values of control_outputs for these settled values. Only what changed is sent: a
    control's options where its list differs from the one the page shows (`shown`, the
    record), its value where settling moved it from the control's own (`raw`, the controls'
    values in params order). Dash's renderer then leaves the other dropdowns alone rather
    than drawing their 200 options again on every change."""
    before = dict(part.split("=", 1) for part in (shown or "").split(";") if "=" in part)
    given = values_from_controls(params, raw) if raw is not None else {}
    now = lists_key(params, values)
    after = dict(part.split("=", 1) for part in now.split(";") if "=" in part)
    out: list[Any] = []
    for p in params:
        if narrowed(p):
            same_list = shown is not None and before.get(p.name) == after.get(p.name)
            same_value = raw is not None and given.get(p.name) == _as_query(values[p.name])
            out += [
                dash.no_update if same_list else picks(p, values),
                dash.no_update if same_value else values[p.name],
            ]
    return [*out, dash.no_update if now == shown else now]


def _as_query(value: Any) -> str | None:
    """A settled value as values_from_controls writes a control's."""
    if value is None or value == [] or value == ():
        return None
    return ",".join(map(str, value)) if isinstance(value, list | tuple) else str(value)


def settled_from_controls(
    params: Sequence[Param], raw: Sequence[Any]
) -> tuple[dict[str, Any], list[str]]:
    """The values of a page's controls, parsed as a query and settled to what it can draw."""
    return page_params(params, values_from_controls(params, raw))


def values_from_controls(params: Sequence[Param], raw: Sequence[Any]) -> dict[str, str]:
    """Control values as query strings, so controls and URLs go through the same parsing."""
    out = {}
    for p, value in zip(params, raw, strict=True):
        if value is None or value == []:
            continue
        out[p.name] = ",".join(map(str, value)) if isinstance(value, list) else str(value)
    return out


def chart_page(
    page: str,
    title: str,
    lead: str,
    params: Sequence[Param],
    slugs: Sequence[str],
    query: Mapping[str, str],
    note: Callable[[Mapping[str, Any]], str] | None = None,
) -> html.Div:
    """The layout of a page of charts: title, lead, messages about its query, its controls (with
    a note on what they list, where the page has one), and its charts drawn for the query's
    values (with register_page_callback for the controls)."""
    values, problems = page_params(params, query)
    notes = [html.P(note(values), id=f"{page}-note", className="note")] if note else []
    return html.Div(
        [
            html.H1(title),
            html.P(lead, className="lead"),
            messages(page, problems),
            controls(page, params, values),
            *notes,
            *[chart_block(slug, values) for slug in slugs],
        ]
    )


def is_first_call(n_inputs: int) -> bool:
    """True for the call Dash makes when a page's controls appear (the URL output already
    exists, so prevent_initial_call does not hold it back): every input fires at once. The page
    was drawn from this very query, so callers only tidy the URL and keep the messages about the
    original query on screen. A page with one control cannot tell; it simply redraws."""
    try:
        triggered = dash.ctx.triggered
    except dash.exceptions.MissingCallbackContextException:
        return False  # called directly, not by Dash
    return n_inputs > 1 and len(triggered) == n_inputs


# The answers of page callbacks kept per state: a state drawn before (another visitor, the
# back button, a shared link) costs a dict lookup instead of settling, parsing and building its
# outputs again. Keyed by the callback, the controls' raw values and the origin; one store for
# every page, bounded by the answers' JSON length (what Dash sends: 5 kB for a force ratio,
# ~150 kB for the world map with its table), not by their count.
STATES_BYTES = 32 * 1024 * 1024
_ANSWERS: BytesLRU[tuple[object, list[Any]]] = BytesLRU(
    STATES_BYTES, size=lambda kept: json_size(kept[1])
)


def remembers_states(n_inputs: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A page callback (controls -> outputs, a function of the controls' values, this
    server's origin and the catalog only) whose answers are kept per state, while the catalog
    stays the same object. The first call of a page (see is_first_call) is not kept: it
    answers differently for the same values."""

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        callback = object()  # this callback's part of the keys

        @functools.wraps(fn)
        def answer(*raw: Any) -> list[Any]:
            if is_first_call(n_inputs):
                return fn(*raw)
            catalog = load_catalog()
            key = (callback, _origin(), *(tuple(v) if isinstance(v, list) else v for v in raw))
            try:
                hash(key)
            except TypeError:  # not what a control sends (a dict, a nested list): not kept
                return fn(*raw)
            hit = _ANSWERS.get(key)
            if hit is not None and hit[0] is catalog:
                return list(hit[1])
            result = list(fn(*raw))
            _ANSWERS.put(key, (catalog, result))
            return list(result)

        return answer

    return wrap


def forget_drawn_states() -> None:
    """Empty every cache of drawn states (charts, links, page answers and the pages' own):
    the next request of any state is computed anew. For benchmarks and tests."""
    from dashboard.charts import balance
    from dashboard.pages import compare, overview, world

    forget_rendered()
    _links.cache_clear()
    balance.forget_pairs()
    compare.table_for.cache_clear()
    overview._content.cache_clear()
    world.table_for.cache_clear()
    _ANSWERS.clear()


def register_page_callback(
    page: str,
    params: Sequence[Param],
    slugs: Sequence[str],
    note: Callable[[Mapping[str, Any]], str] | None = None,
) -> None:
    """One callback: any control changes -> every chart of the page redrawn (with its download
    links and embed snippet), the narrowed controls' lists and values and the page's note
    (see chart_page) brought up to date, and the URL's query rewritten so that a copied URL
    restores the view. Thin: it parses and asks the registry."""
    # A chart may appear on several pages, each with its own callback: outputs may be shared.
    outputs = [
        Output("url", "search", allow_duplicate=True),
        Output(f"{page}-messages", "children"),
        *control_outputs(page, params),
        *([Output(f"{page}-note", "children")] if note else []),
    ]
    outputs += chart_outputs(slugs)
    inputs = [Input(control_id(page, p.name), "value") for p in params]

    @dash.callback(outputs, inputs, control_state(page), prevent_initial_call=True)
    @remembers_states(len(inputs))
    def _update(*args):
        raw, shown = args[: len(params)], args[len(params)]
        values, problems = settled_from_controls(params, raw)
        query = to_query(params, values)
        if is_first_call(len(inputs)):
            return [query, *([dash.no_update] * (len(outputs) - 1))]
        result: list[Any] = [query, message_items(problems)]
        result += control_updates(params, values, raw, shown)
        if note:
            result.append(note(values))
        result += chart_answers(slugs, values)
        return result


def chart_outputs(slugs: Sequence[str]) -> list[Output]:
    """The outputs a page callback sets for each of its charts (see chart_block): figure,
    caption and source line. The download links and the embed snippet travel inside the figure
    (see with_exports) and the browser sets them (assets/exports.js): six outputs fewer per
    chart for Dash's renderer to apply on every change. A chart may appear on several pages,
    each with its own callback: outputs may be shared."""
    outputs: list[Output] = []
    for slug in slugs:
        outputs += [
            Output(f"chart-{slug}", "figure", allow_duplicate=True),
            Output(f"caption-{slug}", "children", allow_duplicate=True),
            Output(f"sources-{slug}", "children", allow_duplicate=True),
        ]
    return outputs


def chart_answers(slugs: Sequence[str], values: Mapping[str, Any]) -> list[Any]:
    """The values of chart_outputs for a page's settled values: each chart from the registry."""
    origin = _origin()
    result: list[Any] = []
    for slug in slugs:
        own = own_values(slug, values)
        rendered = render(slug, own)
        figure = with_exports(rendered.figure, slug, own, origin)
        result += [figure, caption_of(rendered), rendered.source_line]
    return result


# Where a figure sent to a page carries its chart's download links and embed snippet.
EXPORTS_META = "milbal_exports"


def with_exports(
    figure: Mapping[str, Any], slug: str, own: Mapping[str, Any], origin: str | None = None
) -> dict[str, Any]:
    """A chart's figure as a page callback sends it: a shallow copy whose layout.meta holds the
    hrefs of its downloads (by extension) and its embed snippet, for these values of its
    parameters; assets/exports.js writes them into the links under the chart when plotly.js
    has drawn it. plotly.js draws nothing from an object in meta."""
    hrefs, snippet = export_links(slug, own, origin)
    layout = dict(figure.get("layout") or {})
    layout["meta"] = {
        EXPORTS_META: {
            "hrefs": {ext: href for (_, ext), href in zip(DOWNLOADS, hrefs, strict=True)},
            "embed": snippet,
        }
    }
    return {**figure, "layout": layout}


def to_plain(component: Any) -> Any:
    """A component tree as the plain dicts Dash sends ({type, namespace, props}). Serialising
    those is ~40x faster than serialising component objects (3.4 ms -> 0.08 ms for the compare
    table), which matters for large cached trees returned by callbacks."""
    if hasattr(component, "to_plotly_json"):
        plain = dict(component.to_plotly_json())
        plain["props"] = {k: to_plain(v) for k, v in plain["props"].items()}
        return plain
    if isinstance(component, list | tuple):
        return [to_plain(c) for c in component]
    return component


def query_of(search: str | None) -> dict[str, str]:
    """'?a=AZE&b=ARM' -> {'a': 'AZE', 'b': 'ARM'} (last value wins)."""
    return dict(parse_qsl((search or "").lstrip("?"), keep_blank_values=True))


__all__ = [
    "ParamError",
    "chart_answers",
    "chart_block",
    "chart_outputs",
    "chart_page",
    "control",
    "control_outputs",
    "control_state",
    "control_updates",
    "controls",
    "export_links",
    "forget_drawn_states",
    "graph_config",
    "is_first_call",
    "message_items",
    "messages",
    "own_values",
    "page_params",
    "query_of",
    "register_page_callback",
    "remembers_states",
    "settled_from_controls",
    "to_plain",
    "values_from_controls",
    "with_exports",
]
