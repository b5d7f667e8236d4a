"""Ready-made expert scorecards.

:func:`five_c` is a documented 5C card (Character, Capacity, Capital,
Collateral, Conditions) over the features of :meth:`riskkit.Portfolio.features`,
for companies with no default history of their own. It needs no training.
"""

from __future__ import annotations

from typing import Any

from riskkit.scoring._scorecard import ExpertScorecard

__all__ = ["five_c", "five_c_spec"]


def _numeric(name: str, cuts: list[float], points: list[float], missing: float) -> dict[str, Any]:
    bins: list[dict[str, Any]] = [{"below": c, "points": p} for c, p in zip(cuts, points, strict=False)]
    bins.append({"points": points[-1]})
    return {"name": name, "type": "numeric", "bins": bins, "missing": missing}


#: Over 30 and over 60 days past due, as sums of the aging buckets.
_OVER_30 = ["aging_31_60", "aging_61_90", "aging_91_plus"]
_OVER_60 = ["aging_61_90", "aging_91_plus"]
#: What the points alone would understate (docs/domain.md, default and overrides).
_FIVE_C_OVERRIDES: list[dict[str, Any]] = [
    {
        "when": [{"feature": "payment_index", "missing": True}, {"feature": "max_days_past_due", "above": 30}],
        "missing_points": {"feature": "payment_index", "points": 0},
        "reason": "no payment history, and invoices more than 30 days past due",
    },
    {
        "when": [{"feature": "payment_index", "missing": True}, {"feature": "max_days_past_due", "above": 0}],
        "missing_points": {"feature": "payment_index", "points": 3},
        "reason": "no payment history, and invoices past due",
    },
    {
        "when": [{"feature": _OVER_60, "above": 500}],
        "cap": "CCC",
        "reason": "more than 500 over 60 days past due",
    },
    {
        "when": [{"feature": _OVER_30, "above": 500}],
        "cap": "B",
        "reason": "more than 500 over 30 days past due",
    },
    {
        "when": [{"feature": "legal_events_12m", "at_least": 2}],
        "cap": "CCC",
        "reason": "two or more legal events in the last 12 months",
    },
]


def five_c_spec() -> dict[str, Any]:
    """The 5C card as a dict (edit it and build your own with ``ExpertScorecard.from_dict``).

    Points (0-100 in all; bins are left-closed: "below 50" means < 50):

    ==========  ====================  ==================================================  =======
    C           feature               bins -> points                                      missing
    ==========  ====================  ==================================================  =======
    Character   payment_index         <50: 0, 50-65: 4, 65-80: 8, >=80: 12                 6
    Character   max_days_past_due     0: 12, 1-15: 9, 16-30: 6, 31-60: 3, 61-90: 1, 91+: 0 6
    Character   broken_promises_90d   0: 5, 1: 2, 2+: 0                                    5
    Character   legal_events_12m      0: 6, 1: 2, 2+: 0                                    6
    Capacity    ocf_to_liabilities    <0: 0, 0-0.1: 4, 0.1-0.2: 7, >=0.2: 10               4
    Capacity    net_margin            <-5%: 0, -5-0%: 3, 0-3%: 6, 3-8%: 8, >=8%: 10       4
    Capital     debt_ratio            <0.4: 8, 0.4-0.6: 6, 0.6-0.8: 3, 0.8-1: 1, >=1: 0   3
    Capital     altman_z_private      <1.23: 0, 1.23-2: 5, 2-2.9: 9, >=2.9: 12             5
    Collateral  collateral_coverage   <0.1: 0, 0.1-0.5: 5, 0.5-1: 8, >=1: 10               5
    Conditions  years_in_business     <2: 0, 2-5: 3, 5-10: 6, >=10: 8                      3
    Conditions  industry_risk         <0.3: 7, 0.3-0.5: 5, 0.5-0.7: 2, >=0.7: 0            3.5
    ==========  ====================  ==================================================  =======

    Missing values get explicit points: about half the feature's range where
    the information is simply not available (no statement, no payment
    history), so a new customer is neither rewarded nor ruined by it, unless
    a worse fact is known.

    Overrides (:mod:`riskkit.scoring._overrides`; the reason shows in
    ``ScoreResult.override``):

    * no payment index while invoices are past due: 3 points instead of 6,
      0 when more than 30 days past due;
    * more than 500 over 60 days past due: grade at best CCC;
    * more than 500 over 30 days past due: grade at best B;
    * two or more legal events in the last 12 months: grade at best CCC;
    * in default (feature ``in_default``): grade D with PD 1, as for every
      scorer (docs/domain.md, default).
    ``industry_risk`` is the user-supplied index where higher is riskier
    (0-1 in the synthetic book). Grades follow docs/domain.md, *Grades, limits and terms*'s 100-point scale
    (:meth:`riskkit.MasterScale.expert_100`). The probability of default is an
    uncalibrated prior, 60 points at 50:1 odds with 10 points to double them
    (score 40: about 7%, score 20: about 24%); recalibrate it on your own
    outcomes once you have them.
    """
    return {
        "name": "riskkit 5C",
        "description": "Character, Capacity, Capital, Collateral, Conditions over riskkit's portfolio features",
        "scaling": {"base_score": 60.0, "base_odds": 50.0, "pdo": 10.0},
        "master_scale": "expert_100",
        "unknown": "error",
        "features": [
            _numeric("payment_index", [50, 65, 80], [0, 4, 8, 12], 6),
            _numeric("max_days_past_due", [1, 16, 31, 61, 91], [12, 9, 6, 3, 1, 0], 6),
            _numeric("broken_promises_90d", [1, 2], [5, 2, 0], 5),
            _numeric("legal_events_12m", [1, 2], [6, 2, 0], 6),
            _numeric("ocf_to_liabilities", [0, 0.1, 0.2], [0, 4, 7, 10], 4),
            _numeric("net_margin", [-0.05, 0, 0.03, 0.08], [0, 3, 6, 8, 10], 4),
            _numeric("debt_ratio", [0.4, 0.6, 0.8, 1.0], [8, 6, 3, 1, 0], 3),
            _numeric("altman_z_private", [1.23, 2.0, 2.9], [0, 5, 9, 12], 5),
            _numeric("collateral_coverage", [0.1, 0.5, 1.0], [0, 5, 8, 10], 5),
            _numeric("years_in_business", [2, 5, 10], [0, 3, 6, 8], 3),
            _numeric("industry_risk", [0.3, 0.5, 0.7], [7, 5, 2, 0], 3.5),
        ],
        "overrides": _FIVE_C_OVERRIDES,
    }


def five_c() -> ExpertScorecard:
    """The 5C expert scorecard (see :func:`five_c_spec` for every bin and its points).

    Examples
    --------
    >>> from riskkit.datasets import make_portfolio
    >>> portfolio, outcomes = make_portfolio(500, seed=1)
    >>> result = five_c().score(portfolio.features())
    >>> five_c().score_range
    (0.0, 100.0)
    >>> sorted(set(result.grade.tolist()))[:3]
    ['A', 'AA', 'AAA']
    """
    return ExpertScorecard.from_dict(five_c_spec())
