"""TDI's published force-ratio tables: rows as the reference notes give them
(../shared/reference/published/tdi_force_ratio_tables.md, figures copied here by hand), the
printed typos corrected and marked, truncated rows left out or kept without n, and the schema's
rules refusing what the table must not hold."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from validation import load_catalog
from validation.catalog import datasets_dir, load_directory, validate_paths

T1, T2, T3, T4, T5 = (
    "tdi-badb-1600-1900",
    "tdi-badb-civil-war",
    "tdi-dledb-1904-1991",
    "tdi-eto-1944",
    "tdi-cadb",
)
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tdi() -> pd.DataFrame:
    return load_catalog()["tdi_force_ratio"]


def _row(tdi: pd.DataFrame, table_id: str, row: int) -> pd.Series:
    rows = tdi[(tdi["table_id"] == table_id) & (tdi["row"] == row)]
    assert len(rows) == 1, (table_id, row)
    return rows.iloc[0]


def _figures(tdi: pd.DataFrame, table_id: str, row: int) -> tuple:
    r = _row(tdi, table_id, row)
    return (r["ratio_low"], r["ratio_high"], r["attacker_wins_pct"], r["n"])


class TestRowsAsPublished:
    # (row, ratio_low, ratio_high, attacker win %, cases), read off the reference notes
    @pytest.mark.parametrize(
        ("table_id", "row", "expected"),
        [
            (T1, 2, (0.50, 0.98, 54, 81)),
            (T1, 4, (1.50, 1.96, 63, 38)),
            (T1, 6, (2.58, 2.94, 57, 7)),
            (T1, 7, (3.00, 3.43, 100, 5)),
            (T2, 1, (0.44, 0.48, 0, 3)),
            (T2, 3, (1.00, 1.47, 36, 14)),
            (T2, 5, (2.10, 2.31, 50, 6)),
            (T2, 8, (15.05, 15.05, 100, 1)),
            (T3, 1, (0.20, 0.20, 0, 2)),
            (T3, 4, (1.00, 1.49, 55, 150)),
            (T3, 7, (2.50, 2.99, 83, 53)),
            (T3, 10, (4.06, 5.87, 65, 66)),
            (T3, 11, (6.06, 7.90, 88, 17)),
        ],
    )
    def test_bins_percentages_and_cases(self, tdi, table_id, row, expected):
        assert _figures(tdi, table_id, row) == pytest.approx(expected)

    def test_rows_per_database(self, tdi):
        counts = tdi.groupby("table_id").size().to_dict()
        assert counts == {T1: 7, T2: 8, T3: 12, T4: 4, T5: 4}

    def test_cases_add_up_where_the_table_is_complete(self, tdi):
        n = tdi.groupby("table_id")["n"].sum()
        assert (n[T2], n[T4]) == (49, 116)
        assert n[T3] == 631  # 672 cases, less the last row's, not seen

    def test_wins_are_the_percentage_of_the_cases(self, tdi):
        assert _row(tdi, T1, 1)["wins"] == 7  # 54% of 13 = 7.02
        assert _row(tdi, T3, 7)["wins"] == 44  # 83% of 53 = 43.99
        assert _row(tdi, T2, 3)["wins"] == 5  # 36% of 14 = 5.04
        counted = tdi[tdi["attacker_wins_pct"].notna() & tdi["n"].notna()]
        share = 100 * counted["wins"] / counted["n"]
        assert ((share - counted["attacker_wins_pct"]).abs() <= 0.5).all()

    def test_bounds_kept_as_printed(self, tdi):
        assert _row(tdi, T1, 2)["bound_high_published"] == "0.98"
        assert _row(tdi, T2, 6)["bound_low_published"] == "3.00"
        assert pd.isna(_row(tdi, T2, 6)["bound_high_published"])  # one ratio printed
        assert _row(tdi, T4, 4)["bound_high_published"] == "and higher"


class TestCorrections:
    @pytest.mark.parametrize(("table_id", "low"), [(T1, 0.26), (T3, 0.25)])
    def test_sic_04_9_read_as_0_49(self, tdi, table_id, low):
        r = _row(tdi, table_id, 1 if table_id == T1 else 2)
        assert r["bound_high_published"] == "04.9"
        assert (r["ratio_low"], r["ratio_high"]) == pytest.approx((low, 0.49))
        assert r["corrected"] == "true"
        assert "04.9" in r["note"] and "0.49" in r["note"]

    def test_only_the_sic_rows_are_corrected(self, tdi):
        corrected = tdi[tdi["corrected"] == "true"]
        rows = sorted(zip(corrected["table_id"], corrected["row"], strict=True))
        assert rows == [(T1, 1), (T3, 2)]


class TestLeftOutAndIncomplete:
    def test_t1_truncated_row_left_out(self, tdi):
        t1 = tdi[tdi["table_id"] == T1]
        assert t1["row"].max() == 7
        assert not (t1["ratio_low"] >= 3.75).any()
        assert "3.75-3.76" in _row(tdi, T1, 7)["note"]
        left_out = {e["table_id"]: e for e in load_catalog().meta["tdi_force_ratio"]["left_out"]}
        assert "3.75-3.76" in left_out[T1]["rows"]

    def test_t3_last_row_kept_without_n(self, tdi):
        r = _row(tdi, T3, 12)
        assert (r["ratio_low"], r["ratio_high"], r["attacker_wins_pct"]) == (8.20, 17.87, 100)
        assert pd.isna(r["n"]) and pd.isna(r["wins"])  # 41 is an inference, not data
        assert 41 not in set(tdi["n"].dropna())
        kept = load_catalog().meta["tdi_force_ratio"]["kept_incomplete"]
        assert [e["table_id"] for e in kept] == [T3]


class TestFailureTable:
    @pytest.mark.parametrize(
        ("row", "fails", "wins_pct", "wins", "n"),
        [(1, 100, 0, 0, 5), (2, 21, 79, 38, 48), (3, 10, 90, 19, 21), (4, 0, 100, 42, 42)],
    )
    def test_success_is_100_minus_published_failure(self, tdi, row, fails, wins_pct, wins, n):
        r = _row(tdi, T4, row)
        assert (r["attacker_fails_pct"], r["attacker_wins_pct"]) == (fails, wins_pct)
        assert (r["wins"], r["n"]) == (wins, n)
        assert "100 minus" in r["note"]

    def test_open_bin(self, tdi):
        r = _row(tdi, T4, 4)
        assert r["ratio_low"] == 2.71 and pd.isna(r["ratio_high"])

    def test_failure_column_only_where_published(self, tdi):
        assert set(tdi.loc[tdi["attacker_fails_pct"].notna(), "table_id"]) == {T4}


# CaDB rows printing all three counts: (row, low, high, attacker wins, defender wins, draws)
THREE_COUNTS = (
    (4, 1.01, 1.25, 14, 3, 1),
    (5, 1.27, 1.50, 8, 3, 1),
    (8, 2.02, 2.50, 10, 6, 2),
    (10, 3.01, 4.00, 8, 4, 1),
)


class TestCampaignCounts:
    @pytest.mark.parametrize(("row", "low", "high", "a", "d", "draws"), THREE_COUNTS)
    def test_counted_rows(self, tdi, row, low, high, a, d, draws):
        r = _row(tdi, T5, row)
        assert (r["ratio_low"], r["ratio_high"]) == pytest.approx((low, high))
        assert (r["wins"], r["n"]) == (a, a + d + draws)
        assert pd.isna(r["attacker_wins_pct"])  # counts, no percentage published

    def test_only_unambiguous_rows(self, tdi):
        assert sorted(tdi.loc[tdi["table_id"] == T5, "row"]) == [4, 5, 8, 10]
        left_out = {e["table_id"]: e for e in load_catalog().meta["tdi_force_ratio"]["left_out"]}
        assert "0.52-0.73" in left_out[T5]["rows"] and "2.51-2.92" in left_out[T5]["rows"]


class TestSources:
    def test_each_table_cites_its_page(self, tdi):
        cited = tdi.groupby("table_id")["source_id"].unique().map(list).to_dict()
        assert cited == {
            T1: ["tdi-2019-badb-243"],
            T2: ["tdi-2019-badb-civil-war"],
            T3: ["tdi-2019-dledb-752"],
            T4: ["tdi-2020-force-ratios-crts"],
            T5: ["tdi-2024-cadb"],
        }

    def test_pages_dated_and_accessed(self):
        sources = load_catalog()["sources"].set_index("source_id")
        pages = sources.loc[sources.index.str.startswith("tdi-")]
        assert len(pages) == 5
        assert (pages["publisher"] == "The Dupuy Institute").all()
        assert (pages["accessed"] == "2026-12-02").all()
        assert pages["url"].str.startswith("https://dupuyinstitute").all()
        assert sources.loc["tdi-2019-badb-243", "published"] == "2019-10-24"
        assert sources.loc["tdi-2024-cadb", "published"] == "2024-04-25"

    def test_related_works_are_sources(self):
        related = load_catalog().meta["tdi_force_ratio"]["related_sources"]
        assert related == ["fm-6-0-2014", "mearsheimer-1989", "epstein-1989", "dupuy-1989"]
        sources = load_catalog()["sources"].set_index("source_id")
        assert "9-103" in sources.loc["fm-6-0-2014", "note"]
        assert "14(1)" in sources.loc["dupuy-1989", "note"]


# ------------------------------------------------------------------------- schema rules


def _edited(tmp_path: Path, edits: dict[tuple[str, int], dict[str, str]]) -> Path:
    """A copy of the table with cells changed: {(table_id, row): {column: value}}."""
    text = (datasets_dir() / "tdi_force_ratio.csv").read_text(encoding="utf-8")
    records = list(csv.reader(io.StringIO(text)))
    header = records[0]
    for record in records[1:]:
        for column, value in edits.get((record[0], int(record[2])), {}).items():
            record[header.index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(records)
    path = tmp_path / "tdi_force_ratio.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def embedded():
    frames, issues = load_directory(datasets_dir())
    assert issues == []
    return frames


class TestSchemaRules:
    @pytest.mark.parametrize(
        ("edit", "rule"),
        [
            ({"ratio_low": "0.5"}, "ratio_low <= ratio_high"),
            ({"ratio_low": "0"}, "must be > 0"),
            ({"attacker_wins_pct": "101"}, "must be <= 100"),
            ({"n": "0", "wins": "0"}, "must be >= 1"),
            ({"wins": "14"}, "wins <= n"),
            ({"wins": "6"}, "does not round to the published percentage"),
            ({"n": ""}, "give wins and n together"),
            ({"source_id": "tdi-nowhere"}, "unknown source id"),
            ({"corrected": "yes"}, "must be one of"),
            ({"attacker_fails_pct": "50"}, "add up to 100"),
        ],
    )
    def test_refused(self, tmp_path, embedded, edit, rule):
        path = _edited(tmp_path, {(T1, 1): edit})
        _, issues = validate_paths([path], None, embedded)
        assert any(rule in i.rule and i.line == 2 for i in issues), issues

    def test_corrected_row_needs_a_note(self, tmp_path, embedded):
        path = _edited(tmp_path, {(T3, 2): {"note": ""}})
        _, issues = validate_paths([path], None, embedded)
        assert [i.rule for i in issues] == ["a corrected row says in its note what was read"]

    def test_the_embedded_table_passes(self, embedded):
        path = datasets_dir() / "tdi_force_ratio.csv"
        _, issues = validate_paths([path], None, embedded)
        assert issues == []


def test_milbal_validate_passes():
    result = subprocess.run(
        [sys.executable, "-m", "dashboard.cli", "validate"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "all valid" in result.stdout
    line = next(s for s in result.stdout.splitlines() if s.startswith("tdi_force_ratio"))
    assert line.split()[1:] == ["35", "14", "5"]
