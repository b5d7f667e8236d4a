"""Protocols naming exactly what riskkit reads from a user's own objects.

An ERP's customer or exposure objects can be passed to
:meth:`riskkit.Portfolio.from_objects` as they are, as long as they carry these
attributes; riskkit's own records (:mod:`riskkit.records`) satisfy them.

**Protocol:** both are :func:`typing.runtime_checkable`, so
``isinstance(obj, riskkit.Customer)`` checks that the attributes exist.

.. versionadded:: 0.1
"""

from __future__ import annotations

import datetime as _dt
from typing import Protocol, runtime_checkable

__all__ = ["Customer", "Exposure"]


@runtime_checkable
class Customer(Protocol):
    """**Protocol:** a customer as riskkit reads it.

    ``established`` may be ``None`` when unknown. Optional extras read when
    present: ``debtor_type``, ``industry_risk``, ``secured_amount``, ``blocked``
    (see :class:`riskkit.CustomerRecord`).

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
    """**Protocol:** a customer's credit limit and its non-invoice exposure (DOMAIN.md §3).

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
