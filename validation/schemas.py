"""One pandera DataFrameModel per table of datasets/.

Column types here are the types after loading; `validation.tables` turns the raw text of a CSV into
these types cell by cell (so a bad cell is reported with its line), then runs these models for the
domain rules. Checks that span tables (country codes, source ids, event ids) are declared in
`REFERENCES` and run by `validation.tables`, because a model sees one table at a time.

The names and patterns the models use live in `validation.vocabulary`, which does not import
pandera, so that code that only needs a table's name does not pay for pandera's import.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

# The vocabulary is re-exported (see __all__): code that validates imports names and models from
# here alike.
from validation.vocabulary import (
    DAY,
    ISO3,
    MANPOWER_MEASURES,
    PARTIAL_DAY,
    QUALIFIERS,
    RANKING_INDICES,
    REFERENCES,
    SLUG,
    SNAKE,
    TABLES,
    WAR_END,
    WAR_START,
)


def _real_dates(dates: pd.Series) -> pd.Series:
    """Dates written in full (YYYY-MM-DD) name a day that exists (no 2020-02-30); missing and
    shorter ones (YYYY, YYYY-MM; their shape is checked by the pattern) pass."""
    full = dates.str.len().eq(10).fillna(False).astype(bool)
    days = pd.to_datetime(dates.where(full).astype(object), format="%Y-%m-%d", errors="coerce")
    return (~full | days.notna()).astype(bool)


def _range_ok(df: pd.DataFrame) -> pd.Series:
    """low <= value <= high wherever both ends of a comparison are present."""
    value, low, high = df["value"], df["low"], df["high"]
    ok = pd.Series(True, index=df.index)
    for a, b in ((low, value), (value, high), (low, high)):
        ok &= (a.isna() | b.isna() | (a <= b)).astype(bool)
    return ok


def _value_or_range(df: pd.DataFrame) -> pd.Series:
    """A row states a number: a value, or a range with both ends."""
    return (df["value"].notna() | (df["low"].notna() & df["high"].notna())).astype(bool)


def _qualifier_fits(df: pd.DataFrame) -> pd.Series:
    """'range' rows give low and high; 'up_to' gives high; 'at_least'/'more_than' give low."""
    q = df["qualifier"]
    ok = pd.Series(True, index=df.index)
    ok &= ~((q == "range") & (df["low"].isna() | df["high"].isna()))
    ok &= ~((q == "up_to") & df["high"].isna())
    ok &= ~(q.isin(["at_least", "more_than"]) & df["low"].isna())
    return ok.astype(bool)


class Sources(pa.DataFrameModel):
    source_id: Series[str] = pa.Field(str_matches=SLUG)
    kind: Series[str] = pa.Field(
        isin=[
            "essay",
            "index",
            "database",
            "news",
            "encyclopedia",
            "official",
            "article",
            "dataset",
        ]
    )
    title: Series[str] = pa.Field(str_length={"min_value": 1})
    author: Series[str] = pa.Field(nullable=True)
    publisher: Series[str] = pa.Field(nullable=True)
    published: Series[str] = pa.Field(nullable=True, str_matches=PARTIAL_DAY)
    url: Series[str] = pa.Field(nullable=True, str_matches=r"^https?://\S+$")
    accessed: Series[str] = pa.Field(nullable=True, str_matches=DAY)
    licence: Series[str] = pa.Field(str_length={"min_value": 1})
    note: Series[str] = pa.Field(nullable=True)

    @pa.check("published", "accessed", error="must be a real date (YYYY-MM-DD)")
    def real_date(cls, dates: pd.Series) -> pd.Series:
        return _real_dates(dates)

    class Config:
        strict = True
        coerce = True
        unique = ["source_id"]


class Countries(pa.DataFrameModel):
    iso3: Series[str] = pa.Field(str_matches=ISO3)
    name: Series[str] = pa.Field(str_length={"min_value": 1})
    region: Series[str] = pa.Field(str_length={"min_value": 1})

    class Config:
        strict = True
        coerce = True
        unique = ["iso3"]


class Manpower(pa.DataFrameModel):
    country: Series[str] = pa.Field(str_matches=ISO3)
    year: Series[pd.Int64Dtype] = pa.Field(ge=1800, le=2100)
    measure: Series[str] = pa.Field(isin=list(MANPOWER_MEASURES))
    value: Series[float] = pa.Field(nullable=True, ge=0)
    low: Series[float] = pa.Field(nullable=True, ge=0)
    high: Series[float] = pa.Field(nullable=True, ge=0)
    qualifier: Series[str] = pa.Field(isin=QUALIFIERS)
    source_id: Series[str] = pa.Field(str_matches=SLUG)
    note: Series[str] = pa.Field(nullable=True)

    @pa.dataframe_check(error="low,value,high|low <= value <= high")
    def range_ordered(cls, df: pd.DataFrame) -> pd.Series:
        return _range_ok(df)

    @pa.dataframe_check(error="value,low,high|value is empty: give low and high")
    def value_or_range(cls, df: pd.DataFrame) -> pd.Series:
        return _value_or_range(df)

    @pa.dataframe_check(error="qualifier,low,high|qualifier needs its bound (low/high)")
    def qualifier_fits(cls, df: pd.DataFrame) -> pd.Series:
        return _qualifier_fits(df)

    class Config:
        strict = True
        coerce = True
        unique = ["country", "year", "measure", "source_id"]


def _scale_index(scale: str) -> str | None:
    """The index a score scale belongs to: the longest index its name starts with + '_'."""
    fits = [i for i in RANKING_INDICES if scale.startswith(i + "_")]
    return max(fits, key=len) if fits else None


class Rankings(pa.DataFrameModel):
    # gmi_revised: BICC's revised all-years series (imported), not the annual editions' ranks.
    index: Series[str] = pa.Field(isin=list(RANKING_INDICES))
    edition: Series[pd.Int64Dtype] = pa.Field(ge=1990, le=2100)
    country: Series[str] = pa.Field(str_matches=ISO3)
    rank: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)
    of_countries: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)
    score: Series[float] = pa.Field(nullable=True, ge=0)
    score_scale: Series[str] = pa.Field(
        nullable=True, isin=["gfp_powerindex", "gmi_points_1000", "gmi_revised_points"]
    )
    source_id: Series[str] = pa.Field(str_matches=SLUG)
    note: Series[str] = pa.Field(nullable=True)

    @pa.dataframe_check(error="rank,of_countries|rank between 1 and of_countries")
    def rank_within_field(cls, df: pd.DataFrame) -> pd.Series:
        r, n = df["rank"], df["of_countries"]
        return (r.isna() | n.isna() | (r <= n)).astype(bool)

    @pa.dataframe_check(error="rank,score|row gives neither rank nor score")
    def rank_or_score(cls, df: pd.DataFrame) -> pd.Series:
        return (df["rank"].notna() | df["score"].notna()).astype(bool)

    @pa.dataframe_check(error="score,score_scale|score needs a score_scale and a scale a score")
    def score_has_scale(cls, df: pd.DataFrame) -> pd.Series:
        return (df["score"].isna() == df["score_scale"].isna()).astype(bool)

    @pa.dataframe_check(error="index,score_scale|score_scale does not belong to this index")
    def scale_matches_index(cls, df: pd.DataFrame) -> pd.Series:
        # A scale belongs to the longest index its name starts with: gmi_points_1000 -> gmi,
        # gmi_revised_points -> gmi_revised.
        scale, index = df["score_scale"], df["index"]
        belongs = pd.Series(
            [
                isinstance(s, str) and isinstance(i, str) and _scale_index(s) == i
                for s, i in zip(scale, index, strict=True)
            ],
            index=df.index,
        )
        return (scale.isna() | belongs).astype(bool)

    class Config:
        strict = True
        coerce = True
        unique = ["index", "edition", "country", "source_id"]


class Equipment(pa.DataFrameModel):
    country: Series[str] = pa.Field(str_matches=ISO3)
    year: Series[pd.Int64Dtype] = pa.Field(ge=1800, le=2100)
    category: Series[str] = pa.Field(
        isin=[
            "tanks",
            "afv",
            "sp_artillery",
            "towed_artillery",
            "mlrs",
            "aircraft_total",
            "fighters",
            "attack_aircraft",
            "helicopters",
            "attack_helicopters",
            "air_defence_systems",
            "uav",
            "naval_total",
        ]
    )
    value: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    low: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    high: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    source_id: Series[str] = pa.Field(str_matches=SLUG)
    note: Series[str] = pa.Field(nullable=True)

    @pa.dataframe_check(error="low,value,high|low <= value <= high")
    def range_ordered(cls, df: pd.DataFrame) -> pd.Series:
        return _range_ok(df)

    @pa.dataframe_check(error="value,low,high|value is empty: give low and high")
    def value_or_range(cls, df: pd.DataFrame) -> pd.Series:
        return _value_or_range(df)

    class Config:
        strict = True
        coerce = True
        unique = ["country", "year", "category", "source_id"]


class Spending(pa.DataFrameModel):
    country: Series[str] = pa.Field(str_matches=ISO3)
    year: Series[pd.Int64Dtype] = pa.Field(ge=1800, le=2100)
    measure: Series[str] = pa.Field(
        isin=[
            "milex_current_usd_m",
            "milex_constant2019_usd_m",
            "milex_share_gdp_pct",
            "defence_budget_usd_m",
        ]
    )
    value: Series[float] = pa.Field(ge=0)
    unit: Series[str] = pa.Field(isin=["usd_m", "percent"])
    source_id: Series[str] = pa.Field(str_matches=SLUG)
    note: Series[str] = pa.Field(nullable=True)

    @pa.dataframe_check(error="value,unit|share of GDP must lie within 0-100 percent")
    def share_is_percent(cls, df: pd.DataFrame) -> pd.Series:
        return ((df["unit"] != "percent") | (df["value"] <= 100)).astype(bool)

    @pa.dataframe_check(error="measure,unit|unit does not fit the measure")
    def unit_fits_measure(cls, df: pd.DataFrame) -> pd.Series:
        expected = df["measure"].map(lambda m: "percent" if str(m).endswith("_pct") else "usd_m")
        return (df["unit"] == expected).astype(bool)

    class Config:
        strict = True
        coerce = True
        unique = ["country", "year", "measure", "source_id"]


class Attrition(pa.DataFrameModel):
    figure_id: Series[str] = pa.Field(str_matches=SLUG)
    date_start: Series[pd.Timestamp] = pa.Field(ge=WAR_START, le=WAR_END)
    date_end: Series[pd.Timestamp] = pa.Field(ge=WAR_START, le=WAR_END)
    side: Series[str] = pa.Field(str_matches=ISO3)
    subject: Series[str] = pa.Field(str_matches=SNAKE)
    measure: Series[str] = pa.Field(
        isin=[
            "destroyed_share",
            "destroyed",
            "killed",
            "missing",
            "wounded",
            "deserted",
            "encircled",
            "losses",
            "lost",
            "struck",
            "sorties",
            "confirmed_losses",
            "shot_down",
            "present",
        ]
    )
    value: Series[float] = pa.Field(nullable=True, ge=0)
    low: Series[float] = pa.Field(nullable=True, ge=0)
    high: Series[float] = pa.Field(nullable=True, ge=0)
    qualifier: Series[str] = pa.Field(isin=QUALIFIERS)
    unit: Series[str] = pa.Field(isin=["percent", "persons", "items", "targets", "sorties"])
    event_id: Series[str] = pa.Field(nullable=True, str_matches=SLUG)
    source_id: Series[str] = pa.Field(str_matches=SLUG)
    locator: Series[str] = pa.Field(str_length={"min_value": 1})
    note: Series[str] = pa.Field(nullable=True)

    @pa.dataframe_check(error="date_start,date_end|date_start after date_end")
    def dates_ordered(cls, df: pd.DataFrame) -> pd.Series:
        return (df["date_start"] <= df["date_end"]).astype(bool)

    @pa.dataframe_check(error="low,value,high|low <= value <= high")
    def range_ordered(cls, df: pd.DataFrame) -> pd.Series:
        return _range_ok(df)

    @pa.dataframe_check(error="value,low,high|value is empty: give low and high")
    def value_or_range(cls, df: pd.DataFrame) -> pd.Series:
        return _value_or_range(df)

    @pa.dataframe_check(error="qualifier,low,high|qualifier needs its bound (low/high)")
    def qualifier_fits(cls, df: pd.DataFrame) -> pd.Series:
        return _qualifier_fits(df)

    @pa.dataframe_check(error="value,low,high,unit|a share must lie within 0-100 percent")
    def share_is_percent(cls, df: pd.DataFrame) -> pd.Series:
        pct = df["unit"] == "percent"
        within = pd.Series(True, index=df.index)
        for col in ("value", "low", "high"):
            within &= (df[col].isna() | (df[col] <= 100)).astype(bool)
        return (~pct | within).astype(bool)

    class Config:
        strict = True
        coerce = True
        unique = ["figure_id"]


class Events(pa.DataFrameModel):
    event_id: Series[str] = pa.Field(str_matches=SLUG)
    date: Series[pd.Timestamp] = pa.Field(ge=WAR_START, le=WAR_END)
    place: Series[str] = pa.Field(nullable=True)
    kind: Series[str] = pa.Field(
        isin=[
            "offensive",
            "liberation",
            "counterattack",
            "strike",
            "shootdown",
            "agreement",
            "exercise",
            "cyber",
            "other",
        ]
    )
    label: Series[str] = pa.Field(str_length={"min_value": 1, "max_value": 80})
    source_id: Series[str] = pa.Field(str_matches=SLUG)
    locator: Series[str] = pa.Field(str_length={"min_value": 1})

    class Config:
        strict = True
        coerce = True
        unique = ["event_id"]


class Doctrine(pa.DataFrameModel):
    rule_id: Series[str] = pa.Field(str_matches=SLUG)
    operation: Series[str] = pa.Field(str_matches=SNAKE)
    terrain: Series[str] = pa.Field(isin=["general", "mountain"])
    min_ratio: Series[float] = pa.Field(gt=0)
    source_id: Series[str] = pa.Field(str_matches=SLUG)
    note: Series[str] = pa.Field(nullable=True)

    class Config:
        strict = True
        coerce = True
        unique = ["rule_id"]


class EssayFigures(pa.DataFrameModel):
    figure_id: Series[str] = pa.Field(str_matches=SLUG)
    topic: Series[str] = pa.Field(
        isin=[
            "terrain",
            "fortification",
            "peacekeeping",
            "weapon_range",
            "arms_transfer",
            "civilians",
            "air_war",
            "other",
        ]
    )
    subject: Series[str] = pa.Field(str_matches=SNAKE)
    measure: Series[str] = pa.Field(str_matches=SNAKE)
    value: Series[float] = pa.Field(nullable=True, ge=0)
    low: Series[float] = pa.Field(nullable=True, ge=0)
    high: Series[float] = pa.Field(nullable=True, ge=0)
    qualifier: Series[str] = pa.Field(isin=QUALIFIERS)
    unit: Series[str] = pa.Field(str_matches=SNAKE)
    date: Series[pd.Timestamp] = pa.Field(nullable=True)
    source_id: Series[str] = pa.Field(str_matches=SLUG)
    locator: Series[str] = pa.Field(str_length={"min_value": 1})
    note: Series[str] = pa.Field(nullable=True)

    @pa.dataframe_check(error="low,value,high|low <= value <= high")
    def range_ordered(cls, df: pd.DataFrame) -> pd.Series:
        return _range_ok(df)

    @pa.dataframe_check(error="value,low,high|value is empty: give low and high")
    def value_or_range(cls, df: pd.DataFrame) -> pd.Series:
        return _value_or_range(df)

    @pa.dataframe_check(error="qualifier,low,high|qualifier needs its bound (low/high)")
    def qualifier_fits(cls, df: pd.DataFrame) -> pd.Series:
        return _qualifier_fits(df)

    class Config:
        strict = True
        coerce = True
        unique = ["figure_id"]


class TdiForceRatio(pa.DataFrameModel):
    # Published attacker success by force-ratio bin (The Dupuy Institute); one row per bin.
    table_id: Series[str] = pa.Field(str_matches=SLUG)
    database: Series[str] = pa.Field(str_length={"min_value": 1})
    row: Series[pd.Int64Dtype] = pa.Field(ge=1)
    bound_low_published: Series[str] = pa.Field(str_length={"min_value": 1})
    bound_high_published: Series[str] = pa.Field(nullable=True)
    ratio_low: Series[float] = pa.Field(gt=0)
    ratio_high: Series[float] = pa.Field(nullable=True, gt=0)
    # text, not bool: a CSV cell "false" would coerce to True
    corrected: Series[str] = pa.Field(isin=["true", "false"])
    attacker_wins_pct: Series[float] = pa.Field(nullable=True, ge=0, le=100)
    attacker_fails_pct: Series[float] = pa.Field(nullable=True, ge=0, le=100)
    wins: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)
    n: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)
    source_id: Series[str] = pa.Field(str_matches=SLUG)
    note: Series[str] = pa.Field(nullable=True)

    @pa.dataframe_check(error="ratio_low,ratio_high|ratio_low <= ratio_high")
    def ratios_ordered(cls, df: pd.DataFrame) -> pd.Series:
        return (df["ratio_high"].isna() | (df["ratio_low"] <= df["ratio_high"])).astype(bool)

    @pa.dataframe_check(error="wins,n|wins <= n")
    def wins_within_cases(cls, df: pd.DataFrame) -> pd.Series:
        return (df["wins"].isna() | df["n"].isna() | (df["wins"] <= df["n"])).astype(bool)

    @pa.dataframe_check(error="wins,n|give wins and n together, or neither")
    def wins_with_cases(cls, df: pd.DataFrame) -> pd.Series:
        return (df["wins"].isna() == df["n"].isna()).astype(bool)

    @pa.dataframe_check(error="attacker_wins_pct,wins,n|row gives neither a percentage nor counts")
    def states_a_rate(cls, df: pd.DataFrame) -> pd.Series:
        return (df["attacker_wins_pct"].notna() | df["n"].notna()).astype(bool)

    @pa.dataframe_check(
        error="attacker_wins_pct,wins,n|wins / n does not round to the published percentage"
    )
    def wins_fit_percentage(cls, df: pd.DataFrame) -> pd.Series:
        # a published whole percentage p admits counts k with |100 k / n - p| <= 0.5
        gap = (100 * df["wins"] / df["n"] - df["attacker_wins_pct"]).abs()
        return (gap.isna() | (gap <= 0.5 + 1e-9)).astype(bool)

    @pa.dataframe_check(
        error="attacker_wins_pct,attacker_fails_pct|wins and failures must add up to 100 percent"
    )
    def shares_add_up(cls, df: pd.DataFrame) -> pd.Series:
        total = df["attacker_wins_pct"] + df["attacker_fails_pct"]
        return (total.isna() | ((total - 100).abs() < 1e-9)).astype(bool)

    @pa.dataframe_check(error="corrected,note|a corrected row says in its note what was read")
    def correction_explained(cls, df: pd.DataFrame) -> pd.Series:
        return ((df["corrected"] != "true") | df["note"].notna()).astype(bool)

    class Config:
        strict = True
        coerce = True
        unique = ["table_id", "row"]


# table name -> model, in the order of TABLES: the order of loading (referenced tables first).
MODELS: dict[str, type[pa.DataFrameModel]] = {
    "sources": Sources,
    "countries": Countries,
    "events": Events,
    "manpower": Manpower,
    "rankings": Rankings,
    "equipment": Equipment,
    "spending": Spending,
    "attrition": Attrition,
    "doctrine": Doctrine,
    "essay_figures": EssayFigures,
    "tdi_force_ratio": TdiForceRatio,
}

__all__ = [
    "DAY",
    "ISO3",
    "MANPOWER_MEASURES",
    "MODELS",
    "PARTIAL_DAY",
    "QUALIFIERS",
    "RANKING_INDICES",
    "REFERENCES",
    "SLUG",
    "SNAKE",
    "TABLES",
    "WAR_END",
    "WAR_START",
    "Attrition",
    "Countries",
    "Doctrine",
    "Equipment",
    "EssayFigures",
    "Events",
    "Manpower",
    "Rankings",
    "Sources",
    "Spending",
    "TdiForceRatio",
]
