"""Attrition in the 2020 war as a tidy timeline, with ranges kept and events attached."""

from __future__ import annotations

import pandas as pd

from indicators.common import IndicatorError, require_known, to_interval
from validation.vocabulary import WAR_END, WAR_START


def attrition_timeline(
    attrition: pd.DataFrame, events: pd.DataFrame, side: str | None = None
) -> pd.DataFrame:
    """Every figure with low/mid/high, its dates and, where it belongs to one, its event."""
    rows = attrition
    if side is not None:
        require_known(side, set(attrition["side"]), "side")
        rows = rows[rows["side"] == side]
    interval = to_interval(rows)
    out = rows.drop(columns=["value", "low", "high"]).join(interval)
    out["value"] = rows["value"].astype(float)
    labels = events.set_index("event_id")[["date", "label", "place"]].add_prefix("event_")
    out = out.join(labels, on="event_id")
    columns = [
        "figure_id",
        "date_start",
        "date_end",
        "side",
        "subject",
        "measure",
        "value",
        "low",
        "mid",
        "high",
        "qualifier",
        "unit",
        "event_id",
        "event_date",
        "event_label",
        "event_place",
        "source_id",
        "locator",
    ]
    return out[columns].sort_values(["date_start", "date_end", "figure_id"]).reset_index(drop=True)


def opening_shares(attrition: pd.DataFrame) -> pd.DataFrame:
    """The shares of equipment destroyed on the first day (first strike, day one), with ranges."""
    rows = attrition[
        (attrition["measure"] == "destroyed_share")
        & (attrition["unit"] == "percent")
        & (attrition["date_end"] == WAR_START)
    ]
    return pd.concat(
        [
            rows[["figure_id", "side", "subject", "qualifier", "source_id", "locator"]],
            to_interval(rows),
        ],
        axis=1,
    ).reset_index(drop=True)


def cumulative_daily(
    daily: pd.DataFrame,
    date: str = "date",
    count: str = "count",
    by: list[str] | None = None,
    start: pd.Timestamp = WAR_START,
    end: pd.Timestamp = WAR_END,
) -> pd.DataFrame:
    """Daily counts summed per day and group over every day from start to end (missing days 0),
    with the running total; counts outside the window are left out and counted in `outside`."""
    by = by or []
    for column in (date, count, *by):
        if column not in daily:
            raise IndicatorError(f"column {column!r} not in the daily data")
    if (daily[count] < 0).any():
        raise IndicatorError(f"column {count!r} has negative counts")
    dates = pd.to_datetime(daily[date])
    inside = daily[(dates >= start) & (dates <= end)].assign(**{date: dates})
    per_day = inside.groupby([*by, date])[count].sum().rename("count").reset_index()
    grid = pd.DataFrame({date: pd.date_range(start, end, freq="D")})
    if by:
        grid = inside[by].drop_duplicates().sort_values(by).merge(grid, how="cross")
    out = grid.merge(per_day, on=[*by, date], how="left").fillna({"count": 0})
    out["count"] = out["count"].astype(int)
    out["cumulative"] = out.groupby(by)["count"].cumsum() if by else out["count"].cumsum()
    out.attrs["outside"] = int(daily[count].sum() - inside[count].sum())
    return out
