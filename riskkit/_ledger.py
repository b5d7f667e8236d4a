"""Open items over time: what each customer owes at any date, as an ERP keeps it.

The conventions (docs/domain.md, open items):

* Every document in the invoices table is an open item: an invoice (a debit)
  or a credit note (a credit). Only invoices carry days past due.
* Payments, and credit notes that name the invoice they correct
  (``applies_to``), clear an invoice in date order, in the invoice's
  currency. When what was cleared differs from the invoice's amount by at
  most the load's ``tolerance``, the invoice is settled in full and the
  difference written off. Beyond it, the excess is a credit on the account
  (unapplied cash, or the rest of a credit note), carrying no days past due.
* A payment dated before its invoice (a down payment) is a credit on the
  account until the invoice is issued, then clears it. A payment that names
  no invoice is unapplied cash of its customer. A payment against a credit
  note on account is a refund: it lowers that credit.
* An export that holds only each document's ``residual`` at the export date
  is taken as cleared down to the residual on that date; what happened before
  is unknown (NaN), never guessed.

Amounts are in the reporting currency, each item valued at the rate of its
document's date. Everything is computed once per Portfolio (one sort of the
clearing events); :meth:`Ledger.open_at` then answers any date in one pass
over the events. The ledger and its answers are kept with the Portfolio
(:func:`ledger`, :func:`open_at`, :func:`payment_events`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from riskkit._checks import readonly
from riskkit._numeric import group_sum

if TYPE_CHECKING:
    from riskkit.portfolio import Portfolio

__all__ = ["Ledger", "group_cumsum", "ledger", "open_at", "payment_events"]

_PAY, _CREDIT, _RESIDUAL = 0, 1, 2


def group_cumsum(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Running sums that restart at each ``starts`` position, exact per group at any book size.

    A plain ``cumsum`` minus each group's offset carries the rounding of the
    whole book's total into every group; this adds only within a group
    (Hillis-Steele doubling: ``log2`` of the longest group passes).

    Examples
    --------
    >>> group_cumsum(np.array([1e16, 1.0, 2.0, 3.0]), np.array([True, True, False, True])).tolist()
    [1e+16, 1.0, 3.0, 3.0]
    """
    out = np.asarray(values, dtype=np.float64).copy()
    n = out.size
    if n == 0:
        return out
    pos = np.arange(n)
    first = np.maximum.accumulate(np.where(starts, pos, 0))
    depth = pos - first  # elements before this one in its group
    shift = 1
    longest = int(depth.max())
    while shift <= longest:
        take = np.flatnonzero(depth >= shift)
        out[take] = out[take] + out[take - shift]  # the right side is read before the write: old values
        shift *= 2
    return out


class Ledger:
    """The clearing events of a Portfolio's documents, sorted once; see the module docstring."""

    def __init__(self, p: Portfolio) -> None:
        inv, pay = p.invoices, p.payments
        self.n_customers = p.n_customers
        self.tolerance = p.tolerance
        export = p.export_date
        self.export_date = None if export is None else np.datetime64(export, "D")
        n_docs = inv["id"].size
        self.n_docs = n_docs
        credit = inv["credit"]
        self.sign = np.where(credit, -1.0, 1.0)
        self.magnitude = np.abs(inv["doc_amount"])
        self.rate = inv["rate"]
        self.issued = inv["issued"]
        self.due = inv["due"]
        self.customer = inv["customer"]
        applies = inv["applies"]
        self.owns = ~(credit & (applies >= 0))  # a credit note applied to an invoice lives in that invoice's timeline
        self.debit = ~credit
        residual = inv["doc_residual"]
        self.has_residual = ~np.isnan(residual) & self.owns

        owner_parts, date_parts, mag_parts, kind_parts = [], [], [], []
        # the invoice row's own payment
        own = np.flatnonzero(inv["doc_paid_amount"] > 0)
        owner_parts.append(own)
        date_parts.append(inv["paid_on"][own])
        mag_parts.append(inv["doc_paid_amount"][own])
        kind_parts.append(np.full(own.size, _PAY))
        # payments naming a document, in that document's currency
        named = np.flatnonzero(pay["invoice"] >= 0)
        target = pay["invoice"][named]
        same = pay["currency"][named] == inv["currency"][target]
        owner_parts.append(target)
        date_parts.append(pay["date"][named])
        mag_parts.append(np.where(same, pay["doc_amount"][named], pay["amount"][named] / self.rate[target]))
        kind_parts.append(np.full(named.size, _PAY))
        # credit notes that correct an invoice
        cn = np.flatnonzero(~self.owns)
        t = applies[cn]
        owner_parts.append(t)
        date_parts.append(inv["issued"][cn])
        mag_parts.append(self.magnitude[cn] * self.rate[cn] / self.rate[t])
        kind_parts.append(np.full(cn.size, _CREDIT))
        # residual exports: cleared down to the residual on the export date
        res = np.flatnonzero(self.has_residual)
        owner_parts.append(res)
        date_parts.append(np.full(res.size, self.export_date if self.export_date is not None else np.datetime64("NaT"),
                                  dtype="datetime64[D]"))
        mag_parts.append(np.maximum(self.magnitude[res] - np.abs(residual[res]), 0.0))
        kind_parts.append(np.full(res.size, _RESIDUAL))

        owner = np.concatenate(owner_parts).astype(np.int64)
        date = np.concatenate(date_parts).astype("datetime64[D]")
        mag = np.concatenate(mag_parts).astype(np.float64)
        kind = np.concatenate(kind_parts)
        order = np.lexsort((kind, date, owner))  # on the export date, history first, then the residual
        self.owner, self.date, self.mag, self.kind = owner[order], date[order], mag[order], kind[order]
        # before the export date a residual document's clearing is its residual event's: history adds nothing
        history = self.has_residual[self.owner] & (self.kind != _RESIDUAL)
        if self.export_date is not None:
            history &= self.date <= self.export_date
        self.history = history
        clear = np.where(history, 0.0, self.mag)
        starts = np.r_[True, self.owner[1:] != self.owner[:-1]] if owner.size else np.zeros(0, dtype=bool)
        self.cleared = group_cumsum(clear, starts)
        self.first_event = np.searchsorted(self.owner, np.arange(n_docs))
        self._starts = starts
        # unapplied payments (cash on account)
        loose = np.flatnonzero(pay["invoice"] < 0)
        self.cash_customer = pay["customer"][loose]
        self.cash_date = pay["date"][loose]
        self.cash_amount = pay["amount"][loose]

    def _state(self, when: np.datetime64) -> tuple[np.ndarray, np.ndarray]:
        """Per document: amount cleared by ``when`` and whether it has any known event."""
        known = self.date <= when
        count = np.bincount(self.owner[known], minlength=self.n_docs)
        last = self.first_event + count - 1
        cleared = np.where(count > 0, self.cleared[np.maximum(last, 0)] if self.cleared.size else 0.0, 0.0)
        return cleared, count > 0

    def open_at(self, when: np.datetime64) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """At ``when``: per document (issued, open invoice amount), per customer the net of every other item.

        The open amount is the reporting-currency amount still owed on each
        issued invoice (0 for credit notes, settled and unissued documents).
        The per-customer balance is everything else on the account: credit
        notes not applied to an invoice, unapplied and excess cash, payments
        ahead of their invoice (negative), and refunds beyond a credit
        (positive). Residual-only documents are NaN before the export date.
        """
        cleared, _ = self._state(when)
        tol = self.tolerance
        issued = self.issued <= when
        rest = self.magnitude - cleared
        # the tolerance settles what was paid within it; a document nothing cleared is open in full
        open_mag = np.where((rest > tol) | (cleared <= 0), np.maximum(rest, 0.0), 0.0)
        excess = np.where(cleared - self.magnitude > tol, cleared - self.magnitude, 0.0)
        open_ = np.where(issued & self.owns & self.debit, open_mag * self.rate, 0.0)
        on_doc = np.where(
            issued,
            np.where(self.debit, -excess, excess - open_mag),
            -self.sign * cleared,
        ) * self.rate
        on_doc = np.where(self.owns, on_doc, 0.0)
        if self.export_date is not None and when < self.export_date:
            unknown = self.has_residual
            open_ = np.where(unknown, np.nan, open_)
            on_doc = np.where(unknown, np.nan, on_doc)
        cash = self.cash_date <= when
        balance = group_sum(on_doc, self.customer, self.n_customers) - group_sum(
            self.cash_amount[cash], self.cash_customer[cash], self.n_customers
        )
        return readonly(issued), readonly(open_), readonly(balance)

    def payment_events(self) -> dict[str, np.ndarray]:
        """The customers' payments of invoices as behaviour events (see :func:`riskkit.features.payment_events`).

        One row per payment applied to an invoice: ``amount`` is the part
        applied (reporting currency; an excess beyond the invoice is cash on
        account, not a payment of it), ``partial`` is True when the invoice
        was still open after it. Refunds, credit notes and residual clearing
        are not payments; cash on account is not tied to an invoice's terms
        and so carries no lateness.
        """
        owner = self.owner
        is_payment = (self.kind == _PAY) & self.debit[owner]
        size = self.magnitude[owner]
        before = self.cleared - np.where(self.history, 0.0, self.mag)
        rest_before = np.clip(size - before, 0.0, None)
        # a payment that settles its invoice within the tolerance pays all that was left (the rest is written off)
        settles = (size - self.cleared <= self.tolerance) & (self.cleared > 0)
        applied = np.where(settles, rest_before, np.minimum(self.mag, rest_before))
        applied = np.where(self.history, np.minimum(self.mag, size), applied)
        # history payments of residual exports: partial against their own running total
        own_history = group_cumsum(np.where(self.history, self.mag, 0.0), self._starts)
        paid = np.where(self.history, own_history, self.cleared)
        still_open = ((size - paid) > self.tolerance) | ((paid <= 0) & (size > 0))
        rows = np.flatnonzero(is_payment & (applied > 0))
        invoice = owner[rows]
        date = self.date[rows]
        events = {
            "invoice": invoice,
            "customer": self.customer[invoice],
            "date": date,
            "amount": applied[rows] * self.rate[invoice],
            "days_late": (date - self.due[invoice]).astype(np.int64).astype(np.float64),
            "partial": still_open[rows],
        }
        return {name: readonly(arr) for name, arr in events.items()}


#: Dates whose :meth:`Ledger.open_at` a Portfolio keeps (features ask for the same few dates several times).
_OPEN_AT_KEPT = 8


def ledger(p: Portfolio) -> Ledger:
    """The Portfolio's ledger, built on first use and kept with it (copies with another default definition too)."""
    return p._cached("ledger", lambda: Ledger(p), inherit=True)


def open_at(p: Portfolio, when: np.datetime64) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:meth:`Ledger.open_at` of the Portfolio's ledger, kept with the Portfolio for the last few dates."""
    day = when.astype("datetime64[D]")
    return p._cached("ledger.open_at", lambda: ledger(p).open_at(day), at=day, keep=_OPEN_AT_KEPT, inherit=True)


def payment_events(p: Portfolio) -> dict[str, np.ndarray]:
    """:meth:`Ledger.payment_events` of the Portfolio's ledger, kept with the Portfolio."""
    return p._cached("ledger.payment_events", lambda: ledger(p).payment_events(), inherit=True)
