"""/history: does the force ratio decide battles, and does rugged terrain change the rule? The
logit fitted on CDB90 (imported by the user), and the essay's testable claims set against the
evidence, each with its download. Without CDB90 the page says how to import it in one command.
No controls: the charts have no parameters."""

from __future__ import annotations

from typing import Any

from dash import html

from dashboard.charts import render
from dashboard.charts.common import country_name
from dashboard.charts.history import IMPORT_COMMAND, ratio_at_text
from dashboard.components import chart_block

PATH, NAME, ORDER, NAV = "/history", "History", 7, True
PAGE = "history"
CHARTS = ("history-fit", "history-coefficients", "history-predictions")
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


def _download(slug: str, text: str = "Download the evidence (CSV)") -> html.A:
    return html.A(
        text,
        href=f"/chart/{slug}.csv",
        download="",
        id=f"claim-download-{slug}",
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


def claims_section() -> html.Section:
    claims = [
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
                "The essay's statements that data can test, each in our words, with the "
                "evidence and its download.",
                className="lead",
            ),
            html.Ol(items, id="history-claims"),
            *[chart_block(slug, {}, level=3) for slug in CLAIM_CHARTS],
        ],
        id="claims",
    )


def layout(**query: str) -> html.Div:
    imported = render(CHARTS[0], {}).error is None
    return html.Div(
        [
            html.H1(TITLE),
            html.P(LEAD, className="lead"),
            *([] if imported else [import_box()]),
            html.Section(
                [
                    html.H2("The force ratio in past battles"),
                    *[chart_block(slug, {}, level=3) for slug in CHARTS],
                ],
                id="history-model",
            ),
            claims_section(),
        ]
    )
