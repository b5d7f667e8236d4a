"""Ordering signals (docs/domain.md, *Warning signals*, ordering).

Orders are compared over two quarters: the last 90 days, ``(as_of - 90 days,
as_of]``, against the 90 days before. Only orders and events dated on or
before ``as_of`` count (docs/domain.md, *Point in time*). Each value is one whole-column
computation over all customers; Python runs per hit only, in the evidence.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from riskkit._numeric import group_sum, safe_divide
from riskkit.records import EventKind
from riskkit.signals._base import ThresholdSignal
from riskkit.signals._context import Context, context
from riskkit.signals._events import event_evidence
from riskkit.signals._payment import QUARTER, window
from riskkit.signals._registry import register

Evidence = Callable[[np.ndarray], list[str]]


def quarters(ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the orders dated in the last 90 days, and in the 90 days before."""
    dates = ctx.portfolio.orders["date"]
    return window(ctx, dates, QUARTER), window(ctx, dates, QUARTER, QUARTER)


def quarter_sums(ctx: Context, column: np.ndarray, masks: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, ...]:
    """Per customer: the sum of the orders' ``column`` over each mask of ``masks``."""
    cust = ctx.portfolio.orders["customer"]
    return tuple(group_sum(column[m], cust[m], ctx.n) for m in masks)


@register("order_drop")
class OrderDrop(ThresholdSignal):
    """Orders of the last three months below half of the three months before.

    Value: order amount of the last 90 days / order amount of the 90 days
    before (feature ``order_trend_3m``; 1 = flat); NaN without orders in the
    90 days before.

    Window: 180 days.

    Default thresholds (value below): ``watch`` 0.5 (docs/domain.md, *Warning signals*). Only
    ``watch``: orders halve as often because a customer buys elsewhere or
    out of season as because it is failing.

    Evidence: both order amounts.
    """

    category = "ordering"
    description = "Orders of the last 90 days / orders of the 90 days before, below the threshold (ratio)."
    thresholds = {"watch": 0.5}
    compare = "<"
    window_days = 2 * QUARTER

    def values(self, portfolio: Any, as_of: np.datetime64) -> tuple[np.ndarray, Evidence]:
        ctx = context(portfolio, as_of)

        def evidence(customers: np.ndarray) -> list[str]:
            last, prior = quarter_sums(ctx, ctx.portfolio.orders["amount"], quarters(ctx))
            return [f"orders {a:,.2f} in the last 90 days vs {b:,.2f} in the 90 before"
                    for a, b in zip(last[customers].tolist(), prior[customers].tolist(), strict=True)]

        return ctx.feature("order_trend_3m"), evidence


@register("order_spike_price_drop")
class OrderSpikePriceDrop(ThresholdSignal):
    """Orders up 40% or more while the unit price fell 8% or more: stockpiling before failure.

    Value: order amount of the last 90 days / order amount of the 90 days
    before, for the customers whose unit price fell by at least
    ``price_drop`` (8%) between the two quarters; NaN for the others. The
    unit price of a quarter is its order amount / its quantity, over the
    orders with a known positive ``quantity``; NaN (so no hit) when either
    quarter has no such order.

    Window: 180 days.

    Default thresholds (value at least): ``watch`` 1.4 (docs/domain.md, *Warning signals*: orders
    up 40%); ``warning`` 2.0. Volume discounts and seasons explain a 40%
    rise at a lower price; doubling purchases at a discount is how a firm
    short of cash stocks up on supplier credit it may not repay.

    Evidence: the order amounts and unit prices of both quarters.
    """

    category = "ordering"
    description = "Order growth (last 90 days / 90 days before) while the unit price fell (ratio)."
    thresholds = {"watch": 1.4, "warning": 2.0}
    compare = ">="
    window_days = 2 * QUARTER
    #: Least fall of the unit price, as a fraction, for the order growth to count.
    price_drop = 0.08

    def values(self, portfolio: Any, as_of: np.datetime64) -> tuple[np.ndarray, Evidence]:
        ctx = context(portfolio, as_of)
        od = portfolio.orders
        amount, quantity = od["amount"], od["quantity"]
        masks = quarters(ctx)
        last, prior = quarter_sums(ctx, amount, masks)
        priced = quantity > 0  # a missing (NaN) quantity compares False
        priced_masks = (masks[0] & priced, masks[1] & priced)
        amount_last, amount_prior = quarter_sums(ctx, amount, priced_masks)
        units_last, units_prior = quarter_sums(ctx, quantity, priced_masks)
        price_last = safe_divide(amount_last, units_last)
        price_prior = safe_divide(amount_prior, units_prior)
        with np.errstate(invalid="ignore"):
            cheaper = price_last <= price_prior * (1.0 - self.price_drop)
        growth = np.where(cheaper, safe_divide(last, prior), np.nan)

        def evidence(customers: np.ndarray) -> list[str]:
            columns = (last, prior, price_last, price_prior)
            return [
                f"orders {a1:,.2f} in the last 90 days vs {a0:,.2f} in the 90 before; "
                f"unit price {p1:,.2f} vs {p0:,.2f} ({p1 / p0 - 1:+.1%})"
                for a1, a0, p1, p0 in zip(*(col[customers].tolist() for col in columns), strict=True)
            ]

        return growth, evidence


@register("limit_increase_request")
class LimitIncreaseRequest(ThresholdSignal):
    """Requests to raise the credit limit by 50% or more.

    Value: number of ``limit_increase_request`` events dated in
    ``(as_of - 90 days, as_of]`` that ask for a large increase. The event's
    ``amount`` is the requested increase (the raise, not the new limit); a
    request counts when it is at least ``min_increase`` (50%) of the current
    credit limit. A request without an amount, or from a customer without a
    positive limit, counts as well: its size is unknown and the request itself
    is the news.

    Window: 90 days.

    Default thresholds (value at least): ``watch`` 1 (one request may be
    growth); ``warning`` 2 (asking again within a quarter for much more
    credit).

    Evidence: the requests counted (date and requested increase, when given),
    newest first, and the current limit.
    """

    category = "ordering"
    description = "Requests in the last 90 days to raise the credit limit by 50% or more (count)."
    thresholds = {"watch": 1.0, "warning": 2.0}
    compare = ">="
    window_days = QUARTER
    #: Least requested increase, as a fraction of the current limit, that counts.
    min_increase = 0.5

    def values(self, portfolio: Any, as_of: np.datetime64) -> tuple[np.ndarray, Evidence]:
        ctx = context(portfolio, as_of)
        ev = portfolio.events
        limit = ctx.feature("credit_limit")
        current = limit[ev["customer"]]
        raise_ = ev["amount"]
        with np.errstate(invalid="ignore"):
            large = raise_ >= current * self.min_increase
            unknown = np.isnan(raise_) | ~(current > 0)
        counted = ctx.event_mask((EventKind.LIMIT_INCREASE_REQUEST,), self.window_days) & (large | unknown)

        def evidence(customers: np.ndarray) -> list[str]:
            notes = event_evidence(ctx, counted, customers)
            return [
                f"{note}; current limit " + ("none" if m != m else f"{m:,.2f}")
                for m, note in zip(limit[customers].tolist(), notes, strict=True)
            ]

        return group_sum(counted, ev["customer"], ctx.n), evidence
