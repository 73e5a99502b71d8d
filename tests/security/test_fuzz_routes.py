"""Property-based fuzzing (hypothesis) of every chart route's query and of every page's Dash
callback: the answer is 200, 400 or 404, never 500, and a 4xx is plain text naming a
parameter or the slug, never a traceback.

Queries are raw bytes built from the chart's own parameter names and allowed values, unknown
keys, repeated keys, empty values, huge and non-finite numbers, unicode and percent-encoding
(valid, broken and of NUL). Images are fuzzed only where the size options are out of range,
which answers 400 before anything is drawn; a few valid draws follow. Derandomized, so CI runs
the same examples every time.
"""

from __future__ import annotations

import functools
import json
import time
from urllib.parse import parse_qsl, quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.charts import load_charts
from dashboard.export.routes import image_options
from tests.conftest import missing
from validation import load_catalog

CHARTS = load_charts()
SLUGS = sorted(CHARTS)
TEXT_FORMS = ("", ".csv", ".json", ".html")
EXAMPLES_PER_FORM = 12
EXAMPLES_PER_IMAGE = 8
EXAMPLES_PER_CALLBACK = 15
FUZZ = settings(
    max_examples=EXAMPLES_PER_FORM,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
# One run's tally, printed at the end: (requests, statuses seen).
TALLY: dict[str, int] = {}


@functools.cache
def app_client():
    from dashboard.factory import create_app

    return create_app().server.test_client()


@pytest.fixture(scope="module")
def client():
    return app_client()


# --------------------------------------------------------------------------------- strategies

NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["1e309", "-0", "0x10", "1_000", "١٢٣", "NaN", "inf", "9" * 400, "1e-400"]),
)
TEXT = st.text(max_size=40)
ODD = st.sampled_from(["", " ", "%", "%zz", "%00", "%ff%fe", "%E2%80%AE", "%0d%0a", "a%2Cb", ","])


def values_for(slug: str) -> st.SearchStrategy[str]:
    """Text a parameter might get: its allowed values (alone or several), numbers, text."""
    allowed = [str(v) for p in CHARTS[slug].params for v in p.allowed(load_catalog())] or ["x"]
    choice = st.sampled_from(allowed)
    return st.one_of(
        choice,
        st.lists(choice, min_size=1, max_size=4).map(",".join),
        choice.map(str.upper),
        NUMBERS,
        TEXT.map(lambda t: quote(t, safe="")),
        ODD,
    )


def keys_for(slug: str, image: bool) -> st.SearchStrategy[str]:
    names = [p.name for p in CHARTS[slug].params]
    if image:
        names += [p.name for p in image_options(CHARTS[slug])]
    unknown = st.one_of(TEXT.map(lambda t: quote(t, safe="")), st.sampled_from(["x", "", "%00"]))
    return st.one_of(st.sampled_from(names), unknown) if names else unknown


def query_for(slug: str, image: bool = False) -> st.SearchStrategy[str]:
    pair = st.tuples(keys_for(slug, image), values_for(slug))
    joined = st.lists(pair, max_size=5).map(lambda ps: "&".join(f"{k}={v}" for k, v in ps))
    return joined


def out_of_range(slug: str) -> st.SearchStrategy[str]:
    """A query with at least one image size option outside its range (or not a number)."""
    options = image_options(CHARTS[slug])
    bad = st.one_of(
        st.floats(max_value=0, allow_nan=False).map(repr),
        st.integers(min_value=10**5, max_value=10**40).map(str),
        st.sampled_from(["nan", "inf", "-inf", "", "big", "1e309"]),
    ).filter(lambda v: v != "")
    return st.tuples(st.sampled_from(options), bad, query_for(slug)).map(
        lambda t: f"{t[0].name}={t[1]}&{t[2]}"
    )


# ------------------------------------------------------------------------------------ checks


def keys_of(query: str) -> set[str]:
    """The keys as the server decodes them (werkzeug: UTF-8, bad bytes replaced)."""
    return {k for k, _ in parse_qsl(query, keep_blank_values=True, errors="replace")}


def check_answer(response, slug: str, query: str) -> None:
    TALLY[str(response.status_code)] = TALLY.get(str(response.status_code), 0) + 1
    assert response.status_code in (200, 400, 404), (query, response.status_code, response.data)
    body = response.get_data(as_text=True)
    assert "Traceback" not in body
    if response.status_code == 200:
        return
    assert response.mimetype == "text/plain", (query, response.mimetype)
    named = keys_of(query) | {p.name for p in CHARTS[slug].params}
    named |= {p.name for p in image_options(CHARTS[slug])}
    if response.status_code == 404:
        # an unknown chart, or a chart with no data for these parameters (never an empty file)
        assert body.startswith((f"unknown chart {slug!r}", f"{slug}: no data")), body
    else:
        assert any(body.startswith(f"{k}: ") for k in named), (query, body)


# ------------------------------------------------------------------------------------- tests


@pytest.mark.parametrize("form", TEXT_FORMS, ids=lambda f: f or "embed")
@pytest.mark.parametrize("slug", SLUGS)
def test_chart_routes_answer_200_or_400(client, slug, form):
    @FUZZ
    @given(query=query_for(slug))
    def fuzz(query):
        check_answer(client.get(f"/chart/{slug}{form}", query_string=query), slug, query)

    fuzz()


@pytest.mark.parametrize("ext", ("png", "svg", "pdf"))
@pytest.mark.parametrize("slug", SLUGS)
def test_image_size_out_of_range_answers_400_without_drawing(client, slug, ext, monkeypatch):
    import dashboard.export

    def no_drawing(*args, **kwargs):
        raise AssertionError("an image was drawn for an invalid size")

    monkeypatch.setattr(dashboard.export, "to_image", no_drawing)

    @settings(FUZZ, max_examples=EXAMPLES_PER_IMAGE)
    @given(query=out_of_range(slug))
    def fuzz(query):
        response = client.get(f"/chart/{slug}.{ext}", query_string=query)
        check_answer(response, slug, query)
        assert response.status_code == 400

    fuzz()


@pytest.mark.parametrize(
    "url",
    [
        "/chart/rank-gap.png?width=300&height=200&scale=1",
        "/chart/force-ratio.svg?width=2000&height=2000",
        "/chart/equipment-counts.pdf?image_scale=0.5",
    ],
)
def test_a_few_valid_draws(client, url):
    if not __import__("pathlib").Path("/usr/bin/chromium").exists():
        missing("Chromium not found at /usr/bin/chromium (apt-get install chromium)")
    response = client.get(url)
    assert response.status_code == 200, response.data
    assert response.mimetype in ("image/png", "image/svg+xml", "application/pdf")


@settings(FUZZ, max_examples=40)
@given(
    slug=st.one_of(
        TEXT.map(lambda t: quote(t, safe="")), st.sampled_from(["..", "%2e%2e", "index", "x.y"])
    ),
    ext=st.sampled_from(TEXT_FORMS),
)
def test_unknown_slugs_answer_404(client, slug, ext):
    if not slug or slug in CHARTS or "/" in slug or slug.startswith("."):
        return
    response = client.get(f"/chart/{slug}{ext}")
    assert response.status_code in (404, 200) or response.status_code == 308
    assert "Traceback" not in response.get_data(as_text=True)
    if response.status_code == 404 and response.mimetype == "text/plain":
        assert "unknown chart" in response.get_data(as_text=True)


# ----------------------------------------------------------------------------- Dash callbacks


def page_callbacks(client) -> list[tuple[str, dict, list]]:
    """(page, the callback whose inputs are all the page's controls, its PARAMS), as
    benchmarks/bench_callbacks.py finds them."""
    from dashboard.factory import load_pages

    deps = client.get("/_dash-dependencies").get_json()
    out = []
    for module in load_pages():
        if not (hasattr(module, "PARAMS") and hasattr(module, "PAGE")):
            continue
        prefix = f"{module.PAGE}-"
        for cb in deps:
            if cb["inputs"] and all(i["id"].startswith(prefix) for i in cb["inputs"]):
                out.append((module.PAGE, cb, list(module.PARAMS)))
                break
    return out


def payload(cb: dict, values: list) -> bytes:
    outputs = []
    for spec in cb["output"].removeprefix("..").removesuffix("..").split("..."):
        ident, prop = spec.rsplit(".", 1)
        outputs.append({"id": ident, "property": prop.split("@")[0]})
    inputs = [
        {"id": i["id"], "property": i["property"], "value": v}
        for i, v in zip(cb["inputs"], values, strict=True)
    ]
    body = {
        "output": cb["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": inputs,
        "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"],
        # as the browser sends them (/world reads the URL's query as the year's previous value)
        "state": [
            {"id": st["id"], "property": st["property"], "value": None} for st in cb["state"]
        ],
    }
    return json.dumps(body).encode()


JSON_JUNK = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**20), max_value=10**20),
        st.floats(allow_nan=False, allow_infinity=False),
        TEXT,
    ),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)


def control_values(params: list) -> st.SearchStrategy:
    allowed = [p.allowed(load_catalog()) or [p.default] for p in params]
    per_control = [
        st.one_of(
            st.sampled_from(a),
            st.lists(st.sampled_from(a), max_size=4),
            NUMBERS,
            st.floats(allow_nan=False),
            JSON_JUNK,
        )
        for a in allowed
    ]
    return st.tuples(*per_control)


def test_pages_with_controls_have_a_callback():
    """Every page with controls has one callback taking them all, and each is fuzzed below."""
    from dashboard.factory import load_pages

    pages = {m.PAGE for m in load_pages() if hasattr(m, "PARAMS") and hasattr(m, "PAGE")}
    assert {page for page, _, _ in page_callbacks(app_client())} == pages


@pytest.mark.parametrize(
    ("page", "cb", "params"),
    page_callbacks(app_client()),
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_page_callback_never_answers_500(client, page, cb, params):
    assert len(cb["inputs"]) == len(params), "one control per parameter"

    @settings(FUZZ, max_examples=EXAMPLES_PER_CALLBACK)
    @given(values=control_values(params))
    def fuzz(values):
        response = client.post(
            "/_dash-update-component",
            data=payload(cb, list(values)),
            content_type="application/json",
        )
        key = f"callback {response.status_code}"
        TALLY[key] = TALLY.get(key, 0) + 1
        assert response.status_code in (200, 204), (page, values, response.data[:300])
        assert b"Traceback" not in response.data

    fuzz()


def test_tally(capsys):
    """Not a check: prints how many requests were fuzzed and what they answered."""
    with capsys.disabled():
        print(f"\nfuzzed requests by status: {dict(sorted(TALLY.items()))} at {time.ctime()}")
