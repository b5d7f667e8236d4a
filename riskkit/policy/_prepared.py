"""The credit check for order entry: a :class:`PreparedPolicy`, computed once and asked for every order.

:meth:`CreditPolicy.prepare <riskkit.policy.CreditPolicy.prepare>` gathers,
for every customer of the book, everything the order check uses but the
order itself (riskkit.policy._orders): each step's parameters after the
segment overrides, the policy grade, conditions, terms and recommended limit
(from the scores), exposure, limit on file, oldest open item, dunning level,
payment index and ERP block. Checking an order is then a lookup and a few
comparisons: :meth:`PreparedPolicy.check_order` for one,
:meth:`PreparedPolicy.check_orders` for a batch (columns; decisions written
when read). The decisions are exactly those of ``CreditPolicy.check_order``
and ``check_orders`` with the same arguments.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from riskkit.policy._batch import OrderChecks, build_decisions
from riskkit.policy._decision import CreditDecision
from riskkit.policy._orders import customer_rows, decision_time, evaluate, order_amounts, outcomes

if TYPE_CHECKING:
    from riskkit.policy._orders import CustomerRows
    from riskkit.policy._policy import CreditPolicy
    from riskkit.portfolio import Portfolio
    from riskkit.scoring._result import ScoreResult

__all__ = ["PreparedPolicy"]


class PreparedPolicy:
    """A credit policy bound to one book, its scores and a date: the context an order-entry service keeps.

    Made by :meth:`CreditPolicy.prepare <riskkit.policy.CreditPolicy.prepare>`
    (computed once, over the whole book); immutable, so one instance serves
    any number of threads at once. Prepare a new one when the book, the
    scores or the date change (e.g. after the nightly load): it does not see
    orders it checked, since each order is checked on its own against the
    exposure at ``as_of``.

    Examples
    --------
    >>> import riskkit
    >>> from riskkit.policy import CreditPolicy
    >>> book, _ = riskkit.datasets.make_portfolio(100, seed=0)
    >>> scores = riskkit.scoring.five_c().score(book.features())
    >>> rules = CreditPolicy().prepare(book, scores)      # once, e.g. when the service starts
    >>> rules
    PreparedPolicy(version='1', 100 customers, as_of=2025-12-31, scores=True)
    >>> d = rules.check_order("C00007", 5000.0, now="2026-01-02T09:00:00+00:00")   # per order
    >>> d.outcome, d.grade
    ('hold', 'A')
    >>> d == CreditPolicy().check_order(book, "C00007", 5000.0, scores=scores, now="2026-01-02T09:00:00+00:00")
    True
    """

    __slots__ = ("_as_of", "_policy", "_portfolio", "_rows", "_scored", "_when")

    def __init__(
        self,
        policy: CreditPolicy,
        portfolio: Portfolio,
        scores: ScoreResult | None = None,
        as_of: Any = None,
        *,
        dunning_levels: Mapping[str, int] | None = None,
        trade_references: Any = None,
    ) -> None:
        when = portfolio.resolve_as_of(as_of)
        everyone = np.arange(portfolio.n_customers)
        rows = customer_rows(policy, portfolio, when, scores, everyone, dunning_levels=dunning_levels,
                             trade_references=trade_references)
        self._policy = policy
        self._portfolio = portfolio
        self._when = when
        self._as_of: _dt.date = when.astype(object)
        self._scored = scores is not None
        self._rows: CustomerRows = rows.read_only()

    def __setattr__(self, name: str, value: Any) -> None:
        if hasattr(self, "_rows"):
            raise AttributeError(f"PreparedPolicy is immutable: cannot set {name!r}")
        object.__setattr__(self, name, value)

    @property
    def policy(self) -> CreditPolicy:
        """The policy it applies."""
        return self._policy

    @property
    def portfolio(self) -> Portfolio:
        """The book it was prepared on."""
        return self._portfolio

    @property
    def as_of(self) -> _dt.date:
        """The date of the facts every decision uses."""
        return self._as_of

    def check_order(self, customer_id: str, amount: float, *, now: Any = None) -> CreditDecision:
        """Run the credit check on one new order: ``CreditPolicy.check_order`` with the prepared arguments.

        Parameters
        ----------
        customer_id : str
        amount : float
            Finite and >= 0.
        now : datetime.datetime or ISO string, optional
            The decision timestamp (timezone-aware); default the current time.

        Raises
        ------
        ValidationError
            An unknown customer id; a negative, NaN, infinite or non-numeric
            amount; a naive ``now``; a ``static_limit`` on the recommended
            limit for this customer's segment, prepared without scores.
        """
        decided_at = decision_time(now)
        code = int(self._portfolio.codes([customer_id])[0])
        rows = self._rows.take(slice(code, code + 1))
        amounts = order_amounts([amount], rows.ids)
        passed, severity = outcomes(rows, amounts)
        return build_decisions(self._policy.version, rows, amounts, passed, severity, self._as_of, decided_at)[0]

    def check_orders(self, customer_ids: Iterable[str], amounts: Any, *, now: Any = None) -> OrderChecks:
        """Run the credit check on a batch of new orders; decisions are written when read.

        Each order is checked on its own (orders of a batch do not add to each
        other's exposure), as by ``CreditPolicy.check_orders``; the result
        holds every outcome as a column and builds each
        :class:`CreditDecision` when it is read (``checks[i]``, iterating,
        ``checks.decisions(...)``), equal to the one ``check_orders`` gives.

        Parameters
        ----------
        customer_ids : iterable of str
        amounts : array-like of float
            Finite and >= 0, one per order.
        now : datetime.datetime or ISO string, optional
            The decision timestamp (timezone-aware); default the current time.

        Returns
        -------
        OrderChecks

        Raises
        ------
        ValidationError
            As :meth:`check_order`, naming the first bad order; or as many
            amounts as orders not given.
        """
        decided_at = decision_time(now)
        codes = self._portfolio.codes(customer_ids)
        amount = order_amounts(amounts, self._rows.ids[codes])
        return evaluate(self._policy.version, self._rows.take(codes), amount, self._when, decided_at)

    def __repr__(self) -> str:
        return (
            f"PreparedPolicy(version={self._policy.version!r}, {self._portfolio.n_customers} customers, "
            f"as_of={self._as_of.isoformat()}, scores={self._scored})"
        )
