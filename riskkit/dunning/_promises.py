"""Promises to pay and disputes on the collections worklist (docs/domain.md, *Promises and disputes*).

:func:`promise_columns` gives, for the rows of a :class:`~riskkit.dunning.Worklist`,
the promises due and broken and the disputes open of each customer, and the
stage a broken promise escalates the case to. The worklist itself already
leaves disputed invoices out of the overdue amount and the days past due.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from riskkit import promises
from riskkit.dunning._ladder import Ladder
from riskkit.errors import DataTypeError

if TYPE_CHECKING:
    from riskkit.portfolio import Portfolio

__all__ = ["promise_columns"]


def promise_columns(
    portfolio: Portfolio,
    work: Any,
    as_of: Any = None,
    *,
    grace_days: int = promises.GRACE_DAYS,
    horizon_days: int = promises.HORIZON_DAYS,
    ladder: Any = None,
) -> dict[str, np.ndarray]:
    """Promise and dispute columns for the rows of a collections worklist; empty without either table.

    A broken promise to pay is a reason to escalate: ``escalate_to`` names
    the ladder stage after the case's stage when the customer broke a
    promise in the last 90 days (``""`` otherwise, and at the last stage).

    Parameters
    ----------
    portfolio : Portfolio
    work : riskkit.dunning.Worklist
        The worklist of ``portfolio`` at ``as_of``.
    as_of : date-like, optional
        Default ``work.as_of``, else ``portfolio.as_of``.
    grace_days, horizon_days : int
        As in :func:`riskkit.promises.customer_summary`.
    ladder : riskkit.dunning.Ladder, optional
        The worklist's ladder, for ``escalate_to``; default ``Ladder.default()``.

    Returns
    -------
    dict of str to ndarray
        ``promises_due``, ``promised_amount_due``, ``broken_promises_90d``,
        ``escalate_to``, ``disputes_open``, ``disputed_amount``, one value
        per worklist row; ``{}`` when the portfolio has no promises and no
        disputes, so that a worklist without them is unchanged.

    Examples
    --------
    >>> import riskkit
    >>> from riskkit import dunning
    >>> from riskkit.dunning import promise_columns
    >>> p = riskkit.Portfolio.from_records(
    ...     customers=[{"id": "C1"}],
    ...     invoices=[{"id": "I1", "customer_id": "C1", "issued": "2025-01-01", "due": "2025-01-31",
    ...                "amount": 900.0}],
    ...     promises=[{"customer_id": "C1", "made": "2025-02-01", "due": "2025-02-10", "amount": 900.0}],
    ...     as_of="2025-02-20",
    ... )
    >>> scores = riskkit.ScoreResult(score=[60.0], pd=[0.02], grade=["BB"], customer_ids=["C1"])
    >>> work = dunning.worklist(p, scores)
    >>> work["stage"].tolist(), promise_columns(p, work)["escalate_to"].tolist()
    (['call'], ['dunning'])
    """
    if not promises.has_records(portfolio):
        return {}
    ladder = Ladder.default() if ladder is None else ladder
    if not isinstance(ladder, Ladder):
        raise DataTypeError(f"ladder must be a riskkit.dunning.Ladder, got {type(ladder).__name__}")
    when = portfolio.resolve_as_of(work.as_of if as_of is None else as_of)
    summary = promises.customer_summary(portfolio, when, grace_days=grace_days, horizon_days=horizon_days)
    rows = portfolio.codes(np.asarray(work["customer_id"]))
    broken = promises.broken_counts(portfolio, when, promises.QUARTER, grace_days=grace_days)[rows]
    names = np.array([s.name for s in ladder.stages], dtype=str)
    order = np.argsort(names)
    given = np.asarray(work["stage"], dtype=str)
    at = np.searchsorted(names[order], given)
    stage = order[np.minimum(at, names.size - 1)]
    # a row at no ladder stage (added by with_insurance_cases: stage "") escalates to nothing
    following = np.where(names[stage] == given, np.array([*names[1:].tolist(), ""], dtype=object)[stage], "")
    return {
        "promises_due": summary["promises_due"][rows],
        "promised_amount_due": summary["promised_amount_due"][rows],
        "broken_promises_90d": broken,
        "escalate_to": np.where(broken > 0, following, "").astype(object),
        "disputes_open": summary["disputes_open"][rows],
        "disputed_amount": summary["disputed_amount"][rows],
    }
