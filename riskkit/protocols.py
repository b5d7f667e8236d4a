"""Protocols: what riskkit reads from a user's own objects, and what a scorer provides.

An ERP's customer or exposure objects can be passed to
:meth:`riskkit.Portfolio.from_objects` as they are, as long as they carry these
attributes; riskkit's own records (:mod:`riskkit.records`) satisfy them.

**Protocol:** both are :func:`typing.runtime_checkable`, so
``isinstance(obj, riskkit.Customer)`` checks that the attributes exist.

.. versionadded:: 0.1
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from riskkit.scoring._result import ScoreResult

__all__ = ["Customer", "Exposure", "Scorer", "Signal"]


@runtime_checkable
class Customer(Protocol):
    """**Protocol:** a customer as riskkit reads it.

    ``established`` may be ``None`` when unknown. Optional extras read when
    present: ``debtor_type``, ``industry_risk``, ``secured_amount``, ``blocked``,
    ``parent_id``, ``group_limit`` (see :class:`riskkit.CustomerRecord`).

    Examples
    --------
    >>> import riskkit
    >>> class ErpCustomer:
    ...     def __init__(self):
    ...         self.id, self.name, self.industry = "4711", "Acme", "retail"
    ...         self.region, self.established = "EU", None
    >>> isinstance(ErpCustomer(), riskkit.Customer)
    True
    """

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def industry(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def established(self) -> _dt.date | None: ...


@runtime_checkable
class Exposure(Protocol):
    """**Protocol:** a customer's credit limit and its non-invoice exposure (docs/domain.md, *Receivables metrics*).

    Open invoices are not an attribute: riskkit computes them from the
    invoices at the requested point in time.
    """

    @property
    def customer_id(self) -> str: ...
    @property
    def credit_limit(self) -> float: ...
    @property
    def open_orders(self) -> float: ...
    @property
    def open_deliveries(self) -> float: ...
    @property
    def special(self) -> float: ...


@runtime_checkable
class Scorer(Protocol):
    """**Protocol:** anything that scores customers.

    ``score(X)`` takes a :class:`~riskkit.FeatureFrame`, a pandas DataFrame,
    a mapping of column name to array, or a 2-D array in the scorer's feature
    order, and returns a :class:`~riskkit.ScoreResult` (points, higher is
    safer; probability of default; grade). ``score(X, reasons=k)`` adds the
    ``k`` features that cost each customer the most points. A named input
    missing one of the scorer's features raises :class:`~riskkit.SchemaError`
    naming it. Every riskkit scorer satisfies it, and so can a plugin's.

    Examples
    --------
    >>> import riskkit
    >>> isinstance(riskkit.scoring.five_c(), riskkit.Scorer)
    True
    """

    def score(self, X: Any, *, reasons: int = 0) -> ScoreResult: ...


@runtime_checkable
class Signal(Protocol):
    """**Protocol:** an early-warning signal evaluated over a whole portfolio at once.

    ``name``; ``category`` (payment, ordering, financial, legal, management,
    industry); ``description``; ``thresholds``, the default threshold per
    severity (a mapping of ``info``/``watch``/``warning``/``critical`` to a
    number); and ``evaluate(portfolio, as_of, thresholds)``, which gets the
    thresholds resolved per customer (a mapping of severity to an array with
    one value per customer) and returns a :class:`riskkit.signals.SignalHits`,
    computed over all customers at once. Register one with
    :func:`riskkit.signals.register` or the entry-point group ``riskkit.signals``.

    Examples
    --------
    >>> import riskkit
    >>> isinstance(riskkit.signals.get("overdue_days"), riskkit.Signal)
    True
    """

    name: str
    category: str
    description: str
    thresholds: Any

    def evaluate(self, portfolio: Any, as_of: Any, thresholds: Any) -> Any: ...
