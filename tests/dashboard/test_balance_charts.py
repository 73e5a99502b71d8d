"""/compare's charts: the balance profile (every indicator both countries have, as the ratio
A:B) and the pair over time. Ratios are checked against values worked out by hand from the
figures in datasets/ (quoted beside each), labels against people's words, and the exports
(CSV read back, PNG size) against what is drawn."""

from __future__ import annotations

import csv
import html
import io
import itertools
import math
import re
from pathlib import Path

import dash
import orjson
import pandas as pd
import pytest
import yaml

from dashboard.charts import balance, render
from dashboard.charts.balance import RATIO_TICKS, _ticks, pair_indicators
from dashboard.charts.common import measure_words
from dashboard.cite import publisher_of
from dashboard.components import forget_drawn_states
from dashboard.export import to_csv
from dashboard.pages import compare
from dashboard.pages.compare import CHARTS, update_table
from indicators.balance import source_lines
from indicators.common import to_interval
from tests.conftest import missing
from tests.export.conftest import CHROMIUM, png_size
from validation import load_catalog

DATASETS = Path(__file__).resolve().parents[2] / "datasets"

AZE_ARM = {"a": "AZE", "b": "ARM", "year": 2020}
IND_PAK = {"a": "IND", "b": "PAK", "year": 2016}

# (ratio_low, ratio_mid, ratio_high) by hand from the tables' figures.
AZE_ARM_RATIOS = {
    # the essay: 130,000-140,000 against 60,000-65,000
    "manpower-wartime_strength": (130_000 / 65_000, 135_000 / 62_500, 140_000 / 60_000),
    # GFP 2020 workbook: 5,042,346 and 1,696,085; population 10,046,516 and 3,038,217
    "manpower-available_manpower": (2.972932,) * 3,
    "manpower-population": (3.306714,) * 3,
    # GFP ranks 63 and 64 against 111 and 112, inverted: B / A
    "gfp-rank": (111 / 64, 111.5 / 63.5, 112 / 63),
    # PowerIndex 0.9463 against 2.1251 (lower is stronger), inverted
    "gfp-score": (2.1251 / 0.9463,) * 3,
    # GMI rank 3 against 2 (BICC) and 5 (essay), inverted
    "gmi-rank": (2 / 3, 3.5 / 3, 5 / 3),
    # SIPRI: 2,237.8 against 634.0 USD m
    "sipri-milex_current_usd_m": (2237.8 / 634.0,) * 3,
    # SIPRI's editions: 5.391 and 5.242 against 4.858 and 4.983 % of GDP
    "sipri-milex_share_gdp_pct": (5.242 / 4.983, 5.3165 / 4.9205, 5.391 / 4.858),
    "equipment-tanks": (570 / 110,) * 3,
    "equipment-sp_artillery": (187 / 38,) * 3,
    "equipment-attack_helicopters": (17 / 20,) * 3,
}
IND_PAK_RATIOS = {
    # total armed forces: COW 1,346,000 and WDI 2,981,050 against 644,000 and 935,800
    "manpower-total_military": (
        1_346_000 / 935_800,
        ((1_346_000 + 2_981_050) / 2) / ((644_000 + 935_800) / 2),
        2_981_050 / 644_000,
    ),
    # COW NMC population (tpop, thousands): 1,324,171 against 193,203
    "manpower-population": (1_324_171_000 / 193_203_000,) * 3,
    # COW NMC: 51,052 against 7,471 USD m
    "sipri-milex_current_usd_m": (51_052 / 7_471,) * 3,
    # WDI: 2.5065 against 3.3715 % of GDP
    "sipri-milex_share_gdp_pct": (2.50647091563728 / 3.37147119170064,) * 3,
}


def by_key(data) -> dict[str, dict]:
    return {r["key"]: r for r in data.to_dict("records")}


def hover_texts(trace: dict) -> list[str]:
    """Each point's hover as plotly.js writes it: the trace's hovertemplate with the point's
    customdata in place, character references as the characters, and no second box
    (<extra></extra>)."""
    template = trace["hovertemplate"]
    assert template.endswith("<extra></extra>")
    fill = r"%\{customdata\[(\d+)\]\}"
    return [
        html.unescape(re.sub(fill, lambda m, row=row: row[int(m.group(1))], template[:-15]))
        for row in trace["customdata"]
    ]


@pytest.fixture(scope="module")
def profile_aze():
    return render("balance-profile", AZE_ARM)


@pytest.fixture(scope="module")
def profile_ind():
    return render("balance-profile", IND_PAK)


@pytest.fixture(scope="module")
def over_time_aze():
    return render("balance-over-time", AZE_ARM)


@pytest.fixture(scope="module")
def client():
    from dashboard.factory import create_app

    return create_app().server.test_client()


class TestBalanceProfileAzerbaijanArmenia2020:
    @pytest.fixture
    def rendered(self, profile_aze):
        return profile_aze

    def test_ratios_are_the_hand_computed_ones(self, rendered):
        rows = by_key(rendered.data)
        for key, expected in AZE_ARM_RATIOS.items():
            got = tuple(rows[key][c] for c in ("ratio_low", "ratio_mid", "ratio_high"))
            assert got == pytest.approx(expected, rel=1e-6), key
        assert rows["gfp-rank"]["stronger"] == "lower"
        assert rows["equipment-tanks"]["stronger"] == "higher"

    def test_every_indicator_both_have_in_table_order(self, rendered):
        table = update_table("AZE", "ARM", 2020)[1]
        both = [
            row["props"]["id"].removeprefix("compare-row-")
            for row in table[2]["props"]["children"]
            if row["props"].get("id", "").startswith("compare-row-")
            and "-" not in (_cell(row, 2), _cell(row, 3))
        ]
        assert list(rendered.data["key"]) == both
        assert list(dict.fromkeys(rendered.data["group"])) == [
            "Manpower",
            "Rankings",
            "Military spending",
            "Equipment",
        ]

    def test_a_side_with_none_is_a_note_not_a_point(self, rendered):
        fighters = by_key(rendered.data)["equipment-fighters"]  # 17 against 0
        assert fighters["status"] == "b_none" and math.isnan(fighters["ratio_mid"])
        notes = [n["text"] for n in rendered.figure["layout"]["annotations"]]
        assert "Fighters: Armenia has none" in notes
        assert "equipment-fighters" not in rendered.figure["data"][0]["y"]

    def test_the_figure_plots_the_ratios_on_a_log_axis_centred_on_one(self, rendered):
        (trace,) = rendered.figure["data"]
        drawn = dict(zip(trace["y"], trace["x"], strict=True))
        for key, (low, mid, high) in AZE_ARM_RATIOS.items():
            assert drawn[key] == pytest.approx(mid, rel=1e-4), key
            i = trace["y"].index(key)
            assert drawn[key] + trace["error_x"]["array"][i] == pytest.approx(high, rel=1e-4)
            assert drawn[key] - trace["error_x"]["arrayminus"][i] == pytest.approx(low, rel=1e-4)
        xaxis = rendered.figure["layout"]["xaxis"]
        assert xaxis["type"] == "log"
        assert xaxis["range"][0] == -xaxis["range"][1]  # symmetric about log10(1) = 0
        assert xaxis["range"][1] >= math.log10(6)
        # right of 1:1 is Azerbaijan's colour, left of it Armenia's
        colours = dict(zip(trace["y"], trace["marker"]["color"], strict=True))
        assert colours["equipment-tanks"] == "#0072B2"
        assert colours["equipment-attack_helicopters"] == "#D55E00"

    def test_rules_of_thumb_are_marked_both_ways(self, rendered):
        layout = rendered.figure["layout"]
        lines = sorted(round(s["x0"], 6) for s in layout["shapes"] if s.get("xref") == "x")
        assert lines == [round(x, 6) for x in (1 / 6, 1 / 3, 1, 3, 6)]
        marks = {n["text"]: n for n in layout["annotations"] if n.get("xref") == "x"}
        assert set(marks) == {"1:6", "1:3", "1:1", "3:1", "6:1"}
        # annotations on a log axis stand at log10 of the ratio; 3s and 6s on other rows
        assert marks["6:1"]["x"] == pytest.approx(math.log10(6))
        assert marks["1:3"]["x"] == pytest.approx(-math.log10(3))
        assert marks["3:1"]["yshift"] != marks["6:1"]["yshift"]
        texts = [html.unescape(n["text"]) for n in layout["annotations"]]  # as plotly.js draws
        assert "◀ Armenia stronger" in texts and "Azerbaijan stronger ▶" in texts
        assert "inverted" in layout["xaxis"]["title"]["text"]

    @pytest.mark.parametrize("half", [math.log10(8), 1.0, 1.3, 2.0, 2.7, 3.5])
    def test_ticks_never_crowd(self, half):
        """However wide the axis, its tick labels stand at least an eighth of its width apart
        (room for 'x:y' on a 390 px screen), 1:1 among them, each ratio with its mirror."""
        values, texts = _ticks(half)
        x = [math.log10(v) for v in values]
        assert 0 in x and all(abs(v) <= half for v in x)
        assert sorted(round(-v, 9) for v in x) == sorted(round(v, 9) for v in x)
        assert min(b - a for a, b in itertools.pairwise(x)) >= 2 * half / 8 - 1e-9
        assert "1:1" in texts and all(":" in t for t in texts)
        assert set(values) <= {1, *RATIO_TICKS, *(1 / r for r in RATIO_TICKS)}

    def test_ranges_in_the_hover_take_an_en_dash(self, rendered):
        trace = rendered.figure["data"][0]
        hover = dict(zip(trace["y"], hover_texts(trace), strict=True))
        # the essay's 130,000-140,000 for Azerbaijan's wartime strength
        assert "130,000\u2013140,000" in hover["manpower-wartime_strength"]
        assert not [h for h in hover.values() if re.search(r"\d-\d", h)]
        # and as the character reference in the figure: the page's answer stays ASCII
        assert all("\u2013" not in cell for row in trace["customdata"] for cell in row)

    def test_labels_are_in_words(self, rendered):
        texts = [n["text"] for n in rendered.figure["layout"]["annotations"]]
        for label in (
            "Wartime strength",
            "Manpower available for service",
            "Global Firepower rank, 2020 edition",
            "Self-propelled artillery",
            "Rocket launchers (MLRS)",
            "<b>Military spending</b>",
        ):
            assert label in texts
        codes = re.compile(r"[a-z]+_[a-z_]+")  # total_military, sp_artillery, ...
        assert not [t for t in texts if codes.search(t)]

    def test_hover_names_every_source(self, rendered):
        trace = rendered.figure["data"][0]
        hover = dict(zip(trace["y"], hover_texts(trace), strict=True))
        share = hover["sipri-milex_share_gdp_pct"]
        assert "SIPRI 2021" in share and "SIPRI 2023" in share and "5.39" in share
        assert "Armenia ÷ Azerbaijan (lower is stronger)" in hover["gfp-rank"]
        # GFP 2020: 570 tanks against 110
        assert hover["equipment-tanks"] == (
            "<b>Tanks</b><br>5.18:1, Azerbaijan ÷ Armenia<br>"
            "Azerbaijan: GFP 2020 (workbook): 570<br>Armenia: GFP 2020 (workbook): 110"
        )

    def test_caption_states_the_strongest_ratios(self, rendered):
        caption = rendered.caption
        assert "Azerbaijan is ahead on 17, Armenia on 1" in caption
        assert "Tanks 5.2:1; Self-propelled artillery 4.9:1" in caption
        assert "Widest in Armenia's favour: Attack helicopters 1:1.2" in caption
        assert "4 reach 3:1, none reach 6:1" in caption
        assert "Fighters (Armenia has none)" in caption

    def test_csv_holds_what_is_drawn_with_sources(self, rendered):
        rows = list(csv.DictReader(io.StringIO(to_csv(rendered).decode())))
        assert [r["key"] for r in rows] == list(rendered.data["key"])
        tanks = next(r for r in rows if r["key"] == "equipment-tanks")
        assert float(tanks["ratio_mid"]) == pytest.approx(570 / 110)
        assert tanks["source_id"] == "gfp-2020-xlsx" and tanks["a_name"] == "Azerbaijan"
        rank = next(r for r in rows if r["key"] == "gfp-rank")
        assert rank["source_id"].split(";") == ["gfp-2020-trend", "gfp-2020-azernews", "rv-essay"]
        assert rank["sources_differ"] == "True"


def _cell(row: dict, i: int) -> str:
    """The value text of a table row's i-th cell (plain dicts, as the table is built)."""
    cell = row["props"]["children"][i]
    return cell["props"]["children"][0]["props"]["children"]


class TestBalanceProfileIndiaPakistan2016:
    @pytest.fixture
    def rendered(self, profile_ind):
        return profile_ind

    def test_ratios_are_the_hand_computed_ones(self, rendered):
        rows = by_key(rendered.data)
        assert list(rows) == list(IND_PAK_RATIOS)  # no GFP or GMI edition of 2016
        for key, expected in IND_PAK_RATIOS.items():
            got = tuple(rows[key][c] for c in ("ratio_low", "ratio_mid", "ratio_high"))
            assert got == pytest.approx(expected, rel=1e-6), key
        assert rows["manpower-total_military"]["source_id"] == "import-wdi-personnel;import-nmc"

    def test_caption(self, rendered):
        caption = rendered.caption
        assert "India is ahead on 3, Pakistan on 1" in caption
        assert "Population 6.9:1" in caption  # 1,324,171,000 / 193,203,000 = 6.854
        assert "Military spending (US$, current prices) 6.8:1" in caption
        assert "Military spending, share of GDP 1:1.3" in caption
        assert "2 reach 3:1, 2 reach 6:1" in caption


class TestBalanceOverTime:
    @pytest.fixture
    def aze(self, over_time_aze):
        return over_time_aze

    def test_units_are_never_mixed_on_a_panel(self, aze):
        data = aze.data
        units = data.groupby("panel")["unit"].unique().to_dict()
        assert {p: list(u) for p, u in units.items()} == {
            "personnel": ["persons"],
            "spending_usd": ["usd_m"],
            "spending_share": ["percent"],
        }
        layout = aze.figure["layout"]
        titles = [layout[f"yaxis{s}"]["title"]["text"] for s in ("", "2", "3")]
        assert titles == ["persons", "US$ million", "% of GDP"]

    def test_sources_that_differ_have_lines_of_their_own(self, aze):
        share = aze.data[(aze.data["panel"] == "spending_share") & (aze.data["country"] == "AZE")]
        in_2020 = share[share["year"] == 2020].set_index("line_name")["value"].to_dict()
        # SIPRI's 2021 edition gives 5.391, its 2023 edition 5.242
        assert in_2020 == {
            "Military spending: SIPRI 2021 (workbook)": 5.391,
            "Military spending: SIPRI 2023 (workbook)": 5.242,
        }
        # the World Bank line runs through every year WDI has (1992-2017 for Azerbaijan)
        wdi = share[share["line_name"] == "Military spending (World Bank)"]["year"]
        assert (wdi.min(), wdi.max()) == (1992, 2017)
        # SIPRI's current-dollar figures agree where they meet: one line
        usd = aze.data[(aze.data["panel"] == "spending_usd") & (aze.data["country"] == "AZE")]
        assert set(usd["line_name"]) == {
            "Military spending (COW)",
            "Military spending (SIPRI)",
            "Defence budget (GFP)",
        }

    def test_traces_draw_the_rows_and_the_selected_year(self, aze):
        traces = [t for t in aze.figure["data"] if t["x"] != [None]]
        drawn = sum(len(t["x"]) for t in traces)
        assert drawn == len(aze.data)
        sipri = next(
            t for t in traces if t["name"] == "Azerbaijan: Military spending: SIPRI 2023 (workbook)"
        )
        assert sipri["yaxis"] == "y3" and (2020, 5.242) in zip(sipri["x"], sipri["y"], strict=True)
        assert sipri["line"]["color"] == "#0072B2"
        armenia = [t for t in traces if t["name"].startswith("Armenia")]
        assert {t["line"]["color"] for t in armenia} == {"#D55E00"}
        marks = [s for s in aze.figure["layout"]["shapes"] if s["x0"] == 2020]
        assert len(marks) == 3  # one per panel
        legend = [t["name"] for t in aze.figure["data"] if t["x"] == [None]]
        assert legend[:3] == [
            "Military personnel (COW)",
            "Total military personnel (GFP)",
            "Armed forces personnel (World Bank)",
        ]
        assert len(legend) == len(set(legend))
        # no two entries look alike
        looks = [(t["line"]["dash"], t["marker"]["symbol"]) for t in traces_of_legend(aze)]
        assert len(looks) == len(set(looks)) == len(legend)

    def test_personnel_lines_name_their_measure_and_publisher(self, aze):
        """Each personnel line says what it counts and who counts it, in the publisher's words
        where the metadata gives them (publisher_measures) and the measure's otherwise."""
        own = publisher_measures()
        active = measure_words(load_catalog())["active"]
        personnel = aze.data[aze.data["panel"] == "personnel"]
        for row in personnel.itertuples():
            if row.measure == "total_military":
                assert row.line_name == f"{own[row.family]} ({row.family})"
            else:
                assert row.line_name == f"{active[:1].upper()}{active[1:]} ({row.family})"
        names = set(personnel["line_name"])
        assert {"Armed forces personnel (World Bank)", "Total military personnel (GFP)"} <= names
        legend = [t["name"] for t in traces_of_legend(aze)]
        assert names <= set(legend)
        # the caption says the measures differ, naming each as the legend does
        said = aze.caption.split("The personnel lines are different measures")[1]
        for name in names:
            assert name[:1].lower() + name[1:] in said
        assert "need not count the same people" in said
        # the hover of a line names it too
        wb = next(
            t
            for t in aze.figure["data"]
            if t["name"] == "Azerbaijan: " + own["World Bank"] + " (World Bank)"
        )
        assert wb["hovertemplate"].startswith("Azerbaijan: Armed forces personnel (World Bank)")

    @pytest.mark.parametrize("pair", [AZE_ARM, IND_PAK, {"a": "GRC", "b": "TUR", "year": 2016}])
    def test_no_codes_or_source_ids_in_what_a_reader_sees(self, pair):
        for slug in CHARTS:
            rendered = render(slug, pair)
            assert rendered.error is None
            assert not reader_codes(rendered.figure), slug
            assert not reader_codes({"caption": rendered.caption}), slug

    def test_legend_above_the_panels_and_axes_make_room(self, aze):
        layout = aze.figure["layout"]
        legend = layout["legend"]
        assert legend["orientation"] == "h"
        assert legend["y"] >= 1 and legend["yanchor"] == "bottom"  # above the top panel
        # the country key heads the legend: each country's name in its colour
        title = html.unescape(legend["title"]["text"])
        assert "Azerbaijan" in title and "Armenia" in title and "#0072B2" in title
        axes = [k for k in layout if k.startswith(("xaxis", "yaxis"))]
        assert len(axes) == 6 and all(layout[k]["automargin"] for k in axes)
        # the first panel's title sits inside the figure, below the legend
        tops = [layout[k]["domain"][1] for k in axes if k.startswith("yaxis")]
        assert max(tops) < 1

    def test_caption_names_sources_and_years(self, aze):
        assert aze.caption.startswith("Azerbaijan and Armenia, 1991 to 2025")
        assert "From World Bank, COW, SIPRI, GFP and Wikipedia" in aze.caption
        assert "The dotted line marks 2020" in aze.caption

    def test_india_pakistan_over_all_years(self):
        rendered = render("balance-over-time", IND_PAK)
        data = rendered.data
        assert (data["year"].min(), data["year"].max()) == (1947, 2017)
        personnel = data[(data["panel"] == "personnel") & (data["year"] == 2016)]
        got = {(r.country, r.line_name): r.value for r in personnel.itertuples()}
        cow, wdi = (f"{publisher_measures()[p]} ({p})" for p in ("COW", "World Bank"))
        assert got == {
            ("IND", cow): 1_346_000,
            ("IND", wdi): 2_981_050,
            ("PAK", cow): 644_000,
            ("PAK", wdi): 935_800,
        }
        assert "India and Pakistan, 1947 to 2017" in rendered.caption
        # another year only moves the mark
        other = render("balance-over-time", {**IND_PAK, "year": 2000})
        assert other.data.drop(columns="selected_year").equals(data.drop(columns="selected_year"))

    @pytest.mark.parametrize(
        ("a", "b"), [("AZE", "ARM"), ("IND", "PAK"), ("PAK", "IND"), ("USA", "CHN")]
    )
    def test_the_lines_are_those_of_the_pairs_rows_alone(self, a, b):
        data = render("balance-over-time", {"a": a, "b": b, "year": 2016}).data
        drawn = [
            (r.country, r.measure, r.family, r.year, r.value, r.source_id, r.line_name)
            for r in data.itertuples()
        ]
        expected = lines_by_pandas(a, b)
        assert len(drawn) == len(expected)
        assert sorted(d[:6] for d in drawn) == sorted(e[:6] for e in expected)
        # each country's series of a publisher falls into the same lines, told apart here by
        # their names
        named = {d[:6]: d[6] for d in drawn}
        theirs: dict[tuple, dict] = {}
        ours: dict[tuple, dict] = {}
        for e in expected:
            group = e[:3]  # country, measure, publisher
            theirs.setdefault(group, {}).setdefault(e[6], set()).add(e[:6])
            ours.setdefault(group, {}).setdefault(named[e[:6]], set()).add(e[:6])
        for group, split in theirs.items():
            assert sorted(map(sorted, split.values())) == sorted(map(sorted, ours[group].values()))
        # sorted by country (the first in the alphabet first), then series, family, line, year
        assert list(dict.fromkeys(data["country"])) == sorted({a, b} & set(data["country"]))


# What a reader could see of a figure holds no snake-case code (total_military) and no source
# id (gfp-2020-xlsx, import-wdi-personnel). Left out: the profile's hidden row axis, whose
# categories are its rows' keys ('manpower-total_military'), never drawn.
HIDDEN_KEYS = {"y", "categoryarray"}
SNAKE = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")


def reader_codes(figure) -> list[str]:
    """Every string of the figure (any depth, but HIDDEN_KEYS) holding a code or a source id."""
    ids = sorted(load_catalog()["sources"]["source_id"], key=len, reverse=True)
    source_id = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, ids)) + r")(?![\w-])")
    found: list[str] = []

    def walk(node, key=None):
        if key in HIDDEN_KEYS:
            return
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, (list, tuple)):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and (SNAKE.search(node) or source_id.search(node)):
            found.append(node)

    walk(figure)
    return found


def traces_of_legend(rendered) -> list[dict]:
    return [t for t in rendered.figure["data"] if t["x"] == [None]]


def publisher_measures() -> dict[str, str]:
    """Each publisher's own name for its figure filed as total_military, read here from the
    metadata: the World Bank source's title ('Armed forces personnel, total (WDI ...)'), the
    description of COW's National Material Capabilities tables ('Military personnel, spending
    and CINC per state ...') and the note on GFP's rows ('GFP total military personnel')."""
    catalog = load_catalog()
    sources = catalog["sources"].set_index("source_id")
    world_bank = sources.loc["import-wdi-personnel", "title"].split(",")[0]
    nmc = yaml.safe_load((DATASETS / "world" / "nmc" / "manpower.meta.yaml").read_text())
    cow = nmc["description"].split(",")[0]
    manpower = pd.read_csv(DATASETS / "manpower.csv")
    gfp_rows = manpower[
        manpower["source_id"].str.startswith("gfp-") & (manpower["measure"] == "total_military")
    ]
    (note,) = set(gfp_rows["note"].dropna())
    gfp = note.removeprefix("GFP ")
    return {
        "World Bank": world_bank,
        "COW": cow,
        "GFP": gfp[:1].upper() + gfp[1:],
    }


# The panels' measures, by table: (table, measures).
PANEL_MEASURES = (
    ("manpower", ("total_military", "active")),
    ("spending", ("milex_current_usd_m", "defence_budget_usd_m")),
    ("spending", ("milex_share_gdp_pct",)),
)


def lines_by_pandas(a: str, b: str) -> list[tuple]:
    """(country, measure, family, year, value, source_id, line) of both countries' figures,
    found here with pandas masks over the two countries' rows alone and numbered by
    indicators.balance.source_lines: the chart finds each country's lines once over a whole
    table."""
    catalog = load_catalog()
    parts = []
    for number, (table, measures) in enumerate(PANEL_MEASURES):
        frame = catalog[table]
        rows = frame[frame["country"].isin([a, b]) & frame["measure"].isin(measures)]
        if "low" not in rows:
            rows = rows.assign(low=rows["value"], high=rows["value"])
        rows = rows.assign(value=to_interval(rows)["mid"]).dropna(subset=["value"])
        parts.append(
            rows.assign(
                series=[f"{number}:{measures.index(m)}" for m in rows["measure"]],
                family=[publisher_of(sid) or sid for sid in rows["source_id"]],
                year=rows["year"].astype(int),
            )[["country", "series", "measure", "family", "source_id", "year", "value"]]
        )
    lined = source_lines(pd.concat(parts, ignore_index=True))
    fields = ["country", "measure", "family", "year", "value", "source_id", "line"]
    return list(lined[fields].itertuples(index=False, name=None))


class TestOnThePage:
    def test_the_callback_draws_both_charts_for_the_controls(self):
        search, _, _, *rest = update_table("IND", "PAK", 2016)
        assert search == "?a=IND&b=PAK&year=2016"
        charts = rest[len(compare.control_outputs(compare.PAGE, compare.PARAMS)) :]
        assert len(charts) == 3 * len(CHARTS)  # figure, caption, source line per chart
        profile = dict(zip(["figure", "caption", "sources"], charts[:3], strict=True))
        trace = profile["figure"]["data"][0]
        assert trace["x"] == pytest.approx([v[1] for v in IND_PAK_RATIOS.values()], rel=1e-4)
        assert profile["caption"].startswith("India against Pakistan, 2016")
        assert "Correlates of War" in profile["sources"]
        # the downloads and the embed snippet travel in the figure (assets/exports.js)
        exports = profile["figure"]["layout"]["meta"]["milbal_exports"]
        assert exports["hrefs"]["csv"] == "/chart/balance-profile.csv?a=IND&b=PAK&year=2016"
        over_time = charts[3:]
        assert over_time[1].startswith("India and Pakistan")
        snippet = over_time[0]["layout"]["meta"]["milbal_exports"]["embed"]
        assert snippet.startswith('<iframe src="/chart/balance-over-time?a=IND&b=PAK')

    def test_the_table_and_the_profile_gather_the_pair_once(self, monkeypatch):
        gathered = []
        real = balance._pair_indicators
        monkeypatch.setattr(
            balance, "_pair_indicators", lambda *args: gathered.append(args) or real(*args)
        )
        forget_drawn_states()
        answer = update_table("AZE", "GEO", 2020)
        assert answer[0] == "?a=AZE&b=GEO&year=2020"
        assert [args[1:] for args in gathered] == [("AZE", "GEO", 2020)]
        catalog = load_catalog()
        kept = pair_indicators(catalog, "AZE", "GEO", 2020)
        assert pair_indicators(catalog, "AZE", "GEO", 2020) is kept and len(gathered) == 1
        # forgotten with the drawn states; a catalog of other tables is never answered from it
        forget_drawn_states()
        assert pair_indicators(catalog, "AZE", "GEO", 2020) == kept and len(gathered) == 2
        other = {**catalog.tables, "equipment": catalog["equipment"].iloc[:0]}
        assert pair_indicators(other, "AZE", "GEO", 2020) != kept and len(gathered) == 3

    @pytest.mark.parametrize("state", [("AZE", "ARM", 2020), ("IND", "PAK", 2016)])
    def test_the_answer_is_plain_data(self, state):
        """orjson's fast path: a numpy number anywhere sends Dash down plotly's slow encoder."""
        answer = update_table(*state)
        orjson.dumps([a for a in answer if a is not dash.no_update])  # Dash drops those
        # and the table and the figures in ASCII (AZE-ARM and IND-PAK have flags): one
        # character beyond it makes every string operation on the whole answer slower (two or
        # four bytes a character)
        first = 3 + len(compare.control_outputs(compare.PAGE, compare.PARAMS))
        for mine in (answer[1], answer[first], answer[first + 3]):
            assert orjson.dumps(mine).isascii()


class TestExports:
    def test_csv_route(self, client):
        response = client.get("/chart/balance-profile.csv?a=IND&b=PAK&year=2016")
        assert response.status_code == 200
        rows = list(csv.DictReader(io.StringIO(response.data.decode())))
        assert [r["key"] for r in rows] == list(IND_PAK_RATIOS)
        for row, (low, mid, high) in zip(rows, IND_PAK_RATIOS.values(), strict=True):
            assert float(row["ratio_high"]) == pytest.approx(high)
            assert float(row["ratio_mid"]) == pytest.approx(mid)
            assert float(row["ratio_low"]) == pytest.approx(low)
            assert row["unit"].startswith("ratio A:B")
        over = client.get("/chart/balance-over-time.csv?a=IND&b=PAK&year=2016")
        lines = list(csv.DictReader(io.StringIO(over.data.decode())))
        assert {r["unit"] for r in lines} == {"persons", "usd_m", "percent"}
        assert len(lines) == len(render("balance-over-time", IND_PAK).data)

    def test_png_route(self, client):
        if not CHROMIUM.exists():
            missing("Chromium not found at /usr/bin/chromium (apt-get install chromium)")
        for slug in CHARTS:
            response = client.get(f"/chart/{slug}.png?a=AZE&b=ARM&year=2020&width=900")
            assert response.status_code == 200
            assert png_size(response.data) == (900, 675)

    @pytest.mark.parametrize(
        ("query", "status", "named"),
        [
            ("a=IND&b=IND&year=2016", 404, "a and b are both IND"),
            ("a=IND&b=PAK&year=abc", 400, "year: 'abc' is not a number"),
            ("a=XYZ&b=PAK", 400, "a: 'XYZ' is not one of"),
        ],
    )
    def test_bad_parameters_are_named(self, client, query, status, named):
        for slug in CHARTS:
            response = client.get(f"/chart/{slug}.csv?{query}")
            assert response.status_code == status
            assert named in response.data.decode()
