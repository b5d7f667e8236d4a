"""The credit review calendar: when each customer's credit file is looked at again.

A credit manager reviews every customer's grade, limit and terms at an
interval set by its risk: weak grades monthly, strong ones yearly, a large
exposure more often, and at once when a new warning fires
(docs/domain.md, *Credit reviews*). :class:`ReviewPolicy` declares those
intervals; :func:`schedule` gives every customer its next review date and
the reason, and :func:`due` the worklist of reviews due within a horizon,
soonest first and, on one date, the largest exposure first.

Dates are point in time: a review or a warning dated after ``as_of`` was not
known on it and is left out. Everything runs on whole columns
(``datetime64[M]`` month arithmetic); the reason in words is built only for
the rows read.

Examples
--------
>>> import riskkit
>>> from riskkit import reviews
>>> book = riskkit.Portfolio.from_records(
...     customers=[{"id": "C1"}, {"id": "C2"}, {"id": "C3"}], as_of="2025-06-30")
>>> cal = reviews.schedule(book, grades=["AA", "B", "BBB"],
...                        last_review={"C1": "2025-01-31", "C2": "2025-01-31"})
>>> cal["next_review"].tolist()
[datetime.date(2026, 1, 31), datetime.date(2025, 4, 30), datetime.date(2025, 6, 30)]
>>> cal["reason"][1]
'grade B: every 3 months; last review 2025-01-31'
>>> cal.due(30)["customer_id"].tolist()
['C2', 'C3']
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from riskkit._checks import (
    Instance,
    Integer,
    Interval,
    MappingOf,
    Options,
    check,
    check_names,
    fail,
    readonly,
)
from riskkit._convert import show
from riskkit._pit import as_of_dates
from riskkit.errors import DataTypeError, SchemaError, ValidationError

if TYPE_CHECKING:
    from riskkit.portfolio import Portfolio

__all__ = ["CAUSES", "ReviewPolicy", "ReviewSchedule", "due", "schedule"]

#: Why a review falls on its date, most urgent first (the ``cause`` column).
CAUSES: tuple[str, ...] = ("warning", "never_reviewed", "exposure", "grade")
_WARNING, _NEVER, _EXPOSURE, _GRADE = range(4)

#: The master-scale order, best first: a worse grade may not be reviewed less often.
_SCALE: tuple[str, ...] = ("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C", "D")
_DEFAULT_MONTHS: dict[str, int] = {
    "AAA": 12, "AA": 12, "A": 12, "BBB": 6, "BB": 6, "B": 3, "CCC": 1, "CC": 1, "C": 1, "D": 1,
}
_DEFAULT_CAPS: tuple[tuple[float, int], ...] = ((250_000.0, 6), (1_000_000.0, 3))
_LEVELS = ("watch", "warning", "critical")
_MONTHS = Integer(1, 120, unit="months")
_NAT = np.datetime64("NaT", "D")

_COLUMNS: tuple[tuple[str, str], ...] = (
    ("customer_id", "object"),
    ("grade", "object"),
    ("exposure", "float64"),
    ("last_review", "datetime64[D]"),
    ("next_review", "datetime64[D]"),
    ("days_until", "int64"),
    ("interval_months", "int64"),
    ("warned_on", "datetime64[D]"),
    ("cause", "object"),
)


class ReviewPolicy:
    """How often each customer's credit is reviewed (docs/domain.md, *Credit reviews*).

    Parameters
    ----------
    months : mapping of str to int, optional
        Grade -> months between two reviews (1 to 120). Default: AAA, AA, A
        12; BBB, BB 6; B 3; CCC, CC, C, D 1. A worse grade of the master scale
        (AAA ... D) may not have a longer interval than a better one.
    exposure_caps : sequence of (number, int), optional
        ``(above, months)`` pairs: a customer whose exposure is above
        ``above`` is reviewed at least every ``months`` months, whatever its
        grade. Thresholds strictly increasing, months not increasing with
        them. Default ``((250_000, 6), (1_000_000, 3))``; ``()`` for none.
    warning_level : {"watch", "warning", "critical"}, default "warning"
        A customer whose watchlist level is this or worse, with an alert new
        since its last review, is due at once.
    ungraded_months : int, default 1
        The interval of a customer without a grade (``""``: the scorer could
        not grade it): as often as the weakest grades.

    Raises
    ------
    ValidationError
        A value outside what is accepted, naming the parameter.

    Examples
    --------
    >>> ReviewPolicy().interval("BBB")
    6
    >>> ReviewPolicy(months={"A": 12, "B": 24})
    Traceback (most recent call last):
    riskkit.errors.ValidationError: ReviewPolicy.months['B'] must be at most the interval of the better grade A (12 months), got 24
    """

    __slots__ = ("_caps", "_months", "ungraded_months", "warning_level")

    def __init__(
        self,
        months: Mapping[str, int] | None = None,
        exposure_caps: Sequence[tuple[float, int]] | None = None,
        warning_level: str = "warning",
        ungraded_months: int = 1,
    ) -> None:
        where = "ReviewPolicy."
        table = dict(_DEFAULT_MONTHS) if months is None else check("months", months, MappingOf(), where=where)
        if not table:
            raise fail("months", "a non-empty mapping of grade to months", months, where=where)
        table = {g: check(f"months[{g!r}]", m, _MONTHS, where=where) for g, m in table.items()}
        if any(not g.strip() for g in table):
            raise fail("months", "a mapping whose grades are non-empty names", months, where=where)
        better: tuple[str, int] | None = None
        for grade in _SCALE:
            if grade in table:
                if better is not None and table[grade] > better[1]:
                    raise fail(f"months[{grade!r}]",
                               f"at most the interval of the better grade {better[0]} ({better[1]} months)",
                               table[grade], where=where)
                better = (grade, table[grade])
        self._months: dict[str, int] = table
        self._caps = _check_caps(_DEFAULT_CAPS if exposure_caps is None else exposure_caps)
        self.warning_level: str = check("warning_level", warning_level, Options(*_LEVELS), where=where)
        self.ungraded_months: int = check("ungraded_months", ungraded_months, _MONTHS, where=where)

    @property
    def months(self) -> dict[str, int]:
        """Grade -> months between two reviews (a copy)."""
        return dict(self._months)

    @property
    def exposure_caps(self) -> tuple[tuple[float, int], ...]:
        """The ``(above, months)`` pairs, thresholds increasing."""
        return self._caps

    def interval(self, grade: str) -> int:
        """Months between two reviews of ``grade`` (``""``: ungraded), before any exposure cap."""
        if grade == "":
            return self.ungraded_months
        try:
            return self._months[grade]
        except KeyError:
            raise ValidationError(f"grade {grade!r} has no review interval; ReviewPolicy.months has "
                                  f"{', '.join(self._months)}", field="grade", value=grade) from None

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> ReviewPolicy:
        """Build from a dict of the parameters (a TOML or JSON document); an unknown key is an error.

        >>> ReviewPolicy.from_dict({"exposure_caps": [[100000, 6]]}).exposure_caps
        ((100000.0, 6),)
        """
        spec = check("review policy", spec, MappingOf())
        check_names(spec, ("months", "exposure_caps", "warning_level", "ungraded_months"), where="ReviewPolicy.")
        return cls(**spec)

    def to_dict(self) -> dict[str, Any]:
        """The parameters as plain values (``from_dict(to_dict())`` is the same policy)."""
        return {"months": self.months, "exposure_caps": [list(c) for c in self._caps],
                "warning_level": self.warning_level, "ungraded_months": self.ungraded_months}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ReviewPolicy) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(repr(self))

    def __repr__(self) -> str:
        months = ", ".join(f"{g} {m}" for g, m in self._months.items())
        caps = ", ".join(f"above {a:,.0f}: {m}" for a, m in self._caps) or "none"
        return f"ReviewPolicy(months: {months}; exposure caps: {caps}; warning_level={self.warning_level!r})"


def _check_caps(caps: Any) -> tuple[tuple[float, int], ...]:
    name, where = "exposure_caps", "ReviewPolicy."
    accepted = "a list of (exposure above, months) pairs, exposure a number > 0 and months 1 to 120"
    if isinstance(caps, str | bytes | Mapping) or not isinstance(caps, Sequence | np.ndarray):
        raise fail(name, accepted, caps, where=where)
    out: list[tuple[float, int]] = []
    for i, pair in enumerate(caps):
        if isinstance(pair, str | bytes) or not isinstance(pair, Sequence | np.ndarray) or len(pair) != 2:
            raise fail(f"{name}[{i}]", "an (exposure above, months) pair", pair, where=where)
        above = check(f"{name}[{i}][0]", pair[0], Interval(float, 0, None, closed="neither"), where=where)
        months = check(f"{name}[{i}][1]", pair[1], _MONTHS, where=where)
        if out and not (above > out[-1][0] and months <= out[-1][1]):
            raise fail(f"{name}[{i}]", f"a higher exposure than {out[-1][0]:g} with at most {out[-1][1]} months",
                       list(pair), where=where)
        out.append((above, months))
    return tuple(out)


# --- month arithmetic -----------------------------------------------------------------


def add_months(days: np.ndarray, months: np.ndarray) -> np.ndarray:
    """``days`` (datetime64[D]) plus whole ``months``, the day clipped to the month's last (31 Jan + 1 = 28 Feb).

    >>> add_months(np.array(["2025-01-31", "2024-01-31", "2025-03-15"], "datetime64[D]"), np.array([1, 1, 12]))
    array(['2025-02-28', '2024-02-29', '2026-03-15'], dtype='datetime64[D]')
    """
    month = days.astype("datetime64[M]")
    day_index = (days - month.astype("datetime64[D]")).astype(np.int64)
    target = month + months.astype(np.int64)
    length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(np.int64)
    out = target.astype("datetime64[D]") + np.minimum(day_index, length - 1)
    return np.where(np.isnat(days), _NAT, out)


# --- inputs ---------------------------------------------------------------------------


def _grades(portfolio: Portfolio, grades: Any) -> np.ndarray:
    from riskkit.scoring import ScoreResult

    if isinstance(grades, ScoreResult):
        from riskkit._checks import check_scores

        check_scores(portfolio, grades, ScoreResult)
        values = np.asarray(grades.grade, dtype=object)
    elif grades is None or isinstance(grades, str | bytes | Mapping):
        raise DataTypeError("grades must be a riskkit.ScoreResult (e.g. five_c().score(portfolio.features())) "
                            f"or one grade name per customer, got {type(grades).__name__}")
    else:
        values = np.asarray(grades, dtype=object)
    n = portfolio.n_customers
    if values.shape != (n,):
        raise ValidationError(f"grades has shape {values.shape}; the portfolio has {n} customers (one grade each, "
                              "in portfolio order)", field="grades")
    bad = np.flatnonzero([not isinstance(g, str) for g in values.tolist()]) if n else np.empty(0, np.intp)
    if bad.size:
        i = int(bad[0])
        raise ValidationError(f"grades[{i}] of customer {portfolio.customer_ids[i]!r} must be a grade name, got "
                              f"{show(values[i])}", field="grades", row=i, value=values[i])
    return values


def _dates(portfolio: Portfolio, value: Any, field: str, as_of: np.datetime64) -> np.ndarray:
    """One date per customer (NaT: none) from an aligned array or a mapping of id to date(s); after as_of: NaT.

    A mapping's value may be several dates (a history): the latest one on or
    before ``as_of`` counts.
    """
    n = portfolio.n_customers
    if value is None:
        return np.full(n, _NAT)
    if isinstance(value, Mapping):
        index = portfolio._index
        codes: list[int] = []
        given: list[Any] = []
        for cid, dates in value.items():
            code = index.get(cid) if isinstance(cid, str) else None
            if code is None:
                raise ValidationError(f"{field} names unknown customer id {show(cid)}", field=field, value=cid)
            several = not isinstance(dates, str | bytes) and isinstance(dates, Sequence | np.ndarray)
            items = list(dates) if several else [dates]
            codes += [code] * len(items)
            given += items
        days = as_of_dates(np.array(given, dtype=object), field, missing=True) if given else np.empty(0, "M8[D]")
        known = ~np.isnat(days) & (days <= as_of)
        out = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
        np.maximum.at(out, np.asarray(codes, dtype=np.int64)[known], days[known].astype(np.int64))
        return np.where(out == np.iinfo(np.int64).min, _NAT, out.astype("datetime64[D]"))
    if isinstance(value, str | bytes):
        raise DataTypeError(f"{field} must be one date per customer or a mapping of customer id to date(s), "
                            f"got the single string {value!r}")
    days = as_of_dates(value, field, missing=True)
    if days.shape != (n,):
        raise ValidationError(f"{field} has shape {days.shape}; the portfolio has {n} customers (one date or None "
                              "each, in portfolio order; or a mapping of customer id to date)", field=field)
    return np.where(days <= as_of, days, _NAT)


def _warned_on(portfolio: Portfolio, watchlist: Any, level: str, as_of: np.datetime64,
               since: Any) -> np.ndarray:
    """The date of each customer's new warning (NaT: none) from a Watchlist, or dates given as for last_review."""
    from riskkit._pit import as_of_day
    from riskkit.signals import Watchlist

    if not isinstance(watchlist, Watchlist):
        if since is not None:
            raise ValidationError("warnings_since goes with a Watchlist; warning dates given directly are "
                                  "already dated", field="warnings_since", value=since)
        return _dates(portfolio, watchlist, "watchlist", as_of)
    when = np.datetime64(watchlist.as_of, "D")
    if when > as_of:
        raise ValidationError(f"the watchlist is of {watchlist.as_of}, after as_of {as_of}: not known then; "
                              "evaluate it at or before as_of", field="watchlist", value=str(watchlist.as_of))
    dated: Any = when
    if since is not None:
        previous = as_of_day(since, "warnings_since")
        if previous >= when:
            raise ValidationError(f"warnings_since {previous} must be before the watchlist's date {when}",
                                  field="warnings_since", value=str(previous))
        dated = previous + np.timedelta64(1, "D")  # the first day a new alert can have fired
    out = np.full(portfolio.n_customers, _NAT)
    hits = watchlist.at_level(level)
    if len(hits):
        fresh = hits.column("status") != "persisting"  # new, or active when no previous watchlist was given
        ids = np.unique(hits.column("customer_id")[fresh])
        out[portfolio.codes(ids.tolist())] = dated
    return out


# --- the schedule ---------------------------------------------------------------------


def schedule(
    portfolio: Portfolio,
    as_of: Any = None,
    *,
    grades: Any,
    last_review: Any = None,
    watchlist: Any = None,
    warnings_since: Any = None,
    policy: ReviewPolicy | None = None,
) -> ReviewSchedule:
    """Every customer's next credit review date and why, at ``as_of``.

    The next review is the last one plus the grade's interval
    (:class:`ReviewPolicy`), shortened when the exposure is above a cap
    (months added on the calendar: 31 January + 1 month = 28 February);
    ``as_of`` when no review is on record; and the date of a new warning when
    one fired after the last review. A date before ``as_of`` is overdue
    (``days_until`` < 0).

    Parameters
    ----------
    portfolio : riskkit.Portfolio
    as_of : date-like, optional
        Default ``portfolio.as_of``.
    grades : riskkit.ScoreResult or array-like of str
        Each customer's grade at ``as_of``, in portfolio order (``""``:
        ungraded).
    last_review : array-like of date-like, or mapping, optional
        The last review of each customer: one date or None per customer in
        portfolio order, or a mapping of customer id to a date or to several
        (a history: the latest on or before ``as_of`` counts). Dates after
        ``as_of`` were not known then and are left out. None: no review on
        record, every customer due now.
    watchlist : riskkit.signals.Watchlist, array-like or mapping of dates, optional
        New warnings. A Watchlist (evaluated at or before ``as_of``): a
        customer at ``policy.warning_level`` or worse with an alert that is
        not ``persisting`` has a new warning on the watchlist's date (evaluate
        it with ``previous=`` so that only alerts new since the previous run
        count; without it every alert is new). Or the date of each customer's
        latest warning, given as ``last_review`` is.
    warnings_since : date-like, optional
        The date of the previous watchlist the given one was compared with: a
        new alert is then dated the day after it (the first day it can have
        fired), so a review since that day has seen it.
    policy : ReviewPolicy, optional
        Default ``ReviewPolicy()``.

    Returns
    -------
    ReviewSchedule
        One row per customer, in portfolio order.

    Raises
    ------
    ValidationError
        Grades or dates of another length, a grade the policy has no interval
        for (naming the customer), a bad date (naming its element) or an
        unknown customer id.
    DataTypeError
        ``grades`` that are neither a ScoreResult nor grade names.

    Examples
    --------
    >>> import riskkit
    >>> book = riskkit.Portfolio.from_records(customers=[{"id": "C1"}, {"id": "C2"}], as_of="2025-03-31")
    >>> cal = schedule(book, grades=["A", "A"], last_review=["2025-01-31", "2025-01-31"],
    ...                watchlist={"C2": "2025-03-20"})
    >>> cal["next_review"].tolist(), cal["days_until"].tolist()
    ([datetime.date(2026, 1, 31), datetime.date(2025, 3, 20)], [306, -11])
    >>> cal["reason"][1]
    'new warning on 2025-03-20 since the last review on 2025-01-31: review now'
    """
    from riskkit._pit import as_of_date

    policy = ReviewPolicy() if policy is None else check("policy", policy, Instance(ReviewPolicy))
    when = portfolio.resolve_as_of(as_of)
    grade = _grades(portfolio, grades)
    last = _dates(portfolio, last_review, "last_review", when)
    warned = _warned_on(portfolio, watchlist, policy.warning_level, when, warnings_since)
    exposure = np.asarray(portfolio.features(when)["exposure"], dtype=np.float64)

    names, inverse = np.unique(grade, return_inverse=True)
    missing = [g for g in names.tolist() if g != "" and g not in policy._months]
    if missing:
        row = int(np.flatnonzero(grade == missing[0])[0])
        raise ValidationError(f"customer {portfolio.customer_ids[row]!r} has grade {missing[0]!r}, which has no "
                              f"review interval; ReviewPolicy.months has {', '.join(policy._months)}",
                              field="grades", row=row, value=missing[0])
    base = np.array([policy.interval(g) for g in names.tolist()], dtype=np.int64)[inverse.ravel()]
    months = base.copy()
    for above, cap in policy.exposure_caps:
        np.minimum(months, np.where(exposure > above, cap, months), out=months)

    never = np.isnat(last)
    regular = np.where(never, when, add_months(last, months))
    new_warning = ~np.isnat(warned) & (never | (warned > last))
    nxt = np.where(new_warning & (warned < regular), warned, regular)
    cause = np.where(new_warning, _WARNING, np.where(never, _NEVER, np.where(months < base, _EXPOSURE, _GRADE)))
    columns = {
        "customer_id": portfolio.customer_ids, "grade": grade, "exposure": exposure, "last_review": last,
        "next_review": nxt, "days_until": (nxt - when).astype(np.int64), "interval_months": months,
        "warned_on": np.where(new_warning, warned, _NAT), "cause": np.array(CAUSES, dtype=object)[cause],
    }
    return ReviewSchedule(columns, as_of_date(when), policy, base)


def due(
    portfolio: Portfolio,
    as_of: Any = None,
    *,
    grades: Any,
    last_review: Any = None,
    watchlist: Any = None,
    warnings_since: Any = None,
    policy: ReviewPolicy | None = None,
    horizon_days: int = 30,
) -> ReviewSchedule:
    """The review worklist: reviews due within ``horizon_days`` of ``as_of`` (overdue ones too), soonest first.

    ``schedule(...).due(horizon_days)``; see :func:`schedule` for the
    parameters and :meth:`ReviewSchedule.due` for the order.

    Examples
    --------
    >>> import riskkit
    >>> book, _ = riskkit.datasets.make_portfolio(200, seed=1)
    >>> scores = riskkit.scoring.five_c().score(book.features())
    >>> work = due(book, grades=scores, last_review=["2025-09-30"] * 200, horizon_days=31)
    >>> set(work["cause"].tolist()) <= {"grade", "exposure"}, bool((work["days_until"] <= 31).all())
    (True, True)
    """
    cal = schedule(portfolio, as_of, grades=grades, last_review=last_review, watchlist=watchlist,
                   warnings_since=warnings_since, policy=policy)
    return cal.due(horizon_days)


class ReviewSchedule:
    """Customers with their next credit review (one row each), made by :func:`schedule`.

    Columns (``cal[name]`` gives a read-only array):

    ===============  ==============  ===================================================================
    column           dtype           meaning
    ===============  ==============  ===================================================================
    customer_id      object          the customer
    grade            object          its grade at as_of (``""``: ungraded)
    exposure         float64         counted exposure at as_of (feature ``exposure``)
    last_review      datetime64[D]   the last review known at as_of; NaT: none on record
    next_review      datetime64[D]   when the next review is due (before as_of: overdue)
    days_until       int64           next_review - as_of in days (0 or less: due now)
    interval_months  int64           months between reviews: the grade's, capped by exposure
    warned_on        datetime64[D]   the new warning that made it due; NaT: none
    cause            object          one of :data:`CAUSES`: warning, never_reviewed, exposure, grade
    reason           object          the row in words (built when read, for the rows of this schedule)
    ===============  ==============  ===================================================================
    """

    __slots__ = ("_as_of", "_base", "_columns", "_reason", "policy")

    def __init__(self, columns: Mapping[str, Any], as_of: _dt.date, policy: ReviewPolicy,
                 base_months: np.ndarray) -> None:
        self._columns = {name: readonly(columns[name], dtype) for name, dtype in _COLUMNS}
        self._as_of = as_of
        self._base = readonly(base_months, np.int64)
        self._reason: np.ndarray | None = None
        self.policy = policy

    @property
    def as_of(self) -> _dt.date:
        """The point in time of the schedule."""
        return self._as_of

    @property
    def columns(self) -> tuple[str, ...]:
        """Column names, in order (``reason`` last)."""
        return (*self._columns, "reason")

    def __len__(self) -> int:
        return int(self._columns["customer_id"].size)

    def __iter__(self) -> Iterator[str]:
        return iter(self.columns)

    def __getitem__(self, name: str) -> np.ndarray:
        if name == "reason":
            if self._reason is None:
                self._reason = readonly(self._reasons())
            return self._reason
        try:
            return self._columns[name]
        except KeyError:
            raise SchemaError(f"review schedule has no column {name!r}; columns: {', '.join(self.columns)}") from None

    def _take(self, rows: np.ndarray | slice) -> ReviewSchedule:
        return ReviewSchedule({k: v[rows] for k, v in self._columns.items()}, self._as_of, self.policy,
                              self._base[rows])

    def due(self, horizon_days: int = 30) -> ReviewSchedule:
        """The reviews due within ``horizon_days`` after as_of (overdue included), by date then largest exposure.

        Ties on both keep portfolio order. A new schedule; its reasons are
        built only when read.
        """
        horizon = check("horizon_days", horizon_days, Integer(0, None, unit="days"))
        c = self._columns
        rows = np.flatnonzero(c["days_until"] <= horizon)
        exposure = np.nan_to_num(c["exposure"][rows], nan=-np.inf)
        order = np.lexsort((rows, -exposure, c["days_until"][rows]))
        return self._take(rows[order])

    def head(self, n: int = 10) -> ReviewSchedule:
        """The first ``n`` rows."""
        return self._take(slice(0, max(int(n), 0)))

    def for_customer(self, customer_id: str) -> dict[str, Any]:
        """The row of one customer as a dict of plain values; not in this schedule: ValidationError."""
        hit = np.flatnonzero(self._columns["customer_id"] == customer_id)
        if hit.size == 0:
            raise ValidationError(f"customer {customer_id!r} is not in this review schedule", field="customer_id",
                                  value=customer_id)
        return self._take(hit[:1]).to_records()[0]

    def to_records(self) -> list[dict[str, Any]]:
        """One dict of plain Python values per row (dates as ``datetime.date``, NaT as None)."""
        names = self.columns
        columns = [self[name].tolist() for name in names]
        return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]

    def to_pandas(self) -> Any:
        """A pandas DataFrame indexed by customer id (needs pandas)."""
        import pandas as pd

        data = {k: self[k] for k in self.columns if k != "customer_id"}
        return pd.DataFrame(data, index=pd.Index(self._columns["customer_id"], name="customer_id"))

    def __repr__(self) -> str:
        counts = np.bincount(self._columns["days_until"] <= 0, minlength=2)
        return f"ReviewSchedule({len(self)} customers, as_of={self._as_of}, {int(counts[1])} due now)"

    def _repr_html_(self, max_rows: int = 10) -> str:
        from riskkit._display import html_table

        shown = ("customer_id", "grade", "exposure", "last_review", "next_review", "reason")
        head = self.head(max_rows)
        rows = [[r[k] if r[k] is not None else "" for k in shown] for r in head.to_records()]
        return html_table(list(shown), rows, caption="riskkit.ReviewSchedule",
                          footer=f"{len(self)} customers as of {self._as_of}")

    def _reasons(self) -> np.ndarray:
        c = self._columns
        out = np.empty(len(self), dtype=object)
        cause = c["cause"].tolist()
        grade, base, months = c["grade"].tolist(), self._base.tolist(), c["interval_months"].tolist()
        last, warned, exposure = c["last_review"].tolist(), c["warned_on"].tolist(), c["exposure"].tolist()
        caps = self.policy.exposure_caps
        for i, why in enumerate(cause):
            what = f"grade {grade[i]}" if grade[i] else "ungraded"
            if why == "warning":
                since = f"the last review on {last[i]}" if last[i] is not None else "no review on record"
                out[i] = f"new {self.policy.warning_level} on {warned[i]} since {since}: review now"
            elif why == "never_reviewed":
                out[i] = f"no review on record by {self._as_of}: due now ({what}, {_every(months[i])})"
            elif why == "exposure":
                above = max(a for a, m in caps if exposure[i] > a)
                out[i] = (f"exposure {exposure[i]:,.0f} above {above:,.0f}: {_every(months[i])} instead of "
                          f"{_every(base[i])[6:]} ({what}); last review {last[i]}")
            else:
                out[i] = f"{what}: {_every(months[i])}; last review {last[i]}"
        return out


def _every(months: int) -> str:
    return "every month" if months == 1 else f"every {months} months"

