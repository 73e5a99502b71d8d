"""CDB90 (CAA Database of Battles, version 1990) from the folder of jrnold's data package.

Four files are read: battles.csv, belligerents.csv and terrain.csv (jrnold's tidy tables) and
src-data/CDB90-patched.csv (the original wide file with the CDB91 corrections). Outcomes,
strengths and casualties come from the wide file: jrnold's build blanks every negative value, so
battles.csv loses each attacker loss (WINA -1). Where the files overlap they are compared, and
any disagreement is reported in the import's notes.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from validation.files import FileRefused, check_regular
from validation.importers.base import (
    Imported,
    ImportRefused,
    read_csv_cells,
    read_file_text,
    source_row,
    validate_raw,
)
from validation.tables import Issue

KIND = "cdb90"
DESCRIPTION = (
    "CDB90 battle data: the folder holding battles.csv, belligerents.csv, terrain.csv and "
    "src-data/CDB90-patched.csv (jrnold/CDB90 data package)"
)
SOURCE_ID = "import-cdb90"
WIDE = "src-data/CDB90-patched.csv"

# The columns read from each file (others are ignored).
FILES: dict[str, tuple[str, ...]] = {
    "battles.csv": ("isqno", "war", "name", "post1", "wina", "parent"),
    "belligerents.csv": ("isqno", "attacker", "str", "cas"),
    "terrain.csv": ("isqno", "terrano", "terra1"),
    WIDE: (
        "ISQNO",
        "WAR",
        "NAME",
        "ATPBYR1",
        "POST1",
        "TERRA1",
        "STRA",
        "STRD",
        "CASA",
        "CASD",
        "WINA",
    ),
}
# CDB90DEF.csv: -1 "not available", -9 "unknown", 9999 "not known". WINA -1 is an attacker
# loss, not a missing value, and WINA -9 is the only unknown outcome.
MISSING_CODES = (-1, -9, 9999)
WINA_UNKNOWN = -9
# POST1 "OO": not available or not applicable (CDB90DEF note 2).
POSTURE_UNKNOWN = "OO"
# Rugged terrain, the mountain proxy: the first letter of TERRA1 (R rolling, G rugged, F flat).
RUGGED = "G"

BATTLE_COLUMNS = [
    "isqno",
    "name",
    "war",
    "year",
    "str_a",
    "str_d",
    "cas_a",
    "cas_d",
    "wina",
    "terra1",
    "rugged",
    "parent",
    "post1",
    "source_id",
]


# The publisher's shape, after the cells are typed (index = line in the file).
class WideFile(pa.DataFrameModel):
    ISQNO: Series[pd.Int64Dtype] = pa.Field(ge=1, unique=True)
    WAR: Series[str]
    NAME: Series[str] = pa.Field(str_length={"min_value": 1})
    ATPBYR1: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1000, le=2100)
    POST1: Series[str] = pa.Field(isin=["HD", "PD", "FD", "DL", "WD", POSTURE_UNKNOWN])
    TERRA1: Series[str] = pa.Field(str_matches=r"^[0RGF][0BMDW][0UMD]$")
    STRA: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    STRD: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    CASA: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    CASD: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    WINA: Series[pd.Int64Dtype] = pa.Field(isin=[-1, 0, 1, WINA_UNKNOWN])


class BattlesFile(pa.DataFrameModel):
    isqno: Series[pd.Int64Dtype] = pa.Field(ge=1, unique=True)
    war: Series[str] = pa.Field(nullable=True)
    name: Series[str] = pa.Field(nullable=True)
    post1: Series[str] = pa.Field(nullable=True)
    wina: Series[pd.Int64Dtype] = pa.Field(nullable=True, isin=[-1, 0, 1])
    parent: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)


class BelligerentsFile(pa.DataFrameModel):
    isqno: Series[pd.Int64Dtype] = pa.Field(ge=1)
    attacker: Series[pd.Int64Dtype] = pa.Field(isin=[0, 1])
    str: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    cas: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)

    class Config:
        unique = ("isqno", "attacker")


class TerrainFile(pa.DataFrameModel):
    isqno: Series[pd.Int64Dtype] = pa.Field(ge=1)
    terrano: Series[pd.Int64Dtype] = pa.Field(isin=[1, 2])
    terra1: Series[str] = pa.Field(nullable=True, isin=["R", "G", "F"])

    class Config:
        unique = ("isqno", "terrano")


FILE_MODELS: dict[str, type[pa.DataFrameModel]] = {
    "battles.csv": BattlesFile,
    "belligerents.csv": BelligerentsFile,
    "terrain.csv": TerrainFile,
    WIDE: WideFile,
}
# Whole-number columns whose CDB90 missing-value codes become empty.
CODED_MISSING = {WIDE: ("ATPBYR1", "STRA", "STRD", "CASA", "CASD")}


class Battles(pa.DataFrameModel):
    """One row per battle of CDB90 (the wide file), with the outcome as CAA coded it."""

    isqno: Series[pd.Int64Dtype] = pa.Field(ge=1)
    name: Series[str] = pa.Field(str_length={"min_value": 1})
    war: Series[str] = pa.Field(nullable=True)
    year: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1000, le=2100)
    str_a: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    str_d: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    cas_a: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    cas_d: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    wina: Series[pd.Int64Dtype] = pa.Field(nullable=True, isin=[-1, 0, 1])
    terra1: Series[str] = pa.Field(str_matches=r"^[0RGF][0BMDW][0UMD]$")
    # 1 = rugged, 0 = not (whole numbers: the store's CSV round trip has no booleans).
    rugged: Series[pd.Int64Dtype] = pa.Field(isin=[0, 1])
    parent: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)
    post1: Series[str] = pa.Field(nullable=True, isin=["HD", "PD", "FD", "DL", "WD"])
    source_id: Series[str] = pa.Field(str_matches=r"^[a-z0-9][a-z0-9-]*$")

    class Config:
        strict = True
        coerce = True
        unique = ("isqno",)

    @pa.dataframe_check(error="terra1,rugged|rugged must be 1 exactly when terra1 begins with G")
    def rugged_is_terrain_g(cls, df: pd.DataFrame) -> pd.Series:
        return (df["rugged"] == df["terra1"].str.startswith(RUGGED).astype(int)).astype(bool)


SCHEMAS: dict[str, type[pa.DataFrameModel]] = {"battles": Battles}
META: dict[str, dict] = {
    "battles": {
        "title": "CDB90 battles (CAA Database of Battles, imported)",
        "description": "One row per battle of CDB90's wide file (CDB91 corrections): "
        "strengths, casualties, outcome and terrain, as CAA coded them.",
        "licence": "ODC-BY (jrnold/CDB90); original CAA files public domain",
        "primary_key": ["isqno"],
        "columns": {
            "isqno": {"title": "Battle number", "unit": "", "description": "CDB90 battle number"},
            "name": {"title": "Battle", "unit": "", "description": "battle name (NAME)"},
            "war": {"title": "War", "unit": "", "description": "war (WAR)"},
            "year": {
                "title": "Year",
                "unit": "year",
                "description": "year the first active period began (ATPBYR1)",
            },
            "str_a": {
                "title": "Attacker strength",
                "unit": "personnel",
                "description": "attacker strength (STRA)",
            },
            "str_d": {
                "title": "Defender strength",
                "unit": "personnel",
                "description": "defender strength (STRD)",
            },
            "cas_a": {
                "title": "Attacker casualties",
                "unit": "personnel",
                "description": "attacker casualties (CASA)",
            },
            "cas_d": {
                "title": "Defender casualties",
                "unit": "personnel",
                "description": "defender casualties (CASD)",
            },
            "wina": {
                "title": "Outcome for the attacker",
                "unit": "",
                "description": "1 attacker win, 0 draw, -1 attacker loss; empty unknown",
            },
            "terra1": {
                "title": "Terrain code",
                "unit": "",
                "description": "primary terrain code (TERRA1), e.g. GM0",
            },
            "rugged": {
                "title": "Rugged terrain",
                "unit": "0/1",
                "description": "1 if TERRA1 begins with G (rugged), else 0",
            },
            "parent": {
                "title": "Duplicate of",
                "unit": "",
                "description": "the battle this row duplicates (battles.csv parent)",
            },
            "post1": {
                "title": "Defender posture",
                "unit": "",
                "description": "defender's primary posture (HD, PD, FD, DL, WD)",
            },
            "source_id": {"title": "Source", "unit": "", "description": "import-cdb90"},
        },
    }
}


def _label(folder: Path, name: str) -> str:
    return str(folder / name)


def _read_rows(folder: Path, name: str) -> pd.DataFrame:
    """The file's text cells, indexed by the line each record starts on; a missing file or
    column, or a row that stops short (a truncated file), is refused naming line and column."""
    label = _label(folder, name)
    path = folder / name
    try:
        check_regular(path)
    except FileRefused as exc:
        raise ImportRefused(
            Issue(
                label,
                None,
                None,
                None,
                f"{exc.reason}; a CDB90 folder holds {', '.join(FILES)} "
                "(milbal import cdb90 PATH/TO/cdb90)",
            )
        ) from None
    text = read_file_text(path, label)
    try:
        return read_csv_cells(path, FILES[name], label=label, text=text)
    except ImportRefused as exc:
        if not exc.issues:
            raise
        header = next(iter(text.splitlines()), "").split(",")
        raise ImportRefused([_short_row(i, header) for i in exc.issues]) from None


def _short_row(issue: Issue, header: list[str]) -> Issue:
    """A row of too few fields names the first column it lacks (the header's names are plain,
    so splitting the header line on commas is exact for these files)."""
    fields = (issue.value or "").removesuffix(" fields")
    if issue.column is None and fields.isdigit() and int(fields) < len(header):
        column = header[int(fields)].strip().strip('"')
        return Issue(issue.file, issue.line, column, issue.value, issue.rule)
    return issue


def _typed(raw: pd.DataFrame, name: str, label: str) -> pd.DataFrame:
    """Cells typed and checked with the file's model; CDB90's missing-value codes emptied
    first in the columns that use them (never in WINA, where -1 is a loss)."""
    coded = CODED_MISSING.get(name, ())
    cells = raw.copy()
    for column in coded:
        cells[column] = cells[column].mask(cells[column].isin([str(c) for c in MISSING_CODES]))
    return validate_raw(cells, FILE_MODELS[name], label)


def _same_battles(files: dict[str, pd.DataFrame], folder: Path) -> None:
    """Every file covers the same battles as the wide file; a file that stops early (cut at a
    line break) shows here as battles without rows."""
    wide = set(files[WIDE]["ISQNO"])
    belligerents = files["belligerents.csv"]
    covered = {
        "battles.csv": set(files["battles.csv"]["isqno"]),
        "belligerents.csv (attacker rows)": set(
            belligerents.loc[belligerents["attacker"] == 1, "isqno"]
        ),
        "belligerents.csv (defender rows)": set(
            belligerents.loc[belligerents["attacker"] == 0, "isqno"]
        ),
    }
    problems = []
    for what, isqnos in covered.items():
        name = what.split(" ")[0]
        frame = files[name]
        end = int(frame.index.max()) + 1
        lacking = sorted(wide - isqnos)
        if lacking:
            problems.append(
                Issue(
                    _label(folder, name),
                    end,
                    "isqno",
                    str(lacking[0]),
                    f"{len(lacking)} battles of {WIDE} have no row in {what} (first: isqno "
                    f"{lacking[0]}); is the file truncated?",
                )
            )
        extra = sorted(isqnos - wide)
        if extra:
            wide_end = int(files[WIDE].index.max()) + 1
            problems.append(
                Issue(
                    _label(folder, WIDE),
                    wide_end,
                    "ISQNO",
                    str(extra[0]),
                    f"{len(extra)} battles of {what} have no row here (first: isqno "
                    f"{extra[0]}); is the file truncated?",
                )
            )
    if problems:
        raise ImportRefused(problems)


def _disagreements(
    what: str, ours: pd.Series, theirs: pd.Series, names: pd.Series, count_label: str
) -> str:
    """A note on where two aligned series (index isqno) differ; missing equals missing."""
    both_missing = ours.isna() & theirs.isna()
    differ = ~both_missing & (ours.isna() | theirs.isna() | (ours != theirs).fillna(True))
    n = int(differ.sum())
    if not n:
        return f"{what}: agree for all {int((~both_missing).sum())} {count_label}."
    shown = ", ".join(
        f"{i} {names[i]} ({_show(ours[i])} vs {_show(theirs[i])})" for i in ours.index[differ][:5]
    )
    more = f" and {n - 5} more" if n > 5 else ""
    return f"{what}: {n} battles differ: {shown}{more}."


def _show(value: object) -> str:
    return "empty" if pd.isna(value) else str(value)


def _battles(files: dict[str, pd.DataFrame]) -> pd.DataFrame:
    wide = files[WIDE].sort_values("ISQNO")  # index: the line in the wide file
    tidy = files["battles.csv"].set_index("isqno")
    parent = tidy["parent"].reindex(wide["ISQNO"].to_numpy())
    terra1 = wide["TERRA1"].astype(str)
    post1 = wide["POST1"].where(wide["POST1"] != POSTURE_UNKNOWN)
    wina = wide["WINA"].astype("Int64")
    frame = pd.DataFrame(
        {
            "isqno": wide["ISQNO"],
            "name": wide["NAME"],
            "war": wide["WAR"],
            "year": wide["ATPBYR1"],
            "str_a": wide["STRA"],
            "str_d": wide["STRD"],
            "cas_a": wide["CASA"],
            "cas_d": wide["CASD"],
            "wina": wina.where(wina != WINA_UNKNOWN),
            "terra1": terra1,
            "rugged": terra1.str.startswith(RUGGED).astype("Int64"),
            "parent": pd.Series(parent.to_numpy(), index=wide.index, dtype="Int64"),
            "post1": post1,
            "source_id": SOURCE_ID,
        }
    )
    return frame[BATTLE_COLUMNS]


def _notes(files: dict[str, pd.DataFrame]) -> list[str]:
    wide = files[WIDE].set_index("ISQNO")
    names = wide["NAME"]
    bel = files["belligerents.csv"]
    attacker = bel[bel["attacker"] == 1].set_index("isqno").reindex(wide.index)
    defender = bel[bel["attacker"] == 0].set_index("isqno").reindex(wide.index)
    tidy = files["battles.csv"].set_index("isqno").reindex(wide.index)
    terrain = files["terrain.csv"]
    primary = terrain[terrain["terrano"] == 1].set_index("isqno")["terra1"].reindex(wide.index)
    first = wide["TERRA1"].str[0].where(wide["TERRA1"].str[0] != "0")
    no_strength = wide.index[wide["STRA"].isna() | wide["STRD"].isna()]
    unknown = wide.index[wide["WINA"] == WINA_UNKNOWN]
    blank_wina = tidy["wina"].isna() & (wide["WINA"] == -1)
    blank_unknown = tidy["wina"].isna() & (wide["WINA"] == WINA_UNKNOWN)
    tidy_wina = tidy["wina"].where(tidy["wina"].notna(), wide["WINA"].where(blank_wina))
    notes = [
        f"Outcomes (WINA) taken from {WIDE}: battles.csv leaves wina blank for "
        f"{int(tidy['wina'].isna().sum())} battles: {int(blank_wina.sum())} attacker losses "
        f"(-1 in the wide file) and {int(blank_unknown.sum())} unknown (-9).",
        "WINA -9 (unknown) left empty for "
        + (", ".join(f"isqno {i} {names[i]}" for i in unknown) or "no battle")
        + ".",
        "No attacker or defender strength (STRA/STRD -1) for "
        + (", ".join(f"isqno {i} {names[i]}" for i in no_strength) or "no battle")
        + ".",
        f"Missing-value codes {', '.join(map(str, MISSING_CODES))} of STRA, STRD, CASA, CASD "
        f"and ATPBYR1 left empty; casualties unknown for {int(wide['CASA'].isna().sum())} "
        f"attackers and {int(wide['CASD'].isna().sum())} defenders.",
        f"{int(tidy['parent'].notna().sum())} battles duplicate another (parent in battles.csv).",
        _disagreements(
            "STRA against belligerents.str (attacker)",
            wide["STRA"],
            attacker["str"],
            names,
            "battles",
        ),
        _disagreements(
            "STRD against belligerents.str (defender)",
            wide["STRD"],
            defender["str"],
            names,
            "battles",
        ),
        _disagreements(
            "CASA against belligerents.cas (attacker)",
            wide["CASA"],
            attacker["cas"],
            names,
            "battles",
        ),
        _disagreements(
            "CASD against belligerents.cas (defender)",
            wide["CASD"],
            defender["cas"],
            names,
            "battles",
        ),
        _disagreements(
            "WINA against battles.csv wina (where battles.csv gives one)",
            wide["WINA"].where(tidy["wina"].notna()).astype("Int64"),
            tidy_wina.where(tidy["wina"].notna()).astype("Int64"),
            names,
            "battles",
        ),
        _disagreements(
            "TERRA1 (first letter) against terrain.csv terra1 (terrano 1)",
            first,
            primary,
            names,
            "battles with a terrain code",
        ),
        _disagreements(
            "NAME against battles.csv name", wide["NAME"], tidy["name"], names, "battles"
        ),
    ]
    return notes


def _source() -> pd.DataFrame:
    return source_row(
        source_id=SOURCE_ID,
        kind="dataset",
        title="CAA Database of Battles, version 1990 (CDB90), imported",
        author="US Army Concepts Analysis Agency; data package by Jeffrey B. Arnold",
        publisher="GitHub (jrnold/CDB90)",
        published="1990",
        url="https://github.com/jrnold/CDB90",
        licence="ODC-BY (data package); original CAA files public domain",
        note="outcomes, strengths and casualties from src-data/CDB90-patched.csv (CDB91 "
        "corrections); parent from battles.csv",
    )


def read(path: Path) -> Imported:
    """The CDB90 folder as one `battles` table; refuses a folder missing a file, a file missing
    a column, a truncated file or a bad cell, naming file, line and column."""
    folder = Path(path)
    if not folder.is_dir():
        raise ImportRefused(
            f"{folder}: not a folder; give the CDB90 folder holding {', '.join(FILES)}"
        )
    for name in FILES:
        if not (folder / name).is_file():
            _read_rows(folder, name)  # raises, naming the file
    files = {name: _typed(_read_rows(folder, name), name, _label(folder, name)) for name in FILES}
    _same_battles(files, folder)
    return Imported(
        kind=KIND,
        tables={"battles": _battles(files)},
        sources=_source(),
        notes=_notes(files),
    )
