"""A customer's warning level: its signals weighed together, within an alert budget.

Each signal that fires adds ``weight x points`` to the customer's score,
points by severity (info 1, watch 2, warning 3, critical 4) and weights per
signal (1 out of the box; fitted by :func:`riskkit.signals.calibrate` when
outcomes exist). The customer's **level** is then:

* with calibrated cutoffs: ``critical`` when the score reaches the critical
  cutoff, ``warning`` when it reaches the warning cutoff (several milder
  alerts weighed together may reach it), else its worst alert's severity
  capped at ``watch``;
* without: its worst alert's severity.

Either way customers in default are not ranked (they are collections
cases), and the **alert budget** holds: when more than ``budget`` of the customers not in default
would be at warning or worse, only the highest scores keep it and the others
are shown at ``watch`` (docs/domain.md, warning signals).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from riskkit._checks import Interval, check
from riskkit.signals._base import SEVERITY_RANK

__all__ = ["DEFAULT_BUDGET", "SEVERITY_POINTS", "check_budget", "levels", "scores"]

#: Points of an alert by severity (info, watch, warning, critical).
SEVERITY_POINTS = np.array([1.0, 2.0, 3.0, 4.0])
#: The share of customers (not in default) a team can work at warning or worse, out of the box.
DEFAULT_BUDGET = 0.15

_WARNING, _CRITICAL, _WATCH = SEVERITY_RANK["warning"], SEVERITY_RANK["critical"], SEVERITY_RANK["watch"]


class _Share(Interval):
    """A number in (0, 1], described as a share."""

    def __str__(self) -> str:
        return "a share in (0, 1]"


_BUDGET = _Share(float, 0, 1, closed="right")


def check_budget(budget: float) -> float:
    """An alert budget: a share in (0, 1].

    Examples
    --------
    >>> check_budget(0.1)
    0.1
    >>> check_budget(0)
    Traceback (most recent call last):
    riskkit.errors.ValidationError: alert_budget must be a share in (0, 1], got 0
    """
    return float(check("alert_budget", budget, _BUDGET))


def scores(customer: np.ndarray, sig: np.ndarray, severity: np.ndarray, weights: np.ndarray,
           n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per customer: the weighted score of its alerts and its worst alert's severity (-1 without)."""
    score = np.bincount(customer, weights=weights[sig] * SEVERITY_POINTS[severity], minlength=n)
    worst = np.full(n, -1, dtype=np.int8)
    np.maximum.at(worst, customer, severity.astype(np.int8))
    return score, worst


def levels(
    score: np.ndarray,
    worst: np.ndarray,
    eligible: np.ndarray,
    budget: float,
    cutoffs: Mapping[str, float] | None = None,
    tiebreak: np.ndarray | None = None,
) -> np.ndarray:
    """Each customer's level (severity rank, -1 none); see the module docstring.

    ``eligible`` marks the customers ranked (not in default); ``tiebreak``
    orders equal scores (larger first, e.g. the overdue amount).
    """
    if cutoffs:
        # weighed together, several milder alerts may reach warning; a customer without any alert stays none
        level = np.minimum(worst, _WATCH).astype(np.int8)
        level[(score >= cutoffs.get("warning", math.inf)) & (worst >= 0)] = _WARNING
        level[(score >= cutoffs.get("critical", math.inf)) & (worst >= 0)] = _CRITICAL
    else:
        level = worst.copy()
    level[~eligible] = -1
    high = np.flatnonzero(level >= _WARNING)
    allowed = math.floor(budget * int(eligible.sum()) + 1e-9)
    if high.size > allowed:
        extra = np.zeros(score.size) if tiebreak is None else np.nan_to_num(tiebreak)
        # keep the highest scores (then worst alert, then the tie-break, then portfolio order)
        order = np.lexsort((high, -extra[high], -worst[high].astype(np.int64), -score[high]))
        level[high[order[allowed:]]] = _WATCH
    return level
