"""Citation text for source ids, reused by captions, CSV headers and slides."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd


def split_ids(values: Iterable[object]) -> list[str]:
    """Distinct source ids from cells that may hold several joined by ';', in first-seen order."""
    seen: dict[str, None] = {}
    for cell in values:
        if cell is None or (isinstance(cell, float) and pd.isna(cell)):
            continue
        for sid in str(cell).split(";"):
            if sid.strip():
                seen[sid.strip()] = None
    return list(seen)


def cite_one(source: pd.Series) -> str:
    """'Who, Title (year)' for one row of the sources table."""
    who = source.get("author")
    if pd.isna(who) or not who:
        who = source.get("publisher")
    year = source.get("published")
    year = str(year)[:4] if isinstance(year, str) and year else ""
    text = f"{source['title']}" if pd.isna(who) or not who else f"{who}, {source['title']}"
    return f"{text} ({year})" if year else text


def cite(source_ids: Iterable[str], sources: pd.DataFrame) -> str:
    """'Sources: A; B; C' for the given ids, in order; unknown ids are shown as they are."""
    by_id = sources.set_index("source_id")
    parts = [cite_one(by_id.loc[sid]) if sid in by_id.index else sid for sid in source_ids]
    if not parts:
        return ""
    return ("Source: " if len(parts) == 1 else "Sources: ") + "; ".join(parts)
