"""Industry signals (docs/domain.md, *Warning signals*, industry)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from riskkit.signals._base import ThresholdSignal
from riskkit.signals._context import context
from riskkit.signals._registry import register


@register("industry_risk")
class IndustryRisk(ThresholdSignal):
    """The risk index the user supplies for the customer's industry is at or above a level.

    Value: ``customers.industry_risk``, the user's own index of how risky the
    customer's industry is (higher = riskier); NaN, and never a hit, where the
    user gave none. riskkit does not compute or rescale it: the scale is the
    user's, and the default levels assume an index from 0 (safe) to 1
    (riskiest). With another scale (a 1-10 rating, a sector default rate in
    percent) override the thresholds, e.g. ``{"info": 6, "watch": 8}``.

    An industry's risk says little about one customer, so it never goes
    beyond ``watch``: it puts a customer on the radar, it does not put it on
    a hold.

    Window: 0 (the index as supplied now).

    Default thresholds (value at least): ``info`` 0.6; ``watch`` 0.75.

    Evidence: the customer's industry and its index.

    Examples
    --------
    >>> import riskkit
    >>> book = riskkit.Portfolio.from_records(
    ...     customers=[{"id": "C1", "industry": "construction", "industry_risk": 0.8},
    ...                {"id": "C2", "industry": "healthcare", "industry_risk": 0.25}], as_of="2025-06-30")
    >>> [(r["customer_id"], r["severity"], r["evidence"])
    ...  for r in riskkit.signals.evaluate(book, signals=["industry_risk"]).to_records()]
    [('C1', 'watch', "industry 'construction': risk index 0.8")]
    """

    category = "industry"
    description = "User-supplied industry risk index of the customer's industry at or above the level."
    thresholds = {"info": 0.6, "watch": 0.75}
    compare = ">="
    window_days = 0

    def values(self, portfolio: Any, as_of: np.datetime64) -> tuple[np.ndarray, Callable[[np.ndarray], list[str]]]:
        ctx = context(portfolio, as_of)
        index = ctx.feature("industry_risk")
        industry = portfolio.customers["industry"]

        def evidence(customers: np.ndarray) -> list[str]:
            # an index belongs to an industry: format each distinct (industry, index) pair once
            pairs: dict[tuple[str, float], str] = {}
            out = []
            for name, v in zip(industry[customers].tolist(), index[customers].tolist(), strict=True):
                note = pairs.get((name, v))
                if note is None:
                    note = pairs[name, v] = (f"industry {name!r}: risk index {v:g}" if name
                                             else f"risk index {v:g} (industry not given)")
                out.append(note)
            return out

        return index, evidence
