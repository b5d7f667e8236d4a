"""When a customer is in default: a documented, configurable definition (docs/domain.md, default).

A customer is in default at ``as_of`` when either

* a **material amount** is more than ``days_past_due`` days past due: the
  open amount of its invoices more than that many days past due is above
  ``absolute`` (reporting currency) *and* above ``relative`` times its
  exposure (the EBA thresholds of Basel II art. 178: 90 days, 500 and 1%), or
* an **unlikeliness-to-pay event** is known: one of ``events`` (insolvency
  filing, enforcement, debt restructuring, write-off) dated within the
  ``event_days`` before ``as_of``.

A customer in default is a collections case, not a warning: every scorer
grades it D, and the watchlist lists it apart.
"""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np

from riskkit.errors import ValidationError

__all__ = ["DefaultDefinition"]

#: The unlikeliness-to-pay event kinds riskkit knows out of the box.
UTP_EVENTS = ("insolvency_filing", "enforcement", "restructuring", "write_off")


def _check_number(name: str, value: Any, *, integer: bool = False, upper: float = math.inf) -> None:
    ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool | np.bool_)
    if not ok or not (0 <= float(value) <= upper) or (integer and float(value) != int(value)):
        kind = "a whole number" if integer else "a number"
        raise ValidationError(
            f"DefaultDefinition.{name} must be {kind} in [0, {upper}], got {value!r}", field=name, value=value
        )


@attrs.frozen
class DefaultDefinition:
    """When a customer is in default; see the module docstring.

    Parameters
    ----------
    days_past_due : int, default 90
        An invoice counts when more than this many days past due.
    absolute : float, default 500.0
        The amount so far past due must exceed this (reporting currency) ...
    relative : float, default 0.01
        ... and this share of the customer's exposure (the larger of its
        counted exposure and its open invoices).
    events : tuple of str
        Event kinds that put a customer in default (unlikeliness to pay).
    event_days : int, default 365
        How long such an event keeps the customer in default.

    Examples
    --------
    >>> import riskkit
    >>> p = riskkit.Portfolio.from_records(
    ...     customers=[{"id": "A"}, {"id": "B"}],
    ...     invoices=[{"id": "I1", "customer_id": "A", "issued": "2025-01-01", "due": "2025-01-31", "amount": 800.0},
    ...               {"id": "I2", "customer_id": "B", "issued": "2025-01-01", "due": "2025-01-31", "amount": 400.0}],
    ...     as_of="2025-06-30")
    >>> p.in_default().tolist()   # A owes 800 for 150 days; B's 400 is not material
    [True, False]
    >>> p.in_default(definition=riskkit.DefaultDefinition(absolute=100.0)).tolist()
    [True, True]
    """

    days_past_due: int = 90
    absolute: float = 500.0
    relative: float = 0.01
    events: tuple[str, ...] = attrs.field(default=UTP_EVENTS, converter=tuple)
    event_days: int = 365

    def __attrs_post_init__(self) -> None:
        from riskkit.records import EventKind

        _check_number("days_past_due", self.days_past_due, integer=True, upper=10_000)
        _check_number("absolute", self.absolute, upper=1e15)
        _check_number("relative", self.relative, upper=1.0)
        _check_number("event_days", self.event_days, integer=True, upper=100_000)
        for kind in self.events:
            if not isinstance(kind, str) or kind not in EventKind.known():
                raise ValidationError(
                    f"DefaultDefinition.events: {kind!r} is not a known event kind; known: "
                    f"{', '.join(sorted(EventKind.known()))}",
                    field="events",
                    value=kind,
                )

    def flags(
        self,
        past_due: np.ndarray,
        exposure: np.ndarray,
        events: np.ndarray,
    ) -> np.ndarray:
        """Per customer: in default, from the amount more than ``days_past_due`` days past due,
        the exposure it is measured against and the count of unlikeliness-to-pay events."""
        base = np.nan_to_num(exposure)
        material = (past_due > self.absolute) & (past_due > self.relative * base)
        return material | (events > 0)
