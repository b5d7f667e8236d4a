"""Backtest signals over history: hit rate, false alarms, precision and lead time.

:func:`backtest` evaluates the signals at each of several past dates on one
portfolio (point in time: at each date a signal sees only the facts known
then) and compares who was flagged with who defaulted afterwards.

How the numbers are pooled
--------------------------
At an evaluation date ``t`` a customer's *lead* is ``default_date - t`` in
days (no default: infinite). Customers with lead <= 0 have already defaulted
and are left out at ``t``. Of the others:

* a **defaulter at t** has ``max(min_lead_days, 1) <= lead <= horizon_days``;
* a **non-defaulter at t** has ``lead > horizon_days`` (or never defaults);
* customers with ``1 <= lead < min_lead_days`` default too soon to act on and
  are in neither group at ``t``.

For a signal and a severity, a customer is *flagged* at ``t`` when the signal
fires for it at that severity or worse. Counts are pooled over the dates as
(customer, date) pairs:

* ``hit_rate`` = flagged defaulter pairs / defaulter pairs (``n_defaulters``);
* ``false_alarm_rate`` = flagged non-defaulter pairs / non-defaulter pairs;
* ``precision`` = flagged defaulter pairs / flagged pairs of either group
  (``n_flagged``);
* ``median_lead_days``: for each customer flagged while a defaulter at some
  date, the days from the first such date to its default, then the median
  over those customers (each counts once). Firings more than
  ``horizon_days`` before the default are not predictions of it and do not
  count.

The ``(any)`` rows do the same for the combined watchlist: a customer is
flagged at a severity when any signal fires for it at that severity or worse.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from riskkit import _pit
from riskkit._checks import Integer, check, readonly
from riskkit.errors import ValidationError
from riskkit.signals._base import SEVERITIES, SEVERITY_RANK, check_severity
from riskkit.signals._watchlist import resolve_all, run_signal, select_signals

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ANY", "BacktestReport", "CaughtAhead", "backtest"]

#: The signal name of the combined (any signal) rows of a backtest table.
ANY = "(any)"

_COLUMNS = ("signal", "severity", "hit_rate", "false_alarm_rate", "precision", "median_lead_days",
            "n_defaulters", "n_flagged")
_NO_DEFAULT = np.iinfo(np.int64).max // 4


def backtest(
    portfolio: Any,
    outcomes: Any,
    as_of_dates: Iterable[Any],
    horizon_days: int = 180,
    signals: str | Iterable[str] | None = None,
    thresholds: Mapping[str, Any] | None = None,
    min_lead_days: int = 0,
) -> BacktestReport:
    """Replay signals at past dates and measure how well they foresaw defaults.

    Parameters
    ----------
    portfolio : riskkit.Portfolio
        The book; every date is evaluated on it point in time.
    outcomes : riskkit.Outcomes or (defaulted, default_date)
        Whether and when each customer defaulted, aligned with
        ``portfolio.customer_ids`` (an ``Outcomes`` must list the same ids in
        the same order). ``default_date`` may lie after ``portfolio.as_of``.
    as_of_dates : iterable of date-like
        Evaluation dates, none after ``portfolio.as_of``; sorted and
        de-duplicated.
    horizon_days : int, default 180
        A customer defaulting within ``horizon_days`` after a date is a
        defaulter at that date.
    signals, thresholds
        As in :func:`riskkit.signals.evaluate`.
    min_lead_days : int, default 0
        Customers defaulting sooner than this after a date are too late to act
        on and left out at that date; must be below ``horizon_days``.

    Returns
    -------
    BacktestReport
        Per signal and severity (and for any signal) the pooled rates; see the
        module docstring for exactly how they are counted.

    Raises
    ------
    ValidationError
        Misaligned outcomes, no dates, a date after ``portfolio.as_of``, a bad
        horizon or lead, or an unknown signal.

    Examples
    --------
    >>> import riskkit
    >>> book, outcomes = riskkit.datasets.make_portfolio(400, seed=2)
    >>> report = riskkit.signals.backtest(book, outcomes, ["2025-09-30", "2025-12-31"],
    ...                                   signals=["overdue_days"])
    >>> [(r["signal"], r["severity"]) for r in report.table()][:2]
    [('overdue_days', 'info'), ('overdue_days', 'watch')]
    """
    horizon = check("horizon_days", horizon_days, Integer(1, unit="days"))
    min_lead = check("min_lead_days", min_lead_days, Integer(0, unit="days"))
    if min_lead >= horizon:
        raise ValidationError(f"min_lead_days={min_lead} must be below horizon_days={horizon}",
                              field="min_lead_days", value=min_lead)
    default_date = _default_dates(portfolio, outcomes)
    dates = _dates(portfolio, as_of_dates)
    names, objects = select_signals(signals)
    resolved = resolve_all(portfolio, names, objects, thresholds)
    n = portfolio.n_customers
    # -1: not flagged; else the severity's rank. int8 keeps signals x dates x customers small.
    sev = np.full((len(names), dates.size, n), -1, dtype=np.int8)
    for d, when in enumerate(dates):
        for k, (name, signal, thr) in enumerate(zip(names, objects, resolved, strict=True)):
            hits = run_signal(name, signal, portfolio, when, thr)
            sev[k, d, hits.customer] = hits.severity
    used = tuple(
        tuple(s for s in SEVERITIES if s in thr and not np.isnan(thr[s]).all()) for thr in resolved
    )
    return BacktestReport._make(
        dates=dates,
        signals=names,
        categories=tuple(str(o.category) for o in objects),
        severities=used,
        flags=sev,
        default_date=default_date,
        customer_ids=portfolio.customer_ids,
        horizon_days=horizon,
        min_lead_days=min_lead,
    )


def _default_dates(portfolio: Any, outcomes: Any) -> np.ndarray:
    from riskkit._outcomes import Outcomes

    ids = portfolio.customer_ids
    if isinstance(outcomes, Outcomes):
        if outcomes.customer_ids.shape != ids.shape or not bool((outcomes.customer_ids == ids).all()):
            raise ValidationError(
                "outcomes.customer_ids differ from portfolio.customer_ids; give outcomes in the "
                "portfolio's customer order", field="outcomes")
        return outcomes.default_date
    if not isinstance(outcomes, tuple | list) or len(outcomes) != 2:
        raise ValidationError(
            f"outcomes must be an Outcomes or a (defaulted, default_date) pair, got {type(outcomes).__name__}",
            field="outcomes")
    defaulted, dates = (np.asarray(a) for a in outcomes)
    if defaulted.shape != ids.shape or dates.shape != ids.shape:
        raise ValidationError(
            f"defaulted and default_date need one value per customer ({ids.size}); got shapes "
            f"{defaulted.shape} and {dates.shape}", field="outcomes")
    dates = _pit.as_of_dates(dates, "default_date", missing=True)
    # Outcomes checks the flags and that dates are given exactly for the defaulters
    return Outcomes(customer_ids=ids, defaulted=defaulted, default_date=dates).default_date


def evaluation_dates(portfolio: Any, dates: Iterable[Any], field: str) -> np.ndarray:
    """Evaluation dates as ascending, distinct ``datetime64[D]`` (one text is one date; None is the book's as_of)."""
    if isinstance(dates, str):
        dates = [dates]
    last = portfolio.resolve_as_of(None)
    return np.unique(_pit.as_of_dates([last if d is None else d for d in dates], field))


def _dates(portfolio: Any, as_of_dates: Iterable[Any]) -> np.ndarray:
    days = evaluation_dates(portfolio, as_of_dates, "as_of_dates")
    if days.size == 0:
        raise ValidationError("as_of_dates is empty; give at least one date", field="as_of_dates")
    last = portfolio.resolve_as_of(None)
    if days[-1] > last:
        raise ValidationError(
            f"as_of date {days[-1]} is after the portfolio's as_of ({last}); the book holds no facts after it",
            field="as_of_dates", value=str(days[-1]))
    return days


@attrs.frozen(repr=False)
class CaughtAhead:
    """How many defaulters the combined watchlist flagged in good time, and at what false-alarm cost.

    Attributes
    ----------
    caught : float
        Share of the defaulters flagged at ``severity`` or worse on some
        evaluation date at least ``min_lead_days`` (and at most the horizon)
        before their default. NaN without defaulters.
    false_alarm_rate : float
        Mean over the dates of the share of non-defaulters flagged.
    n_defaulters, n_caught : int
        Customers with an evaluation date in that window before their
        default, and those of them flagged.
    min_lead_days : int
    severity : str
    """

    caught: float
    false_alarm_rate: float
    n_defaulters: int
    n_caught: int
    min_lead_days: int
    severity: str

    def __repr__(self) -> str:
        return (f"CaughtAhead(caught={self.caught:.1%} ({self.n_caught} of {self.n_defaulters} defaulters) "
                f"at >= {self.severity} >= {self.min_lead_days} days ahead, "
                f"false_alarm_rate={self.false_alarm_rate:.1%})")


class BacktestReport:
    """The result of :func:`backtest`: pooled hit, false-alarm, precision and lead-time figures.

    Attributes
    ----------
    as_of_dates : ndarray of datetime64[D]
        The evaluation dates, ascending.
    signals : tuple of str
        The signals evaluated.
    horizon_days, min_lead_days : int
    """

    __slots__ = ("_categories", "_default_date", "_flags", "_ids", "_rows", "_severities", "as_of_dates",
                 "horizon_days", "min_lead_days", "signals")

    as_of_dates: np.ndarray
    signals: tuple[str, ...]
    horizon_days: int
    min_lead_days: int
    _categories: tuple[str, ...]
    _severities: tuple[tuple[str, ...], ...]  # per signal, the severities it has thresholds for
    _flags: np.ndarray  # (signals, dates, customers) int8: severity rank fired, -1 none
    _default_date: np.ndarray
    _ids: np.ndarray
    _rows: list[dict[str, Any]] | None  # the table, once computed

    def __init__(self) -> None:
        raise TypeError("a BacktestReport is made by riskkit.signals.backtest(portfolio, outcomes, dates)")

    @classmethod
    def _make(cls, *, dates: np.ndarray, signals: tuple[str, ...], categories: tuple[str, ...],
              severities: tuple[tuple[str, ...], ...], flags: np.ndarray, default_date: np.ndarray,
              customer_ids: np.ndarray, horizon_days: int, min_lead_days: int) -> BacktestReport:
        self = object.__new__(cls)
        values = dict(as_of_dates=readonly(dates), signals=signals, _categories=categories, _severities=severities,
                      _flags=readonly(flags), _default_date=default_date, _ids=customer_ids, horizon_days=horizon_days,
                      min_lead_days=min_lead_days, _rows=None)
        for name, value in values.items():
            object.__setattr__(self, name, value)
        return self

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a BacktestReport is immutable; cannot set {name!r}")

    # --- the populations --------------------------------------------------------------

    def _lead(self) -> np.ndarray:
        """Days from each date to each customer's default, (dates, customers); no default: a huge number."""
        dd = self._default_date
        days = np.where(np.isnat(dd), np.int64(0), dd.astype("datetime64[D]").astype(np.int64))
        lead = days[None, :] - self.as_of_dates.astype(np.int64)[:, None]
        lead[:, np.isnat(dd)] = _NO_DEFAULT
        return lead

    def _groups(self, min_lead_days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        lead = self._lead()
        defaulter = (lead >= max(min_lead_days, 1)) & (lead <= self.horizon_days)
        return lead, defaulter, lead > self.horizon_days

    @property
    def combined(self) -> np.ndarray:
        """The worst severity rank any signal gave each customer at each date, (dates, customers); -1: none."""
        if self._flags.shape[0] == 0:
            return np.full(self._flags.shape[1:], -1, dtype=np.int8)
        return readonly(self._flags.max(axis=0))

    # --- the table --------------------------------------------------------------------

    def table(self) -> list[dict[str, Any]]:
        """One row per signal and severity (then the ``(any)`` rows), as dicts.

        Keys: ``signal``, ``severity`` (flagged = at that severity or worse),
        ``hit_rate``, ``false_alarm_rate``, ``precision``, ``median_lead_days``,
        ``n_defaulters`` (defaulter (customer, date) pairs) and ``n_flagged``
        (flagged pairs among defaulters and non-defaulters). Only the
        severities a signal has thresholds for are listed. Rates without a
        denominator are NaN.
        """
        if self._rows is None:
            object.__setattr__(self, "_rows", self._table())
        assert self._rows is not None
        return [dict(r) for r in self._rows]

    def _table(self) -> list[dict[str, Any]]:
        lead, defaulter, clean = self._groups(self.min_lead_days)
        n_def, n_clean = int(defaulter.sum()), int(clean.sum())
        rows = []
        for k, name in enumerate(self.signals):
            for sev in self._severities[k]:
                rows.append(self._row(name, sev, self._flags[k] >= SEVERITY_RANK[sev], lead, defaulter, clean,
                                      n_def, n_clean))
        combined = self.combined
        for sev in SEVERITIES:
            rows.append(self._row(ANY, sev, combined >= SEVERITY_RANK[sev], lead, defaulter, clean, n_def, n_clean))
        return rows

    @staticmethod
    def _row(name: str, severity: str, flagged: np.ndarray, lead: np.ndarray, defaulter: np.ndarray,
             clean: np.ndarray, n_def: int, n_clean: int) -> dict[str, Any]:
        caught = flagged & defaulter
        n_caught = int(caught.sum())
        n_false = int((flagged & clean).sum())
        ever = caught.any(axis=0)
        first = caught.argmax(axis=0)[ever]  # dates ascend: the first date each was caught
        leads = lead[first, np.flatnonzero(ever)]
        return {
            "signal": name,
            "severity": severity,
            "hit_rate": n_caught / n_def if n_def else float("nan"),
            "false_alarm_rate": n_false / n_clean if n_clean else float("nan"),
            "precision": n_caught / (n_caught + n_false) if n_caught + n_false else float("nan"),
            "median_lead_days": float(np.median(leads)) if leads.size else float("nan"),
            "n_defaulters": n_def,
            "n_flagged": n_caught + n_false,
        }

    def caught_ahead(self, min_lead_days: int = 60, severity: str = "warning") -> CaughtAhead:
        """The combined watchlist's share of defaulters flagged at least ``min_lead_days`` ahead.

        The defaulters are the customers with an evaluation date between
        ``horizon_days`` and ``min_lead_days`` before their default (so they
        could have been caught in time); a defaulter is caught when some signal
        fired at ``severity`` or worse on such a date. The false-alarm rate is
        the share of the non-defaulters at each date (no default within the
        horizon, not defaulted yet) flagged at ``severity`` or worse, averaged
        over the dates.
        """
        lead_days = check("min_lead_days", min_lead_days, Integer(0, unit="days"))
        severity = check_severity(severity)
        _, window, clean = self._groups(lead_days)
        flagged = self.combined >= SEVERITY_RANK[severity]
        defaulters = window.any(axis=0)
        caught = (flagged & window).any(axis=0)
        n_def, n_caught = int(defaulters.sum()), int(caught.sum())
        per_date = clean.sum(axis=1)
        false_alarms = (flagged & clean).sum(axis=1)
        has = per_date > 0
        fa = float(np.mean(false_alarms[has] / per_date[has])) if has.any() else float("nan")
        return CaughtAhead(
            caught=n_caught / n_def if n_def else float("nan"),
            false_alarm_rate=fa,
            n_defaulters=n_def,
            n_caught=n_caught,
            min_lead_days=lead_days,
            severity=severity,
        )

    # --- output -----------------------------------------------------------------------

    def to_pandas(self) -> pd.DataFrame:
        """The table as a DataFrame; needs pandas."""
        import pandas as pd

        return pd.DataFrame(self.table(), columns=list(_COLUMNS))

    def _header(self) -> str:
        first, last = self.as_of_dates[0], self.as_of_dates[-1]
        span = f"{first}" if first == last else f"{first} .. {last}"
        return (f"BacktestReport({len(self.signals)} signals, {self.as_of_dates.size} dates {span}, "
                f"{self._ids.size} customers, horizon {self.horizon_days} days"
                + (f", min lead {self.min_lead_days} days" if self.min_lead_days else "") + ")")

    def _display_rows(self) -> list[list[Any]]:
        # lead times in whole days for reading; the table keeps the exact medians
        return [[round(v) if c == "median_lead_days" and v == v else v for c, v in r.items()]
                for r in self.table()]

    def __repr__(self) -> str:
        from riskkit._display import text_table

        return self._header() + "\n" + text_table(list(_COLUMNS), self._display_rows(), digits=3)

    def _repr_html_(self) -> str:
        from riskkit._display import html_table

        return html_table(list(_COLUMNS), self._display_rows(), caption="riskkit.signals.BacktestReport",
                          digits=3, footer=self._header())

