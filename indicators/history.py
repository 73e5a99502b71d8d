"""Does the force ratio decide battles, and does rugged terrain change the rule? A logit of
attacker success on the log force ratio, by terrain, fitted on CDB90's battles.

The standard sample is fixed so that results can be compared (issue 6): battles with both
strengths above zero and a known outcome (WINA -1, 0 or 1), duplicates (a non-empty `parent`)
left out; win = WINA == 1 (a draw is not a win), rugged = TERRA1 begins with "G", ratio =
STRA / STRD. SampleRules vary it to show how much the answer depends on these choices (issue 17):
keeping the battles CDB90 lists twice, one era only, and "non-flat" (TERRA1 beginning with G,
rugged, or R, rolling) in place of rugged.

CDB90's TERRA1 is three letters: the first is the relief (G rugged, R rolling, F flat, 0 not
recorded), the second the cover (M mixed, B bare, D desert, W wooded), the third a
special feature (U urban, M marsh, D desert), 0 where none is recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

from indicators.common import IndicatorError


def _z_quantile(p: float) -> float:
    """The standard normal quantile (the standard library's: scipy.stats takes ~1.5 s to import,
    and this module is imported when the dashboard starts)."""
    return NormalDist().inv_cdf(p)


FORMULA = "win ~ log_ratio * rugged"
# Terms in the order statsmodels' formula gives them (the design matrix's columns).
TERMS = ("Intercept", "log_ratio", "rugged", "log_ratio:rugged")
TERM_TEXT = {
    "Intercept": "intercept (other terrain, ratio 1:1)",
    "log_ratio": "log force ratio (other terrain)",
    "rugged": "rugged terrain (shift at ratio 1:1)",
    "log_ratio:rugged": "log force ratio x rugged (change of slope)",
}
LEVEL = 0.95
SAMPLE_COLUMNS = [
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
    "win",
    "ratio",
    "log_ratio",
    "source_id",
]
NEEDED = ("isqno", "str_a", "str_d", "wina", "terra1", "parent", "cas_a", "cas_d")

# The choices a sample may vary (SampleRules), each value with its meaning.
DUPLICATES = {
    "drop": "battles CDB90 lists twice (with a parent battle) left out",
    "keep": "battles CDB90 lists twice kept",
}
# era -> [first year, year after the last) of the battle's year; None: open.
ERAS: dict[str, tuple[int | None, int | None]] = {
    "all": (None, None),
    "before-1800": (None, 1800),
    "1800s": (1800, 1900),
    "1900-on": (1900, None),
}
# split -> the first letters of TERRA1 counted as the "rugged" side of the model.
SPLITS = {"rugged": ("G",), "nonflat": ("G", "R")}


@dataclass(frozen=True)
class SampleRules:
    """How the sample is drawn from CDB90 (the defaults are the standard sample)."""

    duplicates: str = "drop"
    era: str = "all"
    split: str = "rugged"

    def __post_init__(self) -> None:
        for name, allowed in (("duplicates", DUPLICATES), ("era", ERAS), ("split", SPLITS)):
            value = getattr(self, name)
            if value not in allowed:
                raise IndicatorError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")


STANDARD = SampleRules()


def battle_selection(
    battles: pd.DataFrame, rules: SampleRules = STANDARD
) -> tuple[pd.DataFrame, dict[str, int]]:
    """The sample under these rules and what was dropped on the way, counted in this order
    (a battle is counted under the first rule that drops it): `listed` battles in the table,
    `twice` (with a parent, when duplicates are dropped), `incomplete` (a strength not above
    zero or an outcome not known), `era` (outside the era, or no year); then `n` and `wins`."""
    absent = [c for c in NEEDED if c not in battles]
    if absent:
        raise IndicatorError(f"battles table lacks column(s) {', '.join(absent)}")
    str_a = pd.to_numeric(battles["str_a"], errors="coerce").astype(float).to_numpy()
    str_d = pd.to_numeric(battles["str_d"], errors="coerce").astype(float).to_numpy()
    wina = pd.to_numeric(battles["wina"], errors="coerce").astype(float).to_numpy()
    parent = battles["parent"]
    no_parent = (parent.isna() | (parent.astype("string").str.strip() == "")).to_numpy(bool)
    twice = ~no_parent if rules.duplicates == "drop" else np.zeros(len(battles), dtype=bool)
    complete = (str_a > 0) & (str_d > 0) & np.isin(wina, (-1.0, 0.0, 1.0))
    first, stop = ERAS[rules.era]
    in_era = np.ones(len(battles), dtype=bool)
    if first is not None or stop is not None:
        year = pd.to_numeric(battles.get("year"), errors="coerce").astype(float).to_numpy()
        in_era = ~np.isnan(year)
        if first is not None:
            in_era &= year >= first
        if stop is not None:
            in_era &= year < stop
    keep = ~twice & complete & in_era
    sample = battles.loc[keep].copy()
    relief = sample["terra1"].astype(str).str[:1]
    sample["rugged"] = relief.isin(SPLITS[rules.split]).astype(int).to_numpy()
    sample["win"] = (wina[keep] == 1).astype(int)
    sample["ratio"] = str_a[keep] / str_d[keep]
    sample["log_ratio"] = np.log(sample["ratio"])
    if "source_id" not in sample:
        sample["source_id"] = ""
    out = sample.reindex(columns=SAMPLE_COLUMNS).reset_index(drop=True)
    out = out.astype({"str_a": float, "str_d": float, "wina": int})
    dropped = {
        "listed": len(battles),
        "twice": int(twice.sum()),
        "incomplete": int((~twice & ~complete).sum()),
        "era": int((~twice & complete & ~in_era).sum()),
        "n": len(out),
        "wins": int(out["win"].sum()),
    }
    return out, dropped


def battle_sample(battles: pd.DataFrame, rules: SampleRules = STANDARD) -> pd.DataFrame:
    """The battles the model is fitted on (see battle_selection): STRA > 0, STRD > 0, WINA in
    {-1, 0, 1}, no parent (the standard rules); with win, rugged (from terra1), ratio and
    log_ratio."""
    return battle_selection(battles, rules)[0]


@dataclass(frozen=True)
class HistoryFit:
    """A fitted logit: one row per term (estimate, std_error, ci_low, ci_high, p_value), the
    coefficients' covariance (rows and columns in TERMS order), n and the log-likelihood."""

    coefficients: pd.DataFrame
    cov: np.ndarray
    n: int
    wins: int
    llf: float
    converged: bool


def _design(log_ratio: np.ndarray, rugged: np.ndarray) -> np.ndarray:
    """Rows [1, log ratio, rugged, log ratio x rugged], the columns of FORMULA's matrix."""
    log_ratio = np.asarray(log_ratio, dtype=float)
    rugged = np.asarray(rugged, dtype=float)
    return np.column_stack([np.ones_like(log_ratio), log_ratio, rugged, log_ratio * rugged])


def fit_history_logit(sample: pd.DataFrame) -> HistoryFit:
    """Logit of win on log ratio, rugged and their interaction (statsmodels, Wald 95% CIs)."""
    import statsmodels.formula.api as smf  # ~2 s to import: only where a model is fitted

    if len(sample) < len(TERMS) + 1:
        raise IndicatorError(f"too few battles to fit the model: {len(sample)}")
    for column, label in (("win", "outcome"), ("rugged", "terrain")):
        if sample[column].nunique() < 2:
            raise IndicatorError(f"every battle in the sample has the same {label}")
    data = sample[["win", "log_ratio", "rugged"]].astype(float)
    result = smf.logit(FORMULA, data).fit(disp=0)
    names = list(result.params.index)
    if tuple(names) != TERMS:
        raise IndicatorError(f"unexpected model terms {names}")
    ci = result.conf_int(alpha=1 - LEVEL)
    coefficients = pd.DataFrame(
        {
            "term": names,
            "description": [TERM_TEXT[t] for t in names],
            "estimate": result.params.to_numpy(),
            "std_error": result.bse.to_numpy(),
            "ci_low": ci[0].to_numpy(),
            "ci_high": ci[1].to_numpy(),
            "p_value": result.pvalues.to_numpy(),
            "n": int(result.nobs),
        }
    )
    return HistoryFit(
        coefficients=coefficients,
        cov=np.asarray(result.cov_params(), dtype=float),
        n=int(result.nobs),
        wins=int(data["win"].sum()),
        llf=float(result.llf),
        converged=bool(result.mle_retvals.get("converged", True)),
    )


def _logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def predict_win(fit: HistoryFit, ratios: Sequence[float], rugged: bool | Sequence[bool]):
    """P(attacker wins) at each ratio with its 95% band: the delta method on the linear
    predictor (its standard error from the coefficients' covariance), then the logistic
    transform of eta and of eta +- z * se, so the band stays within 0-1."""
    ratios = np.asarray(ratios, dtype=float)
    if (ratios <= 0).any() or not np.isfinite(ratios).all():
        raise IndicatorError("force ratios must be positive and finite")
    flags = np.broadcast_to(np.asarray(rugged, dtype=bool), ratios.shape)
    x = _design(np.log(ratios), flags)
    beta = fit.coefficients["estimate"].to_numpy(dtype=float)
    eta = x @ beta
    se = np.sqrt(np.einsum("ij,jk,ik->i", x, fit.cov, x))
    z = _z_quantile(0.5 + LEVEL / 2)
    return pd.DataFrame(
        {
            "ratio": ratios,
            "rugged": flags,
            "eta": eta,
            "eta_se": se,
            "p_win": _logistic(eta),
            "p_low": _logistic(eta - z * se),
            "p_high": _logistic(eta + z * se),
        }
    )


def ratio_for_probability(fit: HistoryFit, p: float, rugged: bool) -> dict[str, object]:
    """The ratio at which the fitted P(win) reaches p on one terrain, with its 95% confidence
    set: the ratios where the 95% band of predict_win contains p (Fieller's set for
    log r* = (logit p - a) / b, a and b the terrain's intercept and slope).

    With a slope clearly above zero the set is an interval [ci_low, ci_high] ("interval").
    With a slope that may be zero, it is the ratios below ci_low and above ci_high ("outside":
    in between, the band excludes p), or every ratio ("all"). The point estimate may then lie
    far outside the battles observed; `in_observed_range` is false when the curve does not
    reach p among the sample's ratios.
    """
    if not 0 < p < 1:
        raise IndicatorError(f"probability must lie strictly between 0 and 1; got {p}")
    beta = fit.coefficients["estimate"].to_numpy(dtype=float)
    g = 1.0 if rugged else 0.0
    ca = np.array([1.0, 0.0, g, 0.0])  # the terrain's intercept a = b0 + g*b2
    cb = np.array([0.0, 1.0, 0.0, g])  # and slope b = b1 + g*b3
    a, b = ca @ beta, cb @ beta
    v_aa, v_ab, v_bb = ca @ fit.cov @ ca, ca @ fit.cov @ cb, cb @ fit.cov @ cb
    z2 = _z_quantile(0.5 + LEVEL / 2) ** 2
    d = a - np.log(p / (1 - p))
    # The band contains p where (a + b t - logit p)^2 <= z^2 se(t)^2, t = log ratio:
    # qa t^2 + 2 qb t + qc <= 0.
    qa, qb, qc = b * b - z2 * v_bb, d * b - z2 * v_ab, d * d - z2 * v_aa
    disc = qb * qb - qa * qc
    if disc < 0:
        kind, lo, hi = ("all", np.nan, np.nan) if qa < 0 else ("none", np.nan, np.nan)
    else:
        roots = sorted(((-qb - np.sqrt(disc)) / qa, (-qb + np.sqrt(disc)) / qa))
        kind = "interval" if qa > 0 else "outside"
        lo, hi = float(np.exp(roots[0])), float(np.exp(roots[1]))
    ratio = float(np.exp(-d / b)) if b != 0 else np.nan
    return {
        "p": p,
        "rugged": bool(rugged),
        "ratio": ratio,
        "ci_kind": kind,
        "ci_low": lo,
        "ci_high": hi,
        "slope": float(b),
        "slope_ci_low": float(b - np.sqrt(z2 * v_bb)),
        "slope_ci_high": float(b + np.sqrt(z2 * v_bb)),
    }


def observed_rates(sample: pd.DataFrame, bins: Sequence[float]) -> pd.DataFrame:
    """Win rate and count per ratio bin [lo, hi), by terrain; `ratio_median` places the bin on
    a log axis. Empty bins are left out."""
    edges = np.asarray(bins, dtype=float)
    if len(edges) < 2 or (np.diff(edges) <= 0).any():
        raise IndicatorError("bins must be at least two increasing edges")
    ratio = sample["ratio"].to_numpy(dtype=float)
    win = sample["win"].to_numpy(dtype=float)
    rugged = sample["rugged"].to_numpy(dtype=bool)
    which = np.searchsorted(edges, ratio, side="right") - 1
    rows = []
    for flag in (True, False):
        for i in range(len(edges) - 1):
            mask = (rugged == flag) & (which == i)
            n = int(mask.sum())
            if not n:
                continue
            wins = int(win[mask].sum())
            rows.append(
                {
                    "terrain": "rugged" if flag else "other",
                    "bin_low": edges[i],
                    "bin_high": edges[i + 1],
                    "ratio_median": float(np.median(ratio[mask])),
                    "n": n,
                    "wins": wins,
                    "win_rate": wins / n,
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "terrain",
            "bin_low",
            "bin_high",
            "ratio_median",
            "n",
            "wins",
            "win_rate",
        ],
    )


def wilson_interval(k: int, n: int, level: float = LEVEL) -> tuple[float, float]:
    """The Wilson score interval of a proportion k/n."""
    if n == 0:
        return float("nan"), float("nan")
    z = _z_quantile(0.5 + level / 2)
    share = k / n
    centre = (share + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(share * (1 - share) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return float(centre - half), float(centre + half)


def casualty_claim(sample: pd.DataFrame) -> pd.DataFrame:
    """Attacker wins with both casualty figures known, by terrain (rugged first: the claim):
    how many cost the attacker fewer casualties than the defender (CASA < CASD), and the share
    with its Wilson 95% interval."""
    cas_a = pd.to_numeric(sample["cas_a"], errors="coerce").to_numpy(dtype=float)
    cas_d = pd.to_numeric(sample["cas_d"], errors="coerce").to_numpy(dtype=float)
    win = sample["win"].to_numpy(dtype=bool)
    rugged = sample["rugged"].to_numpy(dtype=bool)
    known = ~np.isnan(cas_a) & ~np.isnan(cas_d)
    rows = []
    for flag in (True, False):
        wins = win & (rugged == flag)
        counted = wins & known
        n = int(counted.sum())
        fewer = int((counted & (cas_a < cas_d)).sum())
        low, high = wilson_interval(fewer, n)
        rows.append(
            {
                "terrain": "rugged" if flag else "other",
                "attacker_wins": int(wins.sum()),
                "both_known": n,
                "attacker_fewer": fewer,
                "attacker_equal": int((counted & (cas_a == cas_d)).sum()),
                "attacker_more": int((counted & (cas_a > cas_d)).sum()),
                "share_fewer": fewer / n if n else float("nan"),
                "share_ci_low": low,
                "share_ci_high": high,
            }
        )
    return pd.DataFrame(rows)
