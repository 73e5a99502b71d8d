"""Imported rows join the catalog: their countries reach every country picker, their rows keep
their source ids beside the embedded ones, /data lists the import; `milbal validate` still checks
the embedded tables only."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from dashboard.params import countries
from validation.catalog import datasets_dir, load_catalog, reload_catalog
from validation.importers.store import import_path

FIXTURES = Path(__file__).resolve().parents[1] / "data"
GMI_SMALL = FIXTURES / "gmi" / "gmi_small.csv"
WDI_SMALL = FIXTURES / "wdi" / "armed-forces-personnel_small.csv"


def embedded_rows(table: str) -> int:
    with (datasets_dir() / f"{table}.csv").open(newline="", encoding="utf-8") as f:
        return sum(1 for _ in csv.DictReader(f))


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """MILBAL_DATA_DIR pointed at an empty folder for this test; the catalog is reloaded
    before and after, so no other test sees these imports."""
    folder = tmp_path / "data"
    monkeypatch.setenv("MILBAL_DATA_DIR", str(folder))
    load_catalog.cache_clear()
    yield folder
    monkeypatch.undo()
    load_catalog.cache_clear()


def text_of(component) -> str:
    """Every string in a Dash component tree, joined."""
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(text_of(c) for c in component)
    return text_of(getattr(component, "children", None))


def find(component, id_: str):
    if isinstance(component, list | tuple):
        for c in component:
            hit = find(c, id_)
            if hit is not None:
                return hit
        return None
    if getattr(component, "id", None) == id_:
        return component
    return find(getattr(component, "children", None), id_) if component is not None else None


class TestMerge:
    def test_without_imports_the_catalog_is_the_embedded_data(self, data_dir):
        catalog = reload_catalog()
        assert catalog.imported == {}
        for table in ("countries", "rankings", "manpower"):
            assert len(catalog[table]) == embedded_rows(table)

    def test_imported_countries_reach_the_country_pickers(self, data_dir):
        assert "FRA" not in countries(reload_catalog())
        import_path("gmi", GMI_SMALL, data_dir)
        catalog = reload_catalog()
        assert "FRA" in countries(catalog)
        assert len(catalog["countries"]) == embedded_rows("countries") + 1
        assert list(catalog.imported) == ["gmi"]
        assert catalog.imported["gmi"]["file"] == "gmi_small.csv"

    def test_rows_are_appended_with_their_source_ids(self, data_dir):
        import_path("gmi", GMI_SMALL, data_dir)
        catalog = reload_catalog()
        rankings = catalog["rankings"]
        assert len(rankings) == embedded_rows("rankings") + 6
        revised = rankings[rankings["index"] == "gmi_revised"]
        assert set(revised["source_id"]) == {"import-gmi"}
        assert len(rankings[rankings["index"] == "gmi"]) > 0  # the editions' ranks stay
        assert len(catalog["gmi_indicators"]) == 17
        assert "import-gmi" in set(catalog["sources"]["source_id"])
        assert catalog.meta["gmi_indicators"]["title"].startswith("GMI sub-indicators")

    def test_a_figure_given_twice_keeps_both_sources(self, data_dir):
        import_path("wdi", WDI_SMALL, data_dir)
        manpower = reload_catalog()["manpower"]
        aze = manpower[
            (manpower["country"] == "AZE")
            & (manpower["year"] == 2016)
            & (manpower["measure"] == "total_military")
        ]
        assert {"wb-owid", "import-wdi-personnel"} <= set(aze["source_id"])
        with (datasets_dir() / "manpower.csv").open(newline="", encoding="utf-8") as f:
            embedded = [
                r
                for r in csv.DictReader(f)
                if (r["country"], r["year"], r["measure"]) == ("AZE", "2016", "total_military")
            ]
        assert len(aze) == len(embedded) + 1

    def test_the_catalog_is_cached_until_reloaded(self, data_dir):
        first = reload_catalog()
        import_path("gmi", GMI_SMALL, data_dir)
        assert load_catalog() is first
        assert reload_catalog() is not first

    def test_a_stored_import_edited_badly_is_left_out(self, data_dir):
        import_path("gmi", GMI_SMALL, data_dir)
        rankings = data_dir / "gmi" / "rankings.csv"
        rankings.write_text(rankings.read_text().replace(",1,3,", ",9,3,", 1))
        catalog = reload_catalog()
        assert "rank between 1 and of_countries" in catalog.imported["gmi"]["problem"]
        assert len(catalog["rankings"]) == embedded_rows("rankings")
        assert "FRA" not in countries(catalog)

    def test_validate_still_checks_the_embedded_tables_only(self, data_dir, capsys):
        from dashboard.cli import main

        import_path("gmi", GMI_SMALL, data_dir)
        assert main(["validate"]) == 0
        out = capsys.readouterr().out
        assert out.splitlines()[-1].startswith("11 tables, ")
        assert "gmi_indicators" not in out
        rankings = next(line for line in out.splitlines() if line.startswith("rankings"))
        assert int(rankings.split()[1]) == embedded_rows("rankings")


class TestDataPage:
    def test_lists_the_import_and_marks_imported_rows(self, data_dir):
        from dashboard.pages import data

        record = import_path("gmi", GMI_SMALL, data_dir).record
        reload_catalog()
        page = data.layout()
        row = find(page, "data-import-gmi")
        assert row is not None
        shown = text_of(row)
        assert "gmi_small.csv" in shown
        assert record["sha256"][:12] in shown
        assert record["imported_at"][:16].replace("T", " ") in shown
        assert "rankings: 6" in shown and "gmi_indicators: 17" in shown
        marked = text_of(find(page, "data-table-rankings"))
        assert "6 rows imported from gmi: gmi_small.csv" in marked
        indicators = find(page, "data-table-gmi_indicators")
        assert "imported" in text_of(indicators)

    def test_no_imports_says_so(self, data_dir):
        from dashboard.pages import data

        reload_catalog()
        page = data.layout()
        assert find(page, "data-imports-none") is not None
        assert find(page, "data-imports") is None

    def test_record_json_is_what_the_page_shows(self, data_dir):
        import_path("gmi", GMI_SMALL, data_dir)
        stored = json.loads((data_dir / "gmi" / "record.json").read_text())
        assert reload_catalog().imported["gmi"] == stored


class TestRevisedGmiOnRankings:
    """The revised GMI series becomes a choice of /rankings (and of its charts' exports) once
    imported; before, the page says it is not a choice and shows GFP."""

    @pytest.fixture(autouse=True)
    def fresh_charts(self):
        from dashboard import charts

        charts._render.cache_clear()
        yield
        charts._render.cache_clear()

    def test_offered_only_once_imported(self, data_dir):
        from dashboard.charts.rankings import INDEX
        from dashboard.params import ParamError

        catalog = reload_catalog()
        assert INDEX.allowed(catalog) == ["gfp", "gmi"]
        with pytest.raises(ParamError, match="index: 'gmi_revised' is not one of gfp, gmi"):
            INDEX.parse("gmi_revised", catalog)
        import_path("gmi", GMI_SMALL, data_dir)
        catalog = reload_catalog()
        assert INDEX.allowed(catalog) == ["gfp", "gmi", "gmi_revised"]
        assert INDEX.parse("GMI_revised", catalog) == "gmi_revised"

    def test_ranks_and_gap_are_the_files(self, data_dir):
        from dashboard.charts import render

        import_path("gmi", GMI_SMALL, data_dir)
        reload_catalog()
        params = {"index": "gmi_revised", "countries": ("AZE", "ARM")}
        trend = render("rankings-trend", params)
        assert trend.error is None
        observed = trend.data[trend.data["series"] == "observed"]
        # gmi_small.csv: AZE 1st in 2019 and 2nd in 2020, ARM 2nd then 1st
        got = {(c, int(e)): float(r) for c, e, r in observed[["country", "edition", "rank"]].values}
        assert got == {
            ("AZE", 2019): 1.0,
            ("AZE", 2020): 2.0,
            ("ARM", 2019): 2.0,
            ("ARM", 2020): 1.0,
        }
        assert set(observed["source_id"]) == {"import-gmi"}
        assert "revised series" in trend.caption and "fewer than 3 ranked editions" in trend.caption
        gap = render("rank-gap", params)
        assert gap.data["gap"].tolist() == [1.0, -1.0]  # ARM rank minus AZE rank, 2019 and 2020
        assert gap.data["index"].tolist() == ["gmi_revised"] * 2

    def test_the_page_offers_it(self, data_dir):
        from dashboard.pages import rankings

        import_path("gmi", GMI_SMALL, data_dir)
        reload_catalog()
        page = rankings.layout(index="gmi_revised", countries="AZE,ARM")
        assert text_of(find(page, "rankings-messages")) == ""
        picker = find(page, "rankings-index")
        assert picker.value == "gmi_revised"
        assert "gmi_revised" in [o["value"] for o in picker.options]
