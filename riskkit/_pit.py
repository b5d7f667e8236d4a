"""Point in time: the one reading of an ``as_of`` date, and the state of a book at a date.

Everything riskkit computes "as of" a date sees only what was known by that
date (docs/domain.md, "Point in time"): invoices issued by it, payments
received by it, statements published by it. These primitives are shared by
the features, the signals, the policy and the dunning worklist; they take a
:class:`~riskkit.Portfolio` and a ``numpy.datetime64[D]`` date.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any

import numpy as np

from riskkit._convert import _Reject, show, to_date
from riskkit._ledger import ledger
from riskkit.errors import ValidationError

if TYPE_CHECKING:
    from riskkit.portfolio import Portfolio

__all__ = ["as_of_date", "latest_statements", "open_at", "statement_column", "window"]


def as_of_date(value: Any, field: str = "as_of") -> _dt.date:
    try:
        return to_date(value).astype(object)
    except _Reject as exc:
        raise ValidationError(f"{field} ({show(value)}) {exc}", field=field, value=value) from None



def window(dates: np.ndarray, as_of: np.datetime64, days: int, lag: int = 0) -> np.ndarray:
    """Mask of dates in ``(as_of - lag - days, as_of - lag]``."""
    end = as_of - np.timedelta64(lag, "D")
    return (dates > end - np.timedelta64(days, "D")) & (dates <= end)


def open_at(p: Portfolio, when: np.datetime64) -> tuple[np.ndarray, np.ndarray]:
    """Per document: (issued by ``when``, open invoice amount at ``when``; 0 for credit notes,
    settled documents and documents not issued yet). See :mod:`riskkit._ledger`."""
    issued, open_, _ = ledger(p).open_at(when)
    return issued, open_


def latest_statements(p: Portfolio, as_of: np.datetime64) -> tuple[np.ndarray, np.ndarray]:
    """Row of each customer's latest known statement and of the one before (-1 if none)."""
    st = p.statements
    n = p.n_customers
    known = st["period_end"] <= as_of
    published = st["published"]
    known &= np.isnat(published) | (published <= as_of)
    rows = np.flatnonzero(known)
    # order known statements by customer then period end; the last of a run is the latest
    order = rows[np.lexsort((st["period_end"][rows], st["customer"][rows]))]
    cust = st["customer"][order]
    latest = np.full(n, -1, dtype=np.int64)
    previous = np.full(n, -1, dtype=np.int64)
    if order.size:
        last = np.r_[cust[1:] != cust[:-1], True]
        latest[cust[last]] = order[last]
        before_last = np.r_[last[1:], False] & np.r_[cust[:-1] == cust[1:], False]
        previous[cust[before_last]] = order[before_last]
    return latest, previous


def statement_column(p: Portfolio, rows: np.ndarray, name: str) -> np.ndarray:
    col = p.statements[name]
    out = np.full(rows.size, np.nan)
    have = rows >= 0
    out[have] = col[rows[have]]
    return out
