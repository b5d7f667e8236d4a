"""Expected credit loss on trade receivables: the provision matrix (docs/domain.md, *Expected credit loss*).

IFRS 9's simplified approach (§5.5.15) and CECL provide for trade receivables
a lifetime loss allowance from a *provision matrix*: a loss rate per aging
bucket, estimated from the book's own history, times what is open in each
bucket. :meth:`ProvisionMatrix.fit` estimates the rates from month-end to
month-end movements of the open invoices (roll rates, chained to the loss
state), optionally per grade or customer segment, with a forward-looking
factor; :meth:`ProvisionMatrix.allowance` applies them at a date;
:meth:`ProvisionMatrix.backtest` sets the allowance at past dates against the
losses that followed.

Everything runs over the open-invoice rows of :func:`riskkit._ledger.open_book`
(``bincount`` group-bys), and every date sees only what was known on it. A fit
over many dates computes those rows for every date in one pass over the ledger
(:func:`_books`: each invoice only at the dates it can be open), the same rows
and amounts bit for bit.
"""

from __future__ import annotations

import datetime as _dt
import itertools
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from riskkit._checks import Integer, Interval, SequenceOf, check, readonly
from riskkit._display import html_table, text_table
from riskkit._ledger import ledger, open_book
from riskkit._pit import as_of_dates
from riskkit.errors import ValidationError
from riskkit.receivables import AGING_EDGES

if TYPE_CHECKING:
    from riskkit.portfolio import Portfolio

__all__ = ["DEFAULT_LOSS_DAYS", "Allowance", "ProvisionBacktest", "ProvisionMatrix", "month_ends"]

#: Days past due beyond which an open invoice counts as lost (docs/domain.md, expected credit loss).
DEFAULT_LOSS_DAYS = 180

#: The event kind that writes off a customer's open invoices.
WRITE_OFF = "write_off"

_NEVER = np.iinfo(np.int64).max  # a day number no date reaches: "never written off"
_ALL = "all"


def month_ends(start: Any, end: Any) -> np.ndarray:
    """The month-ends ``d`` with ``start <= d <= end``, oldest first, as ``datetime64[D]``.

    Examples
    --------
    >>> month_ends("2025-01-15", "2025-04-30").astype(str).tolist()
    ['2025-01-31', '2025-02-28', '2025-03-31', '2025-04-30']
    """
    first, last = (np.datetime64(str(v), "D") if not isinstance(v, np.datetime64) else v.astype("datetime64[D]")
                   for v in (start, end))
    months = np.arange(first.astype("datetime64[M]"), last.astype("datetime64[M]") + 1)
    ends = (months + 1).astype("datetime64[D]") - 1
    return ends[(ends >= first) & (ends <= last)]


def _labels(edges: tuple[int, ...], loss_days: int) -> tuple[str, ...]:
    """``current``, ``1-30``, ..., ``91-180``, ``over 180`` for edges (0, 30, 60, 90) and 180 loss days."""
    bounds = (*edges, loss_days)
    out = ["current" if edges[0] == 0 else f"up to {edges[0]}"]
    out += [f"{a + 1}-{b}" for a, b in itertools.pairwise(bounds)]
    return (*out, f"over {loss_days}")


def _write_off_day(p: Portfolio) -> np.ndarray:
    """Per invoice row: the day number of the first write-off event of its customer on or after its issue date.

    ``_NEVER`` where there is none. Kept with the Portfolio.
    """

    def build(q: Portfolio) -> np.ndarray:
        evt, inv = q.events, q.invoices
        hit = np.flatnonzero(np.asarray(evt["kind"]) == WRITE_OFF)
        n_inv = inv["customer"].size
        if hit.size == 0:
            return readonly(np.full(n_inv, _NEVER, dtype=np.int64))
        # one sorted key per write-off: customer, then day; an invoice looks up the first on or after its issue
        span = np.int64(1 << 32)
        day = evt["date"][hit].astype("datetime64[D]").view(np.int64)
        key = np.sort(evt["customer"][hit].astype(np.int64) * span + (day + (span >> 1)))
        issued = inv["issued"].astype("datetime64[D]").view(np.int64)
        want = inv["customer"].astype(np.int64) * span + (issued + (span >> 1))
        pos = np.searchsorted(key, want, side="left")
        found = pos < key.size
        pos = np.minimum(pos, key.size - 1)
        same = found & (key[pos] // span == inv["customer"].astype(np.int64))
        return readonly(np.where(same, key[pos] % span - (span >> 1), _NEVER))

    return p.derived("provisions.write_off_day", build)


def _day(when: np.datetime64) -> int:
    return int(when.astype("datetime64[D]").view(np.int64))


def _unknown(p: Portfolio, when: np.datetime64) -> ValidationError:
    return ValidationError(
        f"the open invoices at {when} are not known: the book holds residual amounts exported on "
        f"{p.export_date}; use dates on or after it", field="dates", value=str(when))


class _Book:
    """The open invoices of a Portfolio at one date, with their state (bucket index) and write-off day.

    ``parts`` (rows, amount, customer, dpd) as :func:`riskkit._ledger.open_book` gives them, when
    computed already (:func:`_books`).
    """

    __slots__ = ("amount", "customer", "dpd", "rows", "state", "written_off")

    def __init__(self, p: Portfolio, when: np.datetime64, bounds: np.ndarray,
                 parts: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None) -> None:
        if parts is None:
            ob = open_book(p, when)
            if ob.unknown:
                raise _unknown(p, when)
            parts = ob.rows, ob.amount, ob.customer, ob.dpd
        self.rows, self.amount, self.customer, self.dpd = parts
        # side="left": an edge belongs to the bucket it closes (dpd 30 is in 1-30); > loss_days is the lost state
        self.state = np.searchsorted(bounds, self.dpd, side="left")
        self.written_off = _write_off_day(p)[self.rows] <= _day(when)


def _first_on_or_after(day: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """Per date of ``dates``: the index of the first of the sorted day numbers ``day`` on or after it (``day.size``
    when none, or for NaT)."""
    d = dates.astype("datetime64[D]", copy=False).view(np.int64)
    out = np.searchsorted(day, d, side="left")
    nat = d == np.iinfo(np.int64).min
    return np.where(nat, day.size, out) if nat.any() else out


def _books(p: Portfolio, days: np.ndarray, bounds: np.ndarray) -> Iterator[_Book]:
    """The :class:`_Book` at each of ``days`` (increasing), from one pass over the ledger.

    The same rows and amounts as :func:`riskkit._ledger.open_book` at each date
    (the same arithmetic on the same cleared amounts), without computing every
    document at every date: a document can be open only from the first date
    on or after its issue to the last before its final clearing event (or to
    the end when it stays open), and its amount cleared at a date is the
    running clearing of its last event known then.
    """
    led = ledger(p)
    if led.export_date is not None and days[0] < led.export_date and led.has_residual.any():
        raise _unknown(p, days[0])
    n_dates = days.size
    day = days.astype("datetime64[D]").view(np.int64)
    count, first = led.event_counts(), led.first_event
    n_events = led.owner.size
    tol = led.tolerance
    rest = led.magnitude - led._final
    still_open = np.where((rest > tol) | (led._final <= 0), np.maximum(rest, 0.0), 0.0) * led.rate > 0
    # the dates a document may be open at: from the first on or after its issue (none when NaT) to the first
    # on or after its last event (every date when it stays open)
    start = _first_on_or_after(day, led.issued)
    end = np.where(still_open, n_dates,
                   _first_on_or_after(day, led.date[np.maximum(first + count - 1, 0)]) if n_events else 0)
    end = np.where(count > 0, end, n_dates)  # nothing cleared: open from its issue on, unless of amount 0
    cand = np.flatnonzero(led._open_kind & (start < end))
    start, end = start[cand], end[cand]
    # per date and candidate: how many of its events are known (dated on or before the date)
    pos = np.full(led.n_docs, -1, dtype=np.int64)
    pos[cand] = np.arange(cand.size)
    ev = np.flatnonzero(pos[led.owner] >= 0) if n_events else np.zeros(0, dtype=np.int64)
    at = _first_on_or_after(day, led.date[ev])  # the first date that knows the event
    known = np.bincount(at * cand.size + pos[led.owner[ev]], minlength=(n_dates + 1) * cand.size)
    known = np.cumsum(known.reshape(n_dates + 1, cand.size), axis=0)
    inv = p.invoices
    for i, when in enumerate(days):
        c = np.flatnonzero((start <= i) & (i < end))
        doc = cand[c]
        n_known = known[i, c]
        cleared = (np.where(n_known > 0, led.cleared[np.maximum(first[doc] + n_known - 1, 0)], 0.0)
                   if n_events else np.zeros(doc.size))
        left = led.magnitude_of(doc) - cleared
        amount = np.where((left > tol) | (cleared <= 0), np.maximum(left, 0.0), 0.0) * led.rate[doc]
        keep = amount > 0
        rows = doc[keep]
        yield _Book(p, when, bounds, (rows, amount[keep], inv["customer"][rows],
                                      (when - inv["due"][rows]).astype(np.int64)))


def _check_portfolio(portfolio: Any) -> Portfolio:
    from riskkit.portfolio import Portfolio

    if not isinstance(portfolio, Portfolio):
        raise ValidationError(f"portfolio must be a riskkit.Portfolio, got {type(portfolio).__name__}",
                              field="portfolio")
    return portfolio


def _check_dates(p: Portfolio, dates: Any, field: str = "dates") -> np.ndarray:
    days = as_of_dates(dates, field=field)
    if days.ndim != 1 or days.size < 2:
        raise ValidationError(f"{field} must hold at least 2 dates (month-ends), got {days.size}", field=field)
    back = np.flatnonzero(np.diff(days) <= np.timedelta64(0, "D"))
    if back.size:
        i = int(back[0]) + 1
        raise ValidationError(f"{field} must be strictly increasing; {field}[{i}] = {days[i]} is not after "
                              f"{days[i - 1]}", field=field, row=i, value=str(days[i]))
    last = np.datetime64(p.as_of, "D")
    if days[-1] > last:
        raise ValidationError(f"{field}[{days.size - 1}] = {days[-1]} is after the book's as_of {last}: what was "
                              "open then is not known yet", field=field, row=days.size - 1, value=str(days[-1]))
    return days


class ProvisionMatrix:
    """Loss rates per aging bucket (and group), estimated from a book's history; made by :meth:`fit`.

    Attributes
    ----------
    buckets : tuple of str
        The states, youngest first: the aging buckets up to ``loss_days``
        (``current``, ``1-30``, ``31-60``, ``61-90``, ``91-180``) and the lost
        state (``over 180``: open more than ``loss_days`` past due).
    edges : tuple of int
        The aging edges (inclusive upper bounds, days past due).
    loss_days : int
        Days past due after which an open invoice counts as lost.
    groups : tuple of str
        The rows of the matrix: ``("all",)`` without ``by``, else each group
        seen in the history and then ``"all"`` (the pooled rates, used for a
        group without history of its own).
    by : str or None
    forward_looking : float
    dates : ndarray of datetime64[D]
        The month-ends the rates were estimated on.
    observed : ndarray, shape (n_groups, n_buckets - 1)
        Amount open in each bucket at one date that had left it by the next
        (paid, credited, rolled on or lost), summed over the date pairs: the
        evidence behind each rate.
    roll_rates : ndarray, shape (n_groups, n_buckets - 1)
        Share of ``observed`` that rolled into an older bucket or was lost.
    transitions : ndarray, shape (n_groups, n_buckets - 1, n_buckets)
        ``transitions[g, k, j]``: share of ``observed[g, k]`` found in state
        ``j > k`` (0 for ``j <= k``).
    base_rates : ndarray, shape (n_groups, n_buckets)
        Loss rates from the history alone (1 for the lost state).
    rates : ndarray, shape (n_groups, n_buckets)
        ``min(1, base_rates x forward_looking)``; the lost state stays 1.
    pooled : ndarray of bool, shape (n_groups, n_buckets - 1)
        Where a group had no evidence of its own and took the pooled row.
    unobserved : ndarray of bool, shape (n_groups, n_buckets - 1)
        Buckets no open amount left over the whole history (pooled): nothing
        shows them being collected, so they are taken to roll on in full
        (their rate is the next bucket's). The repr names them.
    """

    def __init__(self, **parts: Any) -> None:
        self.__dict__.update(parts)

    buckets: tuple[str, ...]
    edges: tuple[int, ...]
    loss_days: int
    groups: tuple[str, ...]
    by: str | None
    scorer: Any
    forward_looking: float
    dates: np.ndarray
    observed: np.ndarray
    roll_rates: np.ndarray
    transitions: np.ndarray
    base_rates: np.ndarray
    rates: np.ndarray
    pooled: np.ndarray
    unobserved: np.ndarray

    @classmethod
    def fit(
        cls,
        portfolio: Portfolio,
        dates: Any = None,
        *,
        by: str | None = None,
        scorer: Any = None,
        forward_looking: float = 1.0,
        buckets: Sequence[int] = AGING_EDGES,
        loss_days: int = DEFAULT_LOSS_DAYS,
    ) -> ProvisionMatrix:
        """Estimate loss rates per aging bucket from the movements of the open invoices between ``dates``.

        For each pair of consecutive dates, every invoice open at the first
        date in an aging bucket is followed to the second: paid or credited
        (it left), still in the bucket (it stays, and is left out), in an older
        bucket (it rolled), or lost (written off, or more than ``loss_days``
        past due). Summed over the pairs, the share of what left bucket ``k``
        that went to state ``j`` is ``transitions[k, j]``; the loss rate is
        ``rate[k] = sum_j transitions[k, j] x rate[j]`` with rate 1 for lost,
        the product of the roll rates when invoices age one bucket a month
        (the chain-ladder). See docs/domain.md, *Expected credit loss*.

        Parameters
        ----------
        portfolio : riskkit.Portfolio
        dates : sequence of date-like, optional
            Strictly increasing dates, at least 2, none after
            ``portfolio.as_of``; default every month-end from the first
            invoice's issue date to ``portfolio.as_of``.
        by : None, "grade" or str, optional
            Rates per group: ``"grade"`` (the customer's grade at the first
            date of each pair, from ``scorer``), or the name of a text column
            of the customers table (``"debtor_type"``, ``"industry"``,
            ``"region"``, a ``"segment"`` your data has ...).
        scorer : object with ``score(features)``, optional
            The grades for ``by="grade"``; default the 5C card
            (:func:`riskkit.scoring.five_c`).
        forward_looking : float, default 1.0
            Factor applied to every loss rate (capped at 1) for the outlook:
            above 1 when conditions are expected to worsen.
        buckets : sequence of int, default :data:`riskkit.receivables.AGING_EDGES`
            Strictly increasing aging edges in days past due, each below ``loss_days``.
        loss_days : int, default 180
            An open invoice more than this many days past due counts as lost.

        Returns
        -------
        ProvisionMatrix

        Raises
        ------
        ValidationError
            A bad argument (named), dates not increasing or after the book's
            as_of, or an unknown ``by`` column.

        Examples
        --------
        >>> from riskkit.datasets import make_portfolio
        >>> from riskkit.provisions import ProvisionMatrix
        >>> book, _ = make_portfolio(500, seed=3)
        >>> m = ProvisionMatrix.fit(book)
        >>> m.buckets
        ('current', '1-30', '31-60', '61-90', '91-180', 'over 180')
        >>> bool((m.rates[0][:-1] <= m.rates[0][1:]).all())          # older buckets lose more
        True
        """
        p = _check_portfolio(portfolio)
        edges = check("buckets", buckets, SequenceOf(Integer(0, None), noun="sequence", min_size=1,
                                                     increasing=True, of="aging edges (integer days >= 0)"))
        loss = check("loss_days", loss_days, Integer(1, None, unit="days"))
        if edges[-1] >= loss:
            raise ValidationError(f"loss_days ({loss}) must be above the last aging edge ({edges[-1]})",
                                  field="loss_days", value=loss)
        factor = check("forward_looking", forward_looking, Interval(float, 0.0, None, closed="neither"))
        if by is not None:
            check("by", by, _text())
            if by != "grade":
                _group_column(p, by)
        if scorer is not None and by != "grade":
            raise ValidationError("scorer is only used with by='grade'", field="scorer")
        if dates is None:
            first = p.invoices["issued"].min() if p.invoices["issued"].size else np.datetime64(p.as_of, "D")
            days = month_ends(first, np.datetime64(p.as_of, "D"))
            if days.size < 2:
                raise ValidationError(f"the book's history from {first} to {p.as_of} has {days.size} month-end(s); "
                                      "pass at least 2 dates", field="dates")
        else:
            days = _check_dates(p, dates)
        if by == "grade" and scorer is None:
            from riskkit.scoring import five_c

            scorer = five_c()
        bounds = np.asarray((*edges, loss), dtype=np.int64)
        n_states = len(edges) + 2  # aging buckets up to loss_days, then lost
        k_open = n_states - 1
        labels, group_codes = _grouping(p, by, scorer, days[:-1])
        n_groups = len(labels)

        start = np.zeros(n_groups * k_open)
        flow = np.zeros(n_groups * k_open * n_states)
        books = _books(p, days, bounds)
        nxt = next(books)
        for t0, t1, codes in zip(days[:-1], days[1:], group_codes, strict=True):
            cur, nxt = nxt, next(books)
            live = np.flatnonzero((cur.state < k_open) & ~cur.written_off)
            rows, a0, s0 = cur.rows[live], cur.amount[live], cur.state[live]
            pos = np.minimum(np.searchsorted(nxt.rows, rows), max(nxt.rows.size - 1, 0))
            present = (nxt.rows[pos] == rows) if nxt.rows.size else np.zeros(rows.size, dtype=bool)
            a1 = np.where(present, nxt.amount[pos] if nxt.rows.size else 0.0, 0.0)
            dpd1 = cur.dpd[live] + int((t1 - t0).astype(np.int64))
            s1 = np.searchsorted(bounds, dpd1, side="left")
            s1 = np.where(_write_off_day(p)[rows] <= _day(t1), k_open, s1)
            g = codes[cur.customer[live]]
            cell = g * k_open + s0
            start += np.bincount(cell, weights=a0, minlength=start.size)
            flow += np.bincount(cell * n_states + s1, weights=a1, minlength=flow.size)
        start_gk = start.reshape(n_groups, k_open)
        flow_gkj = flow.reshape(n_groups, k_open, n_states)
        idx = np.arange(k_open)
        stayed = flow_gkj[:, idx, idx]
        left = start_gk - stayed
        ahead = np.triu(np.ones((k_open, n_states), dtype=bool), 1)  # j > k
        moved = np.where(ahead, flow_gkj, 0.0)
        # the pooled row: every group's evidence together
        p_left, p_moved = left.sum(axis=0), moved.sum(axis=0)
        # a bucket no open amount ever left: nothing shows it being collected, so it is taken to roll on in full
        empty = p_left <= 0
        pooled_t = p_moved / np.where(empty, 1.0, p_left)[:, None]
        pooled_t[empty] = np.eye(k_open, n_states, 1)[empty]
        if by is None:
            trans = pooled_t[None]
            lefts = p_left[None]
            own = np.ones((1, k_open), dtype=bool)
            group_names: tuple[str, ...] = (_ALL,)
        else:
            own = left > 0
            trans = np.where(own[:, :, None], moved / np.where(own, left, 1.0)[:, :, None], pooled_t[None])
            trans = np.concatenate([trans, pooled_t[None]])
            lefts = np.concatenate([left, p_left[None]])
            own = np.concatenate([own, np.ones((1, k_open), dtype=bool)])
            group_names = (*labels, _ALL)
        base = np.ones((len(group_names), n_states))
        for k in range(k_open - 1, -1, -1):  # lost is 1; each bucket's rate from the older ones'
            base[:, k] = (trans[:, k, :] * base).sum(axis=1)
        rates = base.copy()
        rates[:, :k_open] = np.minimum(1.0, base[:, :k_open] * factor)
        return cls(
            buckets=_labels(edges, loss), edges=edges, loss_days=loss, groups=group_names, by=by, scorer=scorer,
            forward_looking=factor, dates=readonly(days), observed=readonly(lefts),
            roll_rates=readonly(trans.sum(axis=2)), transitions=readonly(trans), base_rates=readonly(base),
            rates=readonly(rates), pooled=readonly(~own), unobserved=readonly(np.broadcast_to(empty, own.shape)),
        )

    # --- reading -----------------------------------------------------------------

    def table(self) -> list[dict[str, Any]]:
        """One row per group and bucket, as dicts.

        Keys: ``group``, ``bucket``, ``observed`` (amount that left the bucket
        over the history; NaN for the lost state), ``roll_rate``, ``base_rate``
        (history alone), ``loss_rate`` (with the forward-looking factor) and
        ``pooled`` (the group had no evidence of its own for the bucket),
        ``unobserved`` (no evidence in the whole history: rolled on in full).

        Examples
        --------
        >>> from riskkit.datasets import make_portfolio
        >>> book, _ = make_portfolio(300, seed=3)
        >>> rows = ProvisionMatrix.fit(book, forward_looking=1.2).table()
        >>> rows[-1]["bucket"], rows[-1]["loss_rate"]
        ('over 180', 1.0)
        """
        k_open = len(self.buckets) - 1
        rows = []
        for g, group in enumerate(self.groups):
            for k, bucket in enumerate(self.buckets):
                is_open = k < k_open
                rows.append({
                    "group": group, "bucket": bucket,
                    "observed": float(self.observed[g, k]) if is_open else float("nan"),
                    "roll_rate": float(self.roll_rates[g, k]) if is_open else float("nan"),
                    "base_rate": float(self.base_rates[g, k]), "loss_rate": float(self.rates[g, k]),
                    "pooled": bool(self.pooled[g, k]) if is_open else False,
                    "unobserved": bool(self.unobserved[g, k]) if is_open else False,
                })
        return rows

    def _grid(self) -> tuple[list[str], list[list[Any]]]:
        header = ["group", *self.buckets]
        rows = [[g, *(f"{100 * r:.2f}%" for r in self.rates[i])] for i, g in enumerate(self.groups)]
        return header, rows

    def _note(self) -> str:
        d = self.dates
        note = (f"loss rates from {d.size} dates {d[0]} to {d[-1]}; forward-looking factor "
                f"{self.forward_looking:g}; lost: written off or over {self.loss_days} days past due")
        missing = [b for b, m in zip(self.buckets, self.unobserved[-1], strict=False) if m]
        if missing:
            note += f"; no evidence for {', '.join(missing)} (taken to roll on in full)"
        return note

    def __repr__(self) -> str:
        header, rows = self._grid()
        return f"ProvisionMatrix({self._note()})\n" + text_table(header, rows)

    def _repr_html_(self) -> str:
        header, rows = self._grid()
        return html_table(header, rows, caption="Provision matrix", footer=self._note())

    # --- applying ----------------------------------------------------------------

    def allowance(self, portfolio: Portfolio, as_of: Any = None) -> Allowance:
        """The loss allowance at ``as_of``: every open invoice's amount x the loss rate of its bucket.

        Invoices written off on or before ``as_of`` are no longer receivables
        and carry no allowance (their amount is :attr:`Allowance.written_off`);
        invoices more than ``loss_days`` past due carry 100%. A customer's
        group is taken at ``as_of`` (its grade then, or its column); a group
        the matrix has not seen takes the pooled ``"all"`` row.

        Parameters
        ----------
        portfolio : riskkit.Portfolio
        as_of : date-like, optional
            Default ``portfolio.as_of``.

        Returns
        -------
        Allowance

        Examples
        --------
        >>> from riskkit.datasets import make_portfolio
        >>> book, _ = make_portfolio(300, seed=3)
        >>> a = ProvisionMatrix.fit(book).allowance(book)
        >>> bool(abs(a.allowance.sum() - a.total) < 1e-6), a.amounts.shape
        (True, (300, 6))
        """
        p = _check_portfolio(portfolio)
        when = p.resolve_as_of(as_of)
        if when > np.datetime64(p.as_of, "D"):
            raise ValidationError(f"as_of {when} is after the book's as_of {p.as_of}", field="as_of",
                                  value=str(when))
        bounds = np.asarray((*self.edges, self.loss_days), dtype=np.int64)
        book = _Book(p, when, bounds)
        n, n_states = p.n_customers, len(self.buckets)
        gone = book.written_off
        keep = np.flatnonzero(~gone)
        cust, state, amount = book.customer[keep], book.state[keep], book.amount[keep]
        groups = self._codes(p, when)
        rate = self.rates[groups[cust], state]
        amounts = np.bincount(cust * n_states + state, weights=amount, minlength=n * n_states).reshape(n, n_states)
        allowance = np.bincount(cust, weights=amount * rate, minlength=n)
        by_bucket = np.bincount(state, weights=amount * rate, minlength=n_states)
        return Allowance(
            as_of=when.astype(object), buckets=self.buckets, customer_ids=p.customer_ids,
            group=readonly(np.asarray(self.groups, dtype=object)[groups]), amounts=readonly(amounts),
            allowance=readonly(allowance), bucket_amount=readonly(amounts.sum(axis=0)),
            bucket_allowance=readonly(by_bucket), written_off=float(book.amount[gone].sum()), matrix=self,
        )

    def _codes(self, p: Portfolio, when: np.datetime64) -> np.ndarray:
        """Each customer's row of the matrix at ``when`` (the pooled row for a group it has not seen)."""
        if self.by is None:
            return np.zeros(p.n_customers, dtype=np.int64)
        names = _group_names(p, self.by, self.scorer, when)
        known = {g: i for i, g in enumerate(self.groups[:-1])}
        uniq, inverse = np.unique(names, return_inverse=True)
        pooled = len(self.groups) - 1
        return np.asarray([known.get(u, pooled) for u in uniq.tolist()], dtype=np.int64)[inverse]

    def backtest(self, portfolio: Portfolio, dates: Any, *, horizon_days: int = 365) -> ProvisionBacktest:
        """The allowance at past dates against the losses that followed within ``horizon_days``.

        At each date ``d`` the matrix is fitted again with this one's settings
        on the same number of month-ends (``len(self.dates)``, at least 2),
        the last of them on or before ``d``, so the rates use only what was
        known at ``d``. The allowance covers the invoices open at ``d`` and not
        yet lost; their *losses* are the open amounts at ``d + horizon_days``
        of those that were lost by then (written off, or more than
        ``loss_days`` past due), net of what was recovered until then.

        Parameters
        ----------
        portfolio : riskkit.Portfolio
        dates : sequence of date-like
            Strictly increasing, each at least ``horizon_days`` before ``portfolio.as_of``.
        horizon_days : int, default 365

        Returns
        -------
        ProvisionBacktest

        Raises
        ------
        ValidationError
            A date too late for its losses to be known, or without 2
            month-ends of history before it.

        Examples
        --------
        >>> from riskkit.datasets import make_portfolio
        >>> book, _ = make_portfolio(500, seed=3)
        >>> m = ProvisionMatrix.fit(book)
        >>> bt = m.backtest(book, ["2024-09-30", "2024-12-31"], horizon_days=365)
        >>> [r["date"].isoformat() for r in bt.table()]
        ['2024-09-30', '2024-12-31']
        """
        p = _check_portfolio(portfolio)
        horizon = check("horizon_days", horizon_days, Integer(1, None, unit="days"))
        days = as_of_dates(dates, field="dates")
        if days.ndim != 1 or days.size == 0:
            raise ValidationError("dates must hold at least one date", field="dates")
        last = np.datetime64(p.as_of, "D")
        step = np.timedelta64(horizon, "D")
        late = np.flatnonzero(days + step > last)
        if late.size:
            i = int(late[0])
            raise ValidationError(
                f"dates[{i}] = {days[i]}: the losses within {horizon} days after it are known only up to the "
                f"book's as_of {last}; use dates on or before {last - step}", field="dates", row=i,
                value=str(days[i]))
        first = p.invoices["issued"].min() if p.invoices["issued"].size else last
        bounds = np.asarray((*self.edges, self.loss_days), dtype=np.int64)
        k_open = len(self.buckets) - 1
        out: dict[str, list[Any]] = {"date": [], "open": [], "allowance": [], "losses": [], "n_dates": []}
        for i, d in enumerate(days):
            history = month_ends(first, d)[-max(self.dates.size, 2):]
            if history.size < 2:
                raise ValidationError(f"dates[{i}] = {d} has {history.size} month-end(s) of history before it; "
                                      "at least 2 are needed to fit the rates", field="dates", row=i, value=str(d))
            m = ProvisionMatrix.fit(p, history, by=self.by, scorer=self.scorer, forward_looking=self.forward_looking,
                                    buckets=self.edges, loss_days=self.loss_days)
            a = m.allowance(p, d)
            at, end = _Book(p, d, bounds), _Book(p, d + step, bounds)
            live = np.flatnonzero((at.state < k_open) & ~at.written_off)
            rows = at.rows[live]
            pos = np.minimum(np.searchsorted(end.rows, rows), max(end.rows.size - 1, 0))
            present = (end.rows[pos] == rows) if end.rows.size else np.zeros(rows.size, dtype=bool)
            lost = present & ((end.state[pos] >= k_open) | end.written_off[pos]) if end.rows.size else present
            losses = float(np.where(lost, end.amount[pos] if end.rows.size else 0.0, 0.0).sum())
            out["date"].append(d.astype(object))
            out["open"].append(float(a.bucket_amount[:k_open].sum()))
            out["allowance"].append(float(a.bucket_allowance[:k_open].sum()))
            out["losses"].append(losses)
            out["n_dates"].append(int(history.size))
        return ProvisionBacktest(horizon_days=horizon, **{k: tuple(v) for k, v in out.items()})


def _text() -> Any:
    from riskkit._checks import Text

    return Text()


def _group_column(p: Portfolio, name: str) -> np.ndarray:
    """The customers-table text column ``name``, or a ValidationError listing the text columns."""
    cols = p.customers
    text = [c for c in cols if np.asarray(cols[c]).dtype == object and c not in ("id", "name")]
    if name not in text:
        raise ValidationError(f"by must be None, 'grade' or a text column of the customers table "
                              f"({', '.join(text)}), got {name!r}", table="customers", field="by", value=name)
    return np.asarray(cols[name], dtype=object)


def _group_names(p: Portfolio, by: str, scorer: Any, when: np.datetime64) -> np.ndarray:
    """Each customer's group label at ``when`` (``"ungraded"`` for a blank grade, ``"(blank)"`` for a blank column)."""
    if by == "grade":
        grades = np.asarray(scorer.score(p.features_history(when)).grade, dtype=object)
        return np.where(grades == "", "ungraded", grades)
    names = _group_column(p, by)
    return np.where(names == "", "(blank)", names)


def _grouping(p: Portfolio, by: str | None, scorer: Any, dates: np.ndarray) -> tuple[tuple[str, ...], list[np.ndarray]]:
    """The group labels and each customer's group code at each of ``dates``.

    Columns are in sorted order; grades best first (by the mean PD of the
    customers holding them), ``"ungraded"`` last.
    """
    n = p.n_customers
    if by is None:
        zeros = np.zeros(n, dtype=np.int64)
        return (_ALL,), [zeros] * dates.size
    if by != "grade":
        names = _group_names(p, by, scorer, np.datetime64(p.as_of, "D"))
        uniq, inverse = np.unique(names.astype(str), return_inverse=True)
        return tuple(uniq.tolist()), [inverse] * dates.size
    per_date, pds = [], []
    for when in dates:
        result = scorer.score(p.features_history(when))
        grades = np.asarray(result.grade, dtype=object)
        per_date.append(np.where(grades == "", "ungraded", grades).astype(str))
        pds.append(np.asarray(result.pd, dtype=np.float64))
    every = np.concatenate(per_date)
    uniq, inverse = np.unique(every, return_inverse=True)
    pd_all = np.concatenate(pds)
    ok = ~np.isnan(pd_all)
    mean = np.bincount(inverse[ok], weights=pd_all[ok], minlength=uniq.size) / np.maximum(
        np.bincount(inverse[ok], minlength=uniq.size), 1)
    mean = np.where(uniq == "ungraded", np.inf, mean)
    order = np.argsort(mean, kind="stable")
    code_of = np.empty(uniq.size, dtype=np.int64)
    code_of[order] = np.arange(uniq.size)
    codes = code_of[inverse]
    return tuple(uniq[order].tolist()), [codes[i * n:(i + 1) * n] for i in range(dates.size)]


class Allowance:
    """The loss allowance at one date: per customer, per bucket and in total; made by :meth:`ProvisionMatrix.allowance`.

    Attributes
    ----------
    as_of : datetime.date
    buckets : tuple of str
        The matrix's states, youngest first (the last is the lost state).
    customer_ids : ndarray
        Portfolio order.
    group : ndarray of str
        Each customer's row of the matrix (``"all"`` without groups).
    amounts : ndarray, shape (n_customers, n_buckets)
        Open invoice amounts per bucket (not written off).
    allowance : ndarray, shape (n_customers,)
    bucket_amount, bucket_allowance : ndarray, shape (n_buckets,)
    written_off : float
        Invoices written off by ``as_of``: no longer receivables, no allowance.
    matrix : ProvisionMatrix
    """

    def __init__(self, **parts: Any) -> None:
        self.__dict__.update(parts)

    as_of: _dt.date
    buckets: tuple[str, ...]
    customer_ids: np.ndarray
    group: np.ndarray
    amounts: np.ndarray
    allowance: np.ndarray
    bucket_amount: np.ndarray
    bucket_allowance: np.ndarray
    written_off: float
    matrix: ProvisionMatrix

    @property
    def total(self) -> float:
        """The whole allowance."""
        return float(self.bucket_allowance.sum())

    @property
    def open_amount(self) -> float:
        """Every open invoice not written off."""
        return float(self.bucket_amount.sum())

    @property
    def coverage(self) -> float:
        """Allowance / open amount (NaN when nothing is open)."""
        return self.total / self.open_amount if self.open_amount > 0 else float("nan")

    def table(self) -> list[dict[str, Any]]:
        """One row per bucket: ``bucket``, ``amount``, ``allowance``, ``rate`` (allowance / amount, NaN when 0)."""
        return [{"bucket": b, "amount": float(a), "allowance": float(x), "rate": float(x / a) if a > 0 else float("nan")}
                for b, a, x in zip(self.buckets, self.bucket_amount, self.bucket_allowance, strict=True)]

    def columns(self) -> dict[str, np.ndarray]:
        """Per customer, portfolio order: ``customer_id``, ``group``, ``open_<bucket>`` ..., ``open``, ``allowance``."""
        out = {"customer_id": self.customer_ids, "group": self.group}
        for k, b in enumerate(self.buckets):
            out["open_" + b.replace(" ", "_").replace("-", "_")] = self.amounts[:, k]
        out["open"] = self.amounts.sum(axis=1)
        out["allowance"] = self.allowance
        return out

    def to_pandas(self) -> Any:
        """:meth:`columns` as a pandas DataFrame (needs pandas)."""
        import pandas as pd

        return pd.DataFrame(self.columns())

    def _rows(self) -> tuple[list[str], list[list[Any]]]:
        rows = [[r["bucket"], r["amount"], r["allowance"], "-" if r["rate"] != r["rate"] else f"{100 * r['rate']:.2f}%"]
                for r in self.table()]
        rows.append(["total", self.open_amount, self.total,
                     "-" if self.coverage != self.coverage else f"{100 * self.coverage:.2f}%"])
        return ["bucket", "open", "allowance", "rate"], rows

    def __repr__(self) -> str:
        header, rows = self._rows()
        return (f"Allowance(as_of={self.as_of}, total={self.total:,.2f}, customers={self.customer_ids.size})\n"
                + text_table(header, rows, fixed=("open", "allowance")))

    def _repr_html_(self) -> str:
        header, rows = self._rows()
        return html_table(header, rows, caption=f"Loss allowance as of {self.as_of}", fixed=("open", "allowance"),
                          footer=f"written off before: {self.written_off:,.2f}")


class ProvisionBacktest:
    """Allowance at past dates against the losses that followed; made by :meth:`ProvisionMatrix.backtest`.

    Attributes
    ----------
    date, open, allowance, losses, n_dates : tuple
        Per date: the date, the amount open and not yet lost, its allowance,
        the losses that followed within ``horizon_days``, and the month-ends
        the rates were fitted on.
    horizon_days : int
    """

    def __init__(self, **parts: Any) -> None:
        self.__dict__.update(parts)

    date: tuple[_dt.date, ...]
    open: tuple[float, ...]
    allowance: tuple[float, ...]
    losses: tuple[float, ...]
    n_dates: tuple[int, ...]
    horizon_days: int

    def table(self) -> list[dict[str, Any]]:
        """One row per date: the attributes and ``ratio`` (losses / allowance; NaN without allowance)."""
        return [{"date": d, "open": o, "allowance": a, "losses": loss, "ratio": loss / a if a > 0 else float("nan"),
                 "n_dates": k}
                for d, o, a, loss, k in zip(self.date, self.open, self.allowance, self.losses, self.n_dates,
                                            strict=True)]

    def _rows(self) -> tuple[list[str], list[list[Any]]]:
        rows = [[str(r["date"]), r["open"], r["allowance"], r["losses"], r["ratio"]] for r in self.table()]
        return ["date", "open", "allowance", "losses", "losses/allowance"], rows

    def __repr__(self) -> str:
        header, rows = self._rows()
        return f"ProvisionBacktest(horizon_days={self.horizon_days})\n" + text_table(header, rows)

    def _repr_html_(self) -> str:
        header, rows = self._rows()
        return html_table(header, rows, caption=f"Provision backtest, losses within {self.horizon_days} days")
