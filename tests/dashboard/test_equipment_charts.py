"""/equipment: counts of two countries by category, checked against datasets/equipment.csv read
with the csv module, and against small hand-made tables for ranges and conflicting sources."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from dashboard.charts import get_chart, render
from dashboard.charts.common import COUNTRY_A, COUNTRY_B, YEAR
from dashboard.charts.equipment import (
    SCALE,
    SOURCE,
    equipment_counts_caption,
    equipment_counts_data,
    equipment_counts_figure,
)
from dashboard.pages import equipment as page
from dashboard.style import country_colour
from indicators.common import IndicatorError
from validation import datasets_dir, load_catalog

AZE_ARM = {"a": "AZE", "b": "ARM", "year": 2020, "scale": "linear", "source": "all"}


def counts_in_file(country: str, year: int) -> dict[str, float]:
    """category -> count from the CSV file itself (an independent route to the figures)."""
    with (datasets_dir() / "equipment.csv").open(newline="", encoding="utf-8") as f:
        return {
            row["category"]: float(row["value"])
            for row in csv.DictReader(f)
            if row["country"] == country and row["year"] == str(year)
        }


def equipment(rows: list[tuple]) -> dict[str, pd.DataFrame]:
    """A catalog with only an equipment table of (country, category, value, low, high, source)."""
    frame = pd.DataFrame(
        [
            {
                "country": c,
                "year": 2020,
                "category": cat,
                "value": v,
                "low": lo,
                "high": hi,
                "source_id": s,
                "note": None,
            }
            for c, cat, v, lo, hi, s in rows
        ]
    ).astype({"year": "Int64", "value": "Int64", "low": "Int64", "high": "Int64"})
    return {"equipment": frame}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def aze_arm(catalog):
    return equipment_counts_data(catalog, AZE_ARM)


class TestRegistration:
    def test_chart_and_page(self):
        chart = get_chart("equipment-counts")
        assert chart.page == "/equipment"
        assert chart.params == (COUNTRY_A, COUNTRY_B, YEAR, SCALE, SOURCE)
        assert (page.PATH, page.NAME, page.ORDER, page.NAV) == ("/equipment", "Equipment", 5, True)
        # the page offers the countries and years with equipment counts
        assert [p.name for p in page.PARAMS] == ["a", "b", "year", "scale", "source"]
        assert all(p.offered is not None for p in page.PARAMS[:3])
        assert page.CHARTS == ("equipment-counts", "equipment-ratio")

    def test_equipment_ratio_is_reused_not_registered_again(self):
        ratio = get_chart("equipment-ratio")
        assert ratio.page == "/force-ratio"
        assert {p.name for p in ratio.params} <= {p.name for p in page.PARAMS}

    def test_scale_param(self, catalog):
        assert SCALE.default == "linear" and SCALE.allowed(catalog) == ["linear", "log"]


class TestCountsData:
    def test_counts_match_the_file(self, aze_arm):
        for country in ("AZE", "ARM"):
            rows = aze_arm[aze_arm["country"] == country].set_index("category")
            assert rows["mid"].to_dict() == counts_in_file(country, 2020)
            assert (rows["low"] == rows["mid"]).all() and (rows["high"] == rows["mid"]).all()
        tanks = aze_arm[aze_arm["category"] == "tanks"].set_index("country")["mid"]
        assert tanks.to_dict() == {"AZE": 570, "ARM": 110}

    def test_columns_units_and_sources(self, aze_arm):
        assert list(aze_arm.columns) == [
            "country",
            "year",
            "category",
            "low",
            "mid",
            "high",
            "n_sources",
            "reported",
            "unit",
            "source_id",
        ]
        assert (aze_arm["unit"] == "items").all()
        assert set(aze_arm["source_id"]) == {"gfp-2020-xlsx"}
        assert len(aze_arm) == 20 and aze_arm["country"].iloc[0] == "AZE"

    def test_ranges_become_low_mid_high(self):
        cat = equipment(
            [
                ("AZE", "tanks", None, 500, 600, "s"),
                ("ARM", "tanks", 100, None, None, "s"),
                ("ARM", "uav", 30, None, 40, "s"),
            ]
        )
        data = equipment_counts_data(cat, AZE_ARM).set_index(["country", "category"])
        assert tuple(data.loc[("AZE", "tanks"), ["low", "mid", "high"]]) == (500, 550, 600)
        assert tuple(data.loc[("ARM", "uav"), ["low", "mid", "high"]]) == (30, 30, 40)

    def test_categories_either_side_reports(self):
        cat = equipment(
            [
                ("AZE", "tanks", 10, None, None, "s"),
                ("AZE", "uav", 5, None, None, "s"),
                ("ARM", "tanks", 4, None, None, "s"),
                ("ARM", "mlrs", 3, None, None, "s"),
                ("GEO", "fighters", 3, None, None, "s"),
            ]
        )
        data = equipment_counts_data(cat, AZE_ARM)
        assert list(dict.fromkeys(data["category"])) == ["tanks", "uav", "mlrs"]

    def test_several_sources_for_a_category_span_them(self):
        cat = equipment(
            [
                ("AZE", "tanks", 570, None, None, "s1"),
                ("AZE", "tanks", 600, None, None, "s2"),
                ("ARM", "tanks", 110, None, None, "s1"),
            ]
        )
        data = equipment_counts_data(cat, AZE_ARM).set_index(["country", "category"])
        aze = data.loc[("AZE", "tanks")]
        assert (aze["low"], aze["mid"], aze["high"]) == (570, 585, 600)
        assert aze["source_id"] == "s1;s2" and aze["n_sources"] == 2
        assert aze["reported"] == "s1: 570; s2: 600"  # unknown ids are shown as they are
        arm = data.loc[("ARM", "tanks")]
        assert (arm["low"], arm["mid"], arm["high"], arm["n_sources"]) == (110, 110, 110, 1)

    def test_source_keeps_one_source(self):
        cat = equipment(
            [
                ("AZE", "tanks", 570, None, None, "s1"),
                ("AZE", "tanks", 600, None, None, "s2"),
                ("ARM", "tanks", 110, None, None, "s1"),
            ]
        )
        data = equipment_counts_data(cat, {**AZE_ARM, "source": "s2"})
        assert data[["country", "mid", "source_id"]].values.tolist() == [["AZE", 600, "s2"]]

    def test_no_counts_and_same_country(self, catalog):
        with pytest.raises(IndicatorError, match="no equipment counts for AZE or GEO in 2019"):
            equipment_counts_data(catalog, {**AZE_ARM, "b": "GEO", "year": 2019})
        with pytest.raises(IndicatorError, match="both AZE"):
            equipment_counts_data(catalog, {**AZE_ARM, "b": "AZE"})
        rendered = render("equipment-counts", {**AZE_ARM, "b": "AZE"})
        assert rendered.error and rendered.caption.startswith("No data for this selection")


class TestCountsFigure:
    def test_grouped_bars_per_country(self, aze_arm):
        fig = equipment_counts_figure(aze_arm, AZE_ARM)
        assert [t["name"] for t in fig["data"]] == ["AZE", "ARM"]
        aze, arm = fig["data"]
        assert aze["type"] == arm["type"] == "bar" and fig["layout"]["barmode"] == "group"
        assert aze["marker"]["color"] == country_colour("AZE")
        assert arm["marker"]["color"] == country_colour("ARM")
        file_aze, file_arm = counts_in_file("AZE", 2020), counts_in_file("ARM", 2020)
        assert dict(zip(aze["x"], aze["y"], strict=True)) == file_aze
        assert dict(zip(arm["x"], arm["y"], strict=True)) == file_arm
        assert "error_y" not in aze  # single values: no bars

    @pytest.mark.parametrize("scale", ["linear", "log"])
    def test_count_axis(self, aze_arm, scale):
        layout = equipment_counts_figure(aze_arm, {**AZE_ARM, "scale": scale})["layout"]
        assert layout["yaxis"]["title"]["text"] == "Count (items)"
        assert layout["yaxis"]["type"] == scale
        assert layout["yaxis"].get("dtick") == (1 if scale == "log" else None)  # powers of ten
        assert layout["xaxis"]["categoryarray"][:2] == ["tanks", "afv"]

    def test_error_bars_where_a_range_is_stated(self):
        cat = equipment(
            [
                ("AZE", "tanks", None, 500, 600, "s"),
                ("AZE", "mlrs", 20, None, None, "s"),
                ("ARM", "tanks", 100, None, None, "s"),
            ]
        )
        data = equipment_counts_data(cat, AZE_ARM)
        aze, arm = equipment_counts_figure(data, AZE_ARM)["data"]
        assert aze["y"] == [550, 20]
        assert aze["error_y"]["array"] == [50, 0] and aze["error_y"]["arrayminus"] == [50, 0]
        assert "500-600" in aze["hovertext"][0]
        assert "error_y" not in arm


class TestCountsCaption:
    def test_numbers_from_the_file(self, aze_arm):
        caption = equipment_counts_caption(aze_arm, AZE_ARM)
        a, b = counts_in_file("AZE", 2020), counts_in_file("ARM", 2020)
        more_a = sum(a[c] > b[c] for c in a)
        more_b = sum(b[c] > a[c] for c in a)
        assert (more_a, more_b) == (9, 1)  # ARM has more attack helicopters (20 against 17)
        assert f"AZE has more in {more_a} and ARM in {more_b} of the 10 categories" in caption
        assert "tanks: 570 against 110" in caption
        assert caption.startswith("Equipment counts of Azerbaijan and Armenia in 2020")
        assert "log scale" not in caption

    def test_log_scale_names_zero_counts(self, aze_arm):
        caption = equipment_counts_caption(aze_arm, {**AZE_ARM, "scale": "log"})
        assert "Zero counts have no bar on a log scale: ARM fighters." in caption

    def test_one_side_only(self):
        cat = equipment(
            [
                ("AZE", "tanks", None, 500, 600, "s"),
                ("AZE", "uav", 5, None, None, "s"),
                ("ARM", "tanks", 100, None, None, "s"),
            ]
        )
        caption = equipment_counts_caption(equipment_counts_data(cat, AZE_ARM), AZE_ARM)
        assert "AZE has more in 1 and ARM in 0 of the 1 categories both report" in caption
        assert "(comparing midpoints of stated ranges)" in caption
        assert "tanks: 550 against 100" in caption
        assert "Reported by one side only: AZE (uav)." in caption

    def test_country_without_counts_that_year(self, catalog):
        params = {**AZE_ARM, "b": "GEO", "year": 2018}
        data = equipment_counts_data(catalog, params)
        assert data[["country", "category", "mid"]].values.tolist() == [["AZE", "tanks", 520]]
        caption = equipment_counts_caption(data, params)
        assert "Georgia has no counts for 2018" in caption

    def test_render_through_the_registry(self):
        rendered = render("equipment-counts", AZE_ARM)
        assert rendered.error is None and rendered.source_ids == ("gfp-2020-xlsx",)
        assert rendered.source_line.startswith("Source: ")


class TestPageLayout:
    def test_bad_query_falls_back_with_messages(self):
        div = page.layout(scale="cubic", year="1800", b="XYZ")
        text = " ".join(p.children for p in div["equipment-messages"].children)
        assert "scale: 'cubic' is not one of linear, log; showing linear" in text
        assert "year: '1800' is outside 1816-2030" in text
        assert "b: 'XYZ' is not one of" in text
        assert div["equipment-scale"].value == "linear" and div["equipment-b"].value == "ARM"

    def test_draws_both_charts(self):
        div = page.layout(a="AZE", b="GEO", scale="log")
        assert div["equipment-scale"].value == "log"
        counts = div["chart-equipment-counts"].figure
        assert [t["name"] for t in counts["data"]] == ["AZE", "GEO"]
        assert counts["layout"]["yaxis"]["type"] == "log"
        assert div["chart-equipment-ratio"].figure["data"][0]["type"] == "bar"


def test_equipment_ratio_takes_the_nearest_year_with_counts_and_says_so():
    # /force-ratio may settle on a year of personnel figures with no counts (2016 here): the
    # equipment ratio is then that of the nearest year both countries report, named as such
    from dashboard.charts import get_chart

    chart = get_chart("equipment-ratio")
    catalog = load_catalog()
    params = {"a": "AZE", "b": "ARM", "year": 2016, "source": "all"}
    data = chart.data(catalog, params)
    nearest = {*data["year"].tolist()}
    assert nearest == {2018}
    assert "2018 (the nearest year with counts for both)" in chart.caption(data, params)
    same = chart.data(catalog, {**params, "year": 2020})
    assert "2020, by category" in chart.caption(same, {**params, "year": 2020})
