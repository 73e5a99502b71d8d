"""Published benchmarks beside our CDB90 estimates: the attacker success rates The Dupuy
Institute (TDI) published per force-ratio bin for its own databases (datasets/tdi_force_ratio).

Each bin's rate is wins / n with a Wilson 95% interval, the same interval as our own observed
rates, so a reader can tell a published 100% of 5 from 100% of 42. A bin whose number of cases
was not seen keeps its published rate and has no interval.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.common import IndicatorError
from indicators.history import wilson_interval

RATE_COLUMNS = [
    "table_id",
    "database",
    "row",
    "ratio_low",
    "ratio_high",
    "ratio_mid",
    "rate",
    "ci_low",
    "ci_high",
    "wins",
    "n",
    "source_id",
]
NEEDED = (
    "table_id",
    "database",
    "row",
    "ratio_low",
    "ratio_high",
    "attacker_wins_pct",
    "wins",
    "n",
    "source_id",
)


def published_rates(tdi: pd.DataFrame) -> pd.DataFrame:
    """Per published bin: its span (ratio_low, ratio_high; ratio_high NaN for an open bin), its
    geometric middle ratio_mid (NaN for an open bin), the attacker's success rate (wins / n, or
    the published percentage where n is not known) and its Wilson 95% interval (NaN without n);
    with the database label and source_id. Rows keep the table's order."""
    absent = [c for c in NEEDED if c not in tdi]
    if absent:
        raise IndicatorError(f"the TDI table lacks columns: {', '.join(absent)}")
    low = pd.to_numeric(tdi["ratio_low"], errors="coerce").to_numpy(dtype=float)
    high = pd.to_numeric(tdi["ratio_high"], errors="coerce").to_numpy(dtype=float)
    pct = pd.to_numeric(tdi["attacker_wins_pct"], errors="coerce").to_numpy(dtype=float)
    wins = pd.to_numeric(tdi["wins"], errors="coerce").to_numpy(dtype=float)
    n = pd.to_numeric(tdi["n"], errors="coerce").to_numpy(dtype=float)
    counted = ~np.isnan(wins) & ~np.isnan(n) & (n > 0)
    rate = np.where(counted, wins / np.where(counted, n, 1.0), pct / 100)
    bounds = [
        wilson_interval(int(k), int(m)) if c else (np.nan, np.nan)
        for k, m, c in zip(np.nan_to_num(wins), np.nan_to_num(n), counted, strict=True)
    ]
    ci = np.array(bounds, dtype=float).reshape(len(tdi), 2)
    return pd.DataFrame(
        {
            "table_id": tdi["table_id"].astype(str).to_numpy(),
            "database": tdi["database"].astype(str).to_numpy(),
            "row": pd.to_numeric(tdi["row"]).to_numpy(dtype=int),
            "ratio_low": low,
            "ratio_high": high,
            "ratio_mid": np.sqrt(low * high),
            "rate": rate,
            "ci_low": ci[:, 0],
            "ci_high": ci[:, 1],
            "wins": pd.array(np.where(counted, wins, np.nan), dtype="Int64"),
            "n": pd.array(np.where(counted, n, np.nan), dtype="Int64"),
            "source_id": tdi["source_id"].astype(str).to_numpy(),
        },
        columns=RATE_COLUMNS,
    )
