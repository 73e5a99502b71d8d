"""The page callbacks as the browser calls them (POST /_dash-update-component): answers that
orjson serialises without plotly's slow cleaning walk, kept per state and recomputed when the
state, the catalog or the caches change."""

from __future__ import annotations

import json

import orjson
import pytest

import dashboard.components as components
from dashboard.components import forget_drawn_states
from dashboard.factory import load_pages

# One state per page, changed from its defaults, where the answer carries messages (a value
# the page had to settle) as well as charts and pickers.
STATES = {
    "overview": {"a": "IND", "b": "PAK", "year": 2016},
    "compare": {"a": "GRC", "b": "TUR", "year": 2015},
    "force-ratio": {
        "a": "IND",
        "b": "PAK",
        "year": 2016,
        "measure": "total_military",
        "terrain": "mountain",
        "share_a": 40,
        "share_b": 100,
    },
    "rankings": None,  # its defaults, changed below
    "equipment": {"a": "AZE", "b": "ARM", "year": 1990, "scale": "log", "source": "all"},
    "attrition": None,
}


def page_modules():
    return [m for m in load_pages() if hasattr(m, "PARAMS") and hasattr(m, "PAGE")]


def callback_of(dependencies: list[dict], page: str) -> dict:
    """The callback whose inputs are the page's controls."""
    for cb in dependencies:
        ids = [i["id"] for i in cb["inputs"]]
        if ids and all(i.startswith(f"{page}-") for i in ids):
            return cb
    raise AssertionError(f"no controls callback for {page}")


def body(cb: dict, page: str, values: dict) -> dict:
    outputs = []
    for spec in cb["output"].removeprefix("..").removesuffix("..").split("..."):
        ident, prop = spec.rsplit(".", 1)
        outputs.append({"id": ident, "property": prop.split("@")[0]})
    inputs = [
        {"id": i["id"], "property": i["property"], "value": values[i["id"][len(page) + 1 :]]}
        for i in cb["inputs"]
    ]
    return {
        "output": cb["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": inputs,
        "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"],
        # as the browser sends them (/world reads the URL's query as the year's previous value)
        "state": [
            {"id": st["id"], "property": st["property"], "value": None} for st in cb["state"]
        ],
    }


def state_of(module) -> dict:
    values = {p.name: p.default for p in module.PARAMS}
    given = STATES.get(module.PAGE)
    if given is not None:
        values.update(given)
    else:  # a page without pairs: its first choice parameter moved to another value
        first = next(p for p in module.PARAMS if p.kind == "choice")
        from validation import load_catalog

        others = [v for v in first.allowed(load_catalog()) if v != first.default]
        values[first.name] = others[0]
    return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}


@pytest.fixture(scope="module")
def dependencies(app):
    return app.server.test_client().get("/_dash-dependencies").get_json()


PAGES = [m.PAGE for m in page_modules()]


def test_every_page_with_controls_is_covered():
    assert {"overview", "compare", "force-ratio", "rankings", "equipment", "attrition"} <= set(
        PAGES
    )


@pytest.mark.parametrize("page", PAGES)
def test_answer_takes_orjsons_fast_path(client, dependencies, monkeypatch, page):
    """A component object in an answer (an html.P among the messages) makes plotly's to_json
    fall back to walking every dict and list in Python: ~1 ms an answer with the pickers'
    200 options. Every answer must be plain data."""
    import dash._callback

    module = next(m for m in page_modules() if page == m.PAGE)
    seen = []
    real = dash._callback.to_json

    def spy(value):
        try:
            orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY)
            seen.append(None)
        except TypeError as exc:
            seen.append(str(exc))
        return real(value)

    monkeypatch.setattr(dash._callback, "to_json", spy)
    forget_drawn_states()
    state = state_of(module)
    first = module.PARAMS[0].name
    # As drawn, and with a value the page must refuse (messages in the answer).
    for values in (state, {**state, first: "XXX"}):
        response = client.post(
            "/_dash-update-component", json=body(callback_of(dependencies, page), page, values)
        )
        assert response.status_code == 200, response.data[:300]
    messages = response.get_json()["response"][f"{page}-messages"]["children"]
    assert any("XXX" in m["props"]["children"] for m in messages), messages
    assert seen == [None, None], f"{page}: {seen}"


def test_force_ratio_answer_holds_messages_as_plain_dicts(client, dependencies):
    """A year the pair has no figures for is settled, and said so, in plain dicts."""
    forget_drawn_states()
    module = next(m for m in page_modules() if m.PAGE == "force-ratio")
    values = {**state_of(module), "year": 1817}
    response = client.post(
        "/_dash-update-component",
        json=body(callback_of(dependencies, "force-ratio"), "force-ratio", values),
    )
    messages = response.get_json()["response"]["force-ratio-messages"]["children"]
    assert messages and all(m["type"] == "P" for m in messages)
    assert any("1817" in m["props"]["children"] for m in messages), messages


class TestStatesRemembered:
    def post(self, client, dependencies, values):
        response = client.post(
            "/_dash-update-component",
            json=body(callback_of(dependencies, "force-ratio"), "force-ratio", values),
        )
        assert response.status_code == 200
        return response.data

    def test_same_state_answered_from_memory_until_forgotten(
        self, client, dependencies, monkeypatch
    ):
        calls = []
        real = components.settled_from_controls

        def counting(params, raw):
            calls.append(tuple(raw))
            return real(params, raw)

        monkeypatch.setattr(components, "settled_from_controls", counting)
        forget_drawn_states()
        module = next(m for m in page_modules() if m.PAGE == "force-ratio")
        values = state_of(module)
        first = self.post(client, dependencies, values)
        second = self.post(client, dependencies, values)
        assert first == second
        assert len(calls) == 1  # the second answer came from memory
        other = self.post(client, dependencies, {**values, "share_a": 41})
        assert other != first and len(calls) == 2
        forget_drawn_states()
        assert self.post(client, dependencies, values) == first
        assert len(calls) == 3

    def test_another_catalog_is_not_answered_from_memory(self, client, dependencies, monkeypatch):
        calls = []
        real = components.settled_from_controls

        def counting(params, raw):
            calls.append(1)
            return real(params, raw)

        monkeypatch.setattr(components, "settled_from_controls", counting)
        forget_drawn_states()
        module = next(m for m in page_modules() if m.PAGE == "force-ratio")
        values = state_of(module)
        self.post(client, dependencies, values)
        catalog = components.load_catalog()
        # The same tables in another Catalog object, as after an import and a reload.
        from dataclasses import replace

        monkeypatch.setattr(components, "load_catalog", lambda: replace(catalog))
        self.post(client, dependencies, values)
        assert len(calls) == 2


def test_every_app_has_the_pages_callbacks():
    """Dash gives dash.callback's callbacks to the first app that serves a request; the
    factory gives them to every app it makes (the tests make many)."""
    from dashboard.factory import create_app

    first, second = create_app(), create_app()
    first.server.test_client().get("/")
    lists = [a.server.test_client().get("/_dash-dependencies").get_json() for a in (first, second)]
    assert lists[0] == lists[1]
    for page in PAGES:
        callback_of(lists[1], page)


def test_first_call_of_a_page_only_tidies_the_url(client, dependencies):
    """Dash's first call when a page's controls appear fires every input: the answer sets the
    URL and leaves the rest as drawn (it is not kept as the state's answer either)."""
    forget_drawn_states()
    module = next(m for m in page_modules() if m.PAGE == "force-ratio")
    payload = body(callback_of(dependencies, "force-ratio"), "force-ratio", state_of(module))
    payload["changedPropIds"] = [f"{i['id']}.value" for i in payload["inputs"]]
    first = client.post("/_dash-update-component", json=payload).get_json()["response"]
    assert list(first) == ["url"]
    payload["changedPropIds"] = payload["changedPropIds"][:1]
    again = client.post("/_dash-update-component", json=payload).get_json()["response"]
    assert "chart-force-ratio" in again, sorted(again)
    assert json.dumps(again)  # a full answer
