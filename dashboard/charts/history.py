"""History: does the force ratio decide battles, and does rugged terrain change the rule? A logit
of attacker success fitted on CDB90 (imported), and the essay's claims set against evidence.

The CDB90 charts need the imported `battles` table; without it their data functions raise an
IndicatorError that says how to import it. `claims-ranks` uses the embedded rankings only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from dashboard.charts import Chart, derived, register
from dashboard.charts.common import (
    columns,
    country_name,
    measure_name,
    pick,
    rounded,
    source_choice_labels,
    vertical_line,
)
from dashboard.charts.force_ratio import strengths
from dashboard.charts.history_benchmarks import OPEN_BIN_DRAWN, benchmark_traces
from dashboard.params import Param
from dashboard.style import RULE_COLOURS, base_layout, country_colour, fmt_number, rgba
from indicators.benchmarks import published_rates
from indicators.common import IndicatorError, join_sources
from indicators.force_ratio import compute_force_ratio
from indicators.history import (
    DUPLICATES,
    ERAS,
    SPLITS,
    STANDARD,
    HistoryFit,
    SampleRules,
    battle_selection,
    casualty_claim,
    fit_history_logit,
    observed_rates,
    predict_win,
    ratio_for_probability,
)
from validation import Catalog

PAGE = "/history"
IMPORT_COMMAND = "milbal import cdb90 PATH/TO/cdb90"
NOT_IMPORTED = (
    f"CDB90 battle data is not imported; import it in one command: {IMPORT_COMMAND} "
    "(PATH/TO/cdb90 is the folder of the CDB90 data, holding battles.csv, belligerents.csv, "
    "terrain.csv and src-data/CDB90-patched.csv)"
)
TERRAINS = ("rugged", "other")
TERRAIN_LABELS = {"rugged": "rugged terrain", "other": "other terrain"}
# The two sides of the model's terrain term under each split (SampleRules.split).
SPLIT_LABELS = {
    "rugged": TERRAIN_LABELS,
    "nonflat": {"rugged": "rugged or rolling terrain", "other": "flat or unrecorded terrain"},
}
TERRAIN_COLOURS = {"rugged": RULE_COLOURS["mountain"], "other": RULE_COLOURS["general"]}
# Ratio bins of the observed win rates: [lo, hi), the last one open.
RATIO_BINS = (0.0, 0.75, 1.0, 1.5, 2.0, 3.0, 6.0, np.inf)
# The doctrine ratios the essay discusses, and the probabilities whose ratio the claims ask for.
RULE_RATIOS = (3.0, 6.0)
CLAIM_PROBABILITIES = (0.5, 0.75)
CASE = ("AZE", "ARM", 2020)  # the 2020 war's attacker, defender and year
RATIO_TITLE = "Force ratio, attacker : defender<br>(log scale)"
CHANCE_TITLE = "Chance the attacker succeeds"
# Legends sit above the plot, left-aligned, in rows (a phone wraps them).
LEGEND_ABOVE = {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom"}


def _floats4(values: Any) -> list[float]:
    """Probabilities and ratios to four places."""
    return rounded(values, 4)


def battles_table(catalog: Catalog) -> pd.DataFrame:
    """The imported CDB90 battles, or an IndicatorError saying how to import them."""
    battles = catalog.tables.get("battles")
    if battles is None or battles.empty:
        raise IndicatorError(NOT_IMPORTED)
    return battles


# The controls of the robustness checks (issue 17): each redraws the fit, its coefficients and
# its predictions on another sample.
DUPLICATES_WORDS = {"drop": "Leave out", "keep": "Keep"}
ERA_WORDS = {
    "all": "All (1600-1982)",
    "before-1800": "Before 1800",
    "1800s": "1800-1899",
    "1900-on": "1900 on",
}
SPLIT_SENTENCE = {
    "rugged": "rugged (CDB90 code G) against the rest",
    "nonflat": "rugged or rolling (G or R) against flat or unrecorded",
}
SPLIT_WORDS = {
    "rugged": "Rugged (CDB90 code G) against the rest",
    "nonflat": "Any not flat (G or R) against flat",
}
DUPLICATES_P = Param(
    "duplicates",
    "Battles CDB90 lists twice",
    "choice",
    STANDARD.duplicates,
    tuple(DUPLICATES),
    words=lambda v: DUPLICATES_WORDS.get(v, str(v)),
)
ERA_P = Param(
    "era",
    "Era",
    "choice",
    STANDARD.era,
    tuple(ERAS),
    words=lambda v: ERA_WORDS.get(v, str(v)),
)
SPLIT_P = Param(
    "split",
    "Terrain split",
    "choice",
    STANDARD.split,
    tuple(SPLITS),
    words=lambda v: SPLIT_WORDS.get(v, str(v)),
)
SAMPLE_PARAMS = (DUPLICATES_P, ERA_P, SPLIT_P)
# The measure by which the 2020 case is placed on the curve (the name /force-ratio uses).
CASE_MEASURE = Param(
    "measure",
    "2020 case: personnel measure",
    "choice",
    None,
    lambda catalog: case_measures(catalog),
    offered=lambda catalog, values: case_measures(catalog),
    words=measure_name,
)


def rules_of(p: Mapping[str, Any]) -> SampleRules:
    """The sample rules of a chart's parameter values (the standard sample where absent)."""
    return SampleRules(
        duplicates=p.get("duplicates") or STANDARD.duplicates,
        era=p.get("era") or STANDARD.era,
        split=p.get("split") or STANDARD.split,
    )


def terrain_labels(p: Mapping[str, Any]) -> dict[str, str]:
    """The model's two terrains in words under the chosen split."""
    return SPLIT_LABELS[rules_of(p).split]


def history_model(
    catalog: Catalog, rules: SampleRules = STANDARD
) -> tuple[pd.DataFrame, HistoryFit, dict[str, int]]:
    """The sample, its fit and what was left out, computed once per battles table and rules
    (16 combinations at most)."""
    battles = battles_table(catalog)

    def build() -> tuple[pd.DataFrame, HistoryFit, dict[str, int]]:
        sample, dropped = battle_selection(battles, rules)
        return sample, fit_history_logit(sample), dropped

    key = f"history-model:{rules.duplicates}:{rules.era}:{rules.split}"
    return derived(key, (battles,), build)


def sample_line(catalog: Catalog, p: Mapping[str, Any]) -> str:
    """n, wins and what the rules left out, in words."""
    rules = rules_of(p)
    battles = battles_table(catalog)
    _, dropped = derived(
        f"history-sample:{rules.duplicates}:{rules.era}:{rules.split}",
        (battles,),
        lambda: battle_selection(battles, rules),
    )
    out = []
    if dropped["twice"]:
        out.append(f"{dropped['twice']} listed twice (with a parent battle)")
    if dropped["incomplete"]:
        out.append(f"{dropped['incomplete']} without both strengths or a known outcome")
    if dropped["era"]:
        out.append(f"{dropped['era']} outside the era ({ERA_WORDS[rules.era]})")
    left = "; left out: " + ", ".join(out) if out else "; none left out"
    return (
        f"Sample: {dropped['n']} of CDB90's {dropped['listed']} battles, {dropped['wins']} won "
        f"by the attacker{left}. Terrain: {SPLIT_SENTENCE[rules.split]}."
    )


def _sources(sample: pd.DataFrame) -> str:
    return join_sources(*sample["source_id"].dropna().unique())


# ---------------------------------------------------------------------------- history-fit


def case_measures(catalog: Catalog) -> list[str]:
    """The personnel measures both sides of the 2020 case have for 2020, the best first (as
    /force-ratio lists them)."""
    return list(strengths(catalog).measures(*CASE))


def _case_ratio(catalog: Catalog, measure: str | None = None) -> dict[str, Any] | None:
    """The 2020 Azerbaijan-Armenia ratio interval from the embedded manpower, by `measure`
    (the best the pair has where None), if present."""
    measures = case_measures(catalog)
    if not measures:
        return None
    measure = measure if measure in measures else measures[0]
    try:
        row = compute_force_ratio(catalog["manpower"], *CASE, measure=measure).iloc[0]
    except IndicatorError:
        return None
    return {
        "series": "case_2020",
        "terrain": "",
        "ratio": float(row["ratio_mid"]),
        "ratio_low": float(row["ratio_low"]),
        "ratio_high": float(row["ratio_high"]),
        "label": f"{country_name(CASE[0])} : {country_name(CASE[1])} {CASE[2]}",
        "measure": measure,
        "unit": "ratio",
        "source_id": row["source_id"],
    }


def history_fit_data(catalog: Catalog, p: Mapping[str, Any]) -> pd.DataFrame:
    """Rows by series: 'fit' (the fitted P(win) and its 95% band on a grid of ratios, per
    terrain), 'observed' (win rate and count per ratio bin), 'rule' (3:1 and 6:1) and
    'case_2020' (the 2020 ratio interval)."""
    sample, fit, _ = history_model(catalog, rules_of(p))
    sources = _sources(sample)
    lo, hi = float(sample["ratio"].min()), float(sample["ratio"].max())
    grid = np.geomspace(lo, hi, 61)
    parts = []
    for terrain in TERRAINS:
        pred = predict_win(fit, grid, terrain == "rugged")
        parts.append(
            pd.DataFrame(
                {
                    "series": "fit",
                    "terrain": terrain,
                    "ratio": grid,
                    "p_win": pred["p_win"],
                    "p_low": pred["p_low"],
                    "p_high": pred["p_high"],
                    "n": fit.n,
                    "unit": "probability",
                    "source_id": sources,
                }
            )
        )
    rates = observed_rates(sample, RATIO_BINS)
    parts.append(
        pd.DataFrame(
            {
                "series": "observed",
                "terrain": rates["terrain"],
                "ratio": rates["ratio_median"],
                "bin_low": rates["bin_low"],
                "bin_high": rates["bin_high"].replace(np.inf, np.nan),
                "p_win": rates["win_rate"],
                "wins": rates["wins"],
                "n": rates["n"],
                "unit": "share of battles won by the attacker",
                "source_id": sources,
            }
        )
    )
    doctrine = catalog["doctrine"]
    for ratio in RULE_RATIOS:
        rows = doctrine[doctrine["min_ratio"].astype(float) == ratio]
        parts.append(
            pd.DataFrame(
                [
                    {
                        "series": "rule",
                        "terrain": ";".join(rows["terrain"]) or "",
                        "ratio": ratio,
                        "label": f"{ratio:g}:1",
                        "unit": "ratio",
                        "source_id": join_sources(*rows["source_id"]) if len(rows) else "",
                    }
                ]
            )
        )
    case = _case_ratio(catalog, p.get("measure"))
    if case is not None:
        parts.append(pd.DataFrame([case]))
    tdi = catalog.tables.get("tdi_force_ratio")
    if tdi is not None and not tdi.empty:
        rates = derived("tdi-rates", (tdi,), lambda: published_rates(tdi))
        # an open bin ("2.71 and higher") is drawn over a doubling of its lower bound
        drawn_high = rates["ratio_high"].fillna(rates["ratio_low"] * OPEN_BIN_DRAWN)
        parts.append(
            pd.DataFrame(
                {
                    "series": "benchmark",
                    "terrain": "",
                    "ratio": np.sqrt(rates["ratio_low"] * drawn_high),
                    "p_win": rates["rate"],
                    "p_low": rates["ci_low"],
                    "p_high": rates["ci_high"],
                    "bin_low": rates["ratio_low"],
                    "bin_high": rates["ratio_high"],
                    "bin_high_drawn": drawn_high,
                    "wins": rates["wins"],
                    "n": rates["n"],
                    "label": rates["database"],
                    "table_id": rates["table_id"],
                    "unit": "share of engagements won by the attacker, as published",
                    "source_id": rates["source_id"],
                }
            )
        )
    out = pd.concat(parts, ignore_index=True)
    order = [
        "series",
        "terrain",
        "ratio",
        "p_win",
        "p_low",
        "p_high",
        "bin_low",
        "bin_high",
        "bin_high_drawn",
        "wins",
        "n",
        "ratio_low",
        "ratio_high",
        "label",
        "measure",
        "table_id",
        "unit",
        "source_id",
    ]
    return out.reindex(columns=order)


def _benchmarks(cols: Mapping[str, np.ndarray]) -> list[dict]:
    """TDI's published rates as their own series (dashboard.charts.history_benchmarks)."""
    rows = pick(cols, cols["series"] == "benchmark")
    if not len(rows["series"]):
        return []
    rates = pd.DataFrame(
        {
            "table_id": rows["table_id"],
            "database": rows["label"],
            "ratio_low": rows["bin_low"].astype(float),
            "ratio_high": rows["bin_high"].astype(float),
            "rate": rows["p_win"].astype(float),
            "ci_low": rows["p_low"].astype(float),
            "ci_high": rows["p_high"].astype(float),
            "n": rows["n"].astype(float),
        }
    )
    return benchmark_traces(rates)


def _fit_traces(
    cols: Mapping[str, np.ndarray], terrain: str, labels: Mapping[str, str]
) -> list[dict]:
    rows = pick(cols, (cols["series"] == "fit") & (cols["terrain"] == terrain))
    colour = TERRAIN_COLOURS[terrain]
    x = _floats4(rows["ratio"])
    band = {
        "type": "scatter",
        "mode": "lines",
        "name": f"{labels[terrain]}: 95% band",
        "legendgroup": terrain,
        "showlegend": False,  # the caption says what the bands are
        "x": x + x[::-1],
        "y": _floats4(rows["p_high"]) + _floats4(rows["p_low"])[::-1],
        "fill": "toself",
        "fillcolor": rgba(colour, 0.15),
        "line": {"width": 0, "color": colour},
        "hoverinfo": "skip",
    }
    line = {
        "type": "scatter",
        "mode": "lines",
        "name": f"{labels[terrain]}: fitted chance",
        "legendgroup": terrain,
        "x": x,
        "y": _floats4(rows["p_win"]),
        "line": {"color": colour, "width": 2.5, "dash": "solid" if terrain == "rugged" else "dash"},
        "hovertemplate": (
            f"{labels[terrain]}, ratio %{{x:.2f}}: fitted chance %{{y:.2f}}<extra></extra>"
        ),
    }
    return [band, line]


def _observed_trace(
    cols: Mapping[str, np.ndarray], terrain: str, labels: Mapping[str, str]
) -> dict:
    rows = pick(cols, (cols["series"] == "observed") & (cols["terrain"] == terrain))
    colour = TERRAIN_COLOURS[terrain]
    n = rows["n"].astype(float)
    hover = [
        f"{labels[terrain]}, ratio {lo:g}-{'' if hi != hi else f'{hi:g}'}: "
        f"{int(w)} of {int(k)} won ({r:.0%})"
        for lo, hi, w, k, r in zip(
            rows["bin_low"].astype(float),
            rows["bin_high"].astype(float),
            rows["wins"].astype(float),
            n,
            rows["p_win"].astype(float),
            strict=True,
        )
    ]
    return {
        "type": "scatter",
        "mode": "markers",
        "name": f"{labels[terrain]}: share won (size: battles)",
        "legendgroup": terrain,
        "x": _floats4(rows["ratio"]),
        "y": _floats4(rows["p_win"]),
        "marker": {
            "color": colour,
            "symbol": "circle" if terrain == "rugged" else "square",
            "size": (6 + 2.2 * np.sqrt(n)).round(1).tolist(),
            "opacity": 0.75,
            "line": {"color": "#ffffff", "width": 1},
        },
        "hovertext": hover,
        "hoverinfo": "text",
    }


def _rule_and_case_shapes(cols: Mapping[str, np.ndarray]) -> tuple[list[dict], list[dict]]:
    shapes, notes = [], []
    for i in np.flatnonzero(cols["series"] == "case_2020"):
        lo, hi = float(cols["ratio_low"][i]), float(cols["ratio_high"][i])
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": lo,
                "x1": hi,
                "y0": 0,
                "y1": 1,
                "line": {"width": 0},
                "fillcolor": rgba(country_colour(CASE[0]), 0.18),
                "layer": "below",
            }
        )
        notes.append(
            {
                "x": np.log10((lo * hi) ** 0.5),
                "y": 0.02,
                "xref": "x",
                "yref": "paper",
                "text": f"{cols['label'][i]}:<br>{lo:.2f}-{hi:.2f}",
                "showarrow": False,
                "font": {"size": 11, "color": country_colour(CASE[0])},
                "yanchor": "bottom",
            }
        )
    for i in np.flatnonzero(cols["series"] == "rule"):
        ratio = float(cols["ratio"][i])
        terrain = "mountain" if "mountain" in str(cols["terrain"][i]) else "general"
        colour = RULE_COLOURS[terrain]
        shapes.append(vertical_line(ratio, {"color": colour, "width": 1.5, "dash": "dot"}))
        notes.append(
            {
                "x": np.log10(ratio),
                # inside the top of the plot (above the highest share, 1): the legend is above
                "y": 1.0,
                "xref": "x",
                "yref": "paper",
                "yanchor": "top",
                "xanchor": "left",  # beside its line, not across it
                "xshift": 3,
                "text": str(cols["label"][i]),
                "showarrow": False,
                "font": {"color": colour, "size": 12},
            }
        )
    return shapes, notes


def history_fit_figure(data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    cols = columns(data)
    traces: list[dict] = []
    labels = terrain_labels(p)
    for terrain in TERRAINS:
        traces += _fit_traces(cols, terrain, labels)
    for terrain in TERRAINS:
        traces.append(_observed_trace(cols, terrain, labels))
    traces += _benchmarks(cols)
    shapes, notes = _rule_and_case_shapes(cols)
    return {
        "data": traces,
        "layout": base_layout(
            height=560,  # room for the legend of eleven series on a phone
            hovermode="closest",
            shapes=shapes,
            annotations=notes,
            margin={"t": 20, "b": 40},
            legend=LEGEND_ABOVE,
            xaxis={
                "title": {"text": RATIO_TITLE, "standoff": 8},
                "type": "log",
                # Doubling steps; the 3:1 and 6:1 lines carry their own labels.
                "tickvals": [0.25, 0.5, 1, 2, 4, 8, 16],
                "ticktext": ["1:4", "1:2", "1:1", "2:1", "4:1", "8:1", "16:1"],
            },
            yaxis={"title": {"text": CHANCE_TITLE}, "range": [0, 1.15], "nticks": 6},
        ),
    }


def _predicted(cols: Mapping[str, np.ndarray], terrain: str, ratio: float) -> str:
    rows = pick(cols, (cols["series"] == "fit") & (cols["terrain"] == terrain))
    x = rows["ratio"].astype(float)
    i = int(np.argmin(np.abs(np.log(x) - np.log(ratio))))
    return f"{rows['p_win'][i]:.2f} ({rows['p_low'][i]:.2f}-{rows['p_high'][i]:.2f})"


def history_fit_caption(data: pd.DataFrame, p: Mapping[str, Any]) -> str:
    cols = columns(data)
    observed = cols["series"] == "observed"
    n = int(cols["n"][observed].astype(float).sum())
    rugged = int(cols["n"][observed & (cols["terrain"] == "rugged")].astype(float).sum())
    case = np.flatnonzero(cols["series"] == "case_2020")
    labels = terrain_labels(p)
    rules = rules_of(p)
    sample = "" if rules == STANDARD else f" (sample: {_rules_words(rules)})"
    text = (
        f"Chance that the attacker succeeds against the force ratio, by terrain: a logistic "
        f"regression fitted on {n} CDB90 battles ({rugged} on {labels['rugged']}){sample}, "
        f"shaded with its 95% bands; markers are the share of battles the attacker won in each "
        f"band of ratios, sized by the number of battles. Dotted lines mark 3:1 and 6:1."
    )
    if len(case):
        i = case[0]
        text += (
            f" Shaded: {country_name(CASE[0])} against {country_name(CASE[1])}, {CASE[2]}, "
            f"ratio {float(cols['ratio_low'][i]):.2f}-{float(cols['ratio_high'][i]):.2f} "
            f"({measure_name(str(cols['measure'][i])).lower()})."
        )
    bench = cols["series"] == "benchmark"
    if bench.any():
        databases = len(set(cols["table_id"][bench]))
        text += (
            f" Lines with whiskers: attacker success per band of ratios as The Dupuy Institute "
            f"published it for {databases} of its own databases (other engagements than "
            f"CDB90's), with Wilson 95% intervals from its counts."
        )
    return text


def _rules_words(rules: SampleRules) -> str:
    """A sample's rules other than the standard ones, in words."""
    parts = []
    if rules.duplicates != STANDARD.duplicates:
        parts.append("battles listed twice kept")
    if rules.era != STANDARD.era:
        parts.append(ERA_WORDS[rules.era].lower())
    if rules.split != STANDARD.split:
        parts.append("terrain " + SPLIT_SENTENCE[rules.split])
    return ", ".join(parts)


register(
    Chart(
        slug="history-fit",
        title="Force ratio and attacker success in CDB90 battles, rugged against other terrain",
        page=PAGE,
        params=(*SAMPLE_PARAMS, CASE_MEASURE),
        data=history_fit_data,
        figure=history_fit_figure,
        caption=history_fit_caption,
        units="probability of attacker success; ratio of personnel strength",
        needs=("battles",),
    )
)


# ---------------------------------------------------------------------- history-coefficients


def history_coefficients_data(catalog: Catalog, p: Mapping[str, Any]) -> pd.DataFrame:
    """The fitted coefficients (log-odds) with their 95% CIs, n and the log-likelihood."""
    sample, fit, _ = history_model(catalog, rules_of(p))
    out = fit.coefficients.copy()
    out["wins"] = fit.wins
    out["log_likelihood"] = fit.llf
    out["unit"] = "log-odds"
    out["source_id"] = _sources(sample)
    return out


# The model's terms as a reader reads them, short enough for a phone (two lines each).
TERM_WORDS = {
    "Intercept": "Baseline: other terrain,<br>equal forces (1:1)",
    "log_ratio": "Force ratio<br>(other terrain)",
    "rugged": "Rugged terrain<br>(at equal forces)",
    "log_ratio:rugged": "Force ratio: extra effect<br>on rugged terrain",
}


def term_words(term: str, description: str = "", split: str = "rugged") -> str:
    """A model term in words (two lines) under a terrain split; the indicator's description for
    a term not known."""
    words = TERM_WORDS.get(term, description or term)
    if split == "nonflat":
        words = (
            words.replace("other terrain", "flat terrain")
            .replace("Rugged terrain", "Rugged or rolling terrain")
            .replace("on rugged terrain", "on rugged or rolling terrain")
        )
    return words


def history_coefficients_figure(data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    cols = columns(data)
    est = cols["estimate"].astype(float)
    lo, hi = cols["ci_low"].astype(float), cols["ci_high"].astype(float)
    split = rules_of(p).split
    labels = [
        term_words(t, str(d), split) for t, d in zip(cols["term"], cols["description"], strict=True)
    ]
    trace = {
        "type": "scatter",
        "mode": "markers",
        "name": "estimate with 95% CI",
        "x": _floats4(est),
        "y": labels,
        "marker": {"size": 11, "color": "#1a1a1a"},
        "error_x": {
            "type": "data",
            "symmetric": False,
            "array": _floats4(hi - est),
            "arrayminus": _floats4(est - lo),
            "color": "#1a1a1a",
            "thickness": 2,
            "width": 8,
        },
        "hovertext": [
            f"{t}: {e:+.3f} (95% CI {a:+.3f} to {b:+.3f}; p = {q:.3f})"
            for t, e, a, b, q in zip(
                [lab.replace("<br>", " ") for lab in labels],
                est,
                lo,
                hi,
                cols["p_value"].astype(float),
                strict=True,
            )
        ],
        "hoverinfo": "text",
    }
    return {
        "data": [trace],
        "layout": base_layout(
            height=320,
            showlegend=False,
            shapes=[vertical_line(0, {"color": "#999999", "width": 1, "dash": "dash"})],
            margin={"t": 20, "b": 40},
            xaxis={
                "title": {"text": "Effect on the log-odds<br>of attacker success", "standoff": 8},
                "nticks": 6,
            },
            yaxis={"title": {"text": ""}, "autorange": "reversed"},
        ),
    }


def history_coefficients_caption(data: pd.DataFrame, p: Mapping[str, Any]) -> str:
    cols = columns(data)
    split = rules_of(p).split
    parts = [
        f"{term_words(t, split=split).replace('<br>', ' ')} {e:+.3f} (95% CI {a:+.3f} to {b:+.3f})"
        for t, e, a, b in zip(
            cols["term"],
            cols["estimate"].astype(float),
            cols["ci_low"].astype(float),
            cols["ci_high"].astype(float),
            strict=True,
        )
    ]
    return (
        "Logistic regression of attacker success on the log force ratio, "
        f"{terrain_labels(p)['rugged']} and the two together, fitted on "
        f"n = {int(cols['n'][0])} battles "
        f"({int(cols['wins'][0])} attacker wins; log-likelihood "
        f"{float(cols['log_likelihood'][0]):.2f}). Effects on the log-odds: "
        f"{'; '.join(parts)}. A bar crossing zero means the data cannot tell the effect's sign."
    )


register(
    Chart(
        slug="history-coefficients",
        title="Logit coefficients with 95% confidence intervals",
        page=PAGE,
        params=SAMPLE_PARAMS,
        data=history_coefficients_data,
        figure=history_coefficients_figure,
        caption=history_coefficients_caption,
        units="log-odds of attacker success",
        needs=("battles",),
    )
)


# ----------------------------------------------------------------------- history-predictions


def history_predictions_data(catalog: Catalog, p: Mapping[str, Any]) -> pd.DataFrame:
    """Rows 'p_win': the fitted P(win) at 3:1 and 6:1 per terrain with its 95% CI; rows
    'ratio_at_p': the ratio at which each terrain's curve reaches 0.5 and 0.75, with its 95%
    confidence set (ratio_for_probability)."""
    sample, fit, _ = history_model(catalog, rules_of(p))
    sources = _sources(sample)
    rows = []
    for terrain in TERRAINS:
        pred = predict_win(fit, list(RULE_RATIOS), terrain == "rugged")
        for r in pred.itertuples():
            rows.append(
                {
                    "quantity": "p_win",
                    "terrain": terrain,
                    "ratio": r.ratio,
                    "p": r.p_win,
                    "ci_low": r.p_low,
                    "ci_high": r.p_high,
                    "ci_kind": "interval",
                }
            )
    lo, hi = float(sample["ratio"].min()), float(sample["ratio"].max())
    for terrain in TERRAINS:
        ends = predict_win(fit, [lo, hi], terrain == "rugged")["p_win"].to_numpy()
        for prob in CLAIM_PROBABILITIES:
            found = ratio_for_probability(fit, prob, terrain == "rugged")
            rows.append(
                {
                    "quantity": "ratio_at_p",
                    "terrain": terrain,
                    "ratio": found["ratio"],
                    "p": prob,
                    "ci_low": found["ci_low"],
                    "ci_high": found["ci_high"],
                    "ci_kind": found["ci_kind"],
                    "in_observed_range": bool(lo <= found["ratio"] <= hi),
                    "curve_in_range": (
                        "above"
                        if (ends > prob).all()
                        else "below"
                        if (ends < prob).all()
                        else "crosses"
                    ),
                }
            )
    out = pd.DataFrame(rows)
    out["observed_ratio_min"] = lo
    out["observed_ratio_max"] = hi
    out["n"] = fit.n
    out["unit"] = np.where(out["quantity"] == "p_win", "probability", "ratio")
    out["source_id"] = sources
    return out


def history_predictions_figure(data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    cols = columns(data)
    labels = terrain_labels(p)
    traces = []
    for k, terrain in enumerate(TERRAINS):
        rows = pick(cols, (cols["quantity"] == "p_win") & (cols["terrain"] == terrain))
        est = rows["p"].astype(float)
        lo, hi = rows["ci_low"].astype(float), rows["ci_high"].astype(float)
        colour = TERRAIN_COLOURS[terrain]
        traces.append(
            {
                "type": "scatter",
                "mode": "markers+text",
                "name": labels[terrain],
                "x": [f"{r:g}:1" for r in rows["ratio"].astype(float)],
                "y": _floats4(est),
                "text": [f"{e:.2f}" for e in est],
                "textposition": "middle right" if k else "middle left",
                "marker": {
                    "size": 13,
                    "color": colour,
                    "symbol": "circle" if terrain == "rugged" else "square",
                },
                "error_y": {
                    "type": "data",
                    "symmetric": False,
                    "array": _floats4(hi - est),
                    "arrayminus": _floats4(est - lo),
                    "color": colour,
                    "thickness": 2,
                    "width": 8,
                },
                "offsetgroup": terrain,
                "hovertext": [
                    f"{labels[terrain]}, {r:g}:1: chance {e:.2f} (95% CI {a:.2f}-{b:.2f})"
                    for r, e, a, b in zip(rows["ratio"].astype(float), est, lo, hi, strict=True)
                ],
                "hoverinfo": "text",
            }
        )
    return {
        "data": traces,
        "layout": base_layout(
            height=360,
            scattermode="group",
            legend=LEGEND_ABOVE,
            margin={"t": 20, "b": 40},
            xaxis={
                "title": {"text": "Force ratio (doctrine rule)", "standoff": 8},
                "type": "category",
            },
            yaxis={"title": {"text": CHANCE_TITLE}, "range": [0, 1], "nticks": 6},
        ),
    }


def ratio_at_text(row: Mapping[str, Any]) -> str:
    """Where a terrain's fitted curve reaches a probability, with its 95% confidence set, in
    words; a curve that stays above or below it over the observed ratios is said to."""
    p, lo, hi = row["p"], row["ci_low"], row["ci_high"]
    if row["ci_kind"] == "interval":
        return f"reaches {p:g} at {fmt_number(row['ratio'])}:1 (95% CI {lo:.2f} to {hi:.2f})"
    band = (
        f"its 95% band excludes {p:g} only between {lo:.2f}:1 and {hi:.2f}:1"
        if row["ci_kind"] == "outside"
        else f"its 95% band includes {p:g} at every ratio"
    )
    if not row["in_observed_range"] and row["curve_in_range"] in ("above", "below"):
        return (
            f"stays {row['curve_in_range']} {p:g} over the observed ratios "
            f"({row['observed_ratio_min']:.2f} to {row['observed_ratio_max']:.2f}); {band}"
        )
    return f"reaches {p:g} at {fmt_number(row['ratio'])}:1, but {band}"


def history_predictions_caption(data: pd.DataFrame, p: Mapping[str, Any]) -> str:
    cols = columns(data)
    labels = terrain_labels(p)
    parts = []
    for terrain in TERRAINS:
        rows = pick(cols, (cols["quantity"] == "p_win") & (cols["terrain"] == terrain))
        at = ", ".join(
            f"{r:g}:1 {e:.2f} ({a:.2f}-{b:.2f})"
            for r, e, a, b in zip(
                rows["ratio"].astype(float),
                rows["p"].astype(float),
                rows["ci_low"].astype(float),
                rows["ci_high"].astype(float),
                strict=True,
            )
        )
        parts.append(f"{labels[terrain]}: {at}")
    rows = pick(cols, (cols["quantity"] == "ratio_at_p") & (cols["terrain"] == "rugged"))
    crossings = "; ".join(
        ratio_at_text({c: rows[c][i] for c in rows}) for i in range(len(rows["p"]))
    )
    return (
        f"Fitted chance that the attacker succeeds, with 95% CIs, n = {int(cols['n'][0])}: "
        f"{'; '.join(parts)}. On {labels['rugged']} the fitted curve {crossings}."
    )


register(
    Chart(
        slug="history-predictions",
        title="Predicted attacker success at 3:1 and 6:1, by terrain",
        page=PAGE,
        params=SAMPLE_PARAMS,
        data=history_predictions_data,
        figure=history_predictions_figure,
        caption=history_predictions_caption,
        units="probability of attacker success (ratio rows: attacker : defender strength)",
        needs=("battles",),
    )
)


# ------------------------------------------------------------------------ history-casualties


def history_casualties_data(catalog: Catalog, p: Mapping[str, Any]) -> pd.DataFrame:
    """Attacker wins with both casualty figures known, by terrain: how many cost the attacker
    fewer casualties than the defender, and the share with its Wilson 95% interval."""
    sample, _, _ = history_model(catalog)
    out = casualty_claim(sample)
    out["unit"] = "battles (share: fraction of attacker wins)"
    out["source_id"] = _sources(sample)
    return out


def history_casualties_figure(data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    cols = columns(data)
    share = cols["share_fewer"].astype(float)
    lo, hi = cols["share_ci_low"].astype(float), cols["share_ci_high"].astype(float)
    trace = {
        "type": "bar",
        "name": "attacker wins with fewer attacker casualties",
        "x": [TERRAIN_LABELS[t] for t in cols["terrain"]],
        "y": _floats4(share),
        "marker": {"color": [TERRAIN_COLOURS[t] for t in cols["terrain"]]},
        "error_y": {
            "type": "data",
            "symmetric": False,
            "array": _floats4(hi - share),
            "arrayminus": _floats4(share - lo),
            "color": "#1a1a1a",
            "thickness": 1.5,
            "width": 8,
        },
        "text": [
            f"{int(f)} of {int(n)}"
            for f, n in zip(cols["attacker_fewer"], cols["both_known"], strict=True)
        ],
        "textposition": "inside",
        "insidetextanchor": "middle",
        "hovertext": [
            f"{TERRAIN_LABELS[t]}: {int(f)} of {int(n)} wins ({s:.0%}, 95% CI {a:.0%}-{b:.0%})"
            for t, f, n, s, a, b in zip(
                cols["terrain"],
                cols["attacker_fewer"],
                cols["both_known"],
                share,
                lo,
                hi,
                strict=True,
            )
        ],
        "hoverinfo": "text",
    }
    return {
        "data": [trace],
        "layout": base_layout(
            height=340,
            showlegend=False,
            margin={"t": 20, "b": 40},
            xaxis={"title": {"text": ""}},
            yaxis={
                "title": {"text": "Attacker wins with fewer<br>casualties than the defender"},
                "range": [0, 1],
                "tickformat": ".0%",
            },
        ),
    }


def history_casualties_caption(data: pd.DataFrame, p: Mapping[str, Any]) -> str:
    cols = columns(data)
    parts = [
        f"{t}: {int(f)} of {int(n)} ({s:.0%}, 95% CI {a:.0%}-{b:.0%})"
        for t, f, n, s, a, b in zip(
            cols["terrain"],
            cols["attacker_fewer"],
            cols["both_known"],
            cols["share_fewer"].astype(float),
            cols["share_ci_low"].astype(float),
            cols["share_ci_high"].astype(float),
            strict=True,
        )
    ]
    return (
        "CDB90 battles the attacker won, both sides' casualties known: how many cost the "
        f"attacker fewer casualties than the defender. {'; '.join(parts)}."
    )


register(
    Chart(
        slug="history-casualties",
        title="Victorious attackers with fewer casualties than the defender, by terrain",
        page=PAGE,
        params=(),
        data=history_casualties_data,
        figure=history_casualties_figure,
        caption=history_casualties_caption,
        units="battles; share of attacker wins",
        needs=("battles",),
    )
)


# ------------------------------------------------------------------------------ claims-ranks

ESSAY = "rv-essay"


def claims_ranks_data(catalog: Catalog, p: Mapping[str, Any]) -> pd.DataFrame:
    """The essay's ranks (rv-essay rows) beside every other source's rank for the same index,
    edition and country: one row per rank, `role` 'essay' or 'published'."""
    rankings = catalog["rankings"]
    ranked = rankings[rankings["rank"].notna()]
    essay = ranked[ranked["source_id"] == ESSAY]
    if essay.empty:
        raise IndicatorError("the rankings table holds no rank from the essay (rv-essay)")
    keys = essay[["index", "edition", "country"]].drop_duplicates()
    rows = ranked.merge(keys, on=["index", "edition", "country"])
    labels = source_choice_labels(catalog)
    out = pd.DataFrame(
        {
            "index": rows["index"],
            "edition": rows["edition"].astype(int),
            "country": rows["country"],
            "role": np.where(rows["source_id"] == ESSAY, "essay", "published"),
            "rank": rows["rank"].astype(int),
            "of_countries": rows["of_countries"],
            "note": rows["note"],
            "reported_by": [labels.get(sid, sid) for sid in rows["source_id"]],
            "unit": "rank",
            "source_id": rows["source_id"],
        }
    )
    essay_rank = out[out["role"] == "essay"].set_index(["index", "edition", "country"])["rank"]
    out["essay_rank"] = [
        int(essay_rank.loc[k])
        for k in zip(out["index"], out["edition"], out["country"], strict=True)
    ]
    out["differs_from_essay"] = (out["role"] == "published") & (out["rank"] != out["essay_rank"])
    return out.sort_values(
        ["index", "edition", "country", "role"], ascending=[True, True, True, True]
    ).reset_index(drop=True)


INDEX_WORDS = {"gfp": "Global Firepower", "gmi": "Global Militarisation Index"}
CLAIM_ROLES = (
    ("published", "published figures (other sources)", "circle", 11),
    ("essay", "essay", "diamond-open", 16),
)
# Each index gets its own panel (GFP ranks near 60-110 and GMI ranks near 2-5 cannot share
# an axis); the panels are stacked, PANEL_GAP of the height apart, each with TITLE_ROOM of
# the height above it for its title.
PANEL_GAP = 0.1
TITLE_ROOM = 0.07
ROW_PX = 70
PANEL_PX = 90


def _claim_label(index: str, edition: int, country: str) -> str:
    """'GFP 2020 Armenia': the index in capitals, as the essay writes it, and the country's
    name."""
    return f"{index.upper()} {edition} {country_name(country)}"


def _row_label(edition: int, country: str) -> str:
    return f"{country_name(country)} {edition}"


def pair_text(essay: int, published: list[int]) -> str:
    """'essay 5, published 2' (several published ranks: 'published 63 and 64')."""
    if not published:
        return f"essay {essay}, no published rank"
    shown = [str(r) for r in dict.fromkeys(sorted(published))]
    joined = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
    return f"essay {essay}, published {joined}"


def _panels(indices: list[str]) -> list[tuple[float, float]]:
    """The vertical domain of each index's panel, first on top."""
    n = len(indices)
    slot = (1 - PANEL_GAP * (n - 1)) / n  # a panel and its title
    tops = [1 - k * (slot + PANEL_GAP) for k in range(n)]
    return [(top - slot, top - TITLE_ROOM) for top in tops]


def claims_ranks_figure(data: pd.DataFrame, p: Mapping[str, Any]) -> dict:
    cols = columns(data)
    indices = list(dict.fromkeys(cols["index"]))
    domains = _panels(indices)
    traces: list[dict] = []
    notes: list[dict] = []
    layout_axes: dict[str, dict] = {}
    rows_total = 0
    for k, (index, (bottom, top)) in enumerate(zip(indices, domains, strict=True)):
        suffix = "" if k == 0 else str(k + 1)
        xref, yref = f"x{suffix}", f"y{suffix}"
        in_index = cols["index"] == index
        keys = list(
            dict.fromkeys(zip(cols["edition"][in_index], cols["country"][in_index], strict=True))
        )
        rows_total += len(keys)
        categories = [_row_label(e, c) for e, c in keys]
        for role, name, symbol, size in CLAIM_ROLES:
            rows = pick(cols, in_index & (cols["role"] == role))
            traces.append(
                {
                    "type": "scatter",
                    "mode": "markers",
                    "name": name,
                    "legendgroup": role,
                    "showlegend": k == 0,
                    "xaxis": xref,
                    "yaxis": yref,
                    "x": rows["rank"].astype(int).tolist(),
                    "y": [
                        _row_label(e, c)
                        for e, c in zip(rows["edition"], rows["country"], strict=True)
                    ],
                    "marker": {
                        "symbol": symbol,
                        "size": size,
                        "color": [country_colour(c) for c in rows["country"]],
                        "line": {"width": 2},
                    },
                    "hovertext": [
                        f"{_claim_label(i, e, c)}: rank {r} ({s})"
                        for i, e, c, r, s in zip(
                            rows["index"],
                            rows["edition"],
                            rows["country"],
                            rows["rank"],
                            rows["reported_by"],
                            strict=True,
                        )
                    ],
                    "hoverinfo": "text",
                }
            )
        for (edition, country), category in zip(keys, categories, strict=True):
            mine = in_index & (cols["edition"] == edition) & (cols["country"] == country)
            essay = cols["rank"][mine & (cols["role"] == "essay")]
            published = cols["rank"][mine & (cols["role"] == "published")]
            notes.append(
                {
                    "xref": f"{xref} domain",
                    "yref": yref,
                    "x": 0,
                    "y": category,
                    "xanchor": "left",
                    "yanchor": "bottom",
                    "yshift": 10,
                    "showarrow": False,
                    "text": pair_text(int(essay[0]), [int(r) for r in published]),
                    "font": {"size": 12, "color": "#333333"},
                }
            )
        ranks = cols["rank"][in_index].astype(float)
        lo, hi = float(ranks.min()), float(ranks.max())
        pad = max((hi - lo) * 0.15, 1.0)
        notes.append(
            {
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": top,
                "xanchor": "left",
                "yanchor": "bottom",
                "yshift": 2,
                "showarrow": False,
                "text": f"<b>{INDEX_WORDS.get(index, index.upper())}</b>",
                "font": {"size": 13},
            }
        )
        layout_axes[f"xaxis{suffix}"] = {
            "anchor": yref,
            "domain": [0, 1],
            "range": [lo - pad, hi + pad],
            "nticks": 6,
            # One axis title, under the last panel: the panels' ranks read the same way.
            "title": {"text": "Rank (1 = top of the list)" if k == len(indices) - 1 else ""},
        }
        layout_axes[f"yaxis{suffix}"] = {
            "anchor": xref,
            "domain": [bottom, top],
            "type": "category",
            "categoryorder": "array",
            "categoryarray": categories[::-1],  # the first row on top
            "title": {"text": ""},
            # room above the top row for its label
            "range": [-0.6, len(categories) - 0.2],
        }
    height = PANEL_PX * len(indices) + ROW_PX * rows_total + 80
    layout = base_layout(
        height=height,
        hovermode="closest",
        legend=LEGEND_ABOVE,
        margin={"t": 40, "b": 40},
        annotations=notes,
    )
    axis_style = {k: v for k, v in layout["xaxis"].items()}
    for name, axis in layout_axes.items():
        layout[name] = {**axis_style, **axis}
    return {"data": traces, "layout": layout}


def claims_ranks_caption(data: pd.DataFrame, p: Mapping[str, Any]) -> str:
    cols = columns(data)
    parts = []
    for i in np.flatnonzero(cols["role"] == "essay"):
        key = (cols["index"][i], cols["edition"][i], cols["country"][i])
        mine = (
            (cols["role"] == "published")
            & (cols["index"] == key[0])
            & (cols["edition"] == key[1])
            & (cols["country"] == key[2])
        )
        published = ", ".join(
            f"{int(r)} ({s})"
            for r, s in zip(cols["rank"][mine], cols["reported_by"][mine], strict=True)
        )
        parts.append(
            f"{_claim_label(*key)}: essay {int(cols['rank'][i])}, "
            + (f"published {published}" if published else "no other published rank")
        )
    differ = int(np.asarray(cols["differs_from_essay"], dtype=bool).sum())
    return (
        f"The essay's ranks against the indices' figures as other sources publish them, one "
        f"panel per index: {'; '.join(parts)}. {differ} published ranks differ from the "
        "essay's."
    )


register(
    Chart(
        slug="claims-ranks",
        title="The essay's GFP and GMI ranks against published figures",
        page=PAGE,
        params=(),
        data=claims_ranks_data,
        figure=claims_ranks_figure,
        caption=claims_ranks_caption,
        units="rank in the index (1 = top of the list)",
    )
)
