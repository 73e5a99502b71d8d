"""/compare: the side-by-side rows, checked against the CSV files read with the csv module (values
and which sources disagree, found here by plain comparison, not through the indicators), against
small hand-made tables, and the components the page builds from them."""

from __future__ import annotations

import csv
from collections import defaultdict

import dash
import orjson
import pandas as pd
import pytest
from dash import html

from dashboard.cite import cite
from dashboard.pages import compare as page
from dashboard.pages.compare import FLAG_TEXT, compare_rows, compare_table, update_table
from validation import datasets_dir, load_catalog


def read_csv(name: str) -> list[dict[str, str]]:
    with (datasets_dir() / f"{name}.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def reports_in_file(table: str, keys: dict[str, str], column: str) -> list[tuple[str, float]]:
    """(source_id, value) of every row of the file matching `keys` with a value in `column`."""
    return [
        (row["source_id"], float(row[column]))
        for row in read_csv(table)
        if all(row[k] == v for k, v in keys.items()) and row[column] != ""
    ]


def disagree(reports: list[tuple[str, float]]) -> bool:
    return len({v for _, v in reports}) > 1 and len({s for s, _ in reports}) > 1


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def rows(catalog) -> pd.DataFrame:
    return compare_rows(catalog, "AZE", "ARM", 2020).set_index("key")


def _prop(component, name: str):
    """A prop of a component object or of its plain-dict form ({type, namespace, props})."""
    if isinstance(component, dict):
        return component.get("props", {}).get(name)
    return getattr(component, name, None)


def walk(component):
    """Every component in a Dash tree (objects or plain dicts), depth first."""
    yield component
    children = _prop(component, "children")
    if children is None:
        return
    for child in children if isinstance(children, list | tuple) else [children]:
        yield from walk(child)


def is_a(component, tag: str) -> bool:
    """Whether a node (component object or plain dict) is an html.<tag> element."""
    if isinstance(component, dict):
        return component.get("type") == tag
    return type(component).__name__ == tag


def find(tree, cid: str):
    return next(c for c in walk(tree) if _prop(c, "id") == cid)


def text_of(component) -> str:
    return "".join(c for c in walk(component) if isinstance(c, str))


class TestPageModule:
    def test_page_attributes(self):
        assert (page.PATH, page.NAME, page.ORDER, page.NAV) == ("/compare", "Compare", 1, True)
        assert [p.name for p in page.PARAMS] == ["a", "b", "year"]

    def test_columns(self, rows):
        for column in (
            "indicator",
            "unit",
            "a_text",
            "b_text",
            "a_sources",
            "b_sources",
            "a_conflict",
            "b_conflict",
        ):
            assert column in rows.columns


class TestAzerbaijanArmenia2020:
    def test_gfp_rank_spread_and_conflict(self, rows):
        row = rows.loc["gfp-rank"]
        assert (row["a_text"], row["b_text"]) == ("63-64", "111-112")
        assert row["a_conflict"] == [
            ("gfp-2020-trend", 63),
            ("gfp-2020-azernews", 64),
            ("rv-essay", 64),
        ]
        assert sorted(row["b_conflict"]) == [("gfp-2020-trend", 112), ("rv-essay", 111)]
        assert row["a_sources"] == ["gfp-2020-trend", "gfp-2020-azernews", "rv-essay"]

    def test_manpower_wartime_strength_is_the_essay_range(self, rows):
        row = rows.loc["manpower-wartime_strength"]
        assert (row["a_text"], row["b_text"]) == ("130,000-140,000", "60,000-65,000")
        assert row["a_sources"] == ["rv-essay"] and row["a_conflict"] == []
        assert row["unit"] == "persons"

    def test_gmi_2020(self, rows):
        row = rows.loc["gmi-rank"]
        assert (row["a_text"], row["b_text"]) == ("3", "2-5")
        assert row["a_conflict"] == []
        assert sorted(row["b_conflict"]) == [("gmi-2020-bicc-summary", 2), ("rv-essay", 5)]

    def test_sipri_share_of_gdp_editions_disagree(self, rows):
        row = rows.loc["sipri-milex_share_gdp_pct"]
        assert (row["a_text"], row["b_text"]) == ("5.24-5.39", "4.86-4.98")
        assert sorted(row["a_conflict"]) == [("sipri-2021", 5.391), ("sipri-2023", 5.242)]
        assert sorted(row["b_conflict"]) == [("sipri-2021", 4.858), ("sipri-2023", 4.983)]
        spend = rows.loc["sipri-milex_current_usd_m"]
        assert (spend["a_text"], spend["b_text"]) == ("2,237.8", "634.0")
        assert spend["a_conflict"] == [] and spend["unit"] == "USD m, current prices"

    def test_powerindex_two_sources_same_value_is_no_conflict(self, rows):
        row = rows.loc["gfp-score"]
        assert (row["a_text"], row["b_text"]) == ("0.9463", "2.1251")
        assert row["a_sources"] == ["gfp-2020-trend", "gfp-2020-xlsx"]
        assert row["a_conflict"] == []

    def test_row_order_and_groups(self, rows):
        assert list(dict.fromkeys(rows["group"])) == [
            "Manpower",
            "Rankings",
            "Military spending",
            "Equipment",
        ]

    def test_manpower_measures_and_equipment_as_in_the_files(self, rows):
        for table, column, prefix in (
            ("manpower", "measure", "manpower-"),
            ("equipment", "category", "equipment-"),
        ):
            in_file = {
                r[column]
                for r in read_csv(table)
                if r["year"] == "2020" and r["country"] in ("AZE", "ARM")
            }
            assert {k.removeprefix(prefix) for k in rows.index if k.startswith(prefix)} == in_file
        tanks = rows.loc["equipment-tanks"]
        aze = reports_in_file(
            "equipment", {"country": "AZE", "year": "2020", "category": "tanks"}, "value"
        )
        arm = reports_in_file(
            "equipment", {"country": "ARM", "year": "2020", "category": "tanks"}, "value"
        )
        assert (tanks["a_text"], tanks["b_text"]) == (f"{aze[0][1]:,.0f}", f"{arm[0][1]:,.0f}")
        assert tanks["a_sources"] == [aze[0][0]]

    def test_conflicts_match_a_plain_comparison_of_the_files(self, rows):
        checks = {
            "gfp-rank": ("rankings", {"index": "gfp", "edition": "2020"}, "rank"),
            "gmi-rank": ("rankings", {"index": "gmi", "edition": "2020"}, "rank"),
            "sipri-milex_share_gdp_pct": (
                "spending",
                {"year": "2020", "measure": "milex_share_gdp_pct"},
                "value",
            ),
            "sipri-milex_current_usd_m": (
                "spending",
                {"year": "2020", "measure": "milex_current_usd_m"},
                "value",
            ),
        }
        for key, (table, keys, column) in checks.items():
            for side, country in (("a", "AZE"), ("b", "ARM")):
                found = reports_in_file(table, {**keys, "country": country}, column)
                expected = sorted(found) if disagree(found) else []
                assert sorted(rows.loc[key, f"{side}_conflict"]) == expected, (key, country)
                assert rows.loc[key, f"{side}_sources"] == list(dict.fromkeys(s for s, _ in found))


class TestOtherSelections:
    def test_a_year_without_data_shows_dashes(self, catalog):
        out = compare_rows(catalog, "AZE", "ARM", 1980)  # before either state existed
        assert list(out["key"]) == [
            "gfp-rank",
            "gfp-score",
            "gmi-rank",
            "sipri-milex_current_usd_m",
            "sipri-milex_share_gdp_pct",
        ]
        assert set(out["a_text"]) | set(out["b_text"]) == {"-"}
        assert all(s == [] for s in out["a_sources"])

    def test_neighbours_in_2020(self, catalog):
        out = compare_rows(catalog, "TUR", "GEO", 2020).set_index("key")
        assert out.loc["gfp-rank", "a_text"] == "-"  # no published 2020 rank for Turkey
        assert out.loc["gfp-score", "a_text"] == "0.2098"
        assert out.loc["sipri-milex_current_usd_m", "b_text"] == "292.2"
        assert out.loc["equipment-tanks", "a_text"] == "2,622"
        assert "manpower-wartime_strength" not in out.index


def hand_catalog() -> dict[str, pd.DataFrame]:
    """Tables with one disagreement each: two tank counts, two manpower ranges."""
    manpower = pd.DataFrame(
        {
            "country": ["AAA", "AAA", "BBB"],
            "year": [2020, 2020, 2020],
            "measure": ["active", "active", "active"],
            "value": [float("nan"), float("nan"), 5000.0],
            "low": [100.0, 150.0, float("nan")],
            "high": [200.0, 250.0, float("nan")],
            "qualifier": ["range", "range", "exact"],
            "source_id": ["s1", "s2", "s1"],
            "note": [None, None, None],
        }
    ).astype({"year": "Int64"})
    rankings = pd.DataFrame(
        columns=[
            "index",
            "edition",
            "country",
            "rank",
            "of_countries",
            "score",
            "score_scale",
            "source_id",
            "note",
        ]
    ).astype({"edition": "Int64", "rank": "Int64", "score": float})
    spending = pd.DataFrame(
        columns=["country", "year", "measure", "value", "unit", "source_id", "note"]
    ).astype({"year": "Int64", "value": float})
    equipment = pd.DataFrame(
        {
            "country": ["AAA", "AAA", "BBB"],
            "year": [2020, 2020, 2020],
            "category": ["tanks", "tanks", "tanks"],
            "value": [100, 120, 7],
            "low": [None, None, None],
            "high": [None, None, None],
            "source_id": ["s1", "s2", "s1"],
            "note": [None, None, None],
        }
    ).astype({"year": "Int64", "value": "Int64", "low": "Int64", "high": "Int64"})
    return {
        "manpower": manpower,
        "rankings": rankings,
        "spending": spending,
        "equipment": equipment,
    }


class TestHandMadeTables:
    def test_counts_from_two_sources_disagree(self):
        out = compare_rows(hand_catalog(), "AAA", "BBB", 2020).set_index("key")
        tanks = out.loc["equipment-tanks"]
        assert (tanks["a_text"], tanks["b_text"]) == ("100-120", "7")
        assert tanks["a_conflict"] == [("s1", 100), ("s2", 120)]
        assert tanks["b_conflict"] == []

    def test_ranges_that_differ_are_listed_as_ranges(self):
        out = compare_rows(hand_catalog(), "AAA", "BBB", 2020).set_index("key")
        active = out.loc["manpower-active"]
        assert active["a_text"] == "100-250"  # from the lowest low to the highest high
        assert active["a_conflict"] == [("s1", (100, 200)), ("s2", (150, 250))]
        assert active["b_text"] == "5,000"

    def test_values_equal_at_the_coarser_precision_are_one_figure(self):
        catalog = hand_catalog()
        catalog["spending"] = pd.DataFrame(
            {
                "country": ["AAA", "AAA", "BBB", "BBB"],
                "year": 2020,
                "measure": "milex_current_usd_m",
                # AAA: one figure written to 1 and 4 decimals; BBB: two figures
                "value": [2237.8, 2237.7647, 2237.8, 2237.9],
                "unit": "usd_m",
                "source_id": ["s1", "s2", "s1", "s2"],
                "note": None,
            }
        ).astype({"year": "Int64"})
        row = compare_rows(catalog, "AAA", "BBB", 2020).set_index("key")
        milex = row.loc["sipri-milex_current_usd_m"]
        assert (milex["a_text"], milex["a_conflict"]) == ("2,237.8", [])
        assert milex["a_sources"] == ["s1", "s2"]
        assert milex["b_text"] == "2,237.8-2,237.9"
        assert milex["b_conflict"] == [("s1", 2237.8), ("s2", 2237.9)]

    def test_the_flag_lists_ranges(self):
        out = compare_rows(hand_catalog(), "AAA", "BBB", 2020)
        tree = html.Table(compare_table(out, "AAA", "BBB", 2020))
        details = next(
            c for c in walk(find(tree, "compare-manpower-active-a")) if is_a(c, "Details")
        )
        items = [c for c in walk(details) if is_a(c, "Li")]
        assert [text_of(_prop(li, "children")[0]) for li in items] == ["100-200", "150-250"]


class TestComponents:
    @pytest.fixture
    def tree(self, catalog):
        rows = compare_rows(catalog, "AZE", "ARM", 2020)
        return html.Table(compare_table(rows, "AZE", "ARM", 2020), id="compare-table")

    def test_header_names_both_countries(self, tree):
        header = next(c for c in walk(tree) if is_a(c, "Thead"))
        assert [text_of(th) for th in walk(header) if is_a(th, "Th")] == [
            "Indicator",
            "Unit",
            "Azerbaijan (AZE)",
            "Armenia (ARM)",
        ]

    def test_conflict_cell_has_range_marks_and_open_able_flag(self, tree):
        cell = find(tree, "compare-gfp-rank-a")
        value = next(c for c in walk(cell) if _prop(c, "className") == "value")
        assert _prop(value, "children") == "63-64"
        marks = [c for c in walk(cell) if _prop(c, "className") == "source-mark"]
        ids = ["gfp-2020-trend", "gfp-2020-azernews", "rv-essay"]
        # each mark names publisher and year in words; its tip cites the source, with its id
        labels = [_prop(m, "children")[0] for m in marks][:3]
        assert labels == ["GFP 2020", "GFP 2020", "Rustamzade & Valiyev"]
        tips = [text_of(_prop(m, "children")[1]) for m in marks][:3]
        assert tips == [f"{cite([sid]).removeprefix('Source: ')}; id {sid}" for sid in ids]
        (details,) = [c for c in walk(cell) if is_a(c, "Details")]
        assert _prop(details, "className") == "conflict"
        summary = next(c for c in walk(details) if is_a(c, "Summary"))
        # sent as a JSON string in ASCII, read by the browser as the flag's words
        sent = orjson.dumps(_prop(summary, "children"))
        assert sent.isascii() and orjson.loads(sent) == FLAG_TEXT == "⚑ sources disagree"
        items = [c for c in walk(details) if is_a(c, "Li")]
        listed = [
            (text_of(_prop(li, "children")[0]), text_of(_prop(li, "children")[2]).rsplit(" ", 1)[1])
            for li in items
        ]
        assert listed == [("63", "gfp-2020-trend"), ("64", "gfp-2020-azernews"), ("64", "rv-essay")]
        for li, sid in zip(items, ["gfp-2020-trend", "gfp-2020-azernews", "rv-essay"], strict=True):
            assert cite([sid]) in text_of(li)

    def test_plain_cell_has_a_mark_and_no_flag(self, tree):
        cell = find(tree, "compare-manpower-wartime_strength-a")
        (mark,) = [c for c in walk(cell) if _prop(c, "className") == "source-mark"]
        tip = f"{cite(['rv-essay']).removeprefix('Source: ')}; id rv-essay"
        assert text_of(cell) == f"130,000-140,000Rustamzade & Valiyev{tip}"
        assert "Rustamzade" in _prop(mark, "children")[0]
        assert not any(is_a(c, "Details") for c in walk(cell))

    def test_missing_cell_shows_a_dash(self, catalog):
        rows = compare_rows(catalog, "TUR", "GEO", 2020)
        tree = html.Table(compare_table(rows, "TUR", "GEO", 2020))
        assert text_of(find(tree, "compare-gfp-rank-a")) == "-"

    def test_layout_parses_its_query(self):
        tree = page.layout(a="AZE", b="XYZ", year="2020")
        messages = find(tree, "compare-messages")
        assert "b: 'XYZ' is not one of" in text_of(messages) and "showing ARM" in text_of(messages)
        # the table comes empty, with the store the page callback fills (its first call too)
        # and the browser draws from (assets/plain.js)
        assert _prop(find(tree, "compare-table"), "children") is None
        assert _prop(find(tree, "content-of-compare-table"), "data") is None
        _, table, *_ = update_table("AZE", "ARM", 2020)
        assert text_of(find(html.Table(table), "compare-gfp-rank-b")).startswith("111-112")


class TestCallback:
    def test_controls_give_the_table_and_the_query(self):
        search, table, problems, *rest = update_table("AZE", "GEO", 2020)
        assert search == "?a=AZE&b=GEO&year=2020"
        assert problems == []
        tree = html.Table(table)
        assert text_of(find(tree, "compare-sipri-milex_current_usd_m-b")).startswith("292.2")
        # the pickers: a's options, a, b's options, b, the years both have, the year; the
        # values as the controls hold them are not sent back (Dash would redraw the dropdowns)
        a_options, a, _, b, years, year = rest[:6]
        assert (a, b, year) == (dash.no_update,) * 3
        assert {"label": "Georgia (GEO)", "value": "GEO"} in a_options
        offered = [o["value"] for o in years]  # latest first; the world tables add 1992-2016
        assert offered[0] == 2020 and offered == sorted(offered, reverse=True)
        assert 2016 in offered and 1980 not in offered

    def test_the_pickers_lists_are_sent_only_when_they_change(self):
        *_, first_key = update_table("AZE", "GEO", 2020)[: 3 + 7]
        assert first_key.count("=") == 3  # a, b and year are narrowed
        # the same state again, the page showing its lists: nothing of the pickers is sent
        again = update_table("AZE", "GEO", 2020, first_key)
        assert again[3 : 3 + 7] == [dash.no_update] * 7
        # another b: the record follows; a list is sent where its checksum moved, only there
        other = update_table("AZE", "RUS", 2020, first_key)
        a_opts, _, b_opts, _, year_opts, _, key = other[3 : 3 + 7]
        assert key != first_key and key.startswith("a=")
        moved = {
            name
            for (name, old), (_, new) in zip(
                (p.split("=") for p in first_key.split(";")),
                (p.split("=") for p in key.split(";")),
                strict=True,
            )
            if old != new
        }
        for name, opts in (("a", a_opts), ("b", b_opts), ("year", year_opts)):
            assert (opts is not dash.no_update) == (name in moved), name
        # the years Russia and Azerbaijan share differ from Georgia's: that list moved
        assert "year" in moved and 1992 in [o["value"] for o in year_opts]

    def test_a_year_the_pair_lacks_falls_back_with_a_message(self):
        search, _, problems, *rest = update_table("AZE", "GEO", 1980)  # before both states
        assert search == "?a=AZE&b=GEO&year=2020"
        assert rest[5] == 2020  # the year control is moved to the year drawn
        assert "year: Azerbaijan (AZE) and Georgia (GEO) have no figures in common for 1980" in (
            text_of(html.Div(problems))
        )

    def test_a_cleared_year_falls_back_to_the_default(self):
        search, _, problems, *_ = update_table("ARM", "AZE", None)
        assert search == "?a=ARM&b=AZE&year=2020"
        assert problems == []

    def test_bad_values_are_reported(self):
        search, _, problems, *_ = update_table("AZE", "ARM", 1800)
        assert search == "?a=AZE&b=ARM&year=2020"
        assert "year: '1800' is outside 1816-2030" in text_of(html.Div(problems))


def test_conflicts_listed_per_cell_are_every_report():
    """The flag lists every source that gives the cell a value, not only the extreme ones."""
    rows = compare_rows(load_catalog(), "AZE", "ARM", 2020)
    by_key = defaultdict(list)
    for r in rows.itertuples():
        for side in ("a", "b"):
            conflict = getattr(r, f"{side}_conflict")
            if conflict:
                by_key[r.key].append(len(conflict) == len(getattr(r, f"{side}_sources")))
    assert by_key and all(all(v) for v in by_key.values())
