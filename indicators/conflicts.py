"""Source conflicts: the keys that more than one source gives, with different values."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from indicators.common import require_known, to_interval

# table -> (key columns without source_id, value columns compared across sources)
CONFLICT_FIELDS: dict[str, tuple[list[str], list[str]]] = {
    "manpower": (["country", "year", "measure"], ["value", "low", "high"]),
    "rankings": (["index", "edition", "country"], ["rank", "score"]),
    "equipment": (["country", "year", "category"], ["value", "low", "high"]),
    "spending": (["country", "year", "measure"], ["value"]),
}


INTERVAL_FIELDS = ["value", "low", "high"]


def decimals_of(x: float) -> int:
    """Decimal places of a number as its source wrote it, read from the float's shortest repr
    (2237.8 -> 1, 2237.7647 -> 4, 63.0 -> 0): loading made it a float, and the shortest repr
    is the text that float was read from. Whole numbers have none (130000 -> 0)."""
    exponent = Decimal(repr(float(x))).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _at(x: float, places: int) -> Decimal:
    """x rounded half up to `places` decimals, from its written form (no binary surprises:
    2237.75 is 2237.8 at one decimal)."""
    return Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def values_differ(values: pd.Series | list[float]) -> bool:
    """True when the values differ at the precision of the least precise of them: SIPRI's
    2237.8 and 2237.7647 are one figure written to 1 and 4 decimals (not a disagreement),
    2237.8 and 2237.9 are two, and so are ranks 63 and 64."""
    numbers = [float(x) for x in values]
    if len(set(numbers)) < 2:
        return False
    places = min(decimals_of(x) for x in numbers)
    return len({_at(x, places) for x in numbers}) > 1


def flag_source_conflicts(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Tidy rows (key..., field, source_id, value, spread, n_sources) for every key and field
    that two or more sources report with different values; missing values are not a disagreement,
    nor are values that agree at the precision of the less precise source (values_differ).

    Where figures are stated as a value or a range (manpower, equipment), each is compared as
    its interval (indicators.common.to_interval), with fields 'low' and 'high': "5,000" against
    "4,000-6,000" is a disagreement although neither source gives the other's kind of figure.
    """
    require_known(table, set(CONFLICT_FIELDS), "table")
    keys, fields = CONFLICT_FIELDS[table]
    if fields == INTERVAL_FIELDS:
        interval = to_interval(frame)
        frame = frame[[*keys, "source_id"]].assign(low=interval["low"], high=interval["high"])
        fields = ["low", "high"]
    long = (
        frame[[*keys, "source_id", *fields]]
        .melt(id_vars=[*keys, "source_id"], var_name="field", value_name="reported")
        .dropna(subset=["reported"])
        .rename(columns={"reported": "value"})
    )
    long["value"] = long["value"].astype(float)
    group = long.groupby([*keys, "field"], sort=True)["value"]
    long["spread"] = group.transform("max") - group.transform("min")
    long["n_sources"] = long.groupby([*keys, "field"])["source_id"].transform("nunique")
    spread = long[(long["spread"] > 0) & (long["n_sources"] > 1)]
    # Precision is checked only where the values are not all equal: a few rows of a table.
    differ = spread.groupby([*keys, "field"], sort=False)["value"].transform(values_differ)
    out = spread[differ.astype(bool)]
    columns = [*keys, "field", "source_id", "value", "spread", "n_sources"]
    return out[columns].sort_values([*keys, "field", "value"]).reset_index(drop=True)
