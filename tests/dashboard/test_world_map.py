"""The world map: its shipped geometry covers every country, its data read back from the CSV
files by another route, its figure (what is drawn, where, in which colour) and caption, its
parameters, and its exports (offline HTML with the outlines inline, the embed page reading
them from this app, a PNG drawn with no fetch at all)."""

from __future__ import annotations

import csv
import hashlib
import json
import math
from pathlib import Path

import pytest

from dashboard import geo
from dashboard.charts import render
from dashboard.charts.world import colour_ticks, uses_log

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = {"indicator": "total_military", "year": 2016, "scale": "auto"}
# The hashes the geometry's README records (see dashboard/assets/geo/README.md).
SHA256 = {
    "world_110m.json": "d75915eaa31c870df6b972c9e5bb86910197825f33dcfef740f3b2f68cffe843",
    "small_states.csv": "58988ebf2cbea2c844cb74298e3c562f9e795c3a7af46882217e61480c91795d",
}


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
        coloured = render("world-map", DEFAULT).figure["data"][0]
        text = coloured["text"][coloured["locations"].index("CHN")]
        assert "China (CHN)" in text and "2,514,000 persons" in text
        assert "range 2,333,000-2,695,000" in text
        assert "World Bank" in text and "COW" in text

    def test_uses_log_and_ticks(self):
        import numpy as np

        assert uses_log(np.array([1.0, 1000.0]), "auto")
        assert not uses_log(np.array([1.0, 50.0]), "auto")
        assert uses_log(np.array([0.0, 1.0, 1000.0]), "auto")  # zeros take the lowest colour
        assert not uses_log(np.array([1.0, 1000.0]), "linear")
        assert colour_ticks(100, 2_500_000, True) == [100, 1000, 10_000, 100_000, 1_000_000]
        assert colour_ticks(0, 100, False) == [0, 25, 50, 75, 100]
