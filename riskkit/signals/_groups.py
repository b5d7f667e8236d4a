"""Group signals: a parent's distress is its subsidiaries' (docs/domain.md, *Corporate groups*).

A subsidiary rarely outlives its parent's insolvency: cash pooling, shared
guarantees and intra-group payables make the parent's trouble every member's.
Only books with ``customers.parent_id`` have members; for any other book the
signal never fires.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from riskkit.groups import distressed, parent_of
from riskkit.signals._base import ThresholdSignal
from riskkit.signals._registry import register

_STATE = {1: "in the distress zone (Altman Z' below 1.23)", 2: "in default"}


@register("group_distress")
class GroupDistress(ThresholdSignal):
    """A parent up the customer's group chain is in default or in financial distress.

    Value: the worst state among the customer's parents (its direct parent,
    that one's parent, ... up to the top parent): 2 when one is in default
    (feature ``in_default``), 1 when one is in Altman's distress zone (Z'
    below 1.23) and none is in default, 0 otherwise; NaN (never a hit) for a
    customer without a parent. It fires on every member below the distressed
    parent, so a top parent in default flags its whole group; a distressed
    member does not flag its parent or its sister companies (their own
    signals do). The customer's own state is not counted: its own signals
    report it.

    Window: 0 (the parents' state at ``as_of``).

    Default thresholds (value at least): ``warning`` 1 (a parent in the
    distress zone); ``critical`` 2 (a parent in default).

    Evidence: the parent (the nearest one with the worst state), its name and state.

    Examples
    --------
    >>> import riskkit
    >>> book = riskkit.Portfolio.from_records(
    ...     customers=[{"id": "P", "name": "Holding"}, {"id": "S1", "parent_id": "P"},
    ...                {"id": "S2", "parent_id": "S1"}, {"id": "X"}],
    ...     invoices=[{"id": "I1", "customer_id": "P", "issued": "2024-10-01", "due": "2024-10-31",
    ...                "amount": 5000.0}],                   # 242 days past due: P is in default
    ...     as_of="2025-06-30")
    >>> [(r["customer_id"], r["severity"], r["evidence"])
    ...  for r in riskkit.signals.evaluate(book, signals=["group_distress"]).to_records()]
    [('S1', 'critical', "parent 'P' (Holding) in default"), ('S2', 'critical', "parent 'P' (Holding) in default")]
    """

    category = "financial"
    description = "A parent up the customer's corporate group chain is in default or in financial distress."
    thresholds = {"warning": 1.0, "critical": 2.0}
    compare = ">="
    window_days = 0

    def values(self, portfolio: Any, as_of: np.datetime64) -> tuple[np.ndarray, Callable[[np.ndarray], list[str]]]:
        parent = parent_of(portfolio)
        value = np.full(parent.size, np.nan)
        which = np.full(parent.size, -1, dtype=np.int64)
        member = parent >= 0
        if member.any():
            level = distressed(portfolio, as_of)
            value[member] = 0.0
            up = parent.copy()
            # one pass per level of the deepest chain: each member looks one parent further up
            while (live := up >= 0).any():
                seen = np.where(live, level[np.maximum(up, 0)], -1)
                worse = seen > np.nan_to_num(value, nan=np.inf)
                value = np.where(worse, seen, value)
                which = np.where(worse, up, which)
                up = np.where(live, parent[np.maximum(up, 0)], -1)
        ids = portfolio.customer_ids
        names = portfolio.customers["name"]

        def evidence(customers: np.ndarray) -> list[str]:
            out = []
            for k, v in zip(which[customers].tolist(), value[customers].tolist(), strict=True):
                name = f" ({names[k]})" if names[k] else ""
                out.append(f"parent {str(ids[k])!r}{name} {_STATE[int(v)]}")
            return out

        return value, evidence
