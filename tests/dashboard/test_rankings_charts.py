"""/rankings charts: rank per edition with its OLS trend, and the rank gap, checked against the
ranks typed from datasets/rankings.csv and the textbook OLS formulas (not the indicator code)."""

from __future__ import annotations

import csv
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from dashboard.charts import get_chart, render
from dashboard.charts.rankings import (
    COUNTRIES,
    INDEX,
    SOURCE,
    TREND,
    rank_gap_caption,
    rank_gap_data,
    rank_gap_figure,
    rankings_trend_caption,
    rankings_trend_data,
    rankings_trend_figure,
)
from dashboard.components import picks
from dashboard.pages import rankings as page
from dashboard.params import ParamError, parse_query
from dashboard.style import country_colour
from indicators.common import IndicatorError
from validation import datasets_dir, load_catalog

GFP = {"index": "gfp", "countries": ("AZE", "ARM")}
GMI = {"index": "gmi", "countries": ("AZE", "ARM")}

# Ranks as datasets/rankings.csv gives them; 2020 has several reports (mean used).
AZE_GFP = {
    2016: 64,
    2017: 59,
    2018: 53,
    2020: (63 + 64 + 64) / 3,
    2021: 64,
    2022: 63,
    2023: 57,
    2024: 59,
    2025: 60,
}
ARM_GFP = {
    2016: 74,
    2017: 95,
    2018: 84,
    2020: (112 + 111) / 2,
    2021: 100,
    2022: 97,
    2023: 94,
    2024: 102,
    2025: 91,
}


def ols_by_hand(points: dict[int, float], level: float = 0.95) -> dict[str, float]:
    """Slope, its CI, and the fitted value with its mean CI at every x, from the formulas."""
    x = np.array(sorted(points), dtype=float)
    y = np.array([points[int(k)] for k in x], dtype=float)
    n = len(x)
    sxx = ((x - x.mean()) ** 2).sum()
    slope = ((x - x.mean()) * (y - y.mean())).sum() / sxx
    intercept = y.mean() - slope * x.mean()
    s2 = ((y - intercept - slope * x) ** 2).sum() / (n - 2)
    t = stats.t.ppf(0.5 + level / 2, df=n - 2)
    se = math.sqrt(s2 / sxx)
    fit = intercept + slope * x
    half = t * np.sqrt(s2 * (1 / n + (x - x.mean()) ** 2 / sxx))
    return {
        "slope": slope,
        "ci": (slope - t * se, slope + t * se),
        "n": n,
        "fit": dict(zip(x.astype(int), fit, strict=True)),
        "band": dict(zip(x.astype(int), zip(fit - half, fit + half, strict=True), strict=True)),
    }


def rankings_frame(rows: list[tuple]) -> pd.DataFrame:
    """A rankings table of (index, edition, country, rank, source_id) rows, typed as loaded."""
    return pd.DataFrame(
        [
            {
                "index": i,
                "edition": e,
                "country": c,
                "rank": r,
                "of_countries": None,
                "score": None if r is not None else 1.0,
                "score_scale": None if r is not None else "gfp_powerindex",
                "source_id": s,
                "note": None,
            }
            for i, e, c, r, s in rows
        ]
    ).astype({"edition": "Int64", "rank": "Int64", "of_countries": "Int64", "score": float})


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def gfp(catalog):
    return rankings_trend_data(catalog, GFP)


class TestParams:
    def test_countries_are_those_with_any_ranking_row(self, catalog):
        with (datasets_dir() / "rankings.csv").open(newline="", encoding="utf-8") as f:
            in_file = sorted({row["country"] for row in csv.DictReader(f)})
        assert COUNTRIES.allowed(catalog) == in_file
        assert set(in_file) == {"AZE", "ARM", "GEO", "TUR", "IRN", "RUS"}

    def test_parse_and_defaults(self, catalog):
        assert COUNTRIES.default == ("AZE", "ARM") and INDEX.default == "gfp"
        assert COUNTRIES.parse("geo, aze", catalog) == ("GEO", "AZE")
        assert INDEX.parse("GMI", catalog) == "gmi"
        with pytest.raises(ParamError, match="index: 'sipri' is not one of gfp, gmi"):
            INDEX.parse("sipri", catalog)
        with pytest.raises(ParamError, match="countries: XYZ not among"):
            COUNTRIES.parse("AZE,XYZ", catalog)
        assert TREND.default == "show" and TREND.parse("HIDE", catalog) == "hide"

    def test_controls_speak_in_words(self, catalog):
        """What the dropdowns list: names, not codes."""
        assert INDEX.show("gfp") == "Global Firepower"
        assert INDEX.show("gmi") == "Global Militarisation Index"
        assert COUNTRIES.show("ARM") == "Armenia (ARM)"
        assert [TREND.show(v) for v in TREND.allowed(catalog)] == ["Show trend", "Hide trend"]

    def test_charts_registered_on_the_page(self):
        assert get_chart("rankings-trend").params == (INDEX, COUNTRIES, SOURCE, TREND)
        assert get_chart("rank-gap").params == (INDEX, COUNTRIES, SOURCE)
        for slug in ("rankings-trend", "rank-gap"):
            assert get_chart(slug).page == "/rankings"
        assert page.PARAMS == (INDEX, COUNTRIES, SOURCE, TREND)
        assert page.CHARTS == ("rankings-trend", "rank-gap")
        assert (page.PATH, page.NAME, page.ORDER, page.NAV) == ("/rankings", "Rankings", 4, True)


class TestTrendData:
    def test_observed_ranks_match_the_file(self, gfp):
        obs = gfp[gfp["series"] == "observed"]
        for country, expected in (("AZE", AZE_GFP), ("ARM", ARM_GFP)):
            rows = obs[obs["country"] == country].set_index("edition")["rank"]
            assert rows.to_dict() == pytest.approx(expected)

    def test_disagreeing_reports_are_flagged_with_their_range_and_sources(self, gfp):
        obs = gfp[gfp["series"] == "observed"].set_index(["country", "edition"])
        aze = obs.loc[("AZE", 2020)]
        assert (aze["rank_min"], aze["rank_max"], aze["n_reports"]) == (63, 64, 3)
        assert aze["reports_differ"]
        assert aze["reported"] == (
            "GFP 2020 (Trend News Agency): 63; GFP 2020 (AzerNews): 64; "
            "Rustamzade & Valiyev (essay): 64"
        )
        assert {"gfp-2020-trend", "gfp-2020-azernews", "rv-essay"} <= set(
            aze["source_id"].split(";")
        )
        arm = obs.loc[("ARM", 2020)]
        assert (arm["rank_min"], arm["rank_max"]) == (111, 112) and arm["reports_differ"]
        # every other edition has one ranked report
        assert obs["reports_differ"].sum() == 2

    def test_trend_rows_match_the_ols_formulas(self, gfp):
        trend = gfp[gfp["series"] == "trend"]
        for country, points in (("AZE", AZE_GFP), ("ARM", ARM_GFP)):
            hand = ols_by_hand(points)
            rows = trend[trend["country"] == country].set_index("edition")
            assert rows["rank"].to_dict() == pytest.approx(hand["fit"])
            for edition, (lo, hi) in hand["band"].items():
                assert (rows.loc[edition, "ci_low"], rows.loc[edition, "ci_high"]) == pytest.approx(
                    (lo, hi)
                )
            assert rows["slope"].unique() == pytest.approx([hand["slope"]])
            assert rows["slope_ci_low"].iloc[0] == pytest.approx(hand["ci"][0])
            assert rows["slope_ci_high"].iloc[0] == pytest.approx(hand["ci"][1])
            assert (rows["n"] == hand["n"]).all()

    def test_every_row_has_sources_and_a_unit(self, gfp):
        assert gfp["source_id"].notna().all() and (gfp["source_id"] != "").all()
        assert (gfp["unit"] == "rank").all()
        assert set(gfp["series"]) == {"observed", "trend"}
        # chosen order: AZE rows first
        assert gfp["country"].iloc[0] == "AZE" and gfp["country"].iloc[-1] == "ARM"

    def test_gmi_edition_without_a_rank_is_not_plotted(self, catalog):
        data = rankings_trend_data(catalog, GMI)
        aze = data[(data["country"] == "AZE") & (data["series"] == "observed")]
        # 2015: the source gives Azerbaijan's score but no rank
        assert sorted(aze["edition"]) == [2013, 2014, 2018, 2019, 2020]
        hand = ols_by_hand({2013: 8, 2014: 10, 2018: 12, 2019: 10, 2020: 3})
        slope = data[(data["country"] == "AZE") & (data["series"] == "trend")].iloc[0]
        assert slope["slope"] == pytest.approx(hand["slope"]) and slope["n"] == 5

    def test_countries_absent_from_the_index_are_left_out(self, catalog):
        data = rankings_trend_data(catalog, {"index": "gmi", "countries": ("ARM", "GEO")})
        assert set(data["country"]) == {"ARM"}
        with pytest.raises(IndicatorError, match="GEO, TUR: no rows in the gmi rankings"):
            rankings_trend_data(catalog, {"index": "gmi", "countries": ("GEO", "TUR")})
        with pytest.raises(IndicatorError, match="GEO: no gfp edition gives a rank"):
            rankings_trend_data(catalog, {"index": "gfp", "countries": ("GEO",)})


def missing_years(index: str, country: str) -> list[int]:
    """Years between a country's first and last ranked edition with no rank in any report,
    read from datasets/rankings.csv."""
    with (datasets_dir() / "rankings.csv").open(newline="", encoding="utf-8") as f:
        ranked = {
            int(r["edition"])
            for r in csv.DictReader(f)
            if r["index"] == index and r["country"] == country and r["rank"]
        }
    return [y for y in range(min(ranked), max(ranked) + 1) if y not in ranked]


def by_name(fig: dict) -> dict[str, dict]:
    return {t["name"]: t for t in fig["data"]}


class TestTrendFigure:
    def test_traces_names_and_colours(self, gfp):
        fig = rankings_trend_figure(gfp, GFP)
        names = [t["name"] for t in fig["data"]]
        assert names == [
            "Azerbaijan: trend 95% band",
            "Azerbaijan: fitted trend",
            "Azerbaijan",
            "Armenia: trend 95% band",
            "Armenia: fitted trend",
            "Armenia",
            "fitted trend (shaded: 95% band)",
            "reports differ (bar: range of reported ranks)",
        ]
        traces = by_name(fig)
        for c, name in (("AZE", "Azerbaijan"), ("ARM", "Armenia")):
            assert traces[name]["mode"] == "lines+markers"
            assert traces[name]["line"]["color"] == country_colour(c)
            assert traces[f"{name}: fitted trend"]["line"]["color"] == country_colour(c)
            assert traces[f"{name}: trend 95% band"]["fill"] == "toself"

    def test_legend_holds_the_keys_only_above_the_plot(self, gfp):
        fig = rankings_trend_figure(gfp, GFP)
        in_legend = [t["name"] for t in fig["data"] if t.get("showlegend", True)]
        assert in_legend == [
            "fitted trend (shaded: 95% band)",
            "reports differ (bar: range of reported ranks)",
        ]
        legend = fig["layout"]["legend"]
        assert legend["orientation"] == "h" and legend["y"] > 1 and legend["yanchor"] == "bottom"

    @pytest.mark.parametrize(
        ("index", "country", "name"),
        [("gfp", "AZE", "Azerbaijan"), ("gfp", "ARM", "Armenia"), ("gmi", "AZE", "Azerbaijan")],
    )
    def test_line_breaks_at_missing_editions(self, catalog, index, country, name):
        gaps = missing_years(index, country)
        assert gaps  # GFP has no 2019 edition; GMI gives Azerbaijan no rank 2015-2017
        params = {"index": index, "countries": ("AZE", "ARM")}
        fig = rankings_trend_figure(rankings_trend_data(catalog, params), params)
        line = by_name(fig)[name]
        assert line["connectgaps"] is False
        points = dict(zip(line["x"], line["y"], strict=True))
        assert [x for x, y in points.items() if y is None] == gaps
        # every year from the first edition to the last is on the line, gaps included
        assert line["x"] == list(range(line["x"][0], line["x"][-1] + 1))

    def test_gfp_2019_is_a_gap(self, gfp):
        aze = by_name(rankings_trend_figure(gfp, GFP))["Azerbaijan"]
        i = aze["x"].index(2019)
        assert aze["y"][i] is None and aze["hovertext"][i] == ""
        assert aze["y"][i - 1] == AZE_GFP[2018] and aze["y"][i + 1] == pytest.approx(
            AZE_GFP[2020], abs=1e-3
        )

    def test_observed_points_and_error_bars(self, gfp):
        aze = by_name(rankings_trend_figure(gfp, GFP))["Azerbaijan"]
        shown = {x: y for x, y in zip(aze["x"], aze["y"], strict=True) if y is not None}
        assert sorted(shown) == sorted(AZE_GFP)
        i = aze["x"].index(2020)
        assert aze["y"][i] == pytest.approx(63.667, abs=1e-3)
        assert aze["error_y"]["array"][i] == pytest.approx(64 - AZE_GFP[2020], abs=1e-3)
        assert aze["error_y"]["arrayminus"][i] == pytest.approx(AZE_GFP[2020] - 63, abs=1e-3)
        assert aze["marker"]["symbol"][i] == "diamond"
        others = {aze["marker"]["symbol"][j] for j in range(len(aze["x"])) if j != i}
        assert others == {"circle"}
        assert "GFP 2020 (AzerNews): 64" in aze["hovertext"][i]
        assert aze["hovertext"][0].startswith("Azerbaijan 2016: rank 64")

    def test_band_spans_the_confidence_interval(self, gfp):
        band = rankings_trend_figure(gfp, GFP)["data"][0]
        hand = ols_by_hand(AZE_GFP)
        editions = sorted(AZE_GFP)
        assert band["x"] == editions + editions[::-1]
        upper = [hand["band"][e][1] for e in editions]
        lower = [hand["band"][e][0] for e in editions]
        assert band["y"] == pytest.approx(upper + lower[::-1], abs=1e-3)

    def test_trend_is_faint(self, gfp):
        traces = by_name(rankings_trend_figure(gfp, GFP))
        trend, observed = traces["Azerbaijan: fitted trend"], traces["Azerbaijan"]
        assert trend["line"]["width"] < observed["line"]["width"]
        assert trend["line"]["dash"] == "dot" and trend["opacity"] < 1
        fill = traces["Azerbaijan: trend 95% band"]["fillcolor"]
        assert float(fill.rsplit(",", 1)[1].rstrip(")")) <= 0.1

    def test_band_and_trend_stop_at_rank_1(self):
        """A country near the top whose band, by the formulas, reaches past rank 1."""
        points = {2014: 1, 2015: 4, 2016: 1, 2017: 3, 2018: 1}
        table = rankings_frame([("gmi", e, "AZE", r, "s1") for e, r in points.items()])
        params = {"index": "gmi", "countries": ("AZE",)}
        data = rankings_trend_data({"rankings": table}, params)
        hand = ols_by_hand(points)
        lows = [hand["band"][e][0] for e in sorted(points)]
        highs = [hand["band"][e][1] for e in sorted(points)]
        assert min(lows) < 1  # the interval the formulas give goes past rank 1
        fig = rankings_trend_figure(data, params)
        traces = by_name(fig)
        band = traces["Azerbaijan: trend 95% band"]["y"]
        assert min(band) == 1.0
        clipped = [max(v, 1.0) for v in highs] + [max(v, 1.0) for v in lows][::-1]
        assert band == pytest.approx(clipped, abs=1e-3)
        assert min(traces["Azerbaijan: fitted trend"]["y"]) >= 1
        bottom, top = fig["layout"]["yaxis"]["range"]
        assert bottom > top and 0.5 <= top < 1  # reversed, stopping just past rank 1
        bottom, top = fig["layout"]["yaxis"]["range"]
        assert bottom > top and 0.5 <= top < 1  # reversed, stopping just past rank 1

    def test_hidden_trend_is_absent_and_shown_trend_present(self, catalog):
        shown = {**GFP, "trend": "show"}
        hidden = {**GFP, "trend": "hide"}
        for params, has_trend in ((shown, True), (hidden, False)):
            data = rankings_trend_data(catalog, params)
            assert ("trend" in set(data["series"])) is has_trend
            names = [t["name"] for t in rankings_trend_figure(data, params)["data"]]
            assert any("trend" in n for n in names) is has_trend
        hidden_names = [
            t["name"]
            for t in rankings_trend_figure(rankings_trend_data(catalog, hidden), hidden)["data"]
        ]
        assert hidden_names == [
            "Azerbaijan",
            "Armenia",
            "reports differ (bar: range of reported ranks)",
        ]
        caption = rankings_trend_caption(rankings_trend_data(catalog, hidden), hidden)
        assert "ranks a year" not in caption and "trend is hidden" in caption

    def test_one_label_per_country_at_its_last_point(self, catalog):
        with (datasets_dir() / "rankings.csv").open(newline="", encoding="utf-8") as f:
            rows = [r for r in csv.DictReader(f) if r["index"] == "gfp" and r["rank"]]
        params = {"index": "gfp", "countries": ("AZE", "ARM", "GEO", "TUR")}
        fig = rankings_trend_figure(rankings_trend_data(catalog, params), params)
        labels = fig["layout"]["annotations"]
        names = {"AZE": "Azerbaijan", "ARM": "Armenia", "GEO": "Georgia", "TUR": "Turkey"}
        ranked = [c for c in params["countries"] if any(r["country"] == c for r in rows)]
        assert sorted(a["text"] for a in labels) == sorted(names[c] for c in ranked)
        for a in labels:
            country = next(c for c, n in names.items() if n == a["text"])
            mine = [r for r in rows if r["country"] == country]
            last = max(int(r["edition"]) for r in mine)
            ranks = [int(r["rank"]) for r in mine if int(r["edition"]) == last]
            assert (a["x"], a["y"]) == (last, pytest.approx(sum(ranks) / len(ranks)))
            assert a["xanchor"] == "left" and a["font"]["color"] == country_colour(country)

    def test_labels_at_near_ranks_are_moved_apart(self, catalog):
        """GMI 2020: Azerbaijan 3, Armenia 3.5 (mean of 2 and 5): their labels would touch."""
        fig = rankings_trend_figure(rankings_trend_data(catalog, GMI), GMI)
        labels = {a["text"]: a for a in fig["layout"]["annotations"]}
        bottom, top = fig["layout"]["yaxis"]["range"]
        px = 300 / (bottom - top)  # about the plot's height in px over its ranks

        def drawn_at(a):  # px down from the top
            return (a["y"] - top) * px - a["yshift"]

        assert labels["Azerbaijan"]["y"] == 3 and labels["Armenia"]["y"] == 3.5
        assert drawn_at(labels["Armenia"]) - drawn_at(labels["Azerbaijan"]) >= 16

    def test_disagreement_trace_marks_both_2020_points(self, gfp):
        differ = rankings_trend_figure(gfp, GFP)["data"][-1]
        assert differ["x"] == [2020, 2020]
        assert differ["marker"]["symbol"] == "diamond-open"
        assert (
            differ["hovertext"][1]
            == "Armenia 2020: reports differ: GFP 2020 (Trend News Agency): 112; "
            "Rustamzade & Valiyev (essay): 111"
        )

    @pytest.mark.parametrize(
        ("index", "title"),
        [("gfp", "Rank (1 = strongest)"), ("gmi", "Rank (1 = most militarised)")],
    )
    def test_axes(self, catalog, index, title):
        params = {"index": index, "countries": ("AZE", "ARM")}
        layout = rankings_trend_figure(rankings_trend_data(catalog, params), params)["layout"]
        assert layout["yaxis"]["title"]["text"] == title
        bottom, top = layout["yaxis"]["range"]
        assert bottom > top  # reversed: rank 1 on top
        assert layout["xaxis"]["title"]["text"] == "Edition (report year)"
        assert layout["xaxis"]["tickformat"] == "d"  # whole years only
        # long spans leave the tick spacing to the width (no tick every year on a phone)
        assert "dtick" not in layout["xaxis"]


class TestTrendCaption:
    def test_gives_slope_ci_and_n_per_country(self, gfp):
        caption = rankings_trend_caption(gfp, GFP)
        for country, points in (("Azerbaijan", AZE_GFP), ("Armenia", ARM_GFP)):
            h = ols_by_hand(points)
            assert (
                f"{country} {h['slope']:+.2f} ranks a year "
                f"(95% CI {h['ci'][0]:+.2f} to {h['ci'][1]:+.2f}, {h['n']} editions)"
            ) in caption
        # worked out once by hand from the 2016-2025 ranks
        assert "Azerbaijan -0.05 ranks a year (95% CI -1.11 to +1.02, 9 editions)" in caption
        assert "rank 1 is the top of the list" in caption
        assert "reports give different ranks" in caption

    def test_too_few_editions_for_a_trend(self):
        table = rankings_frame(
            [
                ("gmi", 2014, "AZE", 10, "s1"),
                ("gmi", 2016, "AZE", 12, "s1"),
                ("gmi", 2018, "AZE", 14, "s2"),
                ("gmi", 2014, "GEO", 40, "s1"),
                ("gmi", 2018, "GEO", 44, "s2"),
                ("gmi", 2016, "TUR", None, "s3"),
            ]
        )
        params = {"index": "gmi", "countries": ("AZE", "GEO", "TUR")}
        data = rankings_trend_data({"rankings": table}, params)
        assert set(data.loc[data["series"] == "trend", "country"]) == {"AZE"}
        assert set(data.loc[data["series"] == "observed", "country"]) == {"AZE", "GEO"}
        names = [t["name"] for t in rankings_trend_figure(data, params)["data"]]
        assert names == [
            "Azerbaijan: trend 95% band",
            "Azerbaijan: fitted trend",
            "Azerbaijan",
            "Georgia",
            "fitted trend (shaded: 95% band)",
        ]
        caption = rankings_trend_caption(data, params)
        # y = 10, 12, 14 on x = 2014, 2016, 2018: slope exactly 1, residuals 0
        assert "Azerbaijan +1.00 ranks a year (95% CI +1.00 to +1.00, 3 editions)" in caption
        assert "Georgia: fewer than 3 ranked editions, no trend line" in caption
        assert "Turkey: no Global Militarisation Index rank, so no line" in caption
        assert "Global Militarisation Index" in caption

    def test_render_through_the_registry(self):
        rendered = render("rankings-trend", GFP)
        assert rendered.error is None
        assert "gfp-2020-azernews" in rendered.source_ids
        assert rendered.source_line.startswith("Sources: ")


class TestRankGap:
    def test_gap_per_edition(self, catalog):
        data = rank_gap_data(catalog, GFP)
        expected = {e: ARM_GFP[e] - AZE_GFP[e] for e in AZE_GFP}
        assert data.set_index("edition")["gap"].to_dict() == pytest.approx(expected)
        assert (data["unit"] == "ranks").all() and data["source_id"].notna().all()

    def test_figure_is_bars_coloured_by_who_leads(self, catalog):
        params = {"index": "gmi", "countries": ("AZE", "ARM")}
        data = rank_gap_data(catalog, params)
        fig = rank_gap_figure(data, params)
        (bar,) = fig["data"]
        assert bar["type"] == "bar" and bar["name"] == "Armenia's rank minus Azerbaijan's"
        # GMI: ARM ranks above AZE until 2020, when the essay's 3rd for AZE beats the mean 3.5
        assert bar["x"] == [2013, 2014, 2018, 2019, 2020]
        assert bar["y"] == pytest.approx([-4, -7, -9, -7, 0.5])
        assert bar["marker"]["color"] == [country_colour("ARM")] * 4 + [country_colour("AZE")]
        assert fig["layout"]["yaxis"]["title"]["text"] == "Rank gap (+: Azerbaijan higher)"
        # GMI 2013: Azerbaijan 8th, Armenia 4th (datasets/rankings.csv)
        assert bar["hovertext"][0] == "2013: Azerbaijan 8, Armenia 4; gap -4.0"
        assert fig["layout"]["xaxis"]["title"]["text"] == "Edition (report year)"

    def test_caption(self, catalog):
        caption = rank_gap_caption(rank_gap_data(catalog, GFP), GFP)
        assert "Azerbaijan ranks above Armenia in 9 of 9 Global Firepower editions" in caption
        assert f"gap from +10.0 to +{111.5 - 191 / 3:.1f} ranks, 2025: +31.0" in caption
        assert "Positive bars: Azerbaijan higher on the list" in caption

    def test_uses_the_first_two_countries(self, catalog):
        data = rank_gap_data(catalog, {"index": "gfp", "countries": ("ARM", "AZE", "GEO")})
        assert (data["a"] == "ARM").all() and (data["b"] == "AZE").all()

    def test_needs_two_countries(self, catalog):
        with pytest.raises(IndicatorError, match="choose at least two"):
            rank_gap_data(catalog, {"index": "gfp", "countries": ("AZE",)})
        rendered = render("rank-gap", {"index": "gfp", "countries": ("AZE",)})
        assert rendered.error and "choose at least two" in rendered.caption
        assert rendered.figure["data"] == []

    def test_country_without_ranks(self, catalog):
        with pytest.raises(IndicatorError, match="Georgia has no Global Firepower rank in any"):
            rank_gap_data(catalog, {"index": "gfp", "countries": ("AZE", "GEO")})
        with pytest.raises(IndicatorError, match="Georgia is not ranked in the Global Mil"):
            rank_gap_data(catalog, {"index": "gmi", "countries": ("AZE", "GEO")})

    def test_never_ranked_together(self):
        table = rankings_frame([("gfp", 2018, "AZE", 50, "s"), ("gfp", 2019, "ARM", 90, "s")])
        with pytest.raises(IndicatorError, match="never ranked in the same gfp edition"):
            rank_gap_data({"rankings": table}, GFP)


class TestPageLayout:
    def test_bad_query_falls_back_with_messages(self):
        div = page.layout(index="sipri", countries="AZE,XYZ")
        text = " ".join(p.children for p in div["rankings-messages"].children)
        assert "index: 'sipri' is not one of gfp, gmi; showing gfp" in text
        assert "countries: XYZ not among" in text and "showing AZE,ARM" in text
        assert div["rankings-index"].value == "gfp"
        assert div["rankings-countries"].value == ["AZE", "ARM"]

    def test_query_sets_the_controls(self):
        div = page.layout(index="gmi", countries="ARM,AZE")
        assert div["rankings-index"].value == "gmi"
        assert div["rankings-countries"].value == ["ARM", "AZE"]
        assert div["rankings-messages"].children == []


class TestSourceChoice:
    """One report alone: the choices are the reports that rank every chosen country."""

    def test_choices_rank_every_chosen_country(self, catalog):
        values = {**GFP, "source": "all"}
        labels = [o["label"] for o in picks(SOURCE, values)]
        assert labels[:4] == [
            "All sources",
            "GFP 2017 (Report.az)",
            "GFP 2018 (CSV)",
            "GFP 2020 (Trend News Agency)",
        ]
        # AzerNews ranks Azerbaijan only (64): not a choice for AZE and ARM, one for AZE alone
        assert "GFP 2020 (AzerNews)" not in labels
        alone = picks(SOURCE, {**values, "countries": ("AZE",)})
        assert "GFP 2020 (AzerNews)" in [o["label"] for o in alone]

    def test_one_report_draws_its_ranks_alone(self, catalog):
        params = {**GFP, "source": "gfp-2020-trend"}
        data = rankings_trend_data(catalog, params)
        observed = data[data["series"] == "observed"]
        assert observed[["country", "edition", "rank"]].values.tolist() == [
            ["AZE", 2020, 63.0],
            ["ARM", 2020, 112.0],
        ]
        assert set(observed["source_id"]) == {"gfp-2020-trend"}
        assert not observed["reports_differ"].any()
        gap = rank_gap_data(catalog, params)
        assert gap[["edition", "gap"]].values.tolist() == [[2020, 49.0]]

    def test_a_report_that_misses_a_country_is_refused(self, catalog):
        query = {"countries": "AZE,ARM", "source": "gfp-2020-azernews"}
        with pytest.raises(ParamError, match=r"source: GFP 2020 \(AzerNews\) has nothing"):
            parse_query(page.PARAMS, query, catalog, strict=True)
