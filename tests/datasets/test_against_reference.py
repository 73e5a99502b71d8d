"""Curated rows checked against the publishers' files they cite, read by an independent route
(the reference copies under MILBAL_REFERENCE_DIR; skipped where absent, failing under CI)."""

from __future__ import annotations

import pandas as pd
import pytest

from validation import load_catalog

NAMES = {
    "Azerbaijan": "AZE",
    "Armenia": "ARM",
    "Georgia": "GEO",
    "Turkey": "TUR",
    "Iran": "IRN",
    "Russia": "RUS",
}
GFP2020_COLUMNS = {
    "tanks": "Tank Strength value",
    "afv": "AFV/APC Strength value",
    "sp_artillery": "Self-Propelled Artillery Strength value",
    "towed_artillery": "Towed Artillery Strength value",
    "mlrs": "Rocket Projector Strength value",
    "aircraft_total": "Aircraft Strength value",
    "fighters": "Fighter/Interceptor Strength value",
    "attack_aircraft": "Attack Aircraft Strength value",
    "helicopters": "Helicopter Fleet Strength value",
    "attack_helicopters": "Attack Helicopter Fleet Strength value",
}


@pytest.fixture(scope="module")
def facts(reference_dir) -> pd.DataFrame:
    frame = pd.read_csv(reference_dir / "az_am_facts.csv")
    frame = frame[frame["country"].isin(["Azerbaijan", "Armenia"])]
    return frame.assign(iso3=frame["country"].map(NAMES))


@pytest.fixture(scope="module")
def gfp2020(reference_dir) -> pd.DataFrame:
    book = pd.read_excel(
        reference_dir / "gfp" / "gfp2020_world_military_power.xlsx", sheet_name="data", header=1
    )
    book = book[book["Military Strength"].isin(NAMES)]
    return book.set_index(book["Military Strength"].map(NAMES))


class TestRankings:
    def test_gfp_ranks_match_the_reports_quoted(self, facts):
        rk = load_catalog()["rankings"]
        ours = rk[(rk["index"] == "gfp") & rk["rank"].notna() & (rk["source_id"] != "rv-essay")]
        quoted = facts[facts["indicator"] == "gfp_rank"]
        pairs = set(zip(quoted["iso3"], quoted["year"], quoted["value"].astype(int), strict=True))
        for row in ours.itertuples():
            assert (row.country, row.edition, row.rank) in pairs, row

    def test_gmi_ranks_are_the_published_editions_not_the_revised_series(self, facts):
        rk = load_catalog()["rankings"]
        ours = rk[(rk["index"] == "gmi") & rk["rank"].notna() & (rk["source_id"] != "rv-essay")]
        published = facts[facts["indicator"] == "gmi_rank"]
        pairs = set(
            zip(published["iso3"], published["year"], published["value"].astype(int), strict=True)
        )
        assert len(ours) == len(published)
        for row in ours.itertuples():
            assert (row.country, row.edition, row.rank) in pairs, row

    def test_gfp_2020_powerindex_matches_the_workbook(self, gfp2020):
        rk = load_catalog()["rankings"]
        ours = rk[(rk["source_id"] == "gfp-2020-xlsx")].set_index("country")["score"]
        assert set(ours.index) == set(NAMES.values())
        for iso3, score in ours.items():
            assert score == pytest.approx(gfp2020.loc[iso3, "Military Strength Power Index"])


class TestEquipment:
    def test_gfp_2020_counts_match_the_workbook(self, gfp2020):
        eq = load_catalog()["equipment"]
        ours = eq[(eq["year"] == 2020) & eq["source_id"].isin(["gfp-2020-xlsx"])]
        assert set(ours["country"]) == set(NAMES.values())
        for row in ours.itertuples():
            assert row.value == int(gfp2020.loc[row.country, GFP2020_COLUMNS[row.category]]), row


class TestSpending:
    def test_sipri_2020_matches_the_quoted_workbook_values(self, facts):
        sp = load_catalog()["spending"]
        ours = sp[(sp["source_id"] == "sipri-2021") & sp["country"].isin(["AZE", "ARM"])]
        quoted = facts[facts["source"] == "SIPRI Military Expenditure Database (2021 edition)"]
        values = {(r.iso3, r.year, r.indicator): r.value for r in quoted.itertuples()}
        assert len(ours) == len(values)
        for row in ours.itertuples():
            assert row.value == pytest.approx(values[(row.country, row.year, row.measure)])
