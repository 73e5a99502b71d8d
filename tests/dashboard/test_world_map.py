"""The world map: its shipped geometry covers every country, its data read back from the CSV
files by another route, its figure (what is drawn, where, in which colour) and caption, its
parameters, and its exports (offline HTML with the outlines inline, the embed page reading
them from this app, a PNG drawn with no fetch at all)."""

from __future__ import annotations

import csv
import hashlib
import html
import json
import math
import re
from pathlib import Path

import pytest

from dashboard import geo
from dashboard.charts import render
from dashboard.charts.world import _TEXTS, colour_ticks, country_texts, uses_log
from dashboard.pages.world import table_model
from tests.dashboard.test_balance_charts import reader_codes

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = {"indicator": "total_military", "year": 2016, "scale": "auto"}
# The hashes the geometry's README records (see dashboard/assets/geo/README.md).
SHA256 = {
    "world_110m.json": "d75915eaa31c870df6b972c9e5bb86910197825f33dcfef740f3b2f68cffe843",
    "small_states.csv": "58988ebf2cbea2c844cb74298e3c562f9e795c3a7af46882217e61480c91795d",
}


def hover(trace: dict, i: int) -> str:
    """What plotly shows on hovering point i of a trace drawn with a hovertemplate per point:
    its %{meta[k]} and %{location} filled in (plotly fills them in one pass)."""

    def filled(match: re.Match) -> str:
        key = match.group(1)
        if key == "location":
            return trace["locations"][i]
        return trace["meta"][int(re.fullmatch(r"meta\[(\d+)\]", key).group(1))]

    template = trace["hovertemplate"][i]
    assert "<extra>" not in template and trace["hoverlabel"]["namelength"] == 0  # no name box
    return re.sub(r"%\{([^}]*)\}", filled, template)


def _countries() -> list[str]:
    with (ROOT / "datasets" / "countries.csv").open(newline="", encoding="utf-8") as f:
        return [r["iso3"] for r in csv.DictReader(f)]


class TestGeometry:
    def test_files_are_the_recorded_ones(self):
        for name, digest in SHA256.items():
            assert hashlib.sha256((geo.GEO_DIR / name).read_bytes()).hexdigest() == digest
            assert digest in (geo.GEO_DIR / "README.md").read_text()

    def test_every_country_has_an_outline_a_dot_or_is_listed(self):
        topo = json.loads((geo.GEO_DIR / "world_110m.json").read_text())
        outlined = {g.get("id") for g in topo["objects"]["countries"]["geometries"]}
        with (geo.GEO_DIR / "small_states.csv").open(newline="") as f:
            dots = {r["iso3"] for r in csv.DictReader(f)}
        unplaced = [c for c in _countries() if c not in outlined and c not in dots]
        assert sorted(unplaced) == sorted(geo.NO_LOCATION)  # listed, and nothing else
        assert not set(geo.NO_LOCATION) & (outlined | dots)  # the list tells no lie
        assert len([c for c in _countries() if c in dots]) == 27  # the small states

    def test_the_topojson_is_what_plotly_reads_for_a_world_map(self):
        topo = json.loads(geo.topojson_text())
        # plotly.js's geo subplot reads these objects of <topojsonURL>world_110m.json
        assert {"coastlines", "land", "ocean", "lakes", "rivers", "countries"} <= set(
            topo["objects"]
        )
        assert geo.TOPOJSON_NAME == "world_110m"


class TestData:
    def test_values_are_the_span_of_the_csv_files(self):
        data = render("world-map", DEFAULT).data
        reported: dict[str, list[float]] = {}
        for path in [
            ROOT / "datasets" / "manpower.csv",
            *ROOT.glob("datasets/world/*/manpower.csv"),
        ]:
            with path.open(newline="", encoding="utf-8") as f:
                for r in csv.DictReader(f):
                    if r["year"] == "2016" and r["measure"] == "total_military" and r["value"]:
                        reported.setdefault(r["country"], []).append(float(r["value"]))
        assert set(data["country"]) == set(reported)
        row = data.set_index("country")
        for country in ("CHN", "AZE", "ARM", "USA"):
            lo, hi = min(reported[country]), max(reported[country])
            assert row.loc[country, "low"] == lo and row.loc[country, "high"] == hi
            assert row.loc[country, "value"] == (lo + hi) / 2
        assert row.loc["CHN", "value"] == (2_333_000 + 2_695_000) / 2  # COW and World Bank
        assert row.loc["CHN", "position"] == 1
        # Azerbaijan: World Bank 81,950 twice (built in and curated), COW 67,000 twice
        assert row.loc["AZE", "n_sources"] == 4
        assert row.loc["AZE", "value"] == (67_000 + 81_950) / 2

    def test_rank_indicator_puts_rank_1_first(self):
        data = render("world-map", {**DEFAULT, "indicator": "gfp_rank", "year": 2020}).data
        assert data["country"].tolist() == ["AZE", "ARM"]
        assert data["value"].tolist() == [63.5, 111.5]  # 63-64 and 111-112 across reports


class TestFigure:
    def test_drawn_countries_are_the_data_and_the_rest_grey(self):
        rendered = render("world-map", DEFAULT)
        data, traces = rendered.data, rendered.figure["data"]
        coloured = traces[0]
        dots = next(t for t in traces if t["name"] == "small countries (dots)")
        grey = [t for t in traces if t["name"] == "no data"]
        drawn = set(coloured["locations"]) | set(dots["customdata"])
        placed = set(data.loc[data["drawn_as"] != "not placed", "country"])
        assert drawn == placed
        assert set(data.loc[data["drawn_as"] == "not placed", "country"]) <= set(geo.NO_LOCATION)
        no_data = set(grey[0]["locations"]) | set(grey[1]["customdata"] if len(grey) > 1 else ())
        everyone = set(_countries()) - set(geo.NO_LOCATION)
        assert no_data == everyone - set(data["country"])
        assert grey[0]["showlegend"] is True and rendered.figure["layout"]["showlegend"] is True
        assert rendered.figure["layout"]["geo"]["resolution"] == 110
        # no geometry in the figure: plotly.js places countries by code from the topojson
        assert "geojson" not in coloured and coloured["locationmode"] == "ISO-3"

    def test_log_scale_automatic_for_a_wide_spread(self):
        rendered = render("world-map", DEFAULT)
        coloured = rendered.figure["data"][0]
        i = coloured["locations"].index("CHN")
        assert coloured["z"][i] == pytest.approx(math.log10(2_514_000), abs=1e-6)
        assert "log scale" in rendered.caption
        linear = render("world-map", {**DEFAULT, "scale": "linear"}).figure["data"][0]
        assert linear["z"][linear["locations"].index("CHN")] == 2_514_000
        assert "linear scale" in render("world-map", {**DEFAULT, "scale": "linear"}).caption

    def test_ranks_read_from_the_right_end_of_the_colour_bar(self):
        figure = render("world-map", {**DEFAULT, "indicator": "gfp_rank", "year": 2020}).figure
        coloured = figure["data"][0]
        z = dict(zip(coloured["locations"], coloured["z"], strict=True))
        assert z["AZE"] > z["ARM"]  # rank 63.5 at the high end, where the largest values are
        bar = coloured["colorbar"]
        labels = dict(zip(bar["ticktext"], bar["tickvals"], strict=True))
        assert labels["63.5"] == -63.5 and labels["111.5"] == -111.5

    def test_hover_has_name_value_unit_range_and_sources(self):
        rendered = render("world-map", DEFAULT)
        coloured = rendered.figure["data"][0]
        reported = rendered.data.set_index("country").loc["CHN", "reported"].split("; ")
        assert [r.rpartition(": ")[2] for r in reported] == ["2,695,000", "2,333,000"]
        assert "World Bank" in reported[0] and "COW" in reported[1]
        lines = hover(coloured, coloured["locations"].index("CHN")).split("<br>")
        assert lines == [
            "<b>China (CHN)</b>",
            "2,514,000 persons",
            "range 2,333,000\u20132,695,000 (the middle of the sources' span)",
            f"1 of {len(rendered.data)} countries with figures",
            "Sources:",
            *[f"· {html.escape(r)}" for r in reported],
        ]

    def test_hover_of_one_source_a_dot_and_a_rank(self):
        traces = render("world-map", {**DEFAULT, "indicator": "cinc", "year": 1900}).figure["data"]
        usa = hover(traces[0], traces[0]["locations"].index("USA"))
        assert usa.split("<br>") == [
            "<b>United States (USA)</b>",
            "0.188 share of world capabilities",
            "1 of 36 countries with figures",
            "Source: COW 2016 (CSV, imported): 0.188",
        ]
        dots = next(t for t in render("world-map", DEFAULT).figure["data"] if "dots" in t["name"])
        sgp = hover(dots, dots["customdata"].index("SGP")).split("<br>")
        assert sgp[:2] == ["<b>Singapore (SGP)</b>", "110,300 persons"]
        ranks = render("world-map", {**DEFAULT, "indicator": "gfp_rank", "year": 2020}).figure
        aze = hover(ranks["data"][0], ranks["data"][0]["locations"].index("AZE")).split("<br>")
        assert aze[1:4] == [
            "rank 63.5",
            "range 63\u201364 (the middle of the sources' span)",
            "1 of 2 countries with figures",
        ]

    @pytest.mark.parametrize(
        "state",
        [
            DEFAULT,
            {**DEFAULT, "scale": "linear"},
            {**DEFAULT, "indicator": "gfp_rank", "year": 2020},
            {**DEFAULT, "indicator": "cinc", "year": 1900},
        ],
    )
    def test_colour_bar_lies_below_the_map_across_the_foot(self, state):
        """The bar is horizontal, in a band of its own under the map's domain (so it never
        covers land, Tierra del Fuego included), with few enough labels for a phone, drawn
        level; the legend stands above the map."""
        layout = render("world-map", state).figure
        bar, layout = layout["data"][0]["colorbar"], layout["layout"]
        assert bar["orientation"] == "h" and bar["tickangle"] == 0
        assert bar["y"] == 0 and bar["yanchor"] == "bottom" and bar["ypad"] == 0
        # the band under the map holds the bar, its title above it and its labels below it,
        # in pixels of the plot's height (the fonts' line heights: 1.3 of their size)
        plot_px = layout["height"] - layout["margin"]["t"] - layout["margin"]["b"]
        needed = bar["thickness"] + 1.3 * 13 * 2 + 4
        assert layout["geo"]["domain"]["y"][0] * plot_px >= needed
        assert layout["geo"]["domain"]["y"][1] == 1
        assert 2 <= len(bar["ticktext"]) <= 4 and bar["len"] <= 0.8
        assert layout["legend"]["y"] >= 1 and layout["legend"]["yanchor"] == "bottom"

    @pytest.mark.parametrize(
        ("indicator", "year"),
        [("total_military", 2016), ("gfp_rank", 2020), ("milex_share_gdp_pct", 2016)],
    )
    def test_no_codes_or_source_ids_in_what_a_reader_sees(self, indicator, year):
        rendered = render("world-map", {**DEFAULT, "indicator": indicator, "year": year})
        assert rendered.error is None
        assert not reader_codes(rendered.figure)
        assert not reader_codes({"caption": rendered.caption})
        assert not reader_codes(table_model(rendered))

    def test_uses_log_and_ticks(self):
        import numpy as np

        assert uses_log(np.array([1.0, 1000.0]), "auto")
        assert not uses_log(np.array([1.0, 50.0]), "auto")
        assert uses_log(np.array([0.0, 1.0, 1000.0]), "auto")  # zeros take the lowest colour
        assert not uses_log(np.array([1.0, 1000.0]), "linear")
        assert colour_ticks(100, 2_500_000, True) == [100, 1000, 10_000, 100_000, 1_000_000]
        assert colour_ticks(0, 100, False) == [0, 25, 50, 75, 100]


class TestTable:
    """The ranked table as compact data (carried by the page, sent by its callback; the browser
    draws it with assets/world_table.js: see tests/browser/test_world.py)."""

    def test_rows_are_the_data_in_ranked_order(self):
        rendered = render("world-map", DEFAULT)
        data, model = rendered.data, table_model(rendered)
        assert [r[1] for r in model["rows"]] == data["country"].tolist()
        assert [r[0] for r in model["rows"]] == data["position"].tolist()
        assert model["head"] == "Value (persons; range across sources)"
        # the sources numbered where they first appear down the ranking, listed in the caption
        listed = model["caption"].split("Sources: ", 1)[1].removesuffix(".")
        labels = [item.split("] ", 1)[1] for item in listed.split("; [")]
        china = data.set_index("country").loc["CHN", "reported"].split("; ")
        assert labels[:2] == [r.rpartition(": ")[0] for r in china]
        assert model["rows"][0] == [
            1,
            "CHN",
            "China",
            "2,514,000 (2,333,000\u2060\u2013\u20602,695,000)",
            "[1] 2,695,000; [2] 2,333,000",
            0,
        ]
        assert model["caption"].startswith(
            f"Total armed forces, 2016: {len(data)} countries ranked (1 = first on the indicator)."
        )
        off_map = [r[1] for r in model["rows"] if r[5]]
        assert off_map == data.loc[data["drawn_as"] == "not placed", "country"].tolist()
        assert set(off_map) <= set(geo.NO_LOCATION) and off_map

    def test_texts_read_back_from_the_columns_are_those_made_with_the_data(self):
        for state in (DEFAULT, {**DEFAULT, "indicator": "gfp_rank", "year": 2020}):
            data = render("world-map", state).data
            made = country_texts(data)
            _TEXTS.clear()
            read = country_texts(data)
            assert read is not made and read.sources == made.sources
            for field in ("names", "values", "spans", "keyed", "numbers", "figures", "starts"):
                assert getattr(read, field).tolist() == getattr(made, field).tolist(), field
