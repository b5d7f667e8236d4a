"""Payment-behaviour signals (DOMAIN.md §8, payment)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from riskkit.signals._base import ThresholdSignal
from riskkit.signals._context import context
from riskkit.signals._registry import register


@register("overdue_days")
class OverdueDays(ThresholdSignal):
    """The oldest open invoice is overdue by more than 3 / 7 / 15 / 30 days.

    Value: days past due of the customer's oldest open overdue invoice at
    ``as_of`` (0 when nothing is overdue, NaN without invoices). Evidence: the
    ids of the (up to three) most overdue open invoices.
    """

    category = "payment"
    description = "Oldest open invoice overdue by more than the threshold (days)."
    thresholds = {"info": 3.0, "watch": 7.0, "warning": 15.0, "critical": 30.0}
    compare = ">"
    window_days = 0

    def values(self, portfolio: Any, as_of: np.datetime64) -> tuple[np.ndarray, Callable[[np.ndarray], list[str]]]:
        ctx = context(portfolio, as_of)
        open_, dpd = ctx.open_invoices

        def evidence(customers: np.ndarray) -> list[str]:
            ids = ctx.ids_by_customer("invoices", (open_ > 0) & (dpd > 0), customers, order_by=dpd)
            return [f"overdue invoices: {i}" for i in ids]

        return ctx.feature("max_days_past_due"), evidence
