"""Citation text for source ids, reused by captions, CSV headers and slides."""

from __future__ import annotations

import functools
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


def citations(sources: pd.DataFrame) -> dict[str, str]:
    """source_id -> 'Who, Title (year)' for every source."""
    return {row["source_id"]: cite_one(row) for _, row in sources.iterrows()}


@functools.cache
def _embedded_citations() -> dict[str, str]:
    from validation import load_catalog

    return citations(load_catalog()["sources"])


def cite(source_ids: Iterable[str], sources: pd.DataFrame | None = None) -> str:
    """'Sources: A; B; C' for the given ids, in order; unknown ids are shown as they are.
    Without `sources`, the embedded sources table is used (its citations built once)."""
    known = _embedded_citations() if sources is None else citations(sources)
    parts = [known.get(sid, sid) for sid in source_ids]
    if not parts:
        return ""
    return ("Source: " if len(parts) == 1 else "Sources: ") + "; ".join(parts)
