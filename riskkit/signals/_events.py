"""The event-count signal base and the event evidence shared by every category's signals.

Events count from the day after ``as_of - window`` up to and including
``as_of``; an event dated after ``as_of`` has not happened yet (docs/domain.md, *Point in time*).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from riskkit.signals._base import ThresholdSignal
from riskkit.signals._context import Context, context

Evidence = Callable[[np.ndarray], list[str]]


def event_evidence(ctx: Context, mask: np.ndarray, customers: np.ndarray, limit: int = 3) -> list[str]:
    """For each customer code in ``customers``: its masked events, newest first, as ``kind date (amount)``.

    At most ``limit`` events are listed; more are summarised as ``+N more``.
    """
    ev = ctx.portfolio.events
    rows = np.flatnonzero(mask)
    rows = rows[np.isin(ev["customer"][rows], customers)]
    rows = rows[np.lexsort((-ev["date"][rows].astype(np.int64), ev["customer"][rows]))]
    found: dict[int, list[str]] = {}
    for c, kind, day, amount in zip(ev["customer"][rows].tolist(), ev["kind"][rows].tolist(),
                                    ev["date"][rows].astype(str).tolist(), ev["amount"][rows].tolist(), strict=True):
        found.setdefault(c, []).append(f"{kind} {day}" + ("" if amount != amount else f" ({amount:,.0f})"))
    out = []
    for c in customers.tolist():
        items = found.get(c, [])
        more = f", +{len(items) - limit} more" if len(items) > limit else ""
        out.append(", ".join(items[:limit]) + more)
    return out


class EventCountSignal(ThresholdSignal):
    """Number of events of some kinds in the last ``window_days`` days, against thresholds.

    Subclasses set ``kinds`` (event kinds of :class:`riskkit.records.EventKind`)
    besides the usual ``name``, ``category``, ``description``, ``thresholds``
    and ``window_days``. The value is a count (0 when there is none), compared
    with ``>=``; the evidence lists the counted events, newest first.
    """

    kinds: tuple[str, ...] = ()
    compare = ">="

    def values(self, portfolio: Any, as_of: np.datetime64) -> tuple[np.ndarray, Evidence]:
        ctx = context(portfolio, as_of)
        mask = ctx.event_mask(self.kinds, self.window_days)
        counts = ctx.count_events(self.kinds, self.window_days)

        def evidence(customers: np.ndarray) -> list[str]:
            return event_evidence(ctx, mask, customers)

        return counts, evidence
