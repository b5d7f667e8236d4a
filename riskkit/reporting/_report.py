"""``report``: build the month-end report of a book; ``Report``: its numbers, its text and its HTML."""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np

from riskkit._checks import Integer, Text, check
from riskkit.errors import ValidationError
from riskkit.reporting import _groups, _summary, _watch
from riskkit.reporting._insurance import insurance_part
from riskkit.reporting._provisions import provision_part

__all__ = ["Report", "report"]

#: Month-ends of history read for the trend and for "since when".
HISTORY_MONTHS = 6
#: Month-ends back that "now against then" compares with.
COMPARE_MONTHS = 3


class Report:
    """The month-end report of a book: summary, grades, watchlist, limits, collections and validation.

    Made by :func:`riskkit.report`. Read it as text (``str(rep)``), as one
    self-contained HTML page (:attr:`html`, :meth:`to_html`, shown by a
    notebook through ``_repr_html_``), or as numbers (:attr:`summary`,
    :attr:`trend`, :attr:`grades`, :attr:`watchlist`, :attr:`limits`,
    :attr:`worklist`, :attr:`validation`: plain Python values).

    Attributes
    ----------
    as_of : datetime.date
    currency : str
        The currency code the amounts are written with (``""``: none given).
    summary : mapping
        The book now: ``customers``, ``exposure``, ``open_amount``,
        ``overdue``, ``overdue_share``, ``over_90``, ``dso``, ``add``,
        ``cei``, ``in_default``, ``in_default_exposure``, and ``then``
        (the same at the month-end three months back, or None).
    trend : list of dict
        The same figures at the earlier month-ends and now, oldest first.
    grades : list of dict
        Per grade, best first: ``customers``, ``exposure``,
        ``exposure_share``, ``overdue``, ``mean_pd``.
    watchlist : list of dict
        The customers shown (at most the budget): ``customer_id``, ``name``,
        ``level``, ``signal`` (the lead alert), ``exposure``, ``overdue`` and
        ``sentence``; :attr:`watch_counts` has the counts behind them.
    limits : list of dict
        The largest recommended limit changes; :attr:`limit_moves` counts
        rises, holds and falls per grade (empty with ``limits_error`` set
        when the policy could not grade the scores).
    worklist : list of dict
        The most urgent collection cases for the week; :attr:`work_counts`.
    groups : list of dict
        The largest corporate groups by exposure, with their headroom and
        members in distress; :attr:`group_counts` (empty for a book without
        groups; docs/domain.md, *Corporate groups*).
    insurance : dict or None
        Credit-insurance cover, uninsured exposure and the overdue invoices to
        notify to the insurer (None for a book without insurance decisions;
        docs/domain.md, *Credit insurance*).
    provisions : dict
        The loss allowance from a provision matrix fitted on the last 12
        month-ends known at ``as_of``: ``total``, ``open``, ``coverage``,
        ``buckets`` and the ``matrix`` of loss rates, or ``error`` saying why
        there is none (a history too short); see
        :func:`riskkit.reporting._provisions.provision_part` and
        docs/domain.md, *Expected credit loss*.
    validation : dict or None
        With outcomes: ``auc``, ``gini``, ``ks``, ``brier`` (when both
        classes are present) and ``grades`` (default rate against mean PD).
    """

    def __init__(self, **parts: Any) -> None:
        self.__dict__.update(parts)

    as_of: _dt.date
    currency: str
    scorer_name: str
    summary: Mapping[str, Any]
    trend: list[dict[str, Any]]
    grades: list[dict[str, Any]]
    watchlist: list[dict[str, Any]]
    watch_counts: Mapping[str, Any]
    limits: list[dict[str, Any]]
    limit_moves: list[dict[str, Any]]
    limits_error: str
    worklist: list[dict[str, Any]]
    work_counts: Mapping[str, Any]
    worklist_days: int
    validation: dict[str, Any] | None
    n_rejected: int
    groups: list[dict[str, Any]]
    group_counts: Mapping[str, Any]
    insurance: dict[str, Any] | None
    provisions: dict[str, Any]
    reviews: list[dict[str, Any]]
    review_counts: Mapping[str, Any]
    reviews_error: str

    @property
    def html(self) -> str:
        """The report as one self-contained HTML page (inline CSS and SVG, no script, no link)."""
        from riskkit.reporting._html import render

        return render(self)

    def to_html(self, path: str | os.PathLike[str]) -> None:
        """Write :attr:`html` to ``path`` (UTF-8)."""
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(self.html)

    def _repr_html_(self) -> str:
        from riskkit.reporting._html import render

        return render(self, fragment=True)

    def text(self, top: int = 5) -> str:
        """A short plain-text summary, with ``top`` rows of each list."""
        from riskkit.reporting._text import render

        return render(self, top)

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        s = self.summary
        return (f"<riskkit month-end report as of {self.as_of}: {s['customers']:,} customers, "
                f"{len(self.watchlist)} on the watchlist, {len(self.worklist)} collection cases shown>")


def _scorer_name(scorer: Any) -> str:
    name = getattr(scorer, "name", None)
    return str(name) if name else type(scorer).__name__


def report(
    portfolio: Any,
    as_of: Any = None,
    *,
    scorer: Any = None,
    scores: Any = None,
    policy: Any = None,
    outcomes: Any = None,
    currency: str | None = None,
    watchlist_budget: int = 25,
    worklist_days: int = 7,
    worklist_rows: int = 20,
    limit_rows: int = 15,
    horizon_days: int = 180,
    n_rejected: int = 0,
    last_review: Any = None,
) -> Report:
    """The month-end report of a book, as a credit manager reads it.

    Parameters
    ----------
    portfolio : riskkit.Portfolio
    as_of : date-like, optional
        The report date (default ``portfolio.as_of``).
    scorer : object with ``score(features)``, optional
        Grades and PDs; default the 5C expert card (:func:`riskkit.scoring.five_c`).
    scores : riskkit.ScoreResult, optional
        Scores already computed at ``as_of``, one row per customer (instead of ``scorer``).
    policy : riskkit.policy.CreditPolicy, optional
        Default ``CreditPolicy()``.
    outcomes : riskkit.Outcomes, mapping or array, optional
        What became of the customers, for model validation: a
        :class:`riskkit.Outcomes` (default within ``horizon_days`` after
        ``as_of``), a mapping of customer id to 0/1, or one 0, 1 or NaN per
        customer in portfolio order.
    currency : str, optional
        Currency code written with the amounts; default the portfolio's
        reporting currency (none when it has none). A code other than the
        portfolio's is an error: the report does not convert.
    watchlist_budget : int, default 25
        At most this many customers on the watchlist (those at warning or
        worse, most severe first).
    worklist_days : int, default 7
        The collections week: cases whose next stage starts within it are marked.
    worklist_rows, limit_rows : int
        Rows of the collections worklist and of the limit changes shown.
    horizon_days : int, default 180
        The outcome window of a :class:`riskkit.Outcomes`.
    n_rejected : int, default 0
        Input rows rejected when the book was loaded (mentioned in the header).
    last_review : array-like or mapping of dates, optional
        Each customer's last credit review, for the "Reviews due" section
        (:func:`riskkit.reviews.schedule`); without it every customer counts
        as never reviewed.

    Returns
    -------
    Report

    Raises
    ------
    ValidationError
        A budget or number of days that is not a whole number in range, a
        ``currency`` that is not a 3-letter code or differs from the
        portfolio's, ``scores`` of another length, or malformed ``outcomes``.

    Examples
    --------
    >>> import riskkit
    >>> book, outcomes = riskkit.datasets.make_portfolio(300, seed=1)
    >>> rep = riskkit.report(book, outcomes=outcomes, currency="EUR", watchlist_budget=5)
    >>> len(rep.watchlist) <= 5, rep.summary["customers"], rep.currency
    (True, 300, 'EUR')
    >>> rep.watchlist[0]["sentence"].startswith(rep.watchlist[0]["name"] + ": ")
    True
    >>> "<svg" in rep.html and "Watchlist(" not in rep.html
    True
    >>> riskkit.report(book, currency="euro")
    Traceback (most recent call last):
    riskkit.errors.ValidationError: currency must be a 3-letter currency code such as EUR, got 'euro'
    """
    from riskkit import dunning, promises, signals
    from riskkit.policy import CreditPolicy

    budget = check("watchlist_budget", watchlist_budget, Integer(0, None))
    week = check("worklist_days", worklist_days, Integer(1, None, unit="days"))
    n_work = check("worklist_rows", worklist_rows, Integer(0, None))
    n_limits = check("limit_rows", limit_rows, Integer(0, None))
    horizon = check("horizon_days", horizon_days, Integer(1, None, unit="days"))
    rejected = check("n_rejected", n_rejected, Integer(0, None))
    code = _currency(portfolio, currency)
    when = portfolio.resolve_as_of(as_of)
    day = when.astype(object)
    features = portfolio.features(when)
    if scores is None:
        from riskkit.scoring import five_c

        scorer = five_c() if scorer is None else scorer
        scores = scorer.score(features)
        scorer_name = _scorer_name(scorer)
    else:
        scorer_name = _scorer_name(scorer) if scorer is not None else "the scores given"
    if np.shape(scores.pd) != (portfolio.n_customers,):
        raise ValidationError(f"scores has {np.size(scores.pd)} rows; the portfolio has {portfolio.n_customers} "
                              "customers (one row each, in portfolio order)", field="scores")
    history = [d for d in _summary.month_ends(when, HISTORY_MONTHS) if _known(portfolio, d)]
    now = _summary.book_figures(portfolio, when)
    past = [_summary.book_figures(portfolio, d) for d in history]
    then = past[COMPARE_MONTHS - 1] if len(past) >= COMPARE_MONTHS else (past[-1] if past else None)
    summary = {"customers": portfolio.n_customers, **now, "then": then}
    exposure = np.asarray(features["exposure"], dtype=np.float64)
    grades = _summary.grade_rows(scores.grade, scores.pd, exposure, np.asarray(features["overdue_amount"]))

    watch = signals.evaluate(portfolio, when)
    watch_rows, watch_counts = _watch.watch_rows(portfolio, watch, budget, history, COMPARE_MONTHS)
    from riskkit.reporting._reviews import review_rows

    reviews, review_counts, reviews_error = review_rows(portfolio, scores, when, watch, last_review)

    names = np.asarray(portfolio.customers["name"], dtype=object)
    policy = CreditPolicy() if policy is None else policy
    limits: list[dict[str, Any]] = []
    moves: list[dict[str, Any]] = []
    limits_error = ""
    try:
        recs = policy.recommend(portfolio, scores, when)
    except ValidationError as exc:  # e.g. a scorer whose grades the policy does not know: said in the report
        limits_error = str(exc)
    else:
        limits = _summary.limit_rows(recs, names, n_limits)
        moves = recs.changes_by_grade()

    groups, group_counts = _groups.group_rows(portfolio, when)
    work = dunning.worklist(portfolio, scores, when)
    stages = tuple(s.name for s in dunning.Ladder.default().stages)
    id_names = dict(zip(portfolio.customer_ids.tolist(), names.tolist(), strict=True))
    work_rows, escalating = _summary.work_rows(work, id_names, stages, day, week, n_work)
    work_counts = {"customers": len(work), "overdue": float(np.sum(work["overdue_amount"])),
                   "escalating": escalating, "hold_credit": int(np.sum(work["hold_credit"]))}
    work_counts.update(promises.collections_counts(portfolio, when, horizon_days=week))  # {} without them

    checked = None
    if outcomes is not None:
        flags = _summary.outcome_flags(outcomes, portfolio, when, horizon)
        checked = _summary.validation(flags, scores, np.asarray(features["in_default"]) > 0)
        checked["horizon_days"] = horizon if not isinstance(outcomes, (Mapping, np.ndarray, list, tuple)) else None

    return Report(
        as_of=day, currency=code, scorer_name=scorer_name, summary=MappingProxyType(summary),
        trend=[*reversed(past), now], grades=grades, watchlist=watch_rows,
        watch_counts=MappingProxyType(watch_counts), limits=limits, limit_moves=moves, limits_error=limits_error,
        worklist=work_rows, work_counts=MappingProxyType(work_counts), worklist_days=week, validation=checked,
        groups=groups, group_counts=MappingProxyType(group_counts),
        insurance=insurance_part(portfolio, when), provisions=provision_part(portfolio, when),
        reviews=reviews, review_counts=MappingProxyType(review_counts), reviews_error=reviews_error,
        n_rejected=rejected,
    )


def _known(portfolio: Any, when: np.datetime64) -> bool:
    """Whether the book knows what was open on ``when`` (not before a residual export's date)."""
    export = portfolio.export_date
    return export is None or when >= np.datetime64(export, "D")


def _currency(portfolio: Any, currency: str | None) -> str:
    book = str(portfolio.currency or "")
    if currency is None:
        return book
    code = check("currency", currency, Text())
    if not (len(code) == 3 and code.isalpha() and code.isupper()):
        raise ValidationError(f"currency must be a 3-letter currency code such as EUR, got {code!r}",
                              field="currency", value=code)
    if book and code != book:
        raise ValidationError(
            f"currency {code!r} differs from the portfolio's reporting currency {book!r}; the report does not "
            f"convert amounts: pass currency={book!r} or leave it out",
            field="currency", value=code,
        )
    return code
