"""The 5W expert card: who, why, what security, when, how repaid (docs/domain.md, *The 5W card*).

:func:`five_w` screens a new customer or a one-off large order, where the
5C card (:func:`riskkit.scoring.five_c`) leans on a payment history that is
not there yet. Five questions, asked of the request rather than of the
account: who is asking, why (is the order in line with its usual business),
what security backs it, when it is to be paid (the terms asked for) and how
it will be repaid (cash flow and liquidity).

Two inputs are facts of the request, not of the book, so they are not in the
feature catalogue: give them as columns of ``X`` next to the features:

``order_to_usual``
    The order (or credit asked for) / the customer's usual monthly
    purchases; for a new customer, the monthly purchases it declares or
    its peers'. 1 = an ordinary month.
``terms_days``
    The payment terms asked for, in days (30 for net 30).
"""

from __future__ import annotations

from typing import Any

from riskkit.scoring._presets import _numeric
from riskkit.scoring._scorecard import ExpertScorecard

__all__ = ["REQUEST_COLUMNS", "five_w", "five_w_spec"]

#: The inputs of the 5W card that describe the request and are not portfolio features.
REQUEST_COLUMNS: tuple[str, ...] = ("order_to_usual", "terms_days")

_FIVE_W_OVERRIDES: list[dict[str, Any]] = [
    {
        "when": [{"feature": "ocf_to_liabilities", "missing": True}, {"feature": "current_ratio", "below": 1}],
        "missing_points": {"feature": "ocf_to_liabilities", "points": 0},
        "reason": "no cash-flow figure, and current liabilities above current assets",
    },
    {
        "when": [{"feature": "order_to_usual", "at_least": 3}, {"feature": "collateral_coverage", "missing": True}],
        "cap": "BB",
        "reason": "an order of 3 months' usual purchases or more, with no security on record",
    },
    {
        "when": [{"feature": "order_to_usual", "at_least": 3}, {"feature": "collateral_coverage", "below": 0.5}],
        "cap": "BB",
        "reason": "an order of 3 months' usual purchases or more, less than half of it secured",
    },
    {
        "when": [{"feature": "legal_events_12m", "at_least": 2}],
        "cap": "CCC",
        "reason": "two or more legal events in the last 12 months",
    },
]


def five_w_spec() -> dict[str, Any]:
    """The 5W card as a dict (edit it and build your own with ``ExpertScorecard.from_dict``).

    Points (0-100 in all; bins are left-closed: "below 1.5" means < 1.5):

    ==============  ===================  ============================================  =======
    W               input                bins -> points                                missing
    ==============  ===================  ============================================  =======
    Who             years_in_business    <2: 0, 2-5: 5, 5-10: 9, >=10: 12               3
    Who             legal_events_12m     0: 8, 1: 3, 2+: 0                              4
    Why             order_to_usual       <1.5: 20, 1.5-3: 12, 3-6: 5, >=6: 0            5
    What security   collateral_coverage  <0.1: 0, 0.1-0.5: 8, 0.5-1: 14, >=1: 20        0
    When            terms_days           <=30: 15, 31-60: 10, 61-90: 5, 91+: 0          0
    How repaid      ocf_to_liabilities   <0: 0, 0-0.1: 5, 0.1-0.2: 10, >=0.2: 13        4
    How repaid      current_ratio        <1: 0, 1-1.5: 6, 1.5-2: 10, >=2: 12            4
    ==============  ===================  ============================================  =======

    Why the points (docs/domain.md, *The 5W card*): *who* is the standing of
    the applicant (a firm under two years old earns nothing; legal events
    weigh as in the 5C card); *why* compares the order with the customer's
    usual month, since an order far above it is either a project to check or
    stock built up before a failure (docs/domain.md, *Warning signals*,
    ordering); *what security* counts only security on record, so an unknown
    one earns 0, as no security; *when*: longer terms carry the exposure
    longer (the terms by grade of docs/domain.md, *Grades, limits and
    terms*), and terms not stated earn 0; *how repaid* is the cash flow and
    the liquidity that pay the invoice, with neutral-ish missing points for a
    firm without published statements.

    Overrides (the reason shows in ``ScoreResult.override``):

    * no operating cash flow while the current ratio is below 1: 0 points
      instead of 4 (a missing input earns nothing when a worse fact is known);
    * an order of 3 times the usual month or more with less than half of
      its exposure secured, or with no security on record: grade at best BB
      (the credit limit rules give BB no open credit for it unsecured);
    * two or more legal events in the last 12 months: grade at best CCC;
    * in default (feature ``in_default``, when ``X`` has it): grade D.

    Grades and PD follow the 5C card: the 100-point scale
    (:meth:`riskkit.MasterScale.expert_100`) and an uncalibrated PD, 60
    points at 50:1 odds with 10 points to double them.
    """
    return {
        "name": "riskkit 5W",
        "description": "Who, Why, What security, When, How repaid: a new customer or a one-off large order",
        "scaling": {"base_score": 60.0, "base_odds": 50.0, "pdo": 10.0},
        "master_scale": "expert_100",
        "unknown": "error",
        "features": [
            _numeric("years_in_business", [2, 5, 10], [0, 5, 9, 12], 3),
            _numeric("legal_events_12m", [1, 2], [8, 3, 0], 4),
            _numeric("order_to_usual", [1.5, 3, 6], [20, 12, 5, 0], 5),
            _numeric("collateral_coverage", [0.1, 0.5, 1.0], [0, 8, 14, 20], 0),
            _numeric("terms_days", [31, 61, 91], [15, 10, 5, 0], 0),
            _numeric("ocf_to_liabilities", [0, 0.1, 0.2], [0, 5, 10, 13], 4),
            _numeric("current_ratio", [1, 1.5, 2], [0, 6, 10, 12], 4),
        ],
        "overrides": _FIVE_W_OVERRIDES,
    }


def five_w() -> ExpertScorecard:
    """The 5W expert scorecard for a new customer or a one-off large order (see :func:`five_w_spec`).

    ``X`` holds the portfolio features it reads (``years_in_business``,
    ``legal_events_12m``, ``collateral_coverage``, ``ocf_to_liabilities``,
    ``current_ratio``) and the two request columns ``order_to_usual`` and
    ``terms_days`` (:data:`REQUEST_COLUMNS`).

    Examples
    --------
    >>> card = five_w()
    >>> card.score_range
    (0.0, 100.0)
    >>> r = card.score({"years_in_business": [12.0], "legal_events_12m": [0.0], "order_to_usual": [1.2],
    ...                 "collateral_coverage": [0.6], "terms_days": [30.0], "ocf_to_liabilities": [0.15],
    ...                 "current_ratio": [1.8]})
    >>> r.score.tolist(), r.grade.tolist()
    ([89.0], ['AA'])
    """
    return ExpertScorecard.from_dict(five_w_spec())
