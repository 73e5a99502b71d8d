"""TDI benchmark traces for the history chart: one line trace per database, a segment over each
bin at its rate and a whisker for its interval at the bin's geometric middle."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from dashboard.charts.history_benchmarks import (
    BENCHMARK_COLOURS,
    OPEN_BIN_DRAWN,
    benchmark_traces,
)
from dashboard.style import COUNTRY_COLOURS, RULE_COLOURS
from indicators.benchmarks import published_rates
from validation import load_catalog


def _rates(*rows: dict) -> pd.DataFrame:
    base = {"table_id": "a", "database": "Base A", "row": 1, "attacker_wins_pct": None}
    base |= {"wins": None, "n": None}
    return published_rates(pd.DataFrame([{"source_id": "s", **base, **r} for r in rows]))


def _pieces(trace: dict) -> list[list[tuple]]:
    """The trace's polylines, split at its None breaks."""
    pieces, current = [], []
    for x, y in zip(trace["x"], trace["y"], strict=True):
        if x is None:
            pieces.append(current)
            current = []
        else:
            current.append((x, y))
    assert current == []  # every piece ends with a break
    return pieces


@pytest.fixture(scope="module")
def traces() -> list[dict]:
    return benchmark_traces(published_rates(load_catalog()["tdi_force_ratio"]))


class TestShapes:
    def test_segment_and_whisker(self):
        (trace,) = benchmark_traces(
            _rates({"ratio_low": 2.5, "ratio_high": 2.99, "wins": 44, "n": 53})
        )
        segment, whisker = _pieces(trace)
        mid = round(math.sqrt(2.5 * 2.99), 4)
        rate = round(44 / 53, 4)
        assert segment == [(2.5, rate), (mid, rate), (2.99, rate)]
        assert [x for x, _ in whisker] == [mid, mid]
        assert [y for _, y in whisker] == pytest.approx([0.7077, 0.9080], abs=1e-4)

    def test_bins_of_one_database_share_a_trace(self):
        (trace,) = benchmark_traces(
            _rates(
                {"row": 1, "ratio_low": 0.5, "ratio_high": 1.0, "wins": 1, "n": 4},
                {"row": 2, "ratio_low": 1.0, "ratio_high": 2.0, "wins": 3, "n": 4},
            )
        )
        pieces = _pieces(trace)
        assert len(pieces) == 4  # segment, whisker, segment, whisker
        assert pieces[2][0] == (1.0, 0.75) and pieces[2][-1] == (2.0, 0.75)

    def test_unknown_n_draws_a_segment_without_whisker(self):
        (trace,) = benchmark_traces(
            _rates({"ratio_low": 8.2, "ratio_high": 17.87, "attacker_wins_pct": 100})
        )
        (segment,) = _pieces(trace)
        assert segment[0] == (8.2, 1.0) and segment[-1] == (17.87, 1.0)
        assert "number of cases not seen" in trace["hovertext"][0]

    def test_open_bin_drawn_over_a_fixed_factor(self):
        bin_ = {"ratio_low": 2.71, "ratio_high": None, "wins": 42, "n": 42}
        (trace,) = benchmark_traces(_rates(bin_))
        segment, whisker = _pieces(trace)
        assert segment[0][0] == 2.71 and segment[-1][0] == round(2.71 * OPEN_BIN_DRAWN, 4)
        assert whisker[0][0] == round(2.71 * math.sqrt(OPEN_BIN_DRAWN), 4)
        assert "ratio 2.71 and higher: 100% of 42 won" in trace["hovertext"][0]

    def test_single_ratio_bin_is_a_point_with_whisker(self):
        bin_ = {"ratio_low": 3.0, "ratio_high": 3.0, "wins": 1, "n": 1}
        (trace,) = benchmark_traces(_rates(bin_))
        segment, whisker = _pieces(trace)
        assert {x for x, _ in segment} == {3.0} and whisker[1] == (3.0, 1.0)
        assert "ratio 3.00: 100% of 1 won" in trace["hovertext"][0]


class TestEmbeddedTable:
    def test_one_trace_and_legend_entry_per_database(self, traces):
        assert len(traces) == 5
        assert all(t["showlegend"] for t in traces)
        assert len({t["legendgroup"] for t in traces}) == 5
        assert traces[0]["name"] == "TDI battles 1600-1900"  # short: the hover names it in full

    def test_lines_on_a_chance_scale(self, traces):
        for t in traces:
            assert t["type"] == "scatter" and t["mode"] == "lines"
            ys = [y for y in t["y"] if y is not None]
            assert min(ys) >= 0 and max(ys) <= 1

    def test_hover_in_peoples_words(self, traces):
        dledb = next(t for t in traces if t["legendgroup"] == "benchmark-tdi-dledb-1904-1991")
        assert (
            "TDI division-level engagements 1904-1991 (672 of 752 cases), ratio 2.50-2.99: "
            "83% of 53 won (95% CI 71-91%)"
        ) in dledb["hovertext"]
        assert len(dledb["hovertext"]) == len(dledb["x"])
        hover, x = dledb["hovertext"], dledb["x"]
        assert [h is None for h in hover] == [v is None for v in x]

    def test_muted_colours_apart_from_terrain_and_countries(self, traces):
        colours = [t["line"]["color"] for t in traces]
        assert len(set(colours)) == 5
        taken = {c.lower() for c in [*RULE_COLOURS.values(), *COUNTRY_COLOURS.values()]}
        assert not {c.lower() for c in colours} & taken
        assert colours == list(BENCHMARK_COLOURS.values())
