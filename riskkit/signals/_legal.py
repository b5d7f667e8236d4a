"""Legal and public-record signals (docs/domain.md, *Warning signals*, legal).

Events count from the day after ``as_of - window`` up to and including
``as_of``; an event dated after ``as_of`` has not happened yet (docs/domain.md, *Point in time*).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from riskkit.records import EventKind
from riskkit.signals._base import ThresholdSignal
from riskkit.signals._context import context
from riskkit.signals._events import EventCountSignal, Evidence, event_evidence
from riskkit.signals._registry import register


@register("new_lawsuit")
class NewLawsuit(EventCountSignal):
    """A lawsuit against the customer in the last 90 days.

    Value: number of ``lawsuit`` events dated in ``(as_of - 90 days, as_of]``.

    Window: 90 days.

    Default thresholds (value at least): ``warning`` 1 (a creditor went to
    court); ``critical`` 2 (several creditors at once).

    Evidence: the lawsuits (date and amount claimed, when known), newest first.

    Examples
    --------
    >>> import riskkit
    >>> book = riskkit.Portfolio.from_records(
    ...     customers=[{"id": "C1"}],
    ...     events=[{"customer_id": "C1", "date": "2025-05-10", "kind": "lawsuit", "amount": 20000.0},
    ...             {"customer_id": "C1", "date": "2025-07-01", "kind": "lawsuit"}],  # after as_of
    ...     as_of="2025-06-30")
    >>> [(r["severity"], r["value"], r["evidence"])
    ...  for r in riskkit.signals.evaluate(book, signals=["new_lawsuit"]).to_records()]
    [('warning', 1.0, 'lawsuit 2025-05-10 (20,000)')]
    """

    kinds = (EventKind.LAWSUIT,)
    category = "legal"
    description = "Lawsuits against the customer in the last 90 days (count)."
    thresholds = {"warning": 1.0, "critical": 2.0}
    window_days = 90


@register("assets_frozen")
class AssetsFrozen(EventCountSignal):
    """Assets frozen or pledged in the last 180 days.

    Value: number of ``asset_freeze`` and ``asset_pledge`` events dated in
    ``(as_of - 180 days, as_of]``. A freeze or pledge lasts, so the window
    is longer than a lawsuit's.

    Window: 180 days.

    Default thresholds (value at least): ``warning`` 1; ``critical`` 2.

    Evidence: the events (kind, date and amount, when known), newest first.
    """

    kinds = (EventKind.ASSET_FREEZE, EventKind.ASSET_PLEDGE)
    category = "legal"
    description = "Assets frozen or pledged in the last 180 days (count of events)."
    thresholds = {"warning": 1.0, "critical": 2.0}
    window_days = 180


@register("legal_rep_change")
class LegalRepChange(EventCountSignal):
    """The customer's legal representative changed in the last 180 days.

    Value: number of ``legal_rep_change`` events dated in
    ``(as_of - 180 days, as_of]``.

    Window: 180 days.

    Default thresholds (value at least): ``watch`` 1 (one change has many
    innocent reasons); ``warning`` 2.

    Evidence: the changes, newest first.
    """

    kinds = (EventKind.LEGAL_REP_CHANGE,)
    category = "legal"
    description = "Changes of the legal representative in the last 180 days (count)."
    thresholds = {"watch": 1.0, "warning": 2.0}
    window_days = 180


@register("litigation_vs_net_assets")
class LitigationVsNetAssets(ThresholdSignal):
    """Amounts claimed in lawsuits over 12 months above 20% of net assets.

    Value: the sum of the amounts of ``lawsuit`` events dated in
    ``(as_of - 365 days, as_of]`` divided by the equity (net assets) of the
    latest known statement. Lawsuits without an amount add 0, so a customer
    whose lawsuits carry no amounts gets 0 (the count is
    :class:`NewLawsuit`'s business). ``inf`` when there is litigation and
    equity is zero or negative (any claim is more than the net assets); NaN
    without a statement or without equity on it, so a missing statement
    never raises this signal.

    Window: 365 days.

    Default thresholds (value above): ``watch`` 0.1; ``warning`` 0.2
    (docs/domain.md); ``critical`` 0.5.

    Evidence: the total claimed, the equity with its statement, and the
    lawsuits, newest first.
    """

    category = "legal"
    description = "Amounts claimed in lawsuits of the last 12 months / equity of the latest statement."
    thresholds = {"watch": 0.1, "warning": 0.2, "critical": 0.5}
    compare = ">"
    window_days = 365

    def values(self, portfolio: Any, as_of: np.datetime64) -> tuple[np.ndarray, Evidence]:
        ctx = context(portfolio, as_of)
        kinds = (EventKind.LAWSUIT,)
        mask = ctx.event_mask(kinds, self.window_days)
        claimed = ctx.sum_event_amounts(kinds, self.window_days)
        equity = ctx.statement("equity")
        value = np.full(ctx.n, np.nan)
        positive = equity > 0
        np.divide(claimed, equity, out=value, where=positive)
        value[(equity <= 0) & (claimed > 0)] = np.inf
        value[(equity <= 0) & (claimed == 0)] = 0.0
        rows = ctx.statement_rows[0]

        def evidence(customers: np.ndarray) -> list[str]:
            st = ctx.portfolio.statements
            ends = st["period_end"][rows[customers]].astype(str).tolist()
            events = event_evidence(ctx, mask, customers)
            return [f"claimed {c:,.0f} vs equity {e:,.0f} (statement {end}); {ev}"
                    for c, e, end, ev in zip(claimed[customers].tolist(), equity[customers].tolist(), ends, events,
                                             strict=True)]

        return value, evidence
