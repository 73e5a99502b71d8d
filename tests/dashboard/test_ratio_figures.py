"""What a reader sees in the force ratio and the equipment ratio: the interval's label, the rules
with the chosen terrain's emphasised, bars diverging from 1:1 sorted by ratio and labelled like
'5.2:1', the legend naming the countries, no codes; and the embed page at the chart's height.
Expected values come from datasets/*.csv read with the csv module and worked out by hand."""

from __future__ import annotations

import csv
import math
import re

import pytest

from dashboard.charts import render
from dashboard.charts.force_ratio import HOLDS_MORE_COLOURS, ratio_text
from dashboard.export.embed import embed_page, frame_height
from dashboard.style import COUNTRY_COLOURS, OKABE_ITO
from tests.dashboard.test_equipment_charts import assert_no_codes, category_labels
from validation import datasets_dir

FORCE = {
    "a": "AZE",
    "b": "ARM",
    "year": 2020,
    "measure": "wartime_strength",
    "terrain": "general",
    "share_a": 100.0,
    "share_b": 100.0,
}
RATIO = {"a": "AZE", "b": "ARM", "year": 2020, "source": "all"}


def counts_in_file(country: str, year: int) -> dict[str, float]:
    with (datasets_dir() / "equipment.csv").open(newline="", encoding="utf-8") as f:
        return {
            row["category"]: float(row["value"])
            for row in csv.DictReader(f)
            if row["country"] == country and row["year"] == str(year)
        }


def rule_notes(figure: dict) -> dict[str, dict]:
    """The rules' labels by their text without markup ('3:1 prepared defence': annotation)."""
    return {
        re.sub(r"</?b>", "", n["text"]): n
        for n in figure["layout"]["annotations"]
        if n.get("yref") == "paper"
    }


def rule_lines(figure: dict) -> dict[float, dict]:
    return {s["x0"]: s for s in figure["layout"]["shapes"] if s["type"] == "line"}


class TestForceRatio:
    def test_the_interval_is_labelled_as_worked_out_by_hand(self):
        figure = render("force-ratio", FORCE).figure
        # wartime strength: Azerbaijan 130,000-140,000, Armenia 60,000-65,000
        low, high = 130_000 / 65_000, 140_000 / 60_000  # 2.0 and 2.33
        labels = [n["text"] for n in figure["layout"]["annotations"] if n.get("yref") == "y"]
        assert labels == [f"<b>{low:.1f}-{high:.1f} : 1</b>"] == ["<b>2.0-2.3 : 1</b>"]
        (rect,) = [s for s in figure["layout"]["shapes"] if s["type"] == "rect"]
        assert (rect["x0"], rect["x1"]) == pytest.approx((low, high))
        assert figure["data"][0]["x"] == [pytest.approx(135_000 / 62_500)]

    def test_compact_and_named_in_words(self):
        figure = render("force-ratio", FORCE).figure
        layout = figure["layout"]
        assert layout["height"] <= 200  # one interval
        assert layout["xaxis"]["title"]["text"] == "Force ratio, Azerbaijan : Armenia"
        assert layout["yaxis"]["visible"] is False  # no tick label eating a phone's width
        assert_no_codes(figure, ["AZE", "ARM", "_"])

    @pytest.mark.parametrize(
        ("terrain", "chosen", "other"), [("general", 3, 6), ("mountain", 6, 3)]
    )
    def test_the_chosen_terrains_rule_is_emphasised(self, terrain, chosen, other):
        figure = render("force-ratio", {**FORCE, "terrain": terrain}).figure
        lines = rule_lines(figure)
        assert lines[chosen]["line"]["dash"] == "solid"
        assert lines[other]["line"]["dash"] == "dash"
        assert lines[chosen]["line"]["width"] > lines[other]["line"]["width"]
        assert lines[other]["line"]["color"].startswith("rgba(")  # faint
        notes = rule_notes(figure)
        name = {3: "3:1 prepared defence", 6: "6:1 mountains"}
        assert notes[name[chosen]]["text"] == f"<b>{name[chosen]}</b>"
        assert notes[name[other]]["text"] == name[other]

    def test_rule_labels_cannot_overlap_or_run_out_of_the_plot(self):
        layout = render("force-ratio", FORCE).figure["layout"]
        notes = rule_notes(layout and {"layout": layout})
        three, six = notes["3:1 prepared defence"], notes["6:1 mountains"]
        assert three["yshift"] != six["yshift"]  # each on its own row
        x_max = layout["xaxis"]["range"][1]
        for note in (three, six):
            right_half = note["x"] / x_max > 0.5
            assert note["xanchor"] == ("right" if right_half else "left")
        assert (three["xanchor"], six["xanchor"]) == ("left", "right")  # 3 of 6.9, 6 of 6.9


class TestEquipmentRatio:
    @pytest.fixture
    def figure(self):
        return render("equipment-ratio", RATIO).figure  # drawn once: render keeps it

    def test_bars_start_at_one_on_a_log_axis(self, figure):
        assert figure["layout"]["xaxis"]["type"] == "log"
        for trace in figure["data"]:
            assert trace["orientation"] == "h" and set(trace["base"]) == {1.0}

    def test_sorted_by_ratio_largest_at_the_top(self, figure):
        a, b = counts_in_file("AZE", 2020), counts_in_file("ARM", 2020)
        ratios = {c: a[c] / b[c] for c in a if b.get(c)}  # ARM has no fighters: no ratio
        words = category_labels()
        expected = [words[c] for c in sorted(ratios, key=lambda c: -ratios[c])]
        drawn = [y for t in figure["data"] for y in t["y"]]  # A's side first, then B's
        assert drawn == expected
        # the axis lists them top down (plotly draws the array's first at the bottom)
        order = figure["layout"]["yaxis"]["categoryarray"][::-1]
        assert order[: len(expected)] == expected and order[-1] == words["fighters"]

    def test_bar_ends_and_labels_read_the_ratio(self, figure):
        a, b = counts_in_file("AZE", 2020), counts_in_file("ARM", 2020)
        words = category_labels()
        ends = {
            y: base + x
            for t in figure["data"]
            for y, x, base in zip(t["y"], t["x"], t["base"], strict=True)
        }
        assert ends[words["tanks"]] == pytest.approx(a["tanks"] / b["tanks"], abs=1e-5)
        labels = {
            n["y"]: n["text"] for n in figure["layout"]["annotations"] if n.get("yref") == "y"
        }
        assert labels[words["tanks"]] == "5.2:1"  # 570 / 110 = 5.18
        assert labels[words["sp_artillery"]] == "4.9:1"  # 187 / 38 = 4.92
        assert labels[words["attack_helicopters"]] == "1:1.2"  # 17 against 20: 20 / 17 = 1.18
        assert labels[words["fighters"]] == "Armenia has none"

    def test_legend_names_the_side_in_hues_no_country_has(self, figure):
        names = [t["name"] for t in figure["data"]]
        assert names == ["Azerbaijan holds more", "Armenia holds more"]
        assert figure["layout"]["legend"]["orientation"] == "h"
        country_hues = {c.lower() for c in (*COUNTRY_COLOURS.values(), *OKABE_ITO)}
        for trace in figure["data"]:
            assert trace["marker"]["color"].lower() not in country_hues
        assert figure["data"][0]["marker"]["color"] == HOLDS_MORE_COLOURS["a"]

    def test_axis_ticks_read_as_ratios(self, figure):
        axis = figure["layout"]["xaxis"]
        shown = {round(v, 6): t for v, t in zip(axis["tickvals"], axis["ticktext"], strict=True)}
        assert (shown[1], shown[3], shown[round(1 / 3, 6)]) == ("1:1", "3:1", "1:3")
        low, high = (10**v for v in axis["range"])
        assert low < 17 / 20 and high > 6  # Armenia's one lead and the 6:1 rule are inside

    def test_rules_labelled_on_rows_of_their_own(self, figure):
        notes = rule_notes(figure)
        three, six = notes["3:1 prepared defence"], notes["6:1 mountains"]
        assert three["yshift"] != six["yshift"]
        assert three["x"] == pytest.approx(math.log10(3))  # annotations on a log axis: log10

    def test_no_code_a_reader_would_see(self, figure):
        assert_no_codes(figure, ["_", "afv", "AZE", "ARM", "mlrs"])

    def test_caption_in_words(self):
        caption = render("equipment-ratio", RATIO).caption
        assert "At or above 3:1: tanks, self-propelled artillery; at or above 6:1: none." in caption
        assert "Ratios are Azerbaijan's count to Armenia's: tanks 5.2:1." in caption
        assert "sp_artillery" not in caption

    @pytest.mark.parametrize(
        ("ratio", "text"), [(570 / 110, "5.2:1"), (17 / 20, "1:1.2"), (1, "1:1"), (25, "25:1")]
    )
    def test_ratio_text(self, ratio, text):
        assert ratio_text(ratio) == text


class TestEmbed:
    def test_the_chart_is_drawn_at_its_own_height_at_most(self):
        rendered = render("force-ratio", FORCE)
        height = rendered.figure["layout"]["height"]
        page = embed_page(rendered)
        assert f"max-height: {height}px" in page
        assert f"min-height: {height}px" in page  # smaller than the usual least: never shrunk

    def test_frame_height_fits_the_chart_and_its_texts(self):
        for slug, params in (("force-ratio", FORCE), ("equipment-ratio", RATIO)):
            rendered = render(slug, params)
            chart = rendered.figure["layout"]["height"]
            assert chart + 100 < frame_height(rendered) < chart + 300
        assert frame_height(render("force-ratio", FORCE)) < 520  # the snippet's old height
