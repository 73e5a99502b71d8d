"""Citation text for source ids, reused by captions, CSV headers and slides."""

from __future__ import annotations

import functools
import re
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


# Publishers as people name them, by the first word of a source id ("import-" taken off).
PUBLISHER_NAMES = {
    "gfp": "GFP",
    "gmi": "GMI",
    "sipri": "SIPRI",
    "wb": "World Bank",
    "wdi": "World Bank",
    "cow": "COW",
    "nmc": "COW",
    "cdb90": "CDB90",
    "wikipedia": "Wikipedia",
    "oryx": "Oryx",
    "rv": "Rustamzade & Valiyev",
    "mearsheimer": "Mearsheimer",
}
IMPORTED_PREFIX = "import-"
_YEAR = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _form(source: pd.Series) -> str:
    """What kind of document: the file's form for a dataset (workbook, CSV), the outlet for a
    news report, else the source's kind."""
    kind = _text(source.get("kind"))
    if kind == "news":
        return _text(source.get("publisher")) or "news report"
    written = " ".join(_text(source.get(c)) for c in ("title", "url", "note")).lower()
    if ".xlsx" in written or "workbook" in written:
        return "workbook"
    if ".csv" in written or " csv" in written:
        return "CSV"
    return kind or "source"


def publisher_of(source_id: str) -> str | None:
    """The publisher a source id names, in people's words ('import-wdi-personnel' and 'wb-owid'
    are both 'World Bank'), or None for a source of no known publisher."""
    return PUBLISHER_NAMES.get(source_id.removeprefix(IMPORTED_PREFIX).split("-")[0])


def source_label(source: pd.Series) -> str:
    """A source in people's words: publisher, year and form, e.g. 'GFP 2020 (workbook)', and
    'GFP 2020 (workbook, imported)' for the same table brought in by `milbal import`."""
    sid = _text(source.get("source_id"))
    imported = sid.startswith(IMPORTED_PREFIX)
    who = publisher_of(sid) or _text(source.get("publisher")) or _text(source.get("author"))
    year = next(
        (
            m.group(0)
            for text in (sid, _text(source.get("published")), _text(source.get("title")))
            if (m := _YEAR.search(text))
        ),
        "",
    )
    head = " ".join(part for part in (who or _text(source.get("title")) or sid, year) if part)
    form = _form(source)
    return f"{head} ({form}, imported)" if imported else f"{head} ({form})"


def short_label(source: pd.Series) -> str:
    """A source as a mark beside a value names it: publisher and year ("GFP 2020"), without the
    file's form (see source_label)."""
    return source_label(source).split(" (")[0]


def source_labels(sources: pd.DataFrame) -> dict[str, str]:
    """source_id -> source_label for every source; a label two sources would share gets the
    source's title after it, so that no two choices read alike."""
    labels = {row["source_id"]: source_label(row) for _, row in sources.iterrows()}
    seen: dict[str, int] = {}
    for label in labels.values():
        seen[label] = seen.get(label, 0) + 1
    titles = dict(zip(sources["source_id"], sources["title"], strict=True))
    return {
        sid: f"{label}: {titles[sid]}" if seen[label] > 1 else label
        for sid, label in labels.items()
    }
