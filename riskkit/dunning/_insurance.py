"""Credit-insurance notification deadlines on the collections worklist (docs/domain.md, *Credit insurance*).

An overdue insured invoice must be notified to the credit insurer by its
deadline, ``due + max_extension_days`` (:func:`riskkit.insurance.deadlines`),
or its cover is lost. That is a task of the credit controller, next to the
dunning:

- :func:`insurance_columns` gives, for the rows of a
  :class:`~riskkit.dunning.Worklist`, the customer's overdue insured
  invoices to notify and its nearest deadline;
- :func:`with_insurance_cases` adds to a worklist the customers whose
  nearest deadline is at most ``warn_days`` away but who are not on it
  because nothing of theirs is being dunned (their overdue invoices are all
  under an open dispute, which the worklist leaves out: the deadline runs
  all the same).

Both leave a book without insurance decisions as it was: no column
(``{}``), no row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from riskkit._checks import Integer, check, check_scores
from riskkit._numeric import group_count, group_max, group_sum
from riskkit.dunning._worklist import _COLUMNS, Worklist
from riskkit.errors import DataTypeError
from riskkit.insurance import DEFAULT_MAX_EXTENSION_DAYS, deadlines, has_insurance

if TYPE_CHECKING:
    from riskkit.portfolio import Portfolio
    from riskkit.scoring._result import ScoreResult

__all__ = ["DEFAULT_WARN_DAYS", "NOTIFY_ACTION", "insurance_columns", "with_insurance_cases"]

#: Days before a notification deadline from which its invoices are to notify (the signal's ``watch`` level).
DEFAULT_WARN_DAYS = 30
#: The action of a row :func:`with_insurance_cases` adds.
NOTIFY_ACTION = "notify the credit insurer of the overdue invoices"


def _per_customer(
    portfolio: Portfolio, when: np.datetime64, max_extension_days: Any, warn_days: Any
) -> dict[str, np.ndarray]:
    """Per customer (portfolio order): the insurance columns of :func:`insurance_columns`."""
    extension = check("max_extension_days", max_extension_days, Integer(0, None, unit="days"))
    warn = check("warn_days", warn_days, Integer(0, None, unit="days"))
    d = deadlines(portfolio, when, max_extension_days=extension)
    n = portfolio.n_customers
    cust = portfolio.codes(d["customer_id"]) if len(d) else np.zeros(0, dtype=np.int64)
    days = d["days_to_deadline"]
    soon = days <= warn  # passed deadlines included: the insurer is still to be told
    nearest = -group_max(-days.astype(np.float64), cust, n, empty=np.nan)
    known = ~np.isnan(nearest)
    notify_by = np.full(n, np.datetime64("NaT", "D"))
    notify_by[known] = when + nearest[known].astype(np.int64).astype("timedelta64[D]")
    return {
        "notify_invoices": group_count(cust[soon], n),
        "notify_amount": group_sum(d["open_amount"][soon], cust[soon], n),
        "notify_by": notify_by,
        "days_to_deadline": nearest,
        "cover_lost": group_count(cust[d["lost"]], n) > 0,
    }


def insurance_columns(
    portfolio: Portfolio,
    work: Any,
    as_of: Any = None,
    *,
    max_extension_days: int = DEFAULT_MAX_EXTENSION_DAYS,
    warn_days: int = DEFAULT_WARN_DAYS,
) -> dict[str, np.ndarray]:
    """Credit-insurance columns for the rows of a collections worklist; empty for a book without insurance.

    Per worklist row, from the customer's overdue invoices insured on their
    issue date (:func:`riskkit.insurance.deadlines`; invoices under dispute
    included, the deadline runs for them too):

    ================  ========  ==================================================================
    column            dtype     meaning
    ================  ========  ==================================================================
    notify_invoices   int64     invoices whose deadline is at most ``warn_days`` away or passed
    notify_amount     float64   their open amount
    notify_by         date      the nearest deadline among all its overdue insured invoices (NaT none)
    days_to_deadline  float64   ``notify_by - as_of``; below 0 the cover is lost (NaN none)
    cover_lost        bool      an invoice's deadline has passed: its cover is lost
    ================  ========  ==================================================================

    Parameters
    ----------
    portfolio : Portfolio
    work : riskkit.dunning.Worklist
        A worklist of ``portfolio`` at ``as_of``.
    as_of : date-like, optional
        Default ``work.as_of``, else ``portfolio.as_of``.
    max_extension_days : int >= 0, default 90
        The insurer's maximum extension period, in days past due.
    warn_days : int >= 0, default 30
        Days before its deadline from which an invoice is to notify.

    Returns
    -------
    dict of str to ndarray
        One value per worklist row; ``{}`` when the portfolio has no
        insurance decision, so that the worklist of such a book is unchanged.

    Raises
    ------
    riskkit.errors.ValidationError
        ``max_extension_days`` or ``warn_days`` is not a whole number >= 0,
        or a worklist customer is not in the portfolio.

    Examples
    --------
    Hand-computed: I1 is 70 days past due on 2025-04-11, its deadline
    (due + 90 days) is 2025-05-01, 20 days away: within 30 days, to notify.

    >>> import riskkit
    >>> from riskkit import dunning
    >>> book = riskkit.Portfolio.from_records(
    ...     customers=[{"id": "C1"}],
    ...     invoices=[{"id": "I1", "customer_id": "C1", "issued": "2025-01-01", "due": "2025-01-31",
    ...                "amount": 4000.0}],
    ...     insurance=[{"customer_id": "C1", "date": "2024-12-01", "status": "granted", "amount": 10000.0}],
    ...     as_of="2025-04-11")
    >>> scores = riskkit.ScoreResult(score=[60.0], pd=[0.02], grade=["BB"], customer_ids=["C1"])
    >>> cols = dunning.insurance_columns(book, dunning.worklist(book, scores))
    >>> cols["notify_invoices"].tolist(), cols["notify_amount"].tolist(), cols["days_to_deadline"].tolist()
    ([1], [4000.0], [20.0])
    >>> cols["notify_by"].astype(str).tolist(), cols["cover_lost"].tolist()
    (['2025-05-01'], [False])
    """
    if not has_insurance(portfolio):
        return {}
    when = portfolio.resolve_as_of(work.as_of if as_of is None else as_of)
    per = _per_customer(portfolio, when, max_extension_days, warn_days)
    rows = portfolio.codes(np.asarray(work["customer_id"], dtype=object))
    return {name: values[rows] for name, values in per.items()}


def with_insurance_cases(
    portfolio: Portfolio,
    work: Worklist,
    scores: ScoreResult,
    as_of: Any = None,
    *,
    max_extension_days: int = DEFAULT_MAX_EXTENSION_DAYS,
    warn_days: int = DEFAULT_WARN_DAYS,
) -> Worklist:
    """The worklist with a row for every insured customer whose notification deadline is near but who is not on it.

    A notification deadline is a task whether or not the customer is dunned:
    a customer whose nearest deadline is at most ``warn_days`` away (or
    passed) gets a row even when nothing of its is being dunned (its overdue
    invoices are all under an open dispute, which the worklist leaves out).
    The added rows come after the worklist's own, the nearest deadline
    first (ties by customer id), with:

    * ``stage`` ``""`` (no dunning stage), ``next_action`` and ``actions``
      :data:`NOTIFY_ACTION`, ``hold_credit`` False, ``days_to_next_stage`` -1;
    * ``overdue_amount``, ``days_past_due``, ``overdue_invoices`` and
      ``priority`` 0 (nothing dunned), ``pd`` and ``grade`` from ``scores``;
    * ``reorder_rule``, ``reorder_reason`` and ``cause_hints`` ``""``, and a
      ``reason`` naming the invoices, their amount and the deadline.

    Parameters
    ----------
    portfolio : Portfolio
    work : Worklist
        The worklist of ``portfolio`` at ``as_of``.
    scores : ScoreResult
        The scores ``work`` was made with (one row per portfolio customer).
    as_of : date-like, optional
        Default ``work.as_of``, else ``portfolio.as_of``.
    max_extension_days, warn_days : int >= 0
        As in :func:`insurance_columns`.

    Returns
    -------
    Worklist
        ``work`` itself when the book has no insurance decision or no such
        customer; else a new worklist with the rows added.

    Raises
    ------
    DataTypeError
        ``work`` is not a Worklist or ``scores`` not a ScoreResult.
    ValidationError
        ``scores`` do not match the portfolio; a parameter is not a whole number >= 0.

    Examples
    --------
    C1's only overdue invoice is disputed: the worklist leaves it out, but
    its deadline (2025-01-31 + 90 days = 2025-05-01) is 20 days away.

    >>> import riskkit
    >>> from riskkit import dunning
    >>> book = riskkit.Portfolio.from_records(
    ...     customers=[{"id": "C1"}],
    ...     invoices=[{"id": "I1", "customer_id": "C1", "issued": "2025-01-01", "due": "2025-01-31",
    ...                "amount": 4000.0}],
    ...     disputes=[{"invoice_id": "I1", "reason": "quality", "opened": "2025-02-10"}],
    ...     insurance=[{"customer_id": "C1", "date": "2024-12-01", "status": "granted", "amount": 10000.0}],
    ...     as_of="2025-04-11")
    >>> scores = riskkit.ScoreResult(score=[60.0], pd=[0.02], grade=["BB"], customer_ids=["C1"])
    >>> work = dunning.worklist(book, scores)
    >>> len(work), len(dunning.with_insurance_cases(book, work, scores))
    (0, 1)
    >>> print(dunning.with_insurance_cases(book, work, scores)["reason"][0])
    notify the credit insurer by 2025-05-01 (20 days left): 1 overdue insured invoice (4,000.00); not at a dunning stage
    """
    from riskkit.scoring._result import ScoreResult  # here, so that importing riskkit.dunning loads no scorer

    if not isinstance(work, Worklist):
        raise DataTypeError(f"work must be a riskkit.dunning.Worklist, got {type(work).__name__}")
    check_scores(portfolio, scores, ScoreResult)
    if not has_insurance(portfolio):
        return work
    when = portfolio.resolve_as_of(work.as_of if as_of is None else as_of)
    warn = check("warn_days", warn_days, Integer(0, None, unit="days"))
    per = _per_customer(portfolio, when, max_extension_days, warn)
    listed = np.zeros(portfolio.n_customers, dtype=bool)
    listed[portfolio.codes(np.asarray(work["customer_id"], dtype=object))] = True
    days = per["days_to_deadline"]
    with np.errstate(invalid="ignore"):
        due = ~listed & (days <= warn)  # NaN compares False
    if not due.any():
        return work
    ids = np.asarray(portfolio.customer_ids, dtype=object)
    add = np.flatnonzero(due)
    id_rank = np.unique(ids[add].astype(str), return_inverse=True)[1].ravel()
    add = add[np.lexsort((id_rank, days[add]))]
    m = add.size
    kinds = np.asarray(portfolio.customers["debtor_type"], dtype=object)[add]
    nothing = np.full(m, "", dtype=object)
    new = {
        "customer_id": ids[add],
        "stage": nothing,
        "next_action": np.full(m, NOTIFY_ACTION, dtype=object),
        "actions": np.full(m, NOTIFY_ACTION, dtype=object),
        "hold_credit": np.zeros(m, dtype=bool),
        "days_to_next_stage": np.full(m, -1, dtype=np.int64),
        "overdue_amount": np.zeros(m),
        "days_past_due": np.zeros(m, dtype=np.int64),
        "overdue_invoices": np.zeros(m, dtype=np.int64),
        "pd": np.asarray(scores.pd, dtype=np.float64)[add],
        "grade": np.asarray(scores.grade, dtype=str).astype(object)[add],
        "debtor_type": np.where(kinds == "", "standard", kinds).astype(object),
        "priority": np.zeros(m),
        "reorder_rule": nothing,
        "reorder_reason": nothing,
        "cause_hints": nothing,
        "reason": _reasons(per, add),
    }
    columns = {name: np.concatenate([np.asarray(work[name], dtype=dtype), np.asarray(new[name], dtype=dtype)])
               for name, dtype in _COLUMNS}
    return Worklist(columns, work.as_of, work.currency)


def _reasons(per: dict[str, np.ndarray], rows: np.ndarray) -> np.ndarray:
    """The reason of each added row: the deadline, the invoices to notify, and why it is not dunned."""
    out = []
    for by, days, count, amount in zip(per["notify_by"][rows].astype(str).tolist(),
                                       per["days_to_deadline"][rows].astype(np.int64).tolist(),
                                       per["notify_invoices"][rows].tolist(), per["notify_amount"][rows].tolist(),
                                       strict=True):
        left = f"{days} day{'' if days == 1 else 's'} left" if days >= 0 else f"passed {-days} days ago: cover lost"
        out.append(f"notify the credit insurer by {by} ({left}): {count} overdue insured invoice"
                   f"{'' if count == 1 else 's'} ({amount:,.2f}); not at a dunning stage")
    return np.array(out, dtype=object)
