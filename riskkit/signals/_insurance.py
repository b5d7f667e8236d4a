"""Credit-insurance signals (docs/domain.md, *Credit insurance* and *Warning signals*, payment).

Only customers with an insured limit fire: a book without an ``insurance``
table gives NaN for every customer, so nothing changes for it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from riskkit import insurance
from riskkit._ledger import open_book
from riskkit.signals._base import ThresholdSignal
from riskkit.signals._registry import register


@register("insurance_deadline")
class InsuranceDeadline(ThresholdSignal):
    """An overdue insured invoice near (or past) the insurer's notification deadline.

    Value: the fewest days left to a notification deadline among the
    customer's overdue open invoices insured on their issue date
    (:func:`riskkit.insurance.nearest_deadline`: ``deadline = due +
    max_extension_days``, 90 by default); below 0 the deadline has passed and
    that invoice's cover is lost. NaN for a customer without such an invoice,
    so an uninsured customer or book never raises it.

    Window: the maximum extension period (``max_extension_days``, a class
    attribute: subclass and register under another name for another policy).

    Default thresholds (value at most): ``watch`` 30 days; ``warning`` 14
    days (time to notify); ``critical`` 0 (the last day, or the cover is lost).

    Evidence: the invoice, its open amount, its due date and the deadline.

    Examples
    --------
    >>> import riskkit
    >>> book = riskkit.Portfolio.from_records(
    ...     customers=[{"id": "C1"}],
    ...     invoices=[{"id": "I1", "customer_id": "C1", "issued": "2025-01-01", "due": "2025-01-31",
    ...                "amount": 4000.0}],
    ...     insurance=[{"customer_id": "C1", "date": "2024-12-01", "status": "granted", "amount": 5000.0}],
    ...     as_of="2025-04-26")
    >>> [(r["severity"], r["value"], r["evidence"])
    ...  for r in riskkit.signals.evaluate(book, signals=["insurance_deadline"]).to_records()]
    [('warning', 5.0, 'notify the insurer of I1 (4,000 open, due 2025-01-31) by 2025-05-01: 5 days left')]
    """

    category = "payment"
    description = "Days left to notify the credit insurer of an overdue insured invoice (fewest; below 0: cover lost)."
    thresholds = {"watch": 30.0, "warning": 14.0, "critical": 0.0}
    compare = "<="
    max_extension_days = insurance.DEFAULT_MAX_EXTENSION_DAYS
    window_days = insurance.DEFAULT_MAX_EXTENSION_DAYS

    def values(self, portfolio: Any, as_of: np.datetime64) -> tuple[np.ndarray, Any]:
        value, rows = insurance.nearest_deadline(portfolio, as_of, max_extension_days=self.max_extension_days)
        extension = np.timedelta64(self.max_extension_days, "D")

        def evidence(customers: np.ndarray) -> list[str]:
            inv = portfolio.invoices
            r = rows[customers]
            book = open_book(portfolio, as_of)
            amount = book.amount[np.searchsorted(book.rows, r)]  # open rows are in row order
            due = inv["due"][r]
            out = []
            for i, a, d, left in zip(inv.take("id", r).tolist(), amount.tolist(), due.astype(str).tolist(),
                                     value[customers].tolist(), strict=True):
                deadline = str(np.datetime64(d) + extension)
                days = int(left)
                when = (f"{days} day{'' if days == 1 else 's'} left" if days > 0 else "the last day" if days == 0
                        else f"passed {-days} day{'' if days == -1 else 's'} ago: cover lost")
                out.append(f"notify the insurer of {i} ({a:,.0f} open, due {d}) by {deadline}: {when}")
            return out

        return value, evidence
