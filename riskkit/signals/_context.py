"""Point-in-time data shared by the built-in signals, computed once per (portfolio, as_of).

Every built-in signal reads through a :class:`Context`, so twenty signals
evaluated together compute the features, the open invoices and the statement
look-ups once. All of it follows the point-in-time rule (docs/domain.md, *Point in time*).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property
from typing import Any

import numpy as np

from riskkit import _pit
from riskkit import features as _features
from riskkit._frame import FeatureFrame
from riskkit._numeric import group_count, group_sum

#: Dates whose Context a portfolio keeps (a backtest walks its dates one by one).
_CONTEXTS_KEPT = 2


def context(portfolio: Any, as_of: Any) -> Context:
    """The shared Context of ``portfolio`` at ``as_of``, kept with the portfolio for the last two dates."""
    when = portfolio.resolve_as_of(as_of)
    return portfolio._cached("signals.context", lambda: Context(portfolio, when), at=when, keep=_CONTEXTS_KEPT)


def _event_kinds(portfolio: Any) -> tuple[list[Any], np.ndarray]:
    """The distinct event kinds and each event's code among them, kept with the portfolio."""

    def build() -> tuple[list[Any], np.ndarray]:
        kinds = portfolio.events["kind"].tolist()
        names = list(dict.fromkeys(kinds))
        code = {k: i for i, k in enumerate(names)}
        return names, np.fromiter(map(code.__getitem__, kinds), dtype=np.int64, count=len(kinds))

    return portfolio._cached("signals.event_kinds", build, inherit=True)


class Context:
    """Derived, cached, point-in-time arrays of one portfolio at one date."""

    def __init__(self, portfolio: Any, as_of: np.datetime64) -> None:
        self.portfolio = portfolio
        self.as_of = as_of
        self.n = portfolio.n_customers

    # --- windows ----------------------------------------------------------------

    def window(self, dates: np.ndarray, days: int, lag: int = 0) -> np.ndarray:
        """Mask of ``dates`` in ``(as_of - lag - days, as_of - lag]``."""
        return _pit.window(dates, self.as_of, days, lag)

    # --- features ---------------------------------------------------------------

    @cached_property
    def features(self) -> FeatureFrame:
        return self.portfolio.features(self.as_of)

    def feature(self, name: str) -> np.ndarray:
        return self.features[name]

    def features_at(self, days_back: int) -> FeatureFrame:
        """Features ``days_back`` days before ``as_of`` (for trends)."""
        return self.portfolio.features_history(self.as_of - np.timedelta64(days_back, "D"))

    # --- invoices and payments --------------------------------------------------

    @cached_property
    def open_invoices(self) -> tuple[np.ndarray, np.ndarray]:
        """Per invoice: open amount at as_of (0 if paid or not issued yet) and days past due."""
        _, open_ = _pit.open_at(self.portfolio, self.as_of)
        dpd = (self.as_of - self.portfolio.invoices["due"]).astype(np.int64)
        return open_, dpd

    @cached_property
    def payments(self) -> dict[str, np.ndarray]:
        """Every payment event (see :func:`riskkit.features.payment_events`), known or not at as_of."""
        return _features.payment_events(self.portfolio)

    # --- events -----------------------------------------------------------------

    def event_mask(self, kinds: Iterable[str], days: int, lag: int = 0) -> np.ndarray:
        ev = self.portfolio.events
        names, codes = _event_kinds(self.portfolio)
        wanted = set(kinds)
        return np.isin(codes, [i for i, k in enumerate(names) if k in wanted]) & self.window(ev["date"], days, lag)

    def count_events(self, kinds: Iterable[str], days: int, lag: int = 0) -> np.ndarray:
        ev = self.portfolio.events
        return group_count(ev["customer"][self.event_mask(kinds, days, lag)], self.n).astype(np.float64)

    def sum_event_amounts(self, kinds: Iterable[str], days: int) -> np.ndarray:
        ev = self.portfolio.events
        mask = self.event_mask(kinds, days)
        return group_sum(np.nan_to_num(ev["amount"][mask]), ev["customer"][mask], self.n)

    # --- statements -------------------------------------------------------------

    @cached_property
    def statement_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """Row of each customer's latest known statement and of the one before (-1 if none)."""
        return _pit.latest_statements(self.portfolio, self.as_of)

    def statement(self, name: str, which: str = "latest") -> np.ndarray:
        rows = self.statement_rows[0 if which == "latest" else 1]
        return _pit.statement_column(self.portfolio, rows, name)

    @cached_property
    def known_statements(self) -> tuple[np.ndarray, np.ndarray]:
        """Rows of all statements known at as_of sorted by (customer, period_end), and their customers."""
        return _pit.known_statements(self.portfolio, self.as_of)

    # --- evidence ---------------------------------------------------------------

    def ids_by_customer(self, table: str, mask: np.ndarray, customers: np.ndarray, limit: int = 3,
                        order_by: np.ndarray | None = None, id_column: str = "id") -> list[str]:
        """For each customer code in ``customers``: up to ``limit`` ids of the masked rows, comma-separated.

        Rows are listed by ``order_by`` descending (e.g. days past due) when given.
        """
        t = self.portfolio.table(table)
        rows = np.flatnonzero(mask)
        if order_by is not None:
            rows = rows[np.argsort(-order_by[rows], kind="stable")]
        wanted = set(customers.tolist())
        found: dict[int, list[str]] = {}
        for r, c in zip(rows.tolist(), t["customer"][rows].tolist(), strict=True):
            if c in wanted:
                lst = found.setdefault(c, [])
                if len(lst) < limit:
                    lst.append(str(t[id_column][r]))
        return [", ".join(found.get(c, [])) for c in customers.tolist()]
