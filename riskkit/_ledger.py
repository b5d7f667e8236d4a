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

import threading
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from riskkit._checks import readonly
from riskkit._numeric import group_sum

if TYPE_CHECKING:
    from riskkit.portfolio import Portfolio

__all__ = ["Ledger", "OpenBook", "days_between", "group_cumsum", "ledger", "open_at", "open_book", "payment_events"]

_PAY, _CREDIT, _RESIDUAL = 0, 1, 2
_NAT = np.iinfo(np.int64).min  # NaT as a day number


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
    # only the elements after the first of their group add anything: most groups have one element
    later = np.flatnonzero(~np.asarray(starts, dtype=bool))
    later = later[later > 0]  # the first element starts a group in any case
    if later.size == 0:
        return out
    # each one's depth, the elements before it in its group: a group's later elements are a run of
    # consecutive positions, the first of which has depth 1
    k = np.arange(later.size)
    run = np.r_[True, np.diff(later) != 1]
    depth = k - np.maximum.accumulate(np.where(run, k, 0)) + 1
    shift = 1
    longest = int(depth.max())
    while shift <= longest:
        take = later[depth >= shift]
        out[take] = out[take] + out[take - shift]  # the right side is read before the write: old values
        shift *= 2
    return out


def _event_order(owner: np.ndarray, date: np.ndarray, kind: np.ndarray) -> np.ndarray:
    """The stable order by owner, then date, then kind: ``np.lexsort((kind, date, owner))``.

    One stable sort of a single integer key when the three fit in 63 bits (always, but for dates
    outside any book's span or NaT): most events come in owner order already (one payment per
    invoice, in invoice order), which a stable sort passes through in linear time.

    Examples
    --------
    >>> owner, kind = np.array([2, 0, 2, 0]), np.array([0, 0, 2, 0])
    >>> date = np.array(["2025-01-02", "2025-01-05", "2025-01-02", "2025-01-01"], dtype="datetime64[D]")
    >>> _event_order(owner, date, kind).tolist(), np.lexsort((kind, date, owner)).tolist()
    ([3, 1, 0, 2], [3, 1, 0, 2])
    """
    if owner.size == 0:
        return np.zeros(0, dtype=np.intp)
    days = date.view(np.int64)
    if not np.isnat(date).any() and owner.min() >= 0 and kind.min() >= 0:
        first, span = int(days.min()), int(days.max()) - int(days.min()) + 1
        n_kinds = int(kind.max()) + 1
        if (int(owner.max()) + 1) * span * n_kinds < 2**62:
            key = (owner * span + (days - first)) * n_kinds + kind
            return np.argsort(key, kind="stable")
    return np.lexsort((kind, date, owner))


def _sorted_events(
    own: np.ndarray, own_date: np.ndarray, own_mag: np.ndarray,
    owner: np.ndarray, date: np.ndarray, mag: np.ndarray, kind: np.ndarray, owner_dtype: type = np.int64,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The documents' own payments (``own``: one per document, in document order) followed by the other
    events, stably sorted by owner, date and kind: owner (as ``owner_dtype``), date, magnitude and kind of each.

    The own payments are sorted already, so only the others are sorted and merged in, each after the own
    payment it ties with: the order of ``np.lexsort((kind, date, owner))`` over both, concatenated.
    """
    m = owner.size
    own = own.astype(np.int64, copy=False)
    own_date = own_date.astype("datetime64[D]", copy=False)
    n_own = own.size
    if m == 0:
        return (own.astype(owner_dtype), own_date, own_mag.astype(np.float64, copy=False),
                np.full(n_own, _PAY, dtype=np.int8))
    if np.isnat(own_date).any() or np.isnat(date).any() or (n_own > 1 and not bool((own[1:] > own[:-1]).all())):
        all_owner = np.concatenate([own, owner])
        all_date = np.concatenate([own_date, date])
        all_mag = np.concatenate([own_mag, mag]).astype(np.float64, copy=False)
        all_kind = np.concatenate([np.full(n_own, _PAY, dtype=np.int8), kind])
        order = _event_order(all_owner, all_date, all_kind)
        return all_owner[order].astype(owner_dtype, copy=False), all_date[order], all_mag[order], all_kind[order]
    order = _event_order(owner, date, kind)
    owner, date, mag, kind = owner[order], date[order], mag[order], kind[order]
    # how many own payments sort before each other event: those of earlier documents, and its document's own
    # payment when that is not later (on a tie the own payment, first in the concatenation, comes first)
    before = np.searchsorted(own, owner, side="left")
    if n_own:
        at = np.minimum(before, n_own - 1)
        own_day = own_date[at]
        not_later = (own[at] == owner) & ((own_day < date) | ((own_day == date) & (kind >= _PAY)))
    else:
        not_later = np.zeros(m, dtype=bool)
    position = before + not_later + np.arange(m)  # in the merged arrays
    at_own = np.ones(n_own + m, dtype=bool)
    at_own[position] = False
    out = []
    for first, rest, dtype in ((own, owner, owner_dtype), (own_date, date, date.dtype), (own_mag, mag, np.float64)):
        merged = np.empty(n_own + m, dtype=dtype)
        merged[at_own] = first  # a mask: faster than the positions of the own payments
        merged[position] = rest
        out.append(merged)
    merged = np.full(n_own + m, _PAY, dtype=np.int8)
    merged[position] = kind
    out.append(merged)
    return out[0], out[1], out[2], out[3]


class Ledger:
    """The clearing events of a Portfolio's documents, sorted once; see the module docstring."""

    def __init__(self, p: Portfolio) -> None:
        inv, pay = p.invoices, p.payments
        self.n_customers = p.n_customers
        self.tolerance = p.tolerance
        export = p.export_date
        self.export_date = None if export is None else np.datetime64(export, "D")
        n_docs = inv.n_rows
        self.n_docs = n_docs
        credit = inv["credit"]
        self._amount = inv["doc_amount"]  # signed: its magnitude is computed where it is read (8 bytes a document)
        self.rate = inv["rate"]
        self.issued = inv["issued"]
        self.due = inv["due"]
        self.customer = inv["customer"]
        applies = inv["applies"]
        applied = credit & (applies >= 0)  # a credit note applied to an invoice lives in that invoice's timeline
        # per-document flags that hold one value on most books take no memory then
        owns_all = not applied.any()
        self.owns = np.broadcast_to(np.True_, credit.shape) if owns_all else ~applied
        self.debit = ~credit
        residual = inv["doc_residual"]
        has_residual = ~np.isnan(residual)
        self.has_residual = has_residual & self.owns if has_residual.any() else np.broadcast_to(np.False_, credit.shape)
        del applied, has_residual

        owner_parts, date_parts, mag_parts, kind_parts = [], [], [], []
        # the invoice row's own payment: one per document, in document order
        own = np.flatnonzero(inv["doc_paid_amount"] > 0)
        own_date = inv["paid_on"][own]
        own_mag = inv["doc_paid_amount"][own]
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
        mag_parts.append(self.magnitude_of(cn) * self.rate[cn] / self.rate[t])
        kind_parts.append(np.full(cn.size, _CREDIT))
        # residual exports: cleared down to the residual on the export date
        res = np.flatnonzero(self.has_residual)
        owner_parts.append(res)
        date_parts.append(np.full(res.size, self.export_date if self.export_date is not None else np.datetime64("NaT"),
                                  dtype="datetime64[D]"))
        mag_parts.append(np.maximum(self.magnitude_of(res) - np.abs(residual[res]), 0.0))
        kind_parts.append(np.full(res.size, _RESIDUAL))

        # every event sorted by document, date and kind (on the export date, history first, then the residual)
        # (owners are document rows: 4 bytes each while the documents fit)
        self.owner, self.date, mag, kind = _sorted_events(
            own, own_date, own_mag,
            np.concatenate(owner_parts).astype(np.int64),
            np.concatenate(date_parts).astype("datetime64[D]"),
            np.concatenate(mag_parts).astype(np.float64),
            np.concatenate(kind_parts).astype(np.int8),
            owner_dtype=np.int32 if n_docs < 2**31 else np.int64,
        )
        # the unsorted events go now, not when the ledger is done (a few hundred MB on a large book)
        del own, own_date, own_mag, owner_parts, date_parts, mag_parts, kind_parts, named, target, same, cn, t, res
        # before the export date a residual document's clearing is its residual event's: history adds nothing
        if self.has_residual.any():
            history = self.has_residual[self.owner] & (kind != _RESIDUAL)
            if self.export_date is not None:
                history &= self.date <= self.export_date
        else:
            history = np.broadcast_to(np.False_, self.owner.shape)  # no residual export: none, no memory
        self.history = history
        self.mag: np.ndarray | None = mag  # per event: dropped once the payment events are computed
        self.kind: np.ndarray | None = kind
        clear = np.where(history, 0.0, mag) if history.any() else mag
        starts = np.r_[True, self.owner[1:] != self.owner[:-1]] if self.owner.size else np.zeros(0, dtype=bool)
        self.cleared = group_cumsum(clear, starts)
        # where each document's events start (owners are sorted): the events of the documents before it
        counts = np.bincount(self.owner, minlength=n_docs)
        end = np.cumsum(counts)  # past each document's last event
        # (4 bytes a document while the events fit: they are positions in the event arrays)
        self.first_event = (end - counts).astype(np.int32 if self.owner.size < 2**31 else np.int64)
        # every event known (any date on or after the last): each document's final clearing
        days = self.date.view(np.int64)
        self._date_nat = bool(days.size and days.min() == _NAT)  # an event of unknown date (NaT)
        self._issued_nat = bool(np.isnat(self.issued).any())
        self._last_date = days.max().astype("datetime64[D]") if days.size and not self._date_nat else None
        if self.cleared.size:
            end -= 1  # each document's last event (-1 before the first: no event, cleared 0)
            self._final = self.cleared.take(end, mode="clip")
            self._final[counts == 0] = 0.0
        else:
            self._final = np.zeros(n_docs)
        # documents whose open amount an invoice carries, and those whose balance is every other item's
        # (no credit note applied to an invoice: the debits are the documents with an open amount)
        self._open_kind = self.debit if owns_all else self.owns & self.debit
        self._credit_own = credit if owns_all else self.owns & credit
        self._events: dict[str, np.ndarray] | None = None  # the payment events, once computed
        self._events_lock = threading.Lock()
        # unapplied payments (cash on account)
        loose = np.flatnonzero(pay["invoice"] < 0)
        self.cash_customer = pay["customer"][loose]
        self.cash_date = pay["date"][loose]
        self.cash_amount = pay["amount"][loose]

    @property
    def magnitude(self) -> np.ndarray:
        """Per document: its amount's magnitude in its own currency (a new array on each read)."""
        return np.abs(self._amount)

    def magnitude_of(self, rows: np.ndarray) -> np.ndarray:
        """The magnitudes of the documents ``rows`` (``magnitude[rows]`` without the whole array)."""
        out = self._amount[rows]
        return np.abs(out, out=out)

    def event_counts(self) -> np.ndarray:
        """Per document: how many events it has (its events are ``owner[first_event[d]:][:count]``)."""
        return np.diff(self.first_event, append=self.owner.size)

    def _cleared(self, when: np.datetime64) -> np.ndarray:
        """Per document: the amount cleared by ``when``."""
        if self._last_date is not None and not np.isnat(when) and when >= self._last_date:
            return self._final  # every event known: kept from the start
        # a document's events are sorted by date: those not known yet at ``when`` are the last few of it
        later = np.flatnonzero(~_on_or_before(self.date, when, self._date_nat))
        cleared = self._final.copy()
        if later.size:
            doc = self.owner[later]
            first = np.r_[True, doc[1:] != doc[:-1]]
            doc, later = doc[first], later[first]  # each document's first event not known yet
            any_known = later > self.first_event[doc]
            cleared[doc] = np.where(any_known, self.cleared[np.maximum(later - 1, 0)], 0.0)
        return cleared

    def open_at(self, when: np.datetime64) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """At ``when``: per document (issued, open invoice amount), per customer the net of every other item.

        The open amount is the reporting-currency amount still owed on each
        issued invoice (0 for credit notes, settled and unissued documents).
        The per-customer balance is everything else on the account: credit
        notes not applied to an invoice, unapplied and excess cash, payments
        ahead of their invoice (negative), and refunds beyond a credit
        (positive). Residual-only documents are NaN before the export date.
        """
        cleared = self._cleared(when)
        tol = self.tolerance
        issued = _on_or_before(self.issued, when, self._issued_nat)
        # (one document-long float array at a time beyond the cleared amounts, changed in place: a large
        # book has tens of millions of documents)
        rest = self.magnitude
        rest -= cleared
        overpaid = rest < -tol  # cleared - magnitude > tol: the excess is a credit
        # the tolerance settles what was paid within it; a document nothing cleared is open in full
        open_ = rest  # the open amount in the document's currency, then in the reporting currency
        keep = rest > tol
        keep |= cleared <= 0
        np.maximum(open_, 0.0, out=open_)
        np.copyto(open_, 0.0, where=~keep)
        del rest, keep
        # every other item nets into the balance: overpaid invoices, credit notes, payments ahead of their
        # invoice. Only those rows are computed: the others add 0 to the sums (in the same row order)
        items = (overpaid & issued) | (self._credit_own & issued)
        del overpaid
        unissued = ~issued
        if unissued.any():
            items |= unissued & (cleared != 0)
        del unissued
        unknown = self.export_date is not None and when < self.export_date
        if unknown:
            items |= self.has_residual
        if self.owns.strides != (0,):  # some credit notes applied to an invoice (otherwise all True)
            items &= self.owns
        r = np.flatnonzero(items)
        del items
        c, m = cleared[r], self.magnitude_of(r)
        excess = np.where(c - m > tol, c - m, 0.0)
        on_doc = np.where(
            issued[r],
            np.where(self.debit[r], -excess, excess - open_[r]),
            np.where(self.debit[r], -c, c),  # not issued yet: what cleared it, against the document's sign
        ) * self.rate[r]
        # an invoice issued by ``when`` carries its open amount, at its rate
        np.multiply(open_, self.rate, out=open_)
        np.copyto(open_, 0.0, where=~(issued & self._open_kind))
        if unknown:
            open_[self.has_residual] = np.nan
            on_doc = np.where(self.has_residual[r], np.nan, on_doc)
        cash = _on_or_before(self.cash_date, when)
        balance = group_sum(on_doc, self.customer[r], self.n_customers) - group_sum(
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
        with self._events_lock:
            if self._events is None:
                self._events = self._payment_events()
                # only the payment events read the events' magnitudes and kinds: a large book's hundreds of MB
                self.mag = self.kind = None
            return self._events

    def _payment_events(self) -> dict[str, np.ndarray]:
        owner, mag, kind = self.owner, self.mag, self.kind
        assert mag is not None and kind is not None
        is_payment = kind == _PAY
        if not self.debit.all():
            is_payment &= self.debit[owner]
        size = self.magnitude_of(owner)
        history = self.history.any()  # residual exports only; without them the history terms drop out
        # (few event-long arrays at a time, computed in place: a large book has tens of millions)
        # a payment that settles its invoice within the tolerance pays all that was left (the rest is written off)
        rest_before = np.subtract(size, self.cleared)
        settles = rest_before <= self.tolerance
        settles &= self.cleared > 0
        # what was left of the invoice before the event: size - (cleared - the event's own clearing)
        np.subtract(self.cleared, np.where(self.history, 0.0, mag) if history else mag, out=rest_before)
        np.subtract(size, rest_before, out=rest_before)
        np.clip(rest_before, 0.0, None, out=rest_before)
        applied = np.minimum(mag, rest_before)
        np.copyto(applied, rest_before, where=settles)
        del settles, rest_before
        if history:
            applied = np.where(self.history, np.minimum(mag, size), applied)
        keep = is_payment & (applied > 0)
        del is_payment
        # every event a payment of an invoice (the common book): the events' own arrays, no gathers
        rows: slice | np.ndarray = slice(None) if keep.all() else np.flatnonzero(keep)
        # whether the invoice was still open after the payment, for the payments only
        size, cleared = size[rows], self.cleared[rows]
        if history:
            # history payments of residual exports: partial against their own running total
            starts = np.r_[True, owner[1:] != owner[:-1]]  # each document's first event
            own_history = group_cumsum(np.where(self.history, mag, 0.0), starts)[rows]
            paid = np.where(self.history[rows], own_history, cleared)
        else:
            paid = cleared
        still_open = ((size - paid) > self.tolerance) | ((paid <= 0) & (size > 0))
        del size, cleared, paid
        invoice = owner[rows]
        date = self.date[rows]
        amount = applied[rows]  # the part applied, ours to change: a view of ``applied`` or a copy
        del applied
        amount *= self._rate_of(invoice)  # in the reporting currency
        # customer codes in 4 bytes while they fit, as the invoice rows (owners) are
        codes = self.customer.astype(np.int32) if self.n_customers < 2**31 else self.customer
        events = {
            "invoice": invoice,
            "customer": codes[invoice],
            "date": date,
            "amount": amount,
            "days_late": _days_late(date, self.due[invoice]),
            "partial": still_open,
        }
        return {name: readonly(arr) for name, arr in events.items()}

    def _rate_of(self, rows: np.ndarray) -> np.ndarray:
        """The rates of documents ``rows``, to multiply by: one value when every document has the same
        (a book in one currency), not an array of ones as long as ``rows``."""
        rate = self.rate
        return rate[:1] if rate.strides == (0,) and rate.size else rate[rows]


def _days_late(date: np.ndarray, due: np.ndarray) -> np.ndarray:
    """``date - due`` in days as float64, ``due`` (an array of our own) used as the scratch space."""
    if _plain_days(date, due):
        late = due.view(np.int64)
        np.subtract(date.view(np.int64), late, out=late)
        return late.astype(np.float64)
    return days_between(date, due).astype(np.float64)


def days_between(later: np.ndarray, earlier: np.ndarray) -> np.ndarray:
    """``(later - earlier).astype(np.int64)`` of two day arrays, on day numbers when neither holds NaT."""
    if _plain_days(later, earlier):
        return later.view(np.int64) - earlier.view(np.int64)
    return (later - earlier).astype(np.int64)


def _plain_days(*dates: np.ndarray) -> bool:
    """Whether the arrays are all days (``datetime64[D]``) without NaT: their day numbers then subtract exactly."""
    day = np.dtype("datetime64[D]")
    return all(d.dtype == day for d in dates) and not any(np.isnat(d).any() for d in dates)


def _on_or_before(dates: np.ndarray, when: np.datetime64, has_nat: bool = True) -> np.ndarray:
    """``dates <= when`` (NaT never), on day numbers when both are days: several times faster.
    ``has_nat=False``: the caller knows ``dates`` hold no NaT (one comparison, not three passes)."""
    day = np.asarray(when).astype("datetime64[D]")
    if dates.dtype == np.dtype("datetime64[D]") and not np.isnat(when) and day == when:
        d = dates.view(np.int64)
        known = d <= int(day.astype(np.int64))
        if has_nat:
            known &= d != _NAT
        return known
    return dates <= when


#: Dates whose :meth:`Ledger.open_at` a Portfolio keeps (features ask for the same few dates several times).
_OPEN_AT_KEPT = 8


def ledger(p: Portfolio) -> Ledger:
    """The Portfolio's ledger, built on first use and kept with it (copies with another default definition too)."""
    return p._cached("ledger", lambda: Ledger(p), inherit=True)


class _Open(NamedTuple):
    """:meth:`Ledger.open_at` at one date as kept with the Portfolio: the open amounts as rows (a book has a
    fraction of its documents open at any date), not one float per document."""

    issued: np.ndarray  # per document: issued by the date
    rows: np.ndarray  # the documents whose open amount is not 0 (NaN, unknown, included), in row order
    amount: np.ndarray  # their open amounts
    balance: np.ndarray  # per customer: the net of every other item


def _open(p: Portfolio, when: np.datetime64) -> _Open:
    day = when.astype("datetime64[D]")

    def build() -> _Open:
        issued, open_, balance = ledger(p).open_at(day)
        rows = np.flatnonzero(open_ != 0)  # NaN != 0
        return _Open(issued, readonly(rows), readonly(open_[rows]), balance)

    return p._cached("ledger.open_at", build, at=day, keep=_OPEN_AT_KEPT, inherit=True)


def open_at(p: Portfolio, when: np.datetime64) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:meth:`Ledger.open_at` of the Portfolio's ledger at ``when``: (issued, open amount, balance).

    Kept with the Portfolio for the last few dates, the open amounts as rows:
    the per-document array is made anew on each call. Callers that need
    less read :func:`issued_at` or :func:`balance_at`, or the rows through
    :func:`open_book`.
    """
    kept = _open(p, when)
    open_ = np.zeros(kept.issued.size)
    open_[kept.rows] = kept.amount
    return kept.issued, readonly(open_), kept.balance


def issued_at(p: Portfolio, when: np.datetime64) -> np.ndarray:
    """Per document: whether it is issued by ``when`` (:func:`open_at`'s first value)."""
    return _open(p, when).issued


def balance_at(p: Portfolio, when: np.datetime64) -> np.ndarray:
    """Per customer: the net of every item other than the open invoices at ``when`` (:func:`open_at`'s last value)."""
    return _open(p, when).balance


def payment_events(p: Portfolio) -> dict[str, np.ndarray]:
    """:meth:`Ledger.payment_events` of the Portfolio's ledger, kept with the Portfolio."""
    return p._cached("ledger.payment_events", lambda: ledger(p).payment_events(), inherit=True)


class OpenBook:
    """The invoices open at one date, as rows: what features, signals, policy and collections read.

    A book of a million invoices has a fraction of them open at any date;
    sums over these rows equal those over every document with the others at
    0 (adding 0 changes no sum), at a fraction of the cost.

    Attributes
    ----------
    when : numpy.datetime64
        The date.
    rows : ndarray of int
        Invoice rows with an open amount above 0 at ``when``, in row order.
    amount : ndarray of float
        Their open amounts (reporting currency).
    customer : ndarray of int
        Their customer codes.
    dpd : ndarray of int64
        Their days past due at ``when`` (``when - due``; 0 or less when not due yet).
    unknown : bool
        Whether some documents' open amounts are unknown (NaN) at ``when``: residual-only
        documents before the export date. They are not among ``rows``.
    """

    __slots__ = ("amount", "customer", "dpd", "rows", "unknown", "when")

    def __init__(self, p: Portfolio, when: np.datetime64) -> None:
        kept = _open(p, when)
        inv = p.invoices
        self.when = when
        positive = kept.amount > 0  # NaN compares False
        self.rows = readonly(kept.rows[positive])
        self.amount = readonly(kept.amount[positive])
        self.customer = readonly(inv["customer"][self.rows])
        self.dpd = readonly((when - inv["due"][self.rows]).astype(np.int64))
        ledger_ = ledger(p)
        self.unknown = bool(ledger_.export_date is not None and when < ledger_.export_date
                            and ledger_.has_residual.any())

    def overdue(self) -> np.ndarray:
        """Mask of the rows past due (``dpd > 0``)."""
        return self.dpd > 0


def open_book(p: Portfolio, when: np.datetime64) -> OpenBook:
    """The :class:`OpenBook` of the Portfolio at ``when``, kept with it for the last few dates."""
    day = when.astype("datetime64[D]")
    return p._cached("ledger.open_book", lambda: OpenBook(p, day), at=day, keep=_OPEN_AT_KEPT, inherit=True)
