"""/equipment with GFP 2020 imported beside the embedded rows of the same edition: every category
drawn, counts of several sources as the span across them, a source control whose choices are
the sources of the chosen countries and year, and the exports following it.

Two imports: the small hand-made GFP 2020 sheet of tests/data (its counts differ from the
embedded ones in most categories, so spans are wide), and the public workbook the embedded rows
were typed from (every count given alike by both sources)."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.charts import get_chart, render
from dashboard.charts.equipment import DIFFER_NAME, SOURCE, equipment_counts_figure
from dashboard.components import picks
from dashboard.pages import equipment as page
from dashboard.params import ParamError, parse_query
from tests.export.conftest import clear_caches
from tests.importers.test_gfp import build_2020
from validation import load_catalog
from validation.importers.store import import_path

DEFAULTS = {"a": "AZE", "b": "ARM", "year": 2020, "scale": "linear", "source": "all"}
RATIO_DEFAULTS = {"a": "AZE", "b": "ARM", "year": 2020, "source": "all"}
BOTH = "gfp-2020-xlsx;import-gfp-2020"


def _using(data_dir: Path) -> Iterator[None]:
    """The process reading `data_dir` as MILBAL_DATA_DIR until the generator is closed."""
    before = os.environ.get("MILBAL_DATA_DIR")
    os.environ["MILBAL_DATA_DIR"] = str(data_dir)
    clear_caches()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("MILBAL_DATA_DIR", None)
        else:
            os.environ["MILBAL_DATA_DIR"] = before
        clear_caches()


@pytest.fixture(scope="module")
def small_import(tmp_path_factory) -> Iterator[None]:
    """The hand-made GFP 2020 sheet imported: AZE aircraft_total 740 there, 147 embedded."""
    folder = tmp_path_factory.mktemp("gfp2020-small")
    workbook = build_2020(folder / "gfp2020.xlsx")
    import_path("gfp", workbook, folder / "data")
    yield from _using(folder / "data")


@pytest.fixture(scope="module")
def public_import(reference_dir, tmp_path_factory) -> Iterator[None]:
    """The public GFP 2020 workbook imported (the file the embedded rows came from)."""
    folder = tmp_path_factory.mktemp("gfp2020-public")
    import_path("gfp", reference_dir / "gfp" / "gfp2020_world_military_power.xlsx", folder)
    yield from _using(folder)


def rows_of(slug: str, params: dict) -> dict[tuple[str, str], dict]:
    data = render(slug, params).data
    return {(r["country"], r["category"]): r for r in data.to_dict("records")}


class TestSpanAcrossSources:
    def test_default_view_draws_every_category(self, small_import):
        rendered = render("equipment-counts", DEFAULTS)
        assert rendered.error is None
        assert "several sources" not in rendered.caption
        categories = set(rendered.data["category"])
        assert {"tanks", "afv", "aircraft_total", "attack_helicopters", "naval_total"} <= categories
        ratio = render("equipment-ratio", RATIO_DEFAULTS)
        assert ratio.error is None and "tanks" in set(ratio.data["category"])

    def test_differing_counts_span_low_to_high_with_both_sources(self, small_import):
        rows = rows_of("equipment-counts", DEFAULTS)
        aircraft = rows[("AZE", "aircraft_total")]  # 147 embedded, 740 in the sheet
        assert (aircraft["low"], aircraft["mid"], aircraft["high"]) == (147, 443.5, 740)
        assert aircraft["source_id"] == BOTH and aircraft["n_sources"] == 2
        assert aircraft["reported"] == (
            "GFP 2020 (workbook): 147; GFP 2020 (workbook, imported): 740"
        )
        tanks = rows[("AZE", "tanks")]  # 570 in both
        assert (tanks["low"], tanks["mid"], tanks["high"], tanks["n_sources"]) == (570, 570, 570, 2)
        naval = rows[("AZE", "naval_total")]  # in the sheet only
        assert naval["source_id"] == "import-gfp-2020" and naval["n_sources"] == 1

    def test_figure_draws_whiskers_and_diamonds_where_sources_differ(self, small_import):
        rendered = render("equipment-counts", DEFAULTS)
        traces = rendered.figure["data"]
        assert [t["name"] for t in traces] == ["Azerbaijan", "Armenia", DIFFER_NAME, DIFFER_NAME]
        aze = traces[0]
        i = aze["y"].index("Aircraft, all types")  # aircraft_total in words
        assert aze["x"][i] == 443.5
        assert (aze["error_x"]["arrayminus"][i], aze["error_x"]["array"][i]) == (296.5, 296.5)
        assert aze["text"][i] == "147-740"  # the span the sources give
        assert "2 sources: GFP 2020 (workbook): 147" in aze["hovertext"][i]
        diamonds = traces[2]
        assert "Aircraft, all types" in diamonds["y"] and "Tanks" not in diamonds["y"]
        assert [t.get("showlegend") for t in traces[2:]] == [True, False]
        assert "Azerbaijan's aircraft, all types: 147-740" in rendered.caption

    def test_ratio_of_spans(self, small_import):
        data = render("equipment-ratio", RATIO_DEFAULTS).data.set_index("category")
        aircraft = data.loc["aircraft_total"]
        # AZE 147-740 against ARM 64-642
        assert (aircraft["a_low"], aircraft["a_high"]) == (147, 740)
        assert (aircraft["b_low"], aircraft["b_high"]) == (64, 642)
        assert aircraft["ratio_low"] == pytest.approx(147 / 642)
        assert aircraft["ratio_high"] == pytest.approx(740 / 64)
        assert aircraft["source_id"] == BOTH

    def test_one_source_draws_that_source_alone(self, small_import):
        rows = rows_of("equipment-counts", {**DEFAULTS, "source": "gfp-2020-xlsx"})
        assert rows[("AZE", "aircraft_total")]["mid"] == 147
        assert {r["source_id"] for r in rows.values()} == {"gfp-2020-xlsx"}
        assert ("AZE", "naval_total") not in rows
        imported = rows_of("equipment-counts", {**DEFAULTS, "source": "import-gfp-2020"})
        assert imported[("AZE", "aircraft_total")]["mid"] == 740
        ratio = render("equipment-ratio", {**RATIO_DEFAULTS, "source": "import-gfp-2020"})
        assert set(ratio.data["source_id"]) == {"import-gfp-2020"}


class TestSourceParameter:
    def test_choices_are_the_sources_of_the_selection_in_words(self, small_import):
        assert get_chart("equipment-counts").params[-1] == SOURCE
        assert get_chart("equipment-ratio").params[-1] == SOURCE
        assert picks(SOURCE, DEFAULTS) == [
            {"label": "All sources", "value": "all"},
            {"label": "GFP 2020 (workbook)", "value": "gfp-2020-xlsx"},
            {"label": "GFP 2020 (workbook, imported)", "value": "import-gfp-2020"},
        ]
        # 2018: the embedded CSV gives AZE and ARM; the 2020 sheet is not among the choices
        options = picks(SOURCE, {**DEFAULTS, "year": 2018})
        assert [o["label"] for o in options] == ["All sources", "GFP 2018 (CSV)"]

    def test_a_source_without_the_selection_is_refused_naming_it(self, small_import):
        query = {"year": "2018", "source": "import-gfp-2020"}
        with pytest.raises(ParamError, match=r"source: GFP 2020 \(workbook, imported\) has"):
            parse_query(page.PARAMS, query, load_catalog(), strict=True)
        values, messages = parse_query(page.PARAMS, query, load_catalog())
        assert values["source"] == "all"
        assert messages == [
            "source: GFP 2020 (workbook, imported) has nothing for this selection; choose one "
            "of: All sources, GFP 2018 (CSV); showing All sources"
        ]

    def test_page_control_offers_the_choices(self, small_import):
        div = page.layout(source="import-gfp-2020")
        control = div["equipment-source"]
        assert control.value == "import-gfp-2020"
        assert [o["label"] for o in control.options] == [
            "All sources",
            "GFP 2020 (workbook)",
            "GFP 2020 (workbook, imported)",
        ]
        caption = div["caption-equipment-counts"].children
        assert "tanks: 570 against 110" in caption and "Sources differ" not in caption

    def test_index_lists_the_labels(self, small_import):
        from dashboard.export.routes import chart_index

        charts = {c["slug"]: c for c in chart_index()["charts"]}
        source = {p["name"]: p for p in charts["equipment-counts"]["params"]}["source"]
        assert source["default"] == "all"
        labels = dict(zip(source["allowed"], source["labels"], strict=True))
        assert labels["import-gfp-2020"] == "GFP 2020 (workbook, imported)"
        assert labels["gfp-2018-csv"] == "GFP 2018 (CSV)"
        assert "narrowed" in source


class TestExportsFollowTheSource:
    @pytest.fixture
    def client(self, small_import):
        from dashboard.factory import create_app

        return create_app().server.test_client()

    def test_csv_has_rows_and_follows_source(self, client):
        every = client.get("/chart/equipment-counts.csv")
        assert every.status_code == 200
        rows = list(csv.DictReader(io.StringIO(every.get_data(as_text=True))))
        assert len(rows) == 21 and {r["source_id"] for r in rows} >= {BOTH}
        one = client.get("/chart/equipment-counts.csv?source=gfp-2020-xlsx")
        rows = list(csv.DictReader(io.StringIO(one.get_data(as_text=True))))
        assert len(rows) == 20 and {r["source_id"] for r in rows} == {"gfp-2020-xlsx"}
        assert "source-gfp-2020-xlsx" in one.headers["Content-Disposition"]

    def test_a_source_the_selection_lacks_is_400(self, client):
        response = client.get("/chart/equipment-ratio.csv?year=2018&source=import-gfp-2020")
        assert response.status_code == 400
        assert response.get_data(as_text=True).startswith("source: GFP 2020 (workbook, imported)")


@pytest.mark.reference
class TestPublicWorkbook:
    def test_every_count_given_alike_by_both_sources(self, public_import):
        rendered = render("equipment-counts", DEFAULTS)
        assert rendered.error is None
        data = rendered.data
        both = data[data["category"] != "naval_total"]
        assert len(both) == 20 and set(both["source_id"]) == {BOTH}
        assert (both["low"] == both["high"]).all() and (both["n_sources"] == 2).all()
        fig = equipment_counts_figure(data, DEFAULTS)
        # no diamonds: no dispute
        assert [t["name"] for t in fig["data"]] == ["Azerbaijan", "Armenia"]
        assert "On 20 counts given by more than one source, they agree." in rendered.caption
        assert render("equipment-ratio", RATIO_DEFAULTS).error is None
