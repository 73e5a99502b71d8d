"""Rankings over the years: rank per edition with a fitted trend, and the gap between two countries.

Several reports may give different ranks for one edition; the trend uses their mean, and the chart
marks those editions with the range of reported ranks and the reports behind it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from dashboard.charts import Chart, derived, register
from dashboard.charts.common import (
    ALL_SOURCES,
    chosen_source,
    columns,
    compact,
    concat_rows,
    country_label,
    country_name,
    pick,
    rounded,
    source_choice_labels,
    source_param,
)
from dashboard.params import Param
from dashboard.style import base_layout, country_colour, fmt_number, rgba
from indicators.common import IndicatorError, column_arrays, frame_of
from indicators.rankings import fit_rank_trend, rank_gap_columns, rank_series
from validation import Catalog
from validation.vocabulary import RANKING_INDICES


def ranked_countries(catalog: Catalog) -> tuple[str, ...]:
    """Countries with at least one row in the rankings table, for any index (the same tuple
    while the table is the same object)."""
    rankings = catalog["rankings"]
    return derived(
        "ranked-countries", (rankings,), lambda: tuple(sorted(rankings["country"].unique()))
    )


def ranking_indices(catalog: Catalog) -> tuple[str, ...]:
    """The indices the rankings table holds, in RANKING_INDICES order: GFP and GMI editions,
    and BICC's revised GMI series once `milbal import gmi` has stored it."""
    rankings = catalog["rankings"]

    def present() -> tuple[str, ...]:
        held = set(rankings["index"])
        return tuple(i for i in RANKING_INDICES if i in held)

    return derived("ranking-indices", (rankings,), present)


def _rank_sources(catalog: Catalog) -> tuple[str, ...]:
    """'all' and every source that gives a rank, in table order."""
    rankings = catalog["rankings"]
    return derived(
        "rank-sources",
        (rankings,),
        lambda: (ALL_SOURCES, *dict.fromkeys(rankings.loc[rankings["rank"].notna(), "source_id"])),
    )


def _rank_sources_for(catalog: Catalog, values: Mapping[str, Any]) -> tuple[str, ...]:
    """'all' and the sources that rank every chosen country in the chosen index: each of them
    alone draws both charts of /rankings."""
    cols = column_arrays(catalog["rankings"])
    ranked = (cols["index"] == values["index"]) & ~pd.isna(cols["rank"])
    by_country = [
        set(cols["source_id"][ranked & (cols["country"] == c)]) for c in values["countries"]
    ]
    common = set.intersection(*by_country) if by_country else set()
    return (ALL_SOURCES, *(s for s in dict.fromkeys(cols["source_id"][ranked]) if s in common))


INDEX_NAMES = {
    "gfp": "Global Firepower",
    "gmi": "Global Militarisation Index",
    "gmi_revised": "Global Militarisation Index (BICC's revised series)",
}
INDEX = Param(
    "index", "Ranking", "choice", "gfp", ranking_indices, words=lambda v: INDEX_NAMES.get(v, v)
)
COUNTRIES = Param(
    "countries", "Countries", "multi", ("AZE", "ARM"), ranked_countries, words=country_label
)
SOURCE = source_param(_rank_sources, _rank_sources_for)
TREND_WORDS = {"show": "Show trend", "hide": "Hide trend"}
TREND = Param(
    "trend",
    "Fitted trend",
    "choice",
    "show",
    tuple(TREND_WORDS),
    words=lambda v: TREND_WORDS.get(v, str(v)),
)


def trend_shown(p: Mapping[str, Any]) -> bool:
    """Whether the fitted trend is drawn (the trend parameter; shown unless hidden)."""
    return p.get("trend", TREND.default) != "hide"


def _table(catalog: Catalog, p: Mapping[str, Any]) -> pd.DataFrame:
    """The rankings table, or its rows from the chosen source (one frame per source, kept while
    the table is the same object, so the derived series below are computed once per source)."""
    rankings = catalog["rankings"]
    source = chosen_source(p)
    if source is None:
        return rankings
    return derived(
        f"rankings-from-{source}",
        (rankings,),
        lambda: rankings[rankings["source_id"] == source].reset_index(drop=True),
    )


RANK_TITLES = {
    "gfp": "Rank (1 = strongest)",
    "gmi": "Rank (1 = most militarised)",
    "gmi_revised": "Rank (1 = most militarised)",
}
EDITION_TITLE = "Edition (report year)"
# The trend is an OLS fit; fit_rank_trend skips countries with fewer ranked editions than this.
MIN_TREND_EDITIONS = 3
TREND_COLUMNS = ["slope", "slope_ci_low", "slope_ci_high", "n"]


def _reported(
    rankings: pd.DataFrame, index: str, countries: list[str], labels: Mapping[str, str]
) -> pd.Series:
    """(country, edition) -> 'source: rank; ...' for every report that gives a rank, each
    source in people's words (labels)."""
    rows = rankings[
        (rankings["index"] == index)
        & rankings["country"].isin(countries)
        & rankings["rank"].notna()
    ]
    named = rows["source_id"].map(lambda sid: labels.get(sid, sid))
    text = named + ": " + rows["rank"].astype(int).astype(str)
    return text.groupby([rows["country"], rows["edition"]]).agg("; ".join)


TREND_DATA_COLUMNS = [
    "index",
    "country",
    "edition",
    "series",
    "rank",
    "rank_min",
    "rank_max",
    "n_reports",
    "reports_differ",
    "reported",
    "ci_low",
    "ci_high",
    *TREND_COLUMNS,
    "unit",
    "source_id",
]


def _country_series(rankings: pd.DataFrame, index: str, country: str) -> pd.DataFrame:
    """rank_series for one country, computed once per rankings table."""
    return derived(
        f"rank-series-{index}-{country}",
        (rankings,),
        lambda: rank_series(rankings, index, [country]),
    )


def _country_trend_rows(
    rankings: pd.DataFrame, index: str, country: str, labels: Mapping[str, str]
) -> pd.DataFrame:
    """One country's observed ranks and fitted trend (the trend is fitted per country)."""
    series = _country_series(rankings, index, country)
    observed = series.dropna(subset=["rank"]).copy()
    fitted, slopes = fit_rank_trend(series)
    reported = _reported(rankings, index, [country], labels)
    observed["series"] = "observed"
    observed["reports_differ"] = observed["rank_min"] != observed["rank_max"]
    observed["reported"] = [reported.get((country, e), "") for e in observed["edition"]]
    trend = fitted.rename(columns={"fitted_rank": "rank"}).merge(
        slopes.rename(
            columns={"estimate": "slope", "ci_low": "slope_ci_low", "ci_high": "slope_ci_high"}
        )[["country", "source_id", *TREND_COLUMNS]],
        on="country",
    )
    trend = trend.assign(index=index, series="trend")
    out = pd.concat([observed, trend], ignore_index=True).assign(unit="rank")
    out = out.sort_values(["series", "edition"], ignore_index=True)
    return out.reindex(columns=TREND_DATA_COLUMNS)


def _listed(rankings: pd.DataFrame, index: str) -> frozenset:
    """Countries with rows in this index."""
    return derived(
        f"rankings-listed-{index}",
        (rankings,),
        lambda: frozenset(rankings.loc[rankings["index"] == index, "country"]),
    )


def rankings_trend_data(catalog, p: Mapping[str, Any]) -> pd.DataFrame:
    """Observed ranks (series 'observed') and the fitted trend with its band (series 'trend').

    Chosen countries absent from this index are left out (the caption names them); trend rows
    carry the country's slope in ranks per year, its confidence interval and n. Each country's
    rows are computed once (a fit each) and reused by every selection that includes it.
    """
    index, chosen = p["index"], list(p["countries"])
    rankings = _table(catalog, p)
    labels = source_choice_labels(catalog)
    listed = _listed(rankings, index)
    present = [c for c in chosen if c in listed]
    if not present:
        raise IndicatorError(f"{', '.join(chosen)}: no rows in the {index} rankings")
    parts = [
        derived(
            f"rankings-trend-{index}-{c}",
            (rankings, labels),  # the labels: one dict per sources table
            lambda c=c: compact(_country_trend_rows(rankings, index, c, labels)),
        )
        for c in present
    ]
    # Each part is sorted by series then edition, so in the chosen order they are sorted.
    if not any(len(part) and part["series"].iat[0] == "observed" for part in parts):
        raise IndicatorError(f"{', '.join(present)}: no {index} edition gives a rank")
    if not trend_shown(p):  # the trend hidden: neither drawn nor in the chart's data
        parts = [
            derived(
                f"rankings-observed-{index}-{c}",
                (rankings, labels),
                lambda part=part: compact(
                    part[part["series"].to_numpy() == "observed"].reset_index(drop=True)
                ),
            )
            for c, part in zip(present, parts, strict=True)
        ]
    return concat_rows(parts)


def _countries_in_order(shown_in_data: np.ndarray, p: Mapping[str, Any]) -> list[str]:
    shown = set(shown_in_data)
    return [c for c in p["countries"] if c in shown]


def _with_gaps(editions: np.ndarray) -> tuple[list[int], list[int | None]]:
    """Every year from the first edition to the last, and for each the position of its row
    (None where the country has no rank that year: the line breaks there)."""
    years = editions.astype(int)
    if not len(years):
        return [], []
    at = {int(e): i for i, e in enumerate(years)}
    span = list(range(int(years.min()), int(years.max()) + 1))
    return span, [at.get(y) for y in span]


def _filled(values: list, where: list[int | None], empty: Any = None) -> list:
    """values placed at the positions `where` gives, `empty` in the gaps."""
    return [empty if i is None else values[i] for i in where]


def _observed_trace(rows: Mapping[str, np.ndarray], country: str) -> dict:
    """A country's ranks, one point per edition, the line broken at years without a rank."""
    colour = country_colour(country)
    name = country_name(country)
    differ = rows["reports_differ"].astype(bool)
    rank = rows["rank"].astype(float)
    hover = [
        f"{name} {e}: rank {fmt_number(r)}"
        + (f" (mean of {int(n)} reports: {rep})" if d else f" ({rep})")
        for e, r, n, d, rep in zip(
            rows["edition"], rank, rows["n_reports"], differ, rows["reported"], strict=True
        )
    ]
    years, where = _with_gaps(rows["edition"])
    return {
        "type": "scatter",
        "mode": "lines+markers",
        "name": name,
        "legendgroup": country,
        "showlegend": False,
        "connectgaps": False,
        "x": years,
        "y": _filled(rounded(rank), where),
        "line": {"color": colour, "width": 2},
        "marker": {
            "color": colour,
            "size": _filled([11 if d else 8 for d in differ], where, 8),
            "symbol": _filled(["diamond" if d else "circle" for d in differ], where, "circle"),
        },
        "error_y": {
            "type": "data",
            "symmetric": False,
            "array": _filled(rounded(rows["rank_max"].astype(float) - rank), where, 0),
            "arrayminus": _filled(rounded(rank - rows["rank_min"].astype(float)), where, 0),
            "color": colour,
            "thickness": 2,
            "width": 0,  # no caps: a single report draws no bar at all
        },
        "hovertext": _filled(hover, where, ""),
        "hoverinfo": "text",
    }


# No rank is better than 1: the fitted trend and its band stop there.
TOP_RANK = 1.0


def _at_most_top(values: Any) -> list[float]:
    """Fitted ranks with those better than rank 1 (below 1) put at 1."""
    return rounded(np.maximum(np.asarray(values, dtype=float), TOP_RANK))


def _trend_traces(rows: Mapping[str, np.ndarray], country: str) -> list[dict]:
    """The fitted trend, faint: a thin dotted line over a pale 95% band, both kept at or below
    rank 1 (a rank better than 1 does not exist)."""
    colour = country_colour(country)
    name = country_name(country)
    x = rows["edition"].astype(int).tolist()
    band = {
        "type": "scatter",
        "mode": "lines",
        "name": f"{name}: trend 95% band",
        "legendgroup": country,
        "showlegend": False,
        "x": x + x[::-1],
        "y": _at_most_top(rows["ci_high"]) + _at_most_top(rows["ci_low"])[::-1],
        "fill": "toself",
        "fillcolor": rgba(colour, 0.08),
        "line": {"width": 0, "color": colour},
        "hoverinfo": "skip",
    }
    line = {
        "type": "scatter",
        "mode": "lines",
        "name": f"{name}: fitted trend",
        "legendgroup": country,
        "showlegend": False,
        "x": x,
        "y": _at_most_top(rows["rank"]),
        "opacity": 0.7,
        "line": {"color": colour, "width": 1.2, "dash": "dot"},
        "hovertemplate": (
            f"{name}, fitted trend %{{x}}: rank %{{y:.1f}} "
            f"({rows['slope'][0]:+.2f} ranks a year)<extra></extra>"
        ),
    }
    return [band, line]


TREND_KEY = "fitted trend (shaded: 95% band)"


def _trend_key() -> dict:
    """A legend entry for the dotted trend lines (no points of its own)."""
    return {
        "type": "scatter",
        "mode": "lines",
        "name": TREND_KEY,
        "x": [None],
        "y": [None],
        "line": {"color": "#666666", "width": 1.2, "dash": "dot"},
        "hoverinfo": "skip",
    }


DIFFER_NAME = "reports differ (bar: range of reported ranks)"


def _differ_trace(rows: Mapping[str, np.ndarray]) -> dict | None:
    if not len(rows["edition"]):
        return None
    return {
        "type": "scatter",
        "mode": "markers",
        "name": DIFFER_NAME,
        "x": rows["edition"].astype(int).tolist(),
        "y": rounded(rows["rank"]),
        "marker": {
            "symbol": "diamond-open",
            "size": 17,
            "color": "#333333",
            "line": {"width": 1.5},
        },
        "hovertext": [
            f"{country_name(c)} {e}: reports differ: {rep}"
            for c, e, rep in zip(rows["country"], rows["edition"], rows["reported"], strict=True)
        ],
        "hoverinfo": "text",
    }


def _differing(cols: Mapping[str, np.ndarray]) -> np.ndarray:
    """Observed rows whose reports give different ranks (trend rows have no such flag)."""
    observed = cols["series"] == "observed"
    return observed & np.array([d is True or d == 1 for d in cols["reports_differ"]], dtype=bool)


# Direct labels: the plot is about PLOT_PX tall at the chart's height; labels closer than
# LABEL_PX are moved apart (yshift) so that two countries ending at near ranks stay readable.
HEIGHT = 440
PLOT_PX = 300
LABEL_PX = 17
LABEL_FONT = 12


def _end_labels(ends: list[tuple[str, float, float]], lo: float, hi: float) -> list[dict]:
    """One label per country beside its last point: (country, edition, rank) each; lo and hi
    are the ranks at the top and the bottom of the axis."""
    span = max(hi - lo, 1.0)
    order = sorted(ends, key=lambda e: e[2])  # rank 1 on top: smallest rank first
    wanted = [(r - lo) / span * PLOT_PX for _, _, r in order]  # px down from the top
    placed: list[float] = []
    for px in wanted:
        placed.append(max(px, placed[-1] + LABEL_PX) if placed else px)
    # Pushed past the bottom: move the whole column up as far as it went over.
    over = placed[-1] - PLOT_PX if placed else 0
    if over > 0:
        placed = [px - over for px in placed]
        for i in range(len(placed) - 1, 0, -1):  # keep the gaps from the bottom up
            placed[i - 1] = min(placed[i - 1], placed[i] - LABEL_PX)
    return [
        {
            "x": edition,
            "y": rank,
            "xref": "x",
            "yref": "y",
            "text": country_name(country),
            "showarrow": False,
            "xanchor": "left",
            "xshift": 14,
            "yshift": round(px0 - px, 1),  # yshift is upwards; px counts down
            "font": {"color": country_colour(country), "size": LABEL_FONT},
        }
        for (country, edition, rank), px, px0 in zip(order, placed, wanted, strict=True)
    ]


def _rank_range(cols: Mapping[str, np.ndarray]) -> tuple[float, float]:
    """The ranks at the top and the bottom of the axis: every point, bar and band with a
    margin, the top no better than just above rank 1."""
    observed = cols["series"] == "observed"
    values = [cols[c][observed] for c in ("rank_min", "rank_max")]
    values += [
        np.maximum(cols[c][~observed].astype(float), TOP_RANK) for c in ("ci_low", "ci_high")
    ]
    every = np.concatenate([np.asarray(v, dtype=float) for v in values])
    every = every[~np.isnan(every)]
    if not len(every):
        return 0.5, 2.0
    lo, hi = float(every.min()), float(every.max())
    pad = max((hi - lo) * 0.05, 0.5)
    return max(lo - pad, 0.5), hi + pad


def _edition_ticks(editions: np.ndarray) -> dict:
    """Whole years only. Over a short span every year is ticked; over a longer one plotly
    spaces the ticks by the width it has (every year on a wide screen, every second or fifth
    on a phone), never closer than a year."""
    years = editions.astype(int)
    span = int(years.max() - years.min()) if len(years) else 0
    if span <= 5:
        return {"tick0": int(years.min()) if len(years) else 0, "dtick": 1}
    return {}


def rankings_trend_figure(data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    cols = columns(data)
    traces: list[dict] = []
    observed = cols["series"] == "observed"
    ends: list[tuple[str, float, float]] = []
    for country in _countries_in_order(cols["country"], p):
        mine = cols["country"] == country
        trend = mine & ~observed
        if trend.any():
            traces += _trend_traces(pick(cols, trend), country)
        rows = pick(cols, mine & observed)
        traces.append(_observed_trace(rows, country))
        if len(rows["edition"]):
            last = int(np.argmax(rows["edition"].astype(int)))
            ends.append((country, int(rows["edition"][last]), float(rows["rank"][last])))
    keys = [_trend_key()] if (~observed).any() else []
    differ = _differ_trace(pick(cols, _differing(cols)))
    if differ is not None:
        keys.append(differ)
    traces += keys
    lo, hi = _rank_range(cols)
    editions = cols["edition"][observed].astype(int)
    longest = max((len(country_name(c)) for c, _, _ in ends), default=0)
    return {
        "data": traces,
        "layout": base_layout(
            height=HEIGHT,
            hovermode="closest",
            showlegend=bool(keys),  # the keys only: the countries are named at their lines
            legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom"},
            # Room on the right for the country names beside the last points.
            margin={"t": 20, "b": 40, "r": 20 + round(longest * LABEL_FONT * 0.6)},
            annotations=_end_labels(ends, lo, hi),
            xaxis={
                "title": {"text": EDITION_TITLE, "standoff": 8},
                # Fixed: an automatic range would widen to hold the labels at the line ends.
                "range": [int(editions.min()) - 0.5, int(editions.max()) + 0.5]
                if len(editions)
                else None,
                **_edition_ticks(editions),
                "tickformat": "d",
            },
            yaxis={
                "title": {"text": RANK_TITLES[p["index"]]},
                "range": [hi, lo],  # reversed: rank 1 on top
                "nticks": 6,
            },
        ),
    }


def rankings_trend_caption(data: pd.DataFrame, p: Mapping[str, Any]) -> str:
    index = p["index"]
    named = INDEX_NAMES[index]
    cols = columns(data)
    observed = cols["series"] == "observed"
    slopes, with_trend = [], []
    for i in np.flatnonzero(~observed):
        country = cols["country"][i]
        if country in with_trend:
            continue
        with_trend.append(country)
        slopes.append(
            f"{country_name(country)} {cols['slope'][i]:+.2f} ranks a year (95% CI "
            f"{cols['slope_ci_low'][i]:+.2f} to {cols['slope_ci_high'][i]:+.2f}, "
            f"{int(cols['n'][i])} editions)"
        )
    text = f"{named} rank per edition; rank 1 is the top of the list."
    shown = trend_shown(p)
    if shown:
        text += (
            " A negative slope means climbing the list. Fitted trend (dotted, with its 95% band): "
            f"{'; '.join(slopes) or 'none'}."
        )
    else:
        text += " The fitted trend is hidden (choose Show trend to draw it)."
    too_few = [c for c in _countries_in_order(cols["country"], p) if c not in with_trend]
    ranked = set(cols["country"][observed])
    unranked = [c for c in p["countries"] if c not in ranked]
    notes = []
    if too_few and shown:
        notes.append(
            f"{', '.join(map(country_name, too_few))}: fewer than {MIN_TREND_EDITIONS} ranked "
            "editions, no trend line"
        )
    if unranked:
        notes.append(f"{', '.join(map(country_name, unranked))}: no {named} rank, so no line")
    if _differing(cols).any():
        notes.append("diamonds with bars mark editions where reports give different ranks")
    if notes:
        joined = "; ".join(notes)
        text += f" {joined[0].upper()}{joined[1:]}."
    return text


register(
    Chart(
        slug="rankings-trend",
        title="Rank per edition, with fitted trend",
        page="/rankings",
        params=(INDEX, COUNTRIES, SOURCE, TREND),
        data=rankings_trend_data,
        figure=rankings_trend_figure,
        caption=rankings_trend_caption,
        units="rank in the index (1 = top of the list); slope in ranks per year",
    )
)


def rank_gap_data(catalog, p: Mapping[str, Any]) -> pd.DataFrame:
    """Rank of the second chosen country minus that of the first, per edition both are ranked."""
    index, chosen = p["index"], list(p["countries"])
    if len(chosen) < 2:
        raise IndicatorError(
            "the rank gap compares two countries; choose at least two "
            "(the gap is taken between the first two chosen)"
        )
    a, b = chosen[:2]
    rankings = _table(catalog, p)
    listed = _listed(rankings, index)
    named = INDEX_NAMES.get(index, index)
    for country in (a, b):
        if country not in listed:
            raise IndicatorError(
                f"{country_name(country)} is not ranked in the {named}; choose another country "
                "or index"
            )
    parts = [_country_series(rankings, index, c) for c in (a, b)]
    for country, part in zip((a, b), parts, strict=True):
        if not part["rank"].notna().any():
            raise IndicatorError(
                f"{country_name(country)} has no {named} rank in any edition; choose another "
                "country or index"
            )
    gap = rank_gap_columns(parts, a, b)
    n = len(gap["edition"])
    if not n:
        raise IndicatorError(f"{a} and {b} are never ranked in the same {index} edition")
    sources = gap.pop("source_id")  # last, after the unit, as in every chart
    return frame_of({"index": [index] * n, **gap, "unit": ["ranks"] * n, "source_id": sources})


def rank_gap_figure(data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    cols = columns(data)
    a, b = cols["a"][0], cols["b"][0]
    name_a, name_b = country_name(a), country_name(b)
    gaps = cols["gap"].astype(float)
    colours = [country_colour(a) if g >= 0 else country_colour(b) for g in gaps]
    hover = [
        f"{e}: {name_a} {fmt_number(ra)}, {name_b} {fmt_number(rb)}; gap {g:+.1f}"
        for e, ra, rb, g in zip(cols["edition"], cols["rank_a"], cols["rank_b"], gaps, strict=True)
    ]
    trace = {
        "type": "bar",
        "name": f"{name_b}'s rank minus {name_a}'s",
        "x": cols["edition"].astype(int).tolist(),
        "y": rounded(gaps),
        "marker": {"color": colours},
        "hovertext": hover,
        "hoverinfo": "text",
    }
    return {
        "data": [trace],
        "layout": base_layout(
            height=340,
            showlegend=False,
            margin={"t": 20, "b": 40},
            xaxis={
                "title": {"text": EDITION_TITLE, "standoff": 8},
                **_edition_ticks(cols["edition"]),
                "tickformat": "d",
            },
            yaxis={"title": {"text": f"Rank gap (+: {name_a} higher)"}, "nticks": 6},
        ),
    }


def rank_gap_caption(data: pd.DataFrame, p: Mapping[str, Any]) -> str:
    cols = columns(data)
    a, b = cols["a"][0], cols["b"][0]
    gaps, editions = cols["gap"].astype(float), cols["edition"]
    ahead = int((gaps > 0).sum())
    return (
        f"{country_name(a)} ranks above {country_name(b)} in {ahead} of {len(gaps)} "
        f"{INDEX_NAMES[p['index']]} editions both appear in ({editions.min()}-"
        f"{editions.max()}); gap from {gaps.min():+.1f} to {gaps.max():+.1f} "
        f"ranks, {editions[-1]}: {gaps[-1]:+.1f}. Positive bars: {country_name(a)} higher on "
        f"the list; where reports differ the mean rank is used."
    )


register(
    Chart(
        slug="rank-gap",
        title="Rank gap between the first two countries",
        page="/rankings",
        params=(INDEX, COUNTRIES, SOURCE),
        data=rank_gap_data,
        figure=rank_gap_figure,
        caption=rank_gap_caption,
        units="ranks (rank of the second country minus rank of the first)",
    )
)
