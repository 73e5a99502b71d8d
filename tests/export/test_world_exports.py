"""The world map's parameters and exports through the app: bad values named, a year without
figures explained, the CSV of what is drawn, the offline HTML with the outlines inline, the
embed page reading them from this app, and a PNG drawn with no fetch at all."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from dashboard.charts import load_charts, render
from tests.export.conftest import png_size

DEFAULT = {"indicator": "total_military", "year": 2016, "scale": "auto"}


class TestParameters:
    def test_only_indicators_with_figures_are_offered(self):
        from validation import load_catalog

        chart = load_charts()["world-map"]
        indicator, year = chart.params[0], chart.params[1]
        codes = indicator.allowed(load_catalog())
        assert "total_military" in codes and "cinc" in codes and "gfp_rank" in codes
        assert "paramilitary" not in codes  # no figures in the catalogue
        assert "gmi_revised_rank" not in codes  # only once imported
        years = year.offered(load_catalog(), {"indicator": "gmi_rank"})
        assert years == (2020, 2019, 2018, 2015, 2014, 2013)

    def test_bad_values_answer_400_naming_the_parameter(self, client):
        for query, name in (
            ("indicator=nope", "indicator"),
            ("year=2099", "year"),
            ("year=twenty", "year"),
            ("scale=cubic", "scale"),
        ):
            response = client.get(f"/chart/world-map.csv?{query}")
            assert response.status_code == 400
            assert response.data.decode().startswith(f"{name}: ")

    def test_a_year_without_figures_says_which_years_have_them(self, client):
        response = client.get("/chart/world-map.csv?indicator=gmi_rank&year=2016")
        assert response.status_code == 404
        assert "years with figures: 2020, 2019" in response.data.decode()

    def test_page_settles_a_year_without_figures(self, client):
        from dashboard.components import page_params
        from dashboard.pages import world

        values, problems = page_params(world.PARAMS, {"indicator": "gmi_rank", "year": "2016"})
        assert values["year"] == 2020
        assert problems == [
            "year: Global Militarisation Index rank (1 = most militarised) has no figures "
            "for 2016; showing 2020"
        ]


class TestExports:
    def test_csv_rows_are_the_countries_with_figures(self, client):
        text = client.get("/chart/world-map.csv?indicator=cinc&year=1900").data.decode()
        rows = list(csv.DictReader(io.StringIO(text)))
        data = render("world-map", {**DEFAULT, "indicator": "cinc", "year": 1900}).data
        assert [r["country"] for r in rows] == data["country"].tolist()
        assert len(rows) == 36  # COW's NMC: 36 states in 1900
        assert rows[0]["country"] == "USA" and rows[0]["source_id"] == "import-nmc"

    def test_html_carries_the_outlines_and_no_cdn(self):
        from dashboard.export import to_html

        page = to_html(render("world-map", DEFAULT)).decode()
        assert "window.PlotlyGeoAssets" in page and '"world_110m"' in page
        assert page.index("PlotlyGeoAssets") < page.index("Plotly.newPlot")
        assert "cdn.plot.ly" not in page.replace("https://cdn.plot.ly/un/", "")
        assert '"topojsonURL"' not in page  # not needed: nothing is fetched

    def test_embed_page_reads_the_outlines_from_this_app(self, client):
        page = client.get("/chart/world-map").data.decode()
        assert '"topojsonURL": "../assets/geo/"' in page
        assert client.get("/assets/geo/world_110m.json").status_code == 200

    def test_png_draws_the_outlines_without_fetching(self, chromium, monkeypatch):
        """The outlines come from the page kaleido draws in: with plotly.js pointed at a
        folder that does not exist, a fetch would fail the image; it is drawn all the same,
        with the countries filled."""
        from PIL import Image

        from dashboard.export import figures

        monkeypatch.setattr(figures, "GEO_DIR", Path("/nonexistent-milbal-geo"))
        png = figures.to_image(render("world-map", DEFAULT), "png")
        assert png_size(png) == (1200, 675)
        pixels = list(Image.open(io.BytesIO(png)).convert("RGB").get_flattened_data())
        grey = sum(1 for p in pixels if p == (200, 200, 200))  # no data: Greenland, Libya...
        filled = sum(1 for r, g, b in pixels if max(r, g, b) - min(r, g, b) > 60)
        assert grey > 2_000
        # the coloured countries (the dots alone are ~1,500 px; the countries ~90,000, in a map
        # whose foot is left to the colour bar)
        assert filled > 60_000
