"""Content the browser draws as plain elements (assets/plain.js, dashboard.components.plain_ids):
the /compare table reads exactly as the server's tree of html components says, rendered to
HTML here by an independent route; markup in the data stays text; event handlers, unsafe
addresses and anything but html components are never drawn."""

from __future__ import annotations

from html import escape
from typing import Any

import orjson
import pytest

from dashboard.pages.compare import table_for

pytestmark = pytest.mark.browser

# Dash's prop names that differ from HTML's attribute names, as plain.js maps them.
ATTRIBUTES = {"className": "class", "colSpan": "colspan", "tabIndex": "tabindex"}


def _text(value: str) -> str:
    """Text as the browser serialises it in innerHTML."""
    return escape(value, quote=False).replace("\u00a0", "&nbsp;")


def _attribute(value: str) -> str:
    """An attribute's value as the browser serialises it in innerHTML."""
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("\u00a0", "&nbsp;")


def to_html(node: Any) -> str:
    """A tree of html components (plain dicts) as HTML, serialised as innerHTML gives it."""
    if node is None:
        return ""
    if isinstance(node, str | int | float):
        return _text(str(node))
    if isinstance(node, list | tuple):
        return "".join(to_html(child) for child in node)
    assert node["namespace"] == "dash_html_components"
    tag = node["type"].lower()
    props = node.get("props") or {}
    attributes = "".join(
        f' {ATTRIBUTES.get(k, k)}="{_attribute(str(v))}"'
        for k, v in props.items()
        if k != "children" and v is not None
    )
    return f"<{tag}{attributes}>{to_html(props.get('children'))}</{tag}>"


def as_sent(tree: Any) -> Any:
    """The tree as JSON gives it to the browser (components and orjson fragments resolved)."""
    return orjson.loads(orjson.dumps(tree, default=lambda c: c.to_plotly_json()))


def test_the_compare_table_reads_as_the_servers_tree(live_server, page, ui):
    for query, (a, b, year) in (
        ("?a=IND&b=PAK&year=2017", ("IND", "PAK", 2017)),
        ("?a=AZE&b=ARM&year=2020", ("AZE", "ARM", 2020)),
    ):
        ui.open_settled(live_server + "/compare" + query, query)
        page.locator("#compare-table caption").wait_for()
        assert page.inner_html("#compare-table") == to_html(as_sent(table_for(a, b, year)))
    # after a change of control, drawn again from the callback's tree
    ui.choose("compare-b", "Georgia (GEO)")
    ui.wait_for_query("?a=AZE&b=GEO&year=2020")
    page.locator("#compare-table thead").filter(has_text="Georgia (GEO)").wait_for()
    assert page.inner_html("#compare-table") == to_html(as_sent(table_for("AZE", "GEO", 2020)))
    assert page.console_errors == []


def test_markup_stays_text_and_nothing_runs(live_server, page, ui):
    ui.open_settled(live_server + "/compare", "?a=AZE&b=ARM&year=2020")
    page.locator("#compare-table caption").wait_for()
    drawn = page.evaluate(
        """() => {
        const build = window.dash_clientside.milbal_plain.build;
        const html = (type, props) => ({type, namespace: 'dash_html_components', props});
        const tree = html('Div', {id: 'probe', className: 'x', onClick: 'window.__pwned = 1',
            onmouseover: 'window.__pwned = 2', tabIndex: 0, 'aria-label': 'probe', children: [
            '<img src=x onerror="window.__pwned = 3">',
            html('A', {href: 'javascript:window.__pwned = 4', children: 'bad link'}),
            html('A', {href: ' JavaScript:window.__pwned = 5', children: 'bad link 2'}),
            html('A', {href: '/compare?a=AZE', children: 'here'}),
            html('A', {href: 'https://example.org/x', children: 'there'}),
            html('Span', {style: {color: 'red'}, n_clicks: 3, children: 7}),
        ]});
        const made = build(tree);
        let refused = null;
        try { build({type: 'Graph', namespace: 'dash_core_components', props: {}}); }
        catch (error) { refused = error.message; }
        return {html: made.outerHTML, refused};
        }"""
    )
    assert drawn["html"] == (
        '<div id="probe" class="x" tabindex="0" aria-label="probe">'
        '&lt;img src=x onerror="window.__pwned = 3"&gt;'
        "<a>bad link</a><a>bad link 2</a>"
        '<a href="/compare?a=AZE">here</a><a href="https://example.org/x">there</a>'
        '<span style="color: red;">7</span></div>'
    )
    assert drawn["refused"] == "milbal plain content: not an html component: Graph"
    assert page.evaluate("() => window.__pwned") is None
