"""/equipment: counts of two countries by category, checked against datasets/equipment.csv read
with the csv module, and against small hand-made tables for ranges and conflicting sources."""

from __future__ import annotations

import csv

import pandas as pd
import pytest
import yaml

from dashboard.charts import get_chart, render
from dashboard.charts.common import (
    COUNTRY_A,
    COUNTRY_B,
    YEAR,
    category_name,
    category_words,
    in_sentence,
)
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


def category_labels() -> dict[str, str]:
    """code -> words from equipment.meta.yaml read with yaml (an independent route)."""
    meta = yaml.safe_load((datasets_dir() / "equipment.meta.yaml").read_text(encoding="utf-8"))
    return meta["categories"]


def strings_of(node) -> list[str]:
    """Every string in a figure dict (trace names, labels, hover texts, titles, annotations)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [t for v in node.values() for t in strings_of(v)]
    if isinstance(node, list | tuple):
        return [t for v in node for t in strings_of(v)]
    return []


# Figure keys whose strings are settings, not text a reader sees.
SETTINGS = {
    "type",
    "orientation",
    "mode",
    "textposition",
    "hoverinfo",
    "xref",
    "yref",
    "offsetgroup",
    "legendgroup",
}


def shown_strings(node) -> list[str]:
    if isinstance(node, dict):
        return [t for k, v in node.items() if k not in SETTINGS for t in shown_strings(v)]
    if isinstance(node, list | tuple):
        return [t for v in node for t in shown_strings(v)]
    return strings_of(node)


def assert_no_codes(figure: dict, codes) -> None:
    """No category code with an underscore, and no country code, anywhere a reader sees."""
    text = " ".join(shown_strings(figure))
    for code in codes:
        assert code not in text, code


class TestCategoryWords:
    def test_every_category_of_the_schema_has_words_in_the_metadata(self, catalog):
        from validation.schemas import Equipment

        allowed = set(
            Equipment.to_schema().columns["category"].checks[0].statistics["allowed_values"]
        )
        labels = category_labels()
        assert set(labels) == allowed
        assert category_words(catalog) == labels
        for words in labels.values():
            assert words[:1].isupper() and "_" not in words

    def test_names_come_from_the_metadata_with_a_fallback(self):
        assert category_name("sp_artillery") == "Self-propelled artillery"
        assert category_name("mlrs") == category_labels()["mlrs"]
        # a hand-made catalog without metadata: the code's words
        assert category_name("sp_artillery", category_words({})) == "Sp artillery"
        assert category_name("new_kind", {}) == "New kind"
        assert in_sentence("Self-propelled artillery") == "self-propelled artillery"
        assert in_sentence("UAVs") == "UAVs"


class TestCountsFigure:
    def test_horizontal_bars_per_country_in_country_colours(self, aze_arm):
        fig = equipment_counts_figure(aze_arm, AZE_ARM)
        assert [t["name"] for t in fig["data"]] == ["Azerbaijan", "Armenia"]
        aze, arm = fig["data"]
        assert aze["type"] == arm["type"] == "bar" and fig["layout"]["barmode"] == "group"
        assert aze["orientation"] == arm["orientation"] == "h"
        assert aze["marker"]["color"] == country_colour("AZE") == "#0072B2"
        assert arm["marker"]["color"] == country_colour("ARM") == "#D55E00"
        words = category_labels()
        file_aze, file_arm = counts_in_file("AZE", 2020), counts_in_file("ARM", 2020)
        assert dict(zip(aze["y"], aze["x"], strict=True)) == {
            words[c]: n for c, n in file_aze.items()
        }
        assert dict(zip(arm["y"], arm["x"], strict=True)) == {
            words[c]: n for c, n in file_arm.items()
        }
        assert "error_x" not in aze  # single values: no whiskers

    def test_value_labels_read_the_counts(self, aze_arm):
        aze = equipment_counts_figure(aze_arm, AZE_ARM)["data"][0]
        shown = dict(zip(aze["y"], aze["text"], strict=True))
        assert shown["Armoured fighting vehicles"] == "1,451"  # 1451 in the file
        assert shown["Tanks"] == "570"

    def test_categories_sorted_by_count_largest_at_the_top(self, aze_arm):
        layout = equipment_counts_figure(aze_arm, AZE_ARM)["layout"]
        a, b = counts_in_file("AZE", 2020), counts_in_file("ARM", 2020)
        larger = {c: max(a[c], b.get(c, 0)) for c in a}
        # by hand: afv 1451, tanks 570, towed 227, sp 187, mlrs 162, aircraft 147, ...
        expected = sorted(larger, key=lambda c: -larger[c])
        assert expected[:3] == ["afv", "tanks", "towed_artillery"]
        words = category_labels()
        assert layout["yaxis"]["categoryarray"] == [words[c] for c in expected]
        assert layout["yaxis"]["autorange"] == "reversed"  # the first at the top
        assert "Self-propelled<br>artillery" in layout["yaxis"]["ticktext"]

    def test_no_code_a_reader_would_see(self, aze_arm):
        for scale in ("linear", "log"):
            fig = equipment_counts_figure(aze_arm, {**AZE_ARM, "scale": scale})
            assert_no_codes(fig, ["_", "afv", "AZE", "ARM", "mlrs"])

    @pytest.mark.parametrize("scale", ["linear", "log"])
    def test_count_axis(self, aze_arm, scale):
        layout = equipment_counts_figure(aze_arm, {**AZE_ARM, "scale": scale})["layout"]
        axis = layout["xaxis"]
        assert axis["title"]["text"] == "Count (items)"
        assert axis["type"] == scale
        assert layout["legend"]["orientation"] == "h" and layout["legend"]["yanchor"] == "bottom"

    def test_log_axis_ticks_are_powers_of_ten_with_separators(self, aze_arm):
        axis = equipment_counts_figure(aze_arm, {**AZE_ARM, "scale": "log"})["layout"]["xaxis"]
        # the largest count is 1,451: ticks 1 to 10,000
        assert axis["tickvals"] == [1, 10, 100, 1000, 10000]
        assert axis["ticktext"] == ["1", "10", "100", "1,000", "10,000"]
        assert 10 ** axis["range"][1] > 1451  # the longest bar and its label fit

    def test_whiskers_where_a_range_is_stated(self):
        cat = equipment(
            [
                ("AZE", "tanks", None, 500, 600, "s"),
                ("AZE", "mlrs", 20, None, None, "s"),
                ("ARM", "tanks", 100, None, None, "s"),
            ]
        )
        data = equipment_counts_data(cat, AZE_ARM)
        aze, arm = equipment_counts_figure(data, AZE_ARM)["data"]
        assert aze["x"] == [550, 20]
        assert aze["error_x"]["array"] == [50, 0] and aze["error_x"]["arrayminus"] == [50, 0]
        assert aze["text"] == ["500-600", "20"]  # the range, honestly
        assert "500-600" in aze["hovertext"][0]
        assert "error_x" not in arm


class TestCountsCaption:
    def test_numbers_from_the_file(self, aze_arm):
        caption = equipment_counts_caption(aze_arm, AZE_ARM)
        a, b = counts_in_file("AZE", 2020), counts_in_file("ARM", 2020)
        more_a = sum(a[c] > b[c] for c in a)
        more_b = sum(b[c] > a[c] for c in a)
        assert (more_a, more_b) == (9, 1)  # ARM has more attack helicopters (20 against 17)
        assert (
            f"Azerbaijan has more in {more_a} and Armenia in {more_b} of the 10 categories"
        ) in caption
        assert "tanks: 570 against 110" in caption
        assert caption.startswith("Equipment counts of Azerbaijan and Armenia in 2020")
        assert "log scale" not in caption

    def test_log_scale_names_zero_counts(self, aze_arm):
        caption = equipment_counts_caption(aze_arm, {**AZE_ARM, "scale": "log"})
        assert "Zero counts have no bar on a log scale: Armenia's fighters." in caption

    def test_one_side_only(self):
        cat = equipment(
            [
                ("AZE", "tanks", None, 500, 600, "s"),
                ("AZE", "uav", 5, None, None, "s"),
                ("ARM", "tanks", 100, None, None, "s"),
            ]
        )
        caption = equipment_counts_caption(equipment_counts_data(cat, AZE_ARM), AZE_ARM)
        assert (
            "Azerbaijan has more in 1 and Armenia in 0 of the 1 categories both report" in caption
        )
        assert "(comparing midpoints of stated ranges)" in caption
        assert "tanks: 550 against 100" in caption
        assert "Reported by one side only: Azerbaijan (UAVs)." in caption

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
        assert [t["name"] for t in counts["data"]] == ["Azerbaijan", "Georgia"]
        assert counts["layout"]["xaxis"]["type"] == "log"
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
