"""The balance of two countries: each indicator as the ratio A:B, oriented so that a ratio above 1
always means A is the stronger, and a pair's figures over time as one line per source where
sources differ."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from indicators.common import IndicatorError, column_arrays, frame_of, join_sources
from indicators.conflicts import values_differ
from indicators.force_ratio import RATIO_COLUMNS, ratio_bounds

# How an indicator reads: "higher" (personnel, spending, counts: more is stronger) or "lower"
# (ranks, GFP's PowerIndex: 1 or a lower score is stronger). A "lower" indicator is inverted,
# B over A, so that right of 1:1 means A stronger on every row.
STRONGER = ("higher", "lower")
BALANCE_INPUT = ("a_low", "a_mid", "a_high", "b_low", "b_mid", "b_high", "stronger")
# status of a row: a ratio, or why there is none (a side with none of it, or an interval that
# reaches zero, whose ratio would reach zero or infinity).
STATUS_OK = "ok"
STATUS_TEXT = {
    "a_none": "{a} has none",
    "b_none": "{b} has none",
    "both_none": "neither has any",
    "reaches_zero": "a range down to zero: no ratio",
}


def balance_ratios(pairs: pd.DataFrame) -> pd.DataFrame:
    """The rows of `pairs` (any columns, with a_low/a_mid/a_high, b_low/b_mid/b_high and
    `stronger`) with ratio_low, ratio_mid, ratio_high, status and favours added.

    "higher": A/B, from A_low/B_high up to A_high/B_low, mid A_mid/B_mid. "lower" (a rank):
    B/A, from B_low/A_high up to B_high/A_low, mid B_mid/A_mid; rank 63 against 111 is 1.76:1.
    A zero makes no ratio on a log scale: status names the side with none, the ratios are NaN,
    and `favours` the side that has some ('a', 'b' or 'even'; by the mid where both have).
    """
    return frame_of(balance_ratio_columns(column_arrays(pairs)))


def balance_ratio_columns(cols: Mapping[str, Any]) -> dict[str, Any]:
    """balance_ratios on columns (name -> array) before they become a frame: the chart that
    draws them adds its own columns and makes one frame of all (a frame costs ~1 ms, and the
    dashboard redraws this on every change of country)."""
    missing = [c for c in BALANCE_INPUT if c not in cols]
    if missing:
        raise IndicatorError(f"balance_ratios needs columns {', '.join(missing)}")
    stronger = np.asarray(cols["stronger"], dtype=object)
    unknown = sorted({str(s) for s in stronger if s not in STRONGER})
    if unknown:
        raise IndicatorError(f"stronger must be 'higher' or 'lower'; got {', '.join(unknown)}")
    # (low, mid, high) by (low, mid, high) rows, one array per side: a few numpy calls on the
    # whole table, which /compare redraws on every change of country
    a = np.array([cols[f"a_{e}"] for e in ("low", "mid", "high")], dtype=float)
    b = np.array([cols[f"b_{e}"] for e in ("low", "mid", "high")], dtype=float)
    for side, (low, mid, high) in (("a", a), ("b", b)):
        if np.isnan(mid).any() or (low < 0).any() or (low > mid).any() or (mid > high).any():
            raise IndicatorError(
                f"{side}_low <= {side}_mid <= {side}_high must hold, with no negative or missing "
                "figure"
            )
    inverted = stronger == "lower"
    # numerator and denominator: A over B, or B over A for an inverted row
    num, den = np.where(inverted, b, a), np.where(inverted, a, b)
    a_none, b_none = a[2] == 0, b[2] == 0
    # the first that holds: both_none, a_none, b_none, reaches_zero, else ok
    status = np.full(len(stronger), STATUS_OK, dtype=object)
    status[(num[0] == 0) | (den[0] == 0)] = "reaches_zero"
    status[b_none] = "b_none"
    status[a_none] = "a_none"
    status[a_none & b_none] = "both_none"
    ok = status == STATUS_OK
    with np.errstate(divide="ignore", invalid="ignore"):
        bounds = np.array(ratio_bounds(*num, *den))
    bounds[:, ~ok] = np.nan
    ratios = dict(zip(RATIO_COLUMNS, bounds, strict=True))
    mid = bounds[1]
    # A side with none of a "higher" indicator is the weaker; of a rank, a zero cannot happen
    # (the schema keeps ranks >= 1), so the same reading holds. Even where both have none.
    favours = np.full(len(stronger), "even", dtype=object)
    favours[ok & (mid > 1) | b_none] = "a"
    favours[ok & (mid < 1) | a_none] = "b"
    favours[a_none & b_none] = "even"
    return {**cols, **ratios, "status": status, "favours": favours}


def ratio_words(ratio: float, digits: int = 1) -> str:
    """A ratio as people write it, the larger side first: 2.16 -> '2.2:1', 0.5 -> '1:2',
    1 -> '1:1'; 'no ratio' for zero, infinity or NaN."""
    if not np.isfinite(ratio) or ratio <= 0:
        return "no ratio"
    text = f"{max(ratio, 1 / ratio):.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}:1" if ratio >= 1 else f"1:{text}"


# --- over time ------------------------------------------------------------------------------

LINE_INPUT = ("country", "series", "family", "source_id", "year", "value")


def source_lines(rows: pd.DataFrame) -> pd.DataFrame:
    """One line per source where sources differ: the rows of `rows` (country, series, family,
    source_id, year, value, and any other columns, e.g. the measure and unit) numbered into
    lines, `line` 0, 1, ... within each (country, series, family).

    Sources of one family (SIPRI's editions, GFP's yearly reports) share a line while they
    agree: a source joins the first line it never contradicts (a shared year with a value that
    differs at the precision of the less precise figure, indicators.conflicts.values_differ),
    else it starts a line of its own. A year two sources of a line both give is one point,
    its source_id naming both. Sources are taken in the order of their first row; the result
    is sorted by country, series, family, line and year."""
    return frame_of(source_line_columns(column_arrays(rows)))


def source_line_columns(cols: Mapping[str, Any]) -> dict[str, Any]:
    """source_lines on columns (name -> array), before they become a frame."""
    missing = [c for c in LINE_INPUT if c not in cols]
    if missing:
        raise IndicatorError(f"source_lines needs columns {', '.join(missing)}")
    values = np.asarray(cols["value"], dtype=float)
    # plain Python lists: this loops over every figure of a pair (~500 for India and Pakistan)
    value_list = values.tolist()
    years = np.asarray(cols["year"]).astype(int).tolist()
    keys = list(zip(cols["country"], cols["series"], cols["family"], strict=True))
    sources = list(cols["source_id"])
    # (country, series, family) -> source -> positions, in first-seen order
    groups: dict[tuple, dict[str, list[int]]] = {}
    for i, (key, sid, v) in enumerate(zip(keys, sources, value_list, strict=True)):
        if v == v:  # not NaN
            groups.setdefault(key, {}).setdefault(sid, []).append(i)
    kept: list[int] = []
    lines: list[int] = []
    ids: list[str] = []
    for key in sorted(groups, key=lambda k: tuple(map(str, k))):
        by_source = groups[key]
        if len(by_source) == 1:  # most series: one source, one line
            ((sid, positions),) = by_source.items()
            positions.sort(key=years.__getitem__)
            kept += positions
            lines += [0] * len(positions)
            ids += [sid] * len(positions)
            continue
        # line -> year -> (position kept, [source ids])
        built: list[dict[int, tuple[int, list[str]]]] = []
        for sid, positions in by_source.items():
            points = {years[i]: i for i in positions}
            line = next(
                (
                    line
                    for line in built
                    if not any(
                        values_differ([value_list[line[y][0]], value_list[i]])
                        for y, i in points.items()
                        if y in line
                    )
                ),
                None,
            )
            if line is None:
                line = {}
                built.append(line)
            for y, i in points.items():
                if y in line:
                    line[y][1].append(sid)
                else:
                    line[y] = (i, [sid])
        for number, line in enumerate(built):
            for y in sorted(line):
                i, sids = line[y]
                kept.append(i)
                lines.append(number)
                ids.append(sids[0] if len(sids) == 1 else join_sources(*sids))
    taken = np.asarray(kept, dtype=np.intp)
    out: dict[str, Any] = {c: np.asarray(v)[taken] for c, v in cols.items()}
    out["line"] = np.asarray(lines, dtype=np.int64)
    out["source_id"] = np.asarray(ids, dtype=object)
    return out
