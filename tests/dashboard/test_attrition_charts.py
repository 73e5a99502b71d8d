"""/attrition charts: the war timeline, first-day shares and losses, checked against
datasets/attrition.csv and events.csv read with the csv module (not through the indicators), and
against figures worked out by hand (Horadiz losses 600-700 -> mid 650, and so on)."""

from __future__ import annotations

import csv
import re

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

    def test_label_names_subject_and_measure_in_words(self):
        assert figure_label("artillery", "destroyed_share") == "Artillery: destroyed"
        assert figure_label("su25_aircraft", "sorties") == "Su-25 aircraft: sorties flown"
        assert figure_label("afv", "confirmed_losses") == (
            "Armoured fighting vehicles: confirmed lost"
        )
        # a code no mapping knows still reads as words
        assert figure_label("patrol_boats", "sunk_or_captured") == (
            "Patrol boats: sunk or captured"
        )


def strings_in(value) -> list[str]:
    """Every string value of a figure dict (keys are plotly's names, not shown)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_in(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in strings_in(v)]
    return []


# What a reader must never see: the table's codes (subjects, measures, qualifiers, units as
# stored, side and source ids) and the event ids.
CODES = (
    {r["subject"] for r in FIGURES.values() if "_" in r["subject"]}
    | {r["measure"] for r in FIGURES.values() if "_" in r["measure"]}
    | {"up_to", "more_than", "at_least", "AZE", "ARM", "afv", "mlrs", "sp_artillery"}
    | {r["source_id"] for r in FIGURES.values()}
    | set(EVENTS)
)
# plotly's own values, which are settings, never drawn
PLOTLY_WORDS = {"category", "array", "paper", "text", "skip", "data", "log", "date", "left"}


def code_like(figure: dict) -> list[str]:
    found = []
    for text in strings_in(figure):
        if text.startswith("#") or text in PLOTLY_WORDS:
            continue
        words = set(re.findall(r"[A-Za-z0-9_-]+", re.sub(r"<[^>]+>", " ", text)))
        if "_" in text or words & CODES:
            found.append(text)
    return found


@pytest.mark.parametrize("slug", ["attrition-timeline", "opening-shares", "attrition-losses"])
@pytest.mark.parametrize("p", [ALL, {"side": "ARM", "source": "essay"}])
def test_no_code_like_text_anywhere_in_the_figure(slug, p):
    rendered = render(slug, p)
    assert rendered.error is None
    assert code_like(rendered.figure) == []
    assert not set(re.findall(r"[A-Za-z0-9_-]+", rendered.caption)) & CODES


def side_of(name: str) -> str:
    return {"Azerbaijan": "AZE", "Armenia": "ARM"}[name.split(",")[0]]


class TestTimeline:
    @pytest.mark.parametrize("side", ["all", "AZE", "ARM"])
    @pytest.mark.parametrize("source", ["all", "essay"])
    def test_filters_keep_the_dated_figures_the_file_says(self, catalog, side, source):
        data = attrition_timeline_data(catalog, {"side": side, "source": source})
        figures = data[data["kind"] == "figure"]
        # a figure is on the timeline unless it counts losses over the whole war
        expected = {
            fid
            for fid in ids_in_file(side, source)
            if not (
                (FIGURES[fid]["date_start"], FIGURES[fid]["date_end"])
                == ("2020-09-27", "2020-11-10")
                and FIGURES[fid]["unit"] in ("persons", "items")
            )
        }
        assert set(figures["item_id"]) == expected
        events = data[data["kind"] == "event"]
        # events have no side; all of them come from the essay
        assert set(events["item_id"]) == set(EVENTS)

    def test_other_sources_alone_say_what_to_choose(self, catalog):
        # every figure from another source covers the whole war and counts losses
        assert all(FIGURES[f]["unit"] in ("persons", "items") for f in ids_in_file(source="other"))
        with pytest.raises(IndicatorError, match="choose 'All sources' or 'The essay only'"):
            attrition_timeline_data(catalog, {"side": "all", "source": "other"})
        rendered = render("attrition-timeline", {"side": "AZE", "source": "other"})
        assert rendered.error is not None and "chart of losses" in rendered.error

    def test_rows_carry_dates_source_and_locator_from_the_file(self, catalog):
        data = attrition_timeline_data(catalog, ALL)
        assert (data["kind"] == "event").sum() == len(EVENTS)
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
        assert row["row"] == "Servicemen: losses, 600-700 persons"

    def test_every_event_has_its_short_label_above_its_mark(self, catalog):
        shorts = catalog.meta["events"]["short_labels"]
        assert set(shorts) == set(EVENTS)
        data = attrition_timeline_data(catalog, ALL)
        fig = attrition_timeline_figure(data, ALL)
        events = fig["data"][0]
        assert events["name"] == "Events" and events["mode"] == "markers"
        labels = {a["y"]: a for a in fig["layout"]["annotations"] if a["yref"] == "y"}
        for eid, row in EVENTS.items():
            short = shorts[eid]
            assert len(short) <= 34
            i = events["y"].index(short)
            assert events["x"][i] == row["date"]  # the mark on the event's day
            assert row["label"] in events["hovertext"][i]
            assert labels[short]["text"] == short
            # written from the plot's left edge, above the mark
            assert (labels[short]["xref"], labels[short]["x"]) == ("paper", 0)
            assert labels[short]["yanchor"] == "bottom" and labels[short]["yshift"] > 0
        # rows run in time order, top to bottom
        order = fig["layout"]["yaxis"]["categoryarray"]
        firsts = [order.index(shorts[e]) for e in sorted(EVENTS, key=lambda e: EVENTS[e]["date"])]
        assert firsts == sorted(firsts)

    def test_figure_traces(self, catalog):
        data = attrition_timeline_data(catalog, ALL)
        fig = attrition_timeline_figure(data, ALL)
        assert [t["name"] for t in fig["data"]] == ["Events", "Azerbaijan", "Armenia"]
        _, aze, arm = fig["data"]
        for trace, side in ((aze, "AZE"), (arm, "ARM")):
            assert trace["line"]["color"] == country_colour(side)
            spans = {(trace["x"][i], trace["x"][i + 1]) for i in range(0, len(trace["x"]), 3)}
            expected = {
                (r["date_start"], r["date_end"])
                for fid, r in FIGURES.items()
                if r["side"] == side and fid in set(data["item_id"])
            }
            assert spans == expected
            assert trace["x"][2::3] == [None] * (len(trace["x"]) // 3)
        i = arm["y"].index("Servicemen: losses, 600-700 persons")
        hover = arm["hovertext"][i]
        for part in ("Armenia", "a range", "Rustamzade", "Operation Iron Fist", "Horadiz"):
            assert part in hover
        layout = fig["layout"]
        assert layout["xaxis"]["title"]["text"] == "Date (2020)"
        assert layout["xaxis"]["type"] == "date" and layout["xaxis"]["nticks"] <= 6
        # the rows are labelled above their marks, so the axis keeps no tick labels (and the
        # plot the width); the legend lies above the plot
        assert layout["yaxis"]["showticklabels"] is False
        assert layout["margin"]["l"] <= 20
        assert layout["legend"]["orientation"] == "h" and layout["legend"]["y"] >= 1
        assert [a["text"] for a in layout["annotations"]] == layout["yaxis"]["categoryarray"]

    def test_caption_counts(self, catalog):
        p = {"side": "ARM", "source": "essay"}
        data = attrition_timeline_data(catalog, p)
        caption = attrition_timeline_caption(data, p)
        n = (data["kind"] == "figure").sum()
        assert caption.startswith(f"{len(EVENTS)} dated events and {n} figures")
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

    def test_figure_draws_the_bounds_open_and_names_them(self, catalog):
        data = opening_shares_data(catalog, ALL)
        fig = opening_shares_figure(data, ALL)
        (trace,) = fig["data"]  # both shares are 'up to' bounds
        assert trace["type"] == "bar"
        assert trace["name"] == "Armenia, up to (upper bound)"
        assert trace["marker"]["line"]["color"] == country_colour("ARM")
        assert trace["marker"]["pattern"]["shape"]  # hatched, not a solid bar
        assert trace["x"] == ["Artillery", "Air defence systems"]
        assert trace["y"] == [30.0, 60.0]
        assert trace["text"] == ["up to 30 %", "up to 60 %"]
        assert fig["layout"]["yaxis"]["title"]["text"] == "Share destroyed (%)"
        assert fig["layout"]["yaxis"]["range"] == [0, 100]
        assert fig["layout"]["legend"]["y"] >= 1
        caption = opening_shares_caption(data, ALL)
        assert "up to 30\u00a0% of Armenia's artillery" in caption
        assert "up to 60\u00a0% of Armenia's air defence systems" in caption

    def test_a_stated_share_is_a_solid_bar(self, catalog):
        attrition = catalog["attrition"].copy()
        row = attrition["figure_id"] == "arm-artillery-share-first-strike"
        attrition.loc[row, ["value", "high", "qualifier"]] = [25.0, None, "exact"]
        other = {"attrition": attrition, "events": catalog["events"]}
        fig = opening_shares_figure(opening_shares_data(other, ALL), ALL)
        solid, bound = fig["data"]
        assert (solid["name"], solid["x"], solid["y"]) == ("Armenia", ["Artillery"], [25.0])
        assert solid["marker"] == {"color": country_colour("ARM")}
        assert bound["name"] == "Armenia, up to (upper bound)"

    @pytest.mark.parametrize(
        "p", [{"side": "AZE", "source": "all"}, {"side": "all", "source": "other"}]
    )
    def test_nothing_left_is_a_clear_error(self, catalog, p):
        with pytest.raises(
            IndicatorError, match=r"no first-day share destroyed for .*only for Armenia"
        ):
            opening_shares_data(catalog, p)
        rendered = render("opening-shares", p)
        assert rendered.error is not None
        assert rendered.caption.startswith("No data for this selection")
        assert rendered.figure["data"] == []


def loss_rows(side: str = "all", source: str = "all") -> dict[str, dict]:
    """The persons and items figures of the CSV by id."""
    return {f: FIGURES[f] for f in ids_in_file(side, source, ("persons", "items"))}


def interval(r: dict[str, str]) -> tuple[float, float, float]:
    """low, mid, high of a CSV row by the rule stated in the table's metadata."""
    num = {k: float(r[k]) if r[k] else None for k in ("value", "low", "high")}
    value = num["value"]
    low = num["low"] if num["low"] is not None else value
    high = num["high"] if num["high"] is not None else value
    return low, value if value is not None else (low + high) / 2, high


def points(fig: dict) -> dict[tuple[str, str], list[tuple[float, str, str]]]:
    """(row, side) -> [(x, trace name, marker symbol)] of every dot of the losses chart."""
    out: dict = {}
    for t in fig["data"]:
        if t["mode"] != "markers":
            continue
        for x, y in zip(t["x"], t["y"], strict=True):
            out.setdefault((y, side_of(t["name"])), []).append(
                (x, t["name"], t["marker"]["symbol"])
            )
    return out


class TestLosses:
    def test_rows_are_the_persons_and_items_figures(self, catalog):
        data = attrition_losses_data(catalog, ALL)
        assert set(data["figure_id"]) == set(loss_rows())
        assert set(data["unit"]) == {"persons", "items"}
        # people before equipment
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

    def test_one_row_per_thing_counted_with_both_sides_on_it(self, catalog):
        data = attrition_losses_data(catalog, ALL)
        fig = attrition_losses_figure(data, ALL)
        dots = points(fig)
        rows = loss_rows()
        # one dot per figure, each at the value of the CSV (a bound at its bound)
        assert sum(len(v) for v in dots.values()) == len(rows)
        by_row: dict[str, set[str]] = {}
        for fid, r in rows.items():
            row = data.set_index("figure_id").loc[fid, "row"]
            assert r["subject"] not in row or "_" not in r["subject"]
            (x, _, _) = next(d for d in dots[(row, r["side"])])
            assert x == interval(r)[1], fid
            by_row.setdefault(row, set()).add(r["side"])
        # figures counting the same thing in the same way share a row: both sides on it
        both = {row for row, sides in by_row.items() if sides == {"AZE", "ARM"}}
        assert {
            "Servicemen: killed",
            "Servicemen: wounded",
            "Servicemen: missing",
            "Tanks: confirmed lost",
            "Armoured fighting vehicles: confirmed lost",
            "Trucks, vehicles and jeeps: confirmed lost",
        } == both
        # ... joined by one thin grey line each
        links = [t for t in fig["data"] if t["mode"] == "lines"]
        joined = {y for t in links for y in t["y"] if y is not None}
        assert joined == both
        # e.g. tanks: 62 (Azerbaijan) and 255 (Armenia), as Oryx counts them in the CSV
        tanks = next(t for t in links if "Tanks: confirmed lost" in t["y"])
        i = tanks["y"].index("Tanks: confirmed lost")
        assert sorted(tanks["x"][i : i + 2]) == sorted(
            float(FIGURES[f]["value"]) for f in ("aze-tanks-oryx", "arm-tanks-oryx")
        )

    def test_people_and_equipment_in_separate_panels(self, catalog):
        data = attrition_losses_data(catalog, ALL)
        fig = attrition_losses_figure(data, ALL)
        layout = fig["layout"]
        for t in fig["data"]:
            ys = {y for y in t["y"] if y is not None}
            units = set(data.loc[data["row"].isin(ys), "unit"])
            assert units == ({"persons"} if t["yaxis"] == "y" else {"items"}), t["name"]
        people, things = layout["yaxis"], layout["yaxis2"]
        assert people["domain"][0] > things["domain"][1]  # people above, apart
        assert layout["xaxis"]["type"] == layout["xaxis2"]["type"] == "log"
        assert layout["xaxis"]["title"]["text"].startswith("People")
        assert layout["xaxis2"]["title"]["text"].startswith("Equipment")
        # each row labelled once, above its marks, in its own panel
        for axis, ref in ((people, "y"), (things, "y2")):
            labels = [a["text"] for a in layout["annotations"] if a["yref"] == ref]
            assert labels == axis["categoryarray"]
            assert axis["showticklabels"] is False

    def test_ranges_are_whiskers_and_hover_cites_the_source(self, catalog):
        data = attrition_losses_data(catalog, ALL)
        fig = attrition_losses_figure(data, ALL)
        people, things = (
            t for t in fig["data"] if t["name"] == "Armenia"
        )  # one trace in each panel
        assert people["yaxis"] == "y" and things["yaxis"] == "y2"
        arm = people
        assert arm["marker"]["color"] == country_colour("ARM")
        i = arm["y"].index("Servicemen: losses, 7 Oct")
        assert arm["x"][i] == 650
        assert (arm["error_x"]["arrayminus"][i], arm["error_x"]["array"][i]) == (50, 50)
        i = arm["y"].index("Servicemen: killed")
        assert (arm["error_x"]["arrayminus"][i], arm["error_x"]["array"][i]) == (0, 200)
        assert "3,825 persons (reports 3,825-4,025)" in arm["hovertext"][i]
        assert "Source: Wikipedia" in arm["hovertext"][i]
        arm = things
        tanks = arm["hovertext"][arm["y"].index("Tanks: confirmed lost")]
        assert "255 items" in tanks and "Oryx" in tanks

    def test_up_to_and_more_than_are_drawn_as_bounds(self, catalog):
        """The table has no bounds among its counts of losses today: two rows turned into
        bounds show how they are drawn."""
        attrition = catalog["attrition"].copy()
        up = attrition["figure_id"] == "arm-tanks-oryx"
        attrition.loc[up, ["value", "high", "qualifier"]] = [None, 300.0, "up_to"]
        more = attrition["figure_id"] == "aze-servicemen-wounded-official"
        attrition.loc[more, ["value", "low", "qualifier"]] = [None, 9000.0, "more_than"]
        other = {"attrition": attrition, "events": catalog["events"]}
        data = attrition_losses_data(other, ALL)
        fig = attrition_losses_figure(data, ALL)
        dots = points(fig)
        ((x, name, symbol),) = dots[("Tanks: confirmed lost", "ARM")]
        assert (x, name) == (300, "Armenia, up to (upper bound)")
        assert symbol.endswith("-open")
        ((x, name, symbol),) = dots[("Servicemen: wounded", "AZE")]
        assert (x, name) == (9000, "Azerbaijan, more than (lower bound)")
        assert symbol.endswith("-open")
        # the other side's stated value on the same row stays a solid dot
        ((x, name, symbol),) = dots[("Tanks: confirmed lost", "AZE")]
        assert (x, name, symbol) == (62, "Azerbaijan", "circle")
        bound = next(t for t in fig["data"] if t["name"] == "Armenia, up to (upper bound)")
        assert "up to 300 items" in bound["hovertext"][0]
        assert bound["showlegend"] is True
        caption = attrition_losses_caption(data, ALL)
        assert "stated only as a bound ('up to', 'more than'): 2" in caption

    def test_caption(self, catalog):
        data = attrition_losses_data(catalog, ALL)
        caption = attrition_losses_caption(data, ALL)
        rows = loss_rows()
        n_aze = sum(r["side"] == "AZE" for r in rows.values())
        assert caption.startswith(f"{len(rows)} counts")
        assert f"(Azerbaijan {n_aze}, Armenia {len(rows) - n_aze};" in caption

    def test_side_filter(self, catalog):
        p = {"side": "ARM", "source": "essay"}
        data = attrition_losses_data(catalog, p)
        assert set(data["figure_id"]) == set(loss_rows("ARM", "essay"))
        fig = attrition_losses_figure(data, p)
        assert {t["name"] for t in fig["data"] if t["mode"] == "markers"} == {"Armenia"}
        assert [t for t in fig["data"] if t["mode"] == "lines"] == []


class TestThroughTheRegistry:
    def test_source_lines_cite_what_is_plotted(self):
        # the timeline's events and dated figures are the essay's; the losses are everyone's
        timeline = render("attrition-timeline", ALL)
        assert timeline.source_ids == ("rv-essay",)
        assert timeline.source_line == cite(timeline.source_ids)
        losses = render("attrition-losses", ALL)
        assert set(losses.source_ids) == {r["source_id"] for r in loss_rows().values()}
        assert losses.source_line == cite(losses.source_ids)
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
        assert set(data.loc[data["kind"] == "figure", "item_id"]) == ids_in_file("AZE") - set(
            loss_rows()
        ) | {f for f in loss_rows("AZE") if FIGURES[f]["date_end"] != "2020-11-10"}
        losses = attrition_losses_data(other, ALL)
        assert set(losses["side"]) == {"AZE"}
        with pytest.raises(IndicatorError, match=r"no first-day share destroyed .* none at all"):
            opening_shares_data(other, ALL)
        assert len(attrition_losses_data(catalog, ALL)) == len(loss_rows())
