"""Signals that compare a customer with its own past: a change against its baseline, not a fixed level.

A chronic late payer exceeds every fixed level every month and never
defaults; what warns is a customer paying later than it usually does, or
ordering less than it did in the same months a year before
(docs/domain.md, warning signals). Each signal here reads a
change-against-baseline feature of :meth:`riskkit.Portfolio.features`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from riskkit.signals._base import ThresholdSignal
from riskkit.signals._context import context
from riskkit.signals._registry import register

__all__ = ["OrderDropYearOnYear", "OverdueBeyondHabit", "PaymentSlowdown"]


@register("payment_slowdown")
class PaymentSlowdown(ThresholdSignal):
    """The customer pays later than its own habit.

    Value: days late of the last 90 days minus the customer's own days late
    over the previous 12 months (feature ``days_late_change``: payments
    received and invoices open and overdue, amount-weighted); NaN without
    both.

    Window: 455 days.

    Default thresholds (value above): ``watch`` 10 days, ``warning`` 20,
    ``critical`` 35.

    Evidence: the days late now and the customer's habit.
    """

    category = "payment"
    description = "Days late of the last 90 days minus the customer's own previous 12 months (days)."
    thresholds = {"watch": 10.0, "warning": 20.0, "critical": 35.0}
    compare = ">"
    window_days = 455

    def values(self, portfolio: Any, as_of: np.datetime64) -> tuple[np.ndarray, Any]:
        ctx = context(portfolio, as_of)
        now, change = ctx.feature("days_late_90d"), ctx.feature("days_late_change")

        def evidence(customers: np.ndarray) -> list[str]:
            return [f"{a:.0f} days late in the last 90 days against {a - c:.0f} over the 12 months before"
                    for a, c in zip(now[customers].tolist(), change[customers].tolist(), strict=True)]

        return change, evidence


@register("order_drop_yoy")
class OrderDropYearOnYear(ThresholdSignal):
    """Orders of the last three months well below the same months a year before.

    Value: order amount of the last 90 days / that of the same 90 days a year
    earlier (feature ``orders_yoy_3m``), so a seasonal trough compares with
    last year's trough; NaN without orders then.

    Window: 455 days.

    Default thresholds (value below): ``watch`` 0.6, ``warning`` 0.4,
    ``critical`` 0.2.

    Evidence: the ratio.
    """

    category = "ordering"
    description = "Orders of the last 90 days / the same 90 days a year earlier, below the threshold (ratio)."
    thresholds = {"watch": 0.6, "warning": 0.4, "critical": 0.2}
    compare = "<"
    window_days = 455

    def values(self, portfolio: Any, as_of: np.datetime64) -> tuple[np.ndarray, Any]:
        ratio = context(portfolio, as_of).feature("orders_yoy_3m")

        def evidence(customers: np.ndarray) -> list[str]:
            return [f"orders at {r:.0%} of the same 90 days a year earlier" for r in ratio[customers].tolist()]

        return ratio, evidence


@register("overdue_beyond_habit")
class OverdueBeyondHabit(ThresholdSignal):
    """The oldest overdue invoice is later than the customer usually pays.

    Value: days past due of the oldest open overdue invoice (feature
    ``max_days_past_due``) minus the customer's habit, its days late over
    the 12 months before the last 90 (0 without history, never negative): a
    customer that always pays 30 days late is not alarming at 30 days.

    Window: 455 days.

    Default thresholds (value above): ``info`` 15 days, ``watch`` 30,
    ``warning`` 45, ``critical`` 60.

    Evidence: the days past due and the habit.
    """

    category = "payment"
    description = "Oldest overdue invoice's days past due beyond the customer's own habit (days)."
    thresholds = {"info": 15.0, "watch": 30.0, "warning": 45.0, "critical": 60.0}
    compare = ">"
    window_days = 455

    def values(self, portfolio: Any, as_of: np.datetime64) -> tuple[np.ndarray, Any]:
        ctx = context(portfolio, as_of)
        dpd = ctx.feature("max_days_past_due")
        habit = np.maximum(np.nan_to_num(ctx.feature("days_late_90d") - ctx.feature("days_late_change")), 0.0)

        def evidence(customers: np.ndarray) -> list[str]:
            return [f"{d:.0f} days past due against a habit of {h:.0f} days late"
                    for d, h in zip(dpd[customers].tolist(), habit[customers].tolist(), strict=True)]

        return dpd - habit, evidence
