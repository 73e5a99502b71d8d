"""/attrition charts: the war timeline, first-day shares and losses, checked against
datasets/attrition.csv and events.csv read with the csv module (not through the indicators), and
against figures worked out by hand (Horadiz losses 600-700 -> mid 650, and so on)."""

from __future__ import annotations

import csv

import pytest

from dashboard.charts import get_chart, render
from dashboard.charts.attrition import (
    SIDE,
    SOURCE,
    attrition_losses_caption,
    attrition_losses_data,
    attrition_losses_figure,
    attrition_timeline_caption,
    attrition_timeline_data,
    attrition_timeline_figure,
    figure_label,
    opening_shares_caption,
    opening_shares_data,
    opening_shares_figure,
    value_text,
)
from dashboard.cite import cite
from dashboard.pages import attrition as page
from dashboard.style import country_colour
from indicators.common import IndicatorError
from validation import datasets_dir, load_catalog

ALL = {"side": "all", "source": "all"}
NAN = float("nan")


def read_csv(name: str) -> list[dict[str, str]]:
    with (datasets_dir() / f"{name}.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


FIGURES = {row["figure_id"]: row for row in read_csv("attrition")}
EVENTS = {row["event_id"]: row for row in read_csv("events")}


def ids_in_file(side: str = "all", source: str = "all", units: tuple[str, ...] = ()) -> set[str]:
    """Figure ids of the CSV that the side and source filters keep."""
    return {
        fid
        for fid, row in FIGURES.items()
        if side in ("all", row["side"])
        and (
            source == "all"
            or (source == "essay") == (row["source_id"] == "rv-essay")  # other = not the essay
        )
        and (not units or row["unit"] in units)
    }


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


class TestRegistration:
    def test_three_charts_on_the_attrition_page(self):
        for slug in ("attrition-timeline", "opening-shares", "attrition-losses"):
            chart = get_chart(slug)
            assert chart.page == "/attrition"
            assert chart.params == (SIDE, SOURCE)
            assert chart.units

    def test_page_module(self):
        assert (page.PATH, page.NAME, page.ORDER, page.NAV) == ("/attrition", "Attrition", 6, True)
        assert page.CHARTS == ("attrition-timeline", "opening-shares", "attrition-losses")

    def test_params(self):
        assert (SIDE.name, SIDE.default, tuple(SIDE.choices)) == (
            "side",
            "all",
            ("all", "AZE", "ARM"),
        )
        assert (SOURCE.name, SOURCE.default, tuple(SOURCE.choices)) == (
            "source",
            "all",
            ("all", "essay", "other"),
        )

    def test_bad_query_falls_back_with_a_message(self):
        tree = page.layout(side="RUS", source="blog")
        text = str(tree)
        assert "side: 'RUS' is not one of all, AZE, ARM; showing all" in text
        assert "source: 'blog' is not one of all, essay, other; showing all" in text


class TestValueText:
    @pytest.mark.parametrize(
        ("args", "expected"),
        [
            ((30, 30, 30, "up_to", "percent"), "up to 30 %"),
            ((NAN, 600, 700, "range", "persons"), "600-700 persons"),
            ((NAN, 50, 60, "range", "percent"), "50-60 %"),
            ((500, 500, 500, "more_than", "targets"), "more than 500 targets"),
            ((1000, 1000, 1000, "approx", "persons"), "about 1,000 persons"),
            ((3825, 3825, 4025, "exact", "persons"), "3,825 persons (reports 3,825-4,025)"),
            ((1, 1, 1, "exact", "items"), "1 item"),
            ((4, 4, 4, "exact", "items"), "4 items"),
        ],
    )
    def test_as_the_source_states_it(self, args, expected):
        assert value_text(*args) == expected

    def test_label_names_side_subject_and_measure(self):
        assert figure_label("ARM", "artillery", "destroyed_share") == (
            "ARM artillery: share destroyed"
        )
        assert figure_label("AZE", "su25_aircraft", "sorties") == "AZE Su-25 aircraft: sorties"


class TestTimeline:
    @pytest.mark.parametrize("side", ["all", "AZE", "ARM"])
    @pytest.mark.parametrize("source", ["all", "essay", "other"])
    def test_filters_keep_the_figures_the_file_says(self, catalog, side, source):
        data = attrition_timeline_data(catalog, {"side": side, "source": source})
        figures = data[data["kind"] == "figure"]
        assert set(figures["item_id"]) == ids_in_file(side, source)
        events = data[data["kind"] == "event"]
        # events have no side; all of them come from the essay
        assert set(events["item_id"]) == (set() if source == "other" else set(EVENTS))

    def test_rows_carry_dates_source_and_locator_from_the_file(self, catalog):
        data = attrition_timeline_data(catalog, ALL)
        assert len(data) == 31 + 19
        for r in data.itertuples():
            row = FIGURES[r.item_id] if r.kind == "figure" else EVENTS[r.item_id]
            start = row["date_start"] if r.kind == "figure" else row["date"]
            end = row["date_end"] if r.kind == "figure" else row["date"]
            assert (r.date_start.strftime("%Y-%m-%d"), r.date_end.strftime("%Y-%m-%d")) == (
                start,
                end,
            )
            assert (r.source_id, r.locator) == (row["source_id"], row["locator"])

    def test_horadiz_losses_keep_their_range(self, catalog):
        data = attrition_timeline_data(catalog, ALL).set_index("item_id")
        row = data.loc["arm-servicemen-losses-horadiz"]
        assert (row["low"], row["mid"], row["high"]) == (600, 650, 700)
        assert row["value_text"] == "600-700 persons"
        assert row["row"] == "ARM servicemen: losses"

    def test_figure_traces(self, catalog):
        data = attrition_timeline_data(catalog, ALL)
        fig = attrition_timeline_figure(data, ALL)
        assert [t["name"] for t in fig["data"]] == ["events", "AZE", "ARM"]
        events, aze, arm = fig["data"]
        assert events["mode"] == "markers"
        assert sorted(events["x"]) == sorted(r["date"] for r in EVENTS.values())
        horadiz = events["hovertext"][events["x"].index("2020-10-07")]
        assert EVENTS["ev-2020-10-07-horadiz"]["label"] in horadiz
        assert EVENTS["ev-2020-10-07-horadiz"]["place"] in horadiz
        for trace, side in ((aze, "AZE"), (arm, "ARM")):
            assert trace["line"]["color"] == country_colour(side)
            spans = {
                (trace["x"][i], trace["x"][i + 1], trace["y"][i])
                for i in range(0, len(trace["x"]), 3)
            }
            expected = {
                (
                    r["date_start"],
                    r["date_end"],
                    figure_label(side, r["subject"], r["measure"]),
                )
                for r in FIGURES.values()
                if r["side"] == side
            }
            assert spans == expected
            assert trace["x"][2::3] == [None] * (len(trace["x"]) // 3)
        hover = arm["hovertext"][arm["y"].index("ARM servicemen: losses")]
        for part in ("600-700 persons", "range", "persons", "rv-essay", "Operation Iron Fist"):
            assert part in hover
        layout = fig["layout"]
        assert layout["xaxis"]["title"]["text"] == "Date (2020)"
        assert layout["xaxis"]["type"] == "date"
        assert layout["yaxis"]["categoryarray"][0].startswith("Event: ")

    def test_other_sources_have_no_events_trace(self, catalog):
        p = {"side": "all", "source": "other"}
        data = attrition_timeline_data(catalog, p)
        fig = attrition_timeline_figure(data, p)
        assert [t["name"] for t in fig["data"]] == ["AZE", "ARM"]
        caption = attrition_timeline_caption(data, p)
        assert caption.startswith("14 figures and 0 dated events")
        assert "leaves them out" in caption

    def test_caption_counts(self, catalog):
        data = attrition_timeline_data(catalog, {"side": "ARM", "source": "essay"})
        caption = attrition_timeline_caption(data, {"side": "ARM", "source": "essay"})
        n = len(ids_in_file("ARM", "essay"))
        assert caption.startswith(f"{n} figures and 19 dated events")
        assert "(Armenia, the essay only)" in caption


class TestOpeningShares:
    def test_the_two_first_day_shares(self, catalog):
        data = opening_shares_data(catalog, ALL)
        expected = [
            fid
            for fid, r in FIGURES.items()
            if r["measure"] == "destroyed_share" and r["date_end"] == "2020-09-27"
        ]
        assert list(data["figure_id"]) == expected
        assert list(data["high"]) == [float(FIGURES[f]["high"]) for f in expected]  # 30, 60
        assert list(data["value_text"]) == ["up to 30 %", "up to 60 %"]
        assert set(data["unit"]) == {"percent"}
        assert set(data["source_id"]) == {"rv-essay"}

    def test_figure(self, catalog):
        data = opening_shares_data(catalog, ALL)
        fig = opening_shares_figure(data, ALL)
        (trace,) = fig["data"]
        assert (trace["type"], trace["name"]) == ("bar", "ARM")
        assert trace["marker"]["color"] == country_colour("ARM")
        assert trace["x"] == ["Artillery", "Air defence systems"]
        assert trace["y"] == [30.0, 60.0]
        assert trace["text"] == ["up to 30 %", "up to 60 %"]
        assert fig["layout"]["yaxis"]["title"]["text"] == "Share destroyed (%)"
        assert fig["layout"]["yaxis"]["range"] == [0, 100]
        caption = opening_shares_caption(data, ALL)
        assert "up to 30 % of Armenia's artillery" in caption
        assert "up to 60 % of Armenia's air defence systems" in caption

    @pytest.mark.parametrize(
        "p", [{"side": "AZE", "source": "all"}, {"side": "all", "source": "other"}]
    )
    def test_nothing_left_is_a_clear_error(self, catalog, p):
        with pytest.raises(
            IndicatorError, match=r"no first-day share destroyed for .*only for ARM"
        ):
            opening_shares_data(catalog, p)
        rendered = render("opening-shares", p)
        assert rendered.error is not None
        assert rendered.caption.startswith("No data for this selection")
        assert rendered.figure["data"] == []


class TestLosses:
    def test_rows_are_the_persons_and_items_figures(self, catalog):
        data = attrition_losses_data(catalog, ALL)
        assert set(data["figure_id"]) == ids_in_file(units=("persons", "items"))
        assert len(data) == 26
        assert set(data["unit"]) == {"persons", "items"}
        # persons before items on the axis
        units = list(data["unit"])
        assert units == sorted(units, key=["persons", "items"].index)

    def test_intervals_by_hand(self, catalog):
        data = attrition_losses_data(catalog, ALL).set_index("figure_id")
        by_hand = {
            "arm-servicemen-losses-horadiz": (600, 650, 700),  # range: mid of the ends
            "arm-servicemen-killed-official": (3825, 3825, 4025),  # value with reported spread
            "aze-servicemen-killed-official": (2898, 2906, 2906),
            "aze-servicemen-missing-official": (6, 6, 14),
            "arm-servicemen-deserted": (10000, 10000, 10000),
            "arm-tanks-oryx": (255, 255, 255),
        }
        for fid, (lo, mid, hi) in by_hand.items():
            assert tuple(data.loc[fid, ["low", "mid", "high"]]) == (lo, mid, hi), fid

    def test_figure(self, catalog):
        data = attrition_losses_data(catalog, ALL)
        fig = attrition_losses_figure(data, ALL)
        assert [t["name"] for t in fig["data"]] == ["AZE", "ARM"]
        aze, arm = fig["data"]
        for trace, side in ((aze, "AZE"), (arm, "ARM")):
            assert trace["marker"]["color"] == country_colour(side)
            assert len(trace["x"]) == sum(
                1
                for r in FIGURES.values()
                if r["side"] == side and r["unit"] in ("persons", "items")
            )
        i = arm["x"].index("servicemen: losses")
        assert arm["y"][i] == 650
        assert (arm["error_y"]["arrayminus"][i], arm["error_y"]["array"][i]) == (50, 50)
        i = arm["x"].index("servicemen: killed")
        assert (arm["error_y"]["arrayminus"][i], arm["error_y"]["array"][i]) == (0, 200)
        assert "unit: persons" in arm["hovertext"][i]
        assert "wikipedia-2020-war" in arm["hovertext"][i]
        assert "unit: items" in arm["hovertext"][arm["x"].index("tanks: confirmed losses")]
        yaxis = fig["layout"]["yaxis"]
        assert yaxis["type"] == "log"
        assert yaxis["title"]["text"] == "Count (persons or items, log scale)"
        caption = attrition_losses_caption(data, ALL)
        assert caption.startswith("26 counts") and "(AZE 12, ARM 14;" in caption

    def test_side_filter(self, catalog):
        p = {"side": "ARM", "source": "essay"}
        data = attrition_losses_data(catalog, p)
        assert set(data["figure_id"]) == ids_in_file("ARM", "essay", ("persons", "items"))
        fig = attrition_losses_figure(data, p)
        assert [t["name"] for t in fig["data"]] == ["ARM"]


class TestThroughTheRegistry:
    def test_source_lines_cite_what_is_plotted(self):
        timeline = render("attrition-timeline", ALL)
        assert set(timeline.source_ids) == {"rv-essay", "wikipedia-2020-war", "oryx-via-wikipedia"}
        assert timeline.source_line == cite(timeline.source_ids)
        essay = render("attrition-losses", {"side": "all", "source": "essay"})
        assert essay.source_ids == ("rv-essay",)
        other = render("attrition-losses", {"side": "all", "source": "other"})
        assert "rv-essay" not in other.source_ids


class TestOtherTables:
    def test_a_different_attrition_table_is_not_answered_from_the_first(self, catalog):
        """The unfiltered frames are kept per table object; a new table gets its own."""
        attrition_timeline_data(catalog, ALL)
        fewer = catalog["attrition"][catalog["attrition"]["side"] == "AZE"].reset_index(drop=True)
        other = {"attrition": fewer, "events": catalog["events"]}
        data = attrition_timeline_data(other, ALL)
        assert set(data.loc[data["kind"] == "figure", "item_id"]) == ids_in_file("AZE")
        losses = attrition_losses_data(other, ALL)
        assert set(losses["side"]) == {"AZE"}
        with pytest.raises(IndicatorError, match=r"no first-day share destroyed .* none at all"):
            opening_shares_data(other, ALL)
        assert len(attrition_losses_data(catalog, ALL)) == 26
