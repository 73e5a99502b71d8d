"""/history charts from the registry: with CDB90 imported into a temporary MILBAL_DATA_DIR,
each chart's data, figure and caption at its defaults, checked against the CDB90 files and the
embedded tables read here with the csv module; without CDB90, the message saying how to import
it in one command."""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator

import numpy as np
import pytest

from dashboard.charts import get_chart, render
from dashboard.charts.history import IMPORT_COMMAND
from indicators.common import IndicatorError
from validation import datasets_dir, load_catalog

CDB90_CHARTS = ("history-fit", "history-coefficients", "history-predictions", "history-casualties")
ALL_CHARTS = (*CDB90_CHARTS, "claims-ranks")


def clear_caches() -> None:
    """Everything cached from one data directory: the catalog, rendered charts, names, and
    citations (an import adds a source)."""
    from dashboard import charts, cite
    from dashboard.charts import common

    load_catalog.cache_clear()
    charts._render.cache_clear()
    common._names.cache_clear()
    cite._embedded_citations.cache_clear()


@pytest.fixture(scope="class")
def with_cdb90(reference_dir, tmp_path_factory) -> Iterator[None]:
    """The process reading a data directory with CDB90 imported, for one class of tests."""
    from validation.importers import store

    data = tmp_path_factory.mktemp("cdb90-data")
    store.import_path("cdb90", reference_dir / "cdb90", data)
    with pytest.MonkeyPatch.context() as mp:
        clear_caches()
        mp.setenv("MILBAL_DATA_DIR", str(data))
        try:
            yield
        finally:
            clear_caches()
    clear_caches()


@pytest.fixture(scope="module")
def wide(reference_dir) -> list[dict]:
    """The issue's sample from the files, by hand."""
    folder = reference_dir / "cdb90"
    with (folder / "battles.csv").open(newline="", encoding="utf-8") as f:
        parents = {r["isqno"]: r["parent"].strip() for r in csv.DictReader(f)}
    with (folder / "src-data" / "CDB90-patched.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [
        r
        for r in rows
        if float(r["STRA"]) > 0
        and float(r["STRD"]) > 0
        and r["WINA"] in ("-1", "0", "1")
        and not parents[r["ISQNO"]]
    ]


def drawn(slug: str):
    rendered = render(slug, {})
    assert rendered.error is None, rendered.error
    assert rendered.chart.page == "/history"
    return rendered


@pytest.mark.reference
class TestWithCDB90:
    def test_fit_chart(self, with_cdb90, wide):
        r = drawn("history-fit")
        names = [t["name"] for t in r.figure["data"]]
        assert names == [
            "rugged terrain: 95% band",
            "rugged terrain: fitted chance",
            "other terrain: 95% band",
            "other terrain: fitted chance",
            "rugged terrain: share won (size: battles)",
            "other terrain: share won (size: battles)",
            # TDI's published rates beside them (tests/dashboard/test_history_claims.py)
            "TDI battles 1600-1900",
            "TDI Civil War battles",
            "TDI divisions 1904-91",
            "TDI divisions Europe 1944",
            "TDI campaigns",
        ]
        legend = r.figure["layout"]["legend"]
        assert legend["y"] > 1 and legend["yanchor"] == "bottom"  # above the plot
        case_note = next(a for a in r.figure["layout"]["annotations"] if "2020" in a["text"])
        assert case_note["text"].startswith("Azerbaijan : Armenia 2020")
        assert r.figure["layout"]["xaxis"]["type"] == "log"
        data = r.data
        observed = data[data["series"] == "observed"]
        assert observed["n"].sum() == len(wide) == 621
        rugged = [x for x in wide if x["TERRA1"].startswith("G")]
        assert observed.loc[observed["terrain"] == "rugged", "n"].sum() == len(rugged)
        fit = data[data["series"] == "fit"]
        assert (fit["p_low"] <= fit["p_win"]).all() and (fit["p_win"] <= fit["p_high"]).all()
        rules = data[data["series"] == "rule"]
        assert sorted(rules["ratio"]) == [3.0, 6.0]
        lines = [s["x0"] for s in r.figure["layout"]["shapes"] if s["type"] == "line"]
        assert sorted(lines) == [3.0, 6.0]
        # the 2020 band: 130,000-140,000 against 60,000-65,000 (datasets/manpower.csv)
        case = data[data["series"] == "case_2020"].iloc[0]
        assert case["ratio_low"] == pytest.approx(130_000 / 65_000)
        assert case["ratio_high"] == pytest.approx(140_000 / 60_000)
        band = next(s for s in r.figure["layout"]["shapes"] if s["type"] == "rect")
        assert (band["x0"], band["x1"]) == pytest.approx((2.0, 140 / 60))
        assert "fitted on 621 CDB90 battles (130 on rugged terrain)" in r.caption
        assert "P(" not in r.caption
        assert "ratio 2.00-2.33" in r.caption
        assert "CDB90" in r.source_line

    def test_coefficients_chart(self, with_cdb90, wide):
        r = drawn("history-coefficients")
        data = r.data
        assert list(data["term"]) == ["Intercept", "log_ratio", "rugged", "log_ratio:rugged"]
        assert set(data["n"]) == {621}
        assert int(data["wins"].iloc[0]) == sum(x["WINA"] == "1" for x in wide)
        assert (data["ci_low"] < data["estimate"]).all()
        assert (data["estimate"] < data["ci_high"]).all()
        trace = r.figure["data"][0]
        np.testing.assert_allclose(trace["x"], data["estimate"].round(4))
        assert "n = 621 battles" in r.caption and "log-likelihood" in r.caption
        # the model's terms in words: no statsmodels names on the chart or in the caption
        shown = " ".join([*trace["y"], *trace["hovertext"], r.caption])
        assert "log_ratio" not in shown and "Intercept" not in shown
        assert len(set(trace["y"])) == 4
        assert all(len(line) <= 26 for label in trace["y"] for line in label.split("<br>"))

    def test_predictions_chart(self, with_cdb90):
        r = drawn("history-predictions")
        data = r.data
        p = data[data["quantity"] == "p_win"]
        assert sorted(zip(p["terrain"], p["ratio"], strict=True)) == [
            ("other", 3.0),
            ("other", 6.0),
            ("rugged", 3.0),
            ("rugged", 6.0),
        ]
        assert ((p["ci_low"] < p["p"]) & (p["p"] < p["ci_high"])).all()
        traces = r.figure["data"]
        assert [t["name"] for t in traces] == ["rugged terrain", "other terrain"]
        assert r.figure["layout"]["legend"]["y"] > 1
        assert traces[0]["x"] == ["3:1", "6:1"]
        crossings = data[data["quantity"] == "ratio_at_p"]
        assert sorted(crossings["p"]) == [0.5, 0.5, 0.75, 0.75]
        assert "n = 621" in r.caption and "On rugged terrain the fitted curve" in r.caption

    def test_casualties_chart(self, with_cdb90, wide):
        def known(text: str) -> bool:
            return text not in ("-1", "-9", "9999")

        wins = [x for x in wide if x["WINA"] == "1" and x["TERRA1"].startswith("G")]
        both = [x for x in wins if known(x["CASA"]) and known(x["CASD"])]
        fewer = sum(float(x["CASA"]) < float(x["CASD"]) for x in both)
        r = drawn("history-casualties")
        row = r.data.set_index("terrain").loc["rugged"]
        assert (row["attacker_wins"], row["both_known"], row["attacker_fewer"]) == (
            len(wins),
            len(both),
            fewer,
        )
        assert r.figure["data"][0]["text"][0] == f"{fewer} of {len(both)}"
        assert r.figure["data"][0]["x"] == ["rugged terrain", "other terrain"]
        title = r.figure["layout"]["yaxis"]["title"]["text"]
        assert "CASA" not in title and "CASD" not in title
        assert f"rugged: {fewer} of {len(both)} ({fewer / len(both):.0%}" in r.caption

    def test_every_chart_exports_its_data_as_csv(self, with_cdb90):
        from dashboard.export.tables import to_csv

        for slug in ALL_CHARTS:
            text = to_csv(render(slug, {})).decode("utf-8")
            assert len(text.splitlines()) > 2, slug


def essay_and_published() -> dict[tuple, dict]:
    """(index, edition, country) -> {'essay': rank, 'published': {source: rank}}, by hand."""
    with (datasets_dir() / "rankings.csv").open(newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["rank"]]
    keys = {
        (r["index"], int(r["edition"]), r["country"]) for r in rows if r["source_id"] == "rv-essay"
    }
    out = {k: {"essay": None, "published": {}} for k in keys}
    for r in rows:
        key = (r["index"], int(r["edition"]), r["country"])
        if key in out:
            if r["source_id"] == "rv-essay":
                out[key]["essay"] = int(r["rank"])
            else:
                out[key]["published"][r["source_id"]] = int(r["rank"])
    return out


class TestClaimsRanks:
    def test_essay_ranks_beside_the_published_ones(self):
        expected = essay_and_published()
        assert len(expected) == 4
        r = render("claims-ranks", {})
        assert r.error is None
        data = r.data
        for key, ranks in expected.items():
            mine = data[
                (data["index"] == key[0])
                & (data["edition"] == key[1])
                & (data["country"] == key[2])
            ]
            essay = mine[mine["role"] == "essay"]
            assert list(essay["rank"]) == [ranks["essay"]]
            published = mine[mine["role"] == "published"]
            assert (
                dict(zip(published["source_id"], published["rank"], strict=True))
                == (ranks["published"])
            )
        differ = sum(
            rank != ranks["essay"]
            for ranks in expected.values()
            for rank in ranks["published"].values()
        )
        assert int(data["differs_from_essay"].sum()) == differ
        assert f"{differ} published ranks differ from the essay's" in r.caption
        assert [t["name"] for t in r.figure["data"]] == [
            "published figures (other sources)",
            "essay",
        ] * 2

    def test_one_panel_per_index_each_with_its_own_axis(self):
        expected = essay_and_published()
        indices = sorted({k[0] for k in expected})
        assert indices == ["gfp", "gmi"]
        figure = render("claims-ranks", {}).figure
        layout = figure["layout"]
        # a pair of axes per index, each trace on its index's axes
        assert {k for k in layout if k.startswith(("xaxis", "yaxis"))} == {
            "xaxis",
            "yaxis",
            "xaxis2",
            "yaxis2",
        }
        on_axes: dict[str, set] = {}
        for trace in figure["data"]:
            ranks = set(trace["x"])
            on_axes.setdefault(trace["xaxis"], set()).update(ranks)
        for index, axis in zip(indices, ("x", "x2"), strict=True):
            ranks = {
                r for k, v in expected.items() if k[0] == index for r in v["published"].values()
            }
            ranks |= {v["essay"] for k, v in expected.items() if k[0] == index}
            assert on_axes[axis] == ranks
            lo, hi = layout["xaxis" + axis[1:]]["range"]
            assert lo < min(ranks) and max(ranks) < hi
        # the GMI axis does not stretch to the GFP ranks
        assert layout["xaxis2"]["range"][1] < 10 < 50 < layout["xaxis"]["range"][0]
        # the panels do not overlap
        top, bottom = layout["yaxis"]["domain"], layout["yaxis2"]["domain"]
        assert bottom[1] < top[0]

    def test_each_pair_is_labelled_with_both_ranks(self):
        expected = essay_and_published()
        names = {"AZE": "Azerbaijan", "ARM": "Armenia"}
        figure = render("claims-ranks", {}).figure
        labels = [a for a in figure["layout"]["annotations"] if a["text"].startswith("essay")]
        assert len(labels) == len(expected)
        for (index, edition, country), ranks in expected.items():
            axis = "y" if index == "gfp" else "y2"
            published = sorted(set(ranks["published"].values()))
            words = " and ".join(str(r) for r in published)
            text = (
                f"essay {ranks['essay']}, published {words}"
                if published
                else f"essay {ranks['essay']}, no published rank"
            )
            (label,) = [
                a for a in labels if a["yref"] == axis and a["y"] == f"{names[country]} {edition}"
            ]
            assert label["text"] == text
        # GMI 2020 Armenia: the essay's 5th against BICC's 2nd
        assert any(a["text"] == "essay 5, published 2" for a in labels)


@pytest.mark.usefixtures("on_case_datasets")  # the tables without the built-in CDB90
class TestWithoutCDB90:
    @pytest.mark.parametrize("slug", CDB90_CHARTS)
    def test_message_says_how_to_import(self, slug):
        chart = get_chart(slug)
        catalog = load_catalog()
        assert "battles" not in catalog.tables
        with pytest.raises(IndicatorError) as info:
            chart.data(catalog, {})
        assert IMPORT_COMMAND in str(info.value)
        assert IMPORT_COMMAND == "milbal import cdb90 PATH/TO/cdb90"
        rendered = render(slug, {})
        assert IMPORT_COMMAND in rendered.caption
        assert rendered.figure["data"] == []

    def test_claims_ranks_needs_no_import(self):
        assert render("claims-ranks", {}).error is None


def test_page_is_between_rankings_and_data():
    from dashboard.pages import data, history, rankings

    assert rankings.ORDER < history.ORDER < data.ORDER
    assert (history.PATH, history.NAME, history.NAV) == ("/history", "History", True)
    assert not math.isnan(history.ORDER)
