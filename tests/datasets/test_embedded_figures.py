"""The embedded data holds the figures the issue and the essay name, as the essay states them."""

from __future__ import annotations

import pandas as pd
import pytest

from validation import load_catalog

ESSAY_SECTIONS = {
    "Introduction",
    "Applied Geography",
    "Operation Iron Fist",
    "The Battle for Shusha",
    "End of the War and its Continuation by Other Means?",
}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def _one(frame: pd.DataFrame, **where) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    rows = frame[mask]
    assert len(rows) == 1, f"{where}: {len(rows)} rows"
    return rows.iloc[0]


class TestEssayFigures:
    def test_manpower_ranges_stay_ranges(self, catalog):
        mp = catalog["manpower"]
        aze = _one(mp, country="AZE", year=2020, measure="wartime_strength", source_id="rv-essay")
        arm = _one(mp, country="ARM", year=2020, measure="wartime_strength", source_id="rv-essay")
        assert (aze["low"], aze["high"], aze["qualifier"]) == (130_000, 140_000, "range")
        assert (arm["low"], arm["high"], arm["qualifier"]) == (60_000, 65_000, "range")
        assert pd.isna(aze["value"]) and pd.isna(arm["value"])

    def test_first_strike_and_day_one_shares(self, catalog):
        at = catalog["attrition"]
        essay = at[(at["source_id"] == "rv-essay") & (at["unit"] == "percent")]
        artillery = _one(essay, subject="artillery", measure="destroyed_share")
        air_defence = _one(essay, subject="air_defence_systems", measure="destroyed_share")
        assert (artillery["high"], artillery["qualifier"]) == (30, "up_to")
        assert (air_defence["high"], air_defence["qualifier"]) == (60, "up_to")
        first_day = pd.Timestamp("2020-09-27")
        assert artillery["date_start"] == first_day and air_defence["date_end"] == first_day

    def test_horadiz_losses_are_a_range(self, catalog):
        at = catalog["attrition"]
        horadiz = at[(at["source_id"] == "rv-essay") & at["figure_id"].str.contains("horadiz")]
        losses = horadiz[horadiz["low"].notna() & horadiz["high"].notna()]
        assert (losses["low"].tolist(), losses["high"].tolist()) == ([600], [700])

    def test_essay_rows_name_a_section(self, catalog):
        for name in ("attrition", "events", "essay_figures"):
            frame = catalog[name]
            essay = frame[frame["source_id"] == "rv-essay"]
            assert len(essay) > 0
            assert set(essay["locator"]) <= ESSAY_SECTIONS, name

    def test_events_span_the_war(self, catalog):
        ev = catalog["events"]
        assert ev["date"].min() == pd.Timestamp("2020-09-27")
        assert ev["date"].max() == pd.Timestamp("2020-11-10")

    def test_peacekeeping_contingent(self, catalog):
        ef = catalog["essay_figures"]
        pk = ef[ef["topic"] == "peacekeeping"]
        assert {1960, 90, 380} <= set(pk["value"].dropna().astype(int))


class TestDoctrine:
    def test_three_to_one_and_six_to_one(self, catalog):
        rules = catalog["doctrine"].set_index("terrain")["min_ratio"]
        assert rules["general"] == 3
        assert rules["mountain"] == 6


class TestDisagreementsAreKept:
    def test_gfp_2020_azerbaijan_rank_63_and_64(self, catalog):
        rk = catalog["rankings"]
        aze = rk[(rk["index"] == "gfp") & (rk["edition"] == 2020) & (rk["country"] == "AZE")]
        ranks = aze.dropna(subset=["rank"]).set_index("source_id")["rank"].to_dict()
        assert ranks["rv-essay"] == 64
        assert sorted(set(ranks.values())) == [63, 64]

    def test_essay_gmi_2020_ranks_differ_from_bicc(self, catalog):
        rk = catalog["rankings"]
        arm = rk[(rk["index"] == "gmi") & (rk["edition"] == 2020) & (rk["country"] == "ARM")]
        by_source = arm.set_index("source_id")["rank"].to_dict()
        assert by_source["rv-essay"] == 5
        assert 2 in by_source.values()

    def test_gfp_ranks_for_every_edition_2016_to_2025_but_2019(self, catalog):
        rk = catalog["rankings"]
        gfp = rk[(rk["index"] == "gfp") & rk["rank"].notna()]
        for country in ("AZE", "ARM"):
            editions = set(gfp.loc[gfp["country"] == country, "edition"])
            assert editions == set(range(2016, 2026)) - {2019}, country

    def test_gfp_2020_neighbours_have_a_powerindex(self, catalog):
        rk = catalog["rankings"]
        gfp20 = rk[(rk["index"] == "gfp") & (rk["edition"] == 2020) & rk["score"].notna()]
        assert {"GEO", "TUR", "IRN", "RUS"} <= set(gfp20["country"])
