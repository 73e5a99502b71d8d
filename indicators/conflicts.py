"""Source conflicts: the keys that more than one source gives, with different values."""

from __future__ import annotations

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


def flag_source_conflicts(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Tidy rows (key..., field, source_id, value, spread, n_sources) for every key and field
    that two or more sources report with different values; missing values are not a disagreement.

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
    out = long[(long["spread"] > 0) & (long["n_sources"] > 1)]
    columns = [*keys, "field", "source_id", "value", "spread", "n_sources"]
    return out[columns].sort_values([*keys, "field", "value"]).reset_index(drop=True)
