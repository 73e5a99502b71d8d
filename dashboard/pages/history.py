"""/history: does the force ratio decide battles, and does rugged terrain change the rule? The
logit fitted on CDB90, with controls that vary the sample (battles listed twice, era, terrain
split) to show how much the answer depends on them; doctrine's and the essay's testable claims
set against the evidence, each with its download; and how it is all computed. Without CDB90
the page says how to import it in one command."""

from __future__ import annotations

from typing import Any

from dash import html

from dashboard.charts import render
from dashboard.charts.common import country_name
from dashboard.charts.history import (
    CASE_MEASURE,
    IMPORT_COMMAND,
    SAMPLE_PARAMS,
    history_model,
    ratio_at_text,
    sample_line,
)
from dashboard.components import (
    chart_block,
    cited_source,
    controls,
    messages,
    page_params,
    register_page_callback,
    source_mark,
)
from indicators.benchmarks import published_rates
from indicators.common import IndicatorError
from indicators.history import observed_rates, wilson_interval
from validation import load_catalog

PATH, NAME, ORDER, NAV = "/history", "History", 7, True
PAGE = "history"
CHARTS = ("history-fit", "history-coefficients", "history-predictions")
PARAMS = (*SAMPLE_PARAMS, CASE_MEASURE)
NOTE_ID = f"{PAGE}-note"
# Doctrine's own claim (FM 6-0): the band of observed ratios counted as "about three to one".
ABOUT_3_TO_1 = (2.5, 3.5)
CLAIM_CHARTS = ("history-casualties", "claims-ranks")
TITLE = "History: does the force ratio decide battles?"
LEAD = (
    "The 3:1 and 6:1 rules are rules of thumb. The CAA Database of Battles (CDB90) records "
    "strengths, terrain and outcome for 660 land battles fought between 1600 and 1982, so "
    "the rules can be tested: a logistic regression of attacker success on the log force "
    "ratio, separately for rugged terrain (CDB90's closest code to mountains) and the rest. "
    "Each battle is one historians' estimate, and the sample is fixed (strengths above zero, "
    "a known outcome, duplicates left out) so that results can be compared."
)


def import_box() -> html.Div:
    """How to bring CDB90 in: one command, then a restart of the dashboard."""
    return html.Div(
        [
            html.P(html.Strong("CDB90 is not imported, so the history charts are empty.")),
            html.P(
                [
                    "Import it in one command, giving the folder of the CDB90 data "
                    "(battles.csv, belligerents.csv, terrain.csv and src-data/CDB90-patched.csv):",
                ]
            ),
            html.Pre(html.Code(IMPORT_COMMAND), id="history-import-command"),
            html.P(
                "Then restart the dashboard (milbal serve). The data is the jrnold/CDB90 "
                "package on GitHub (ODC-BY); nothing is downloaded for you."
            ),
        ],
        id="history-import",
        className="messages",
        role="status",
    )


def _download(
    slug: str, text: str = "Download the evidence (CSV)", link_id: str | None = None
) -> html.A:
    return html.A(
        text,
        href=f"/chart/{slug}.csv",
        download="",
        id=link_id or f"claim-download-{slug}",
        className="download",
    )


def _rows(data, **equal: Any) -> list[dict[str, Any]]:
    """The rows of a chart's (small) data whose columns equal the given values, as dicts."""
    records = data.to_dict("records")
    return [r for r in records if all(r.get(k) == v for k, v in equal.items())]


def mountain_rule_evidence() -> list[Any]:
    rendered = render("history-predictions", {})
    if rendered.error is not None:
        return [html.P(f"Evidence needs CDB90: {IMPORT_COMMAND}", className="claim-missing")]
    data = rendered.data
    at6 = _rows(data, quantity="p_win", terrain="rugged", ratio=6.0)[0]
    at3 = _rows(data, quantity="p_win", terrain="rugged", ratio=3.0)[0]
    crossings = _rows(data, quantity="ratio_at_p", terrain="rugged")
    return [
        html.P(
            f"Fitted on n = {at6['n']} battles: on rugged terrain the attacker's chance at 6:1 "
            f"is {at6['p']:.2f} (95% CI {at6['ci_low']:.2f} to {at6['ci_high']:.2f}), against "
            f"{at3['p']:.2f} ({at3['ci_low']:.2f} to {at3['ci_high']:.2f}) at 3:1.",
            id="claim-mountain-p6",
        ),
        html.Ul(
            [html.Li(f"The rugged-terrain curve {ratio_at_text(r)}.") for r in crossings],
            id="claim-mountain-crossings",
        ),
        _download("history-predictions"),
    ]


def casualty_evidence() -> list[Any]:
    rendered = render("history-casualties", {})
    if rendered.error is not None:
        return [html.P(f"Evidence needs CDB90: {IMPORT_COMMAND}", className="claim-missing")]
    row = _rows(rendered.data, terrain="rugged")[0]
    return [
        html.P(
            f"Of {row['both_known']} attacker victories on rugged terrain with both casualty "
            f"figures known, {row['attacker_fewer']} ({row['share_fewer']:.0%}, 95% CI "
            f"{row['share_ci_low']:.0%} to {row['share_ci_high']:.0%}) cost the attacker fewer "
            f"casualties than the defender; {row['attacker_more']} cost more and "
            f"{row['attacker_equal']} the same.",
            id="claim-casualties-counts",
        ),
        _download("history-casualties"),
    ]


def ranks_evidence() -> list[Any]:
    rendered = render("claims-ranks", {})
    if rendered.error is not None:
        return [html.P(rendered.error)]
    return [html.P(rendered.caption, id="claim-ranks-text"), _download("claims-ranks")]


def _essay_ranks() -> str:
    rendered = render("claims-ranks", {})
    if rendered.error is not None:
        return "the essay's GFP and GMI ranks"
    rows = _rows(rendered.data, role="essay")
    return ", ".join(
        f"{r['index'].upper()} {r['edition']} {country_name(r['country'])} {r['rank']}"
        for r in rows
    )


def _chance(row: dict[str, Any]) -> str:
    return f"{row['p']:.2f} (95% CI {row['ci_low']:.2f} to {row['ci_high']:.2f})"


def _side(interval: tuple[float, float]) -> str:
    lo, hi = interval
    return "above" if lo > 0.5 else "below" if hi < 0.5 else "includes"


def _sides(intervals: dict[str, tuple[float, float]]) -> str:
    """Where each terrain's interval lies against one half, in words ("lies above one half
    on both terrains", "includes one half on rugged terrain and lies above it on other
    terrain")."""
    verbs = {"above": "lies above", "below": "lies below", "includes": "includes"}
    sides = {t: _side(i) for t, i in intervals.items()}
    if len(sides) > 1 and len(set(sides.values())) == 1:
        return f"{verbs[next(iter(sides.values()))]} one half on both terrains"
    return " and ".join(f"{verbs[v]} one half on {t} terrain" for t, v in sides.items())


def verdict(
    fitted: dict[str, tuple[float, float]], observed: dict[str, tuple[float, float]]
) -> str:
    """What the intervals of the attacker's chance at about 3:1 say about doctrine's claim
    that the defender then wins more often than not (the attacker's chance below one half):
    the fitted chances (all battles) first, the counts at 2.5-3.5 to one after."""
    sides = {_side(i) for i in fitted.values()}
    if sides == {"above"}:
        head = "The data contradict the claim: attackers at three to one won more often than not"
    elif sides == {"below"}:
        head = "The data agree with the claim: attackers at three to one lost more often"
    else:
        head = "The data cannot settle the claim"
    text = f"{head}. The fitted chance's interval {_sides(fitted)}"
    if observed:
        text += f"; the counted share's interval {_sides(observed)}"
    return text + "."


def published_at_three() -> list[Any]:
    """The Dupuy Institute's published rates for the bands of ratios that hold 3:1, where the
    table is there and gives the number of cases."""
    tdi = load_catalog().tables.get("tdi_force_ratio")
    if tdi is None or tdi.empty:
        return []
    rates = published_rates(tdi)
    high = rates["ratio_high"].fillna(float("inf"))
    rows = rates[(rates["ratio_low"] <= 3.0) & (high >= 3.0) & rates["n"].notna()]
    if rows.empty:
        return []

    def span(low: float, high: float) -> str:
        if high != high:
            return f"{low:.2f} and higher"
        return f"{low:.2f}" if low == high else f"{low:.2f} to {high:.2f}"

    parts = [
        f"{r.database}, {span(r.ratio_low, r.ratio_high)}: {r.rate:.0%} of {int(r.n)} "
        f"(95% CI {r.ci_low:.0%} to {r.ci_high:.0%})"
        for r in rows.itertuples()
    ]
    return [
        html.P(
            "Published by The Dupuy Institute for its own databases, attacker success in the "
            "band of ratios that holds 3:1: " + "; ".join(parts) + ".",
            id="claim-doctrine-published",
        )
    ]


def doctrine_evidence() -> list[Any]:
    """FM 6-0's claim against CDB90 (standard sample): the fitted chance at 3:1 by terrain,
    and the share won among battles fought at 2.5-3.5 to 1, with Wilson intervals."""
    rendered = render("history-predictions", {})
    if rendered.error is not None:
        return [html.P(f"Evidence needs CDB90: {IMPORT_COMMAND}", className="claim-missing")]
    fitted = {r["terrain"]: r for r in _rows(rendered.data, quantity="p_win", ratio=3.0)}
    sample, _, _ = history_model(load_catalog())
    lo, hi = ABOUT_3_TO_1
    rates = observed_rates(sample, (lo, hi)).set_index("terrain")
    observed = []
    fitted_ci = {t: (fitted[t]["ci_low"], fitted[t]["ci_high"]) for t in ("rugged", "other")}
    counted_ci: dict[str, tuple[float, float]] = {}
    for terrain, words in (("rugged", "rugged terrain"), ("other", "other terrain")):
        if terrain not in rates.index:
            observed.append(f"no battles on {words}")
            continue
        wins, n = int(rates.loc[terrain, "wins"]), int(rates.loc[terrain, "n"])
        low, high = wilson_interval(wins, n)
        counted_ci[terrain] = (low, high)
        observed.append(
            f"{wins} of {n} on {words} ({wins / n:.0%}, 95% CI {low:.0%} to {high:.0%})"
        )
    return [
        html.P(
            f"Fitted chance that the attacker succeeds at 3:1: {_chance(fitted['rugged'])} "
            f"on rugged terrain, {_chance(fitted['other'])} on other terrain. Battles fought "
            f"at {lo:g} to {hi:g} to one that the attacker won: {'; '.join(observed)}.",
            id="claim-doctrine-evidence",
        ),
        html.P(verdict(fitted_ci, counted_ci), id="claim-doctrine-verdict", className="verdict"),
        *published_at_three(),
        _download("history-predictions", link_id="claim-download-doctrine"),
    ]


def claims_section() -> html.Section:
    claims = [
        (
            "claim-doctrine",
            "Doctrine: at three to one the defender is favoured",
            [
                "The U.S. Army's staff manual of 2014 says that, in past battles, a defender "
                "facing an attacker about three times its strength won more than half the "
                "time; so the attacker's chance at 3:1 would be below one half. Evidence, on "
                "the standard sample: the fitted chance at 3:1 by terrain, and the share of "
                "battles fought at about three to one that the attacker won. ",
                source_mark(*cited_source("fm-6-0-2014")),
            ],
            doctrine_evidence(),
        ),
        (
            "claim-mountain",
            "Mountains demand six to one",
            "The essay takes the textbook ratio for a frontal attack in mountains to be 6:1, "
            "twice the 3:1 usually asked of an attack on a prepared defence. Evidence: the "
            "fitted chance of success at 6:1 on rugged terrain, and the ratios at which the "
            "rugged-terrain curve reaches even odds (0.5) and three in four (0.75).",
            mountain_rule_evidence(),
        ),
        (
            "claim-casualties",
            "Winning attackers in such terrain rarely lose fewer men",
            "The essay holds that an attacker who wins in this kind of terrain seldom comes "
            "out with lighter losses than the defender. Evidence: CDB90's attacker victories "
            "on rugged terrain, counting those where the attacker lost fewer men than the "
            "defender.",
            casualty_evidence(),
        ),
        (
            "claim-ranks",
            "Where the indices placed the two countries in 2020",
            f"The essay quotes these ranks: {_essay_ranks()}. Evidence: the ranks other sources "
            "publish for the same index, edition and country.",
            ranks_evidence(),
        ),
    ]
    items = [
        html.Li(
            [html.H3(title), html.P(summary, className="claim"), *evidence],
            id=cid,
            className="claim-item",
        )
        for cid, title, summary, evidence in claims
    ]
    return html.Section(
        [
            html.H2("Claims against evidence"),
            html.P(
                "Doctrine's and the essay's statements that data can test, each in our words, "
                "with the evidence (on the standard sample: the controls above do not change "
                "it) and its download.",
                className="lead",
            ),
            html.Ol(items, id="history-claims"),
            *[chart_block(slug, {}, level=3) for slug in CLAIM_CHARTS],
        ],
        id="claims",
    )


def sample_note(values: dict[str, Any]) -> str:
    """The sample line under the controls: n, wins and what was left out."""
    try:
        return sample_line(load_catalog(), values)
    except IndicatorError as exc:
        return str(exc)


def method_section() -> html.Section:
    """How the page's figures are computed, what CDB90's codes mean, and the limits."""
    cite = [source_mark(*cited_source(sid)) for sid in DEBATE]
    return html.Section(
        [
            html.H2("How this is computed", id="history-method-title"),
            html.P(
                "Model: a logistic regression of attacker success (CDB90's WINA = 1; a draw "
                "counts as no success) on the natural log of the force ratio (attacker "
                "strength STRA over defender strength STRD), a terrain indicator and their "
                "product, fitted by maximum likelihood (statsmodels), with 95% Wald intervals; "
                "chances at a given ratio carry intervals by the delta method on the log-odds. "
                "Observed shares are counts of wins over battles in each band of ratios, with "
                "Wilson intervals."
            ),
            html.P(
                "Sample: battles with both strengths above zero and an outcome recorded "
                "(WINA of -1, 0 or 1). The standard sample leaves out the battles CDB90 lists "
                "twice, those with a parent battle (an engagement that is also counted as part "
                "of a larger one). The controls keep them, keep one era, or change the terrain "
                "split; the line under the controls says what each choice left out."
            ),
            html.P(
                "Terrain codes: CDB90's TERRA1 is three letters. The first is the relief: G "
                "rugged, R rolling, F flat, 0 not recorded; the second the cover (M mixed, B "
                "bare, D desert, W wooded); the third a special feature (U urban, M marsh, D "
                "desert). Mountains have no code of their own: rugged (G) is the closest, "
                "which is why the essay's mountain rule is tested on it. The other split "
                "counts rugged and rolling ground together against flat."
            ),
            html.P(
                "Limits: the outcome is a historian's judgement of who won, not a measured "
                "quantity; strengths are estimates, often rounded, and count men, not fire "
                "power, quality or surprise; the battles are those historians wrote about, not "
                "a random sample; and a ratio decided before a battle is not the ratio at its "
                "decisive point. The published benchmarks from The Dupuy Institute come from "
                "its own databases, related to CDB90 by lineage but not the same battles."
            ),
            html.P(
                [
                    "The debate: whether an attacker needs three to one was argued in "
                    "International Security in 1989 by John Mearsheimer (for the rule as a "
                    "rough guide), Joshua Epstein (against) and Trevor Dupuy (on what combat "
                    "data show). ",
                    *[part for mark in cite for part in (mark, " ")],
                ],
                id="history-debate",
            ),
        ],
        id="history-method",
        **{"aria-labelledby": "history-method-title"},
    )


# The 1989 exchange in International Security, cited where the page explains the debate.
DEBATE = ("mearsheimer-1989", "epstein-1989", "dupuy-1989")


def layout(**query: str) -> html.Div:
    values, problems = page_params(PARAMS, query)
    imported = render(CHARTS[0], {}).error is None
    return html.Div(
        [
            html.H1(TITLE),
            html.P(LEAD, className="lead"),
            *([] if imported else [import_box()]),
            html.Section(
                [
                    html.H2("The force ratio in past battles"),
                    html.P(
                        "How much does the answer depend on how the sample is drawn? The "
                        "controls refit the model on another sample; the charts, the "
                        "coefficients and the predicted chances at 3:1 and 6:1 follow, and so "
                        "do their downloads.",
                        className="note",
                    ),
                    messages(PAGE, problems),
                    controls(PAGE, PARAMS, values),
                    html.P(sample_note(values), id=NOTE_ID, className="note", role="status"),
                    *[chart_block(slug, values, level=3) for slug in CHARTS],
                ],
                id="history-model",
            ),
            claims_section(),
            method_section(),
        ]
    )


register_page_callback(PAGE, PARAMS, CHARTS, note=sample_note)
