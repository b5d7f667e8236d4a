"""Data sets to learn, test and benchmark riskkit with.

* :func:`make_portfolio` draws a synthetic B2B credit book (customers, exposures,
  invoices, payments, orders, statements, events) with known defaults, whose
  defaulters deteriorate before they default; :class:`Outcomes` holds the answers.
  Its ``regime`` (one of :data:`REGIMES`) draws books unlike the default one, on
  which fixed rules tuned to the default book fail.
* :func:`book_parts` draws the same kind of book part by part (each part its own
  customers, with ids unique across parts), for books larger than memory: write
  them with :func:`riskkit.dask.write_partitioned`.
* :func:`load_german_credit` loads the UCI Statlog German Credit data (1,000
  applicants, 20 attributes, 300 bad), shipped with the package under its
  CC BY 4.0 licence.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np

from riskkit._outcomes import Outcomes
from riskkit.datasets._synthetic import REGIMES, _check_count, _check_regime, _draw, _resolve_as_of
from riskkit.datasets._synthetic import generate as _generate
from riskkit.errors import FormatError

if TYPE_CHECKING:
    import pandas as pd

    from riskkit.portfolio import Portfolio

__all__ = ["REGIMES", "book_parts", "load_german_credit", "make_portfolio"]


def make_portfolio(
    n_customers: int = 1000, seed: int = 0, as_of: Any = None, *, regime: str = "default", write_offs: bool = False
) -> tuple[Portfolio, Outcomes]:
    """A synthetic B2B credit book as a Portfolio, and what became of each customer.

    About 8% of the customers default, between 270 days before and 180 days
    after ``as_of``; each defaulter pays later, orders less, reports weaker
    figures and produces more adverse events over the 60-180 days before its
    default, while some sound customers go through slow patches. Nothing dated
    after ``as_of`` is in the book. See :mod:`riskkit.datasets._synthetic` for
    the full description.

    ``regime`` draws a book unlike the default one, to judge rules and models
    on: the same customers and the same defaults (who and when) as the default
    regime for a seed, with behaviour that breaks a fixed rule tuned to it.

    - ``"default"``: the book described above, the same bit for bit as before
      regimes existed.
    - ``"late_payers"``: a third of the customers pay 20-45 days late by habit and
      never default for it; breaks fixed days-past-due, WADL and payment-index levels.
    - ``"seasonal"``: orders and invoices peak at about 3x their yearly mean and
      fall to a tenth of it in the industry's trough; breaks "orders of the last 3
      months < 50% of the 3 before".
    - ``"sudden"``: 35% of the defaulters look sound until 7-29 days before their
      default (fraud, a large customer's insolvency); breaks "defaulters warn
      months ahead".
    - ``"growth"``: 28% of the customers double or triple their purchases in a
      year on limits set on last year's; breaks fixed utilisation and order-jump levels.
    - ``"mixed_terms"``: terms of 14, 30, 60, 90 or 120 days (long for government,
      large institutions and big buyers), short-term customers paying past due on
      their payment run; breaks fixed overdue-days and DSO levels.

    Parameters
    ----------
    n_customers : int, default 1000
        Number of customers (about 20 invoices and 22 orders each).
    seed : int, default 0
        Random seed; the same arguments always give the same book.
    as_of : datetime.date, numpy.datetime64 or str, optional
        Date the book is observed on; defaults to the fixed date 2025-12-31
        (never today), which also becomes the Portfolio's ``as_of``.
    write_offs : bool, default False
        Add a ``write_off`` event for each customer 120 days after its default
        (when that is on or before ``as_of``), with what it still owed then:
        the losses a provision matrix (:mod:`riskkit.provisions`) learns
        from. No random draw is added: every other row is the same as
        without it.
    regime : str, default "default"
        One of :data:`REGIMES` (see above). Every regime has the same tables,
        columns and point-in-time rules, and is deterministic for a seed.

    Returns
    -------
    portfolio : riskkit.portfolio.Portfolio
        The book, built with ``Portfolio.from_arrays``.
    outcomes : Outcomes
        Default flag and date per customer, in the portfolio's customer order,
        including defaults after ``as_of``.

    Raises
    ------
    ValidationError
        If ``n_customers`` is not an integer >= 1, ``as_of`` is not a date or
        ``regime`` is not one of :data:`REGIMES`.

    Examples
    --------
    >>> portfolio, outcomes = make_portfolio(300, seed=1)
    >>> len(outcomes)
    300
    >>> outcomes.customer_ids[:2]
    array(['C00001', 'C00002'], dtype=object)
    >>> int(outcomes.defaults_within("2025-12-31", 180).sum()) <= int(outcomes.defaulted.sum())
    True
    >>> REGIMES
    ('default', 'late_payers', 'seasonal', 'sudden', 'growth', 'mixed_terms')
    >>> late, late_outcomes = make_portfolio(300, seed=1, regime="late_payers")
    >>> np.array_equal(late_outcomes.defaulted, outcomes.defaulted)  # same defaulters
    True
    >>> def paying_20_days_late(book):
    ...     return round(float(np.mean(book.features()["wadl_90d"] > 20)), 2)
    >>> paying_20_days_late(portfolio), paying_20_days_late(late)
    (0.05, 0.33)
    >>> written, _ = make_portfolio(300, seed=1, write_offs=True)  # the same book, and 8 write-offs
    >>> int((written.events["kind"] == "write_off").sum()), written.events["kind"].size - portfolio.events["kind"].size
    (8, 8)
    >>> make_portfolio(10, regime="recession")
    Traceback (most recent call last):
    ...
    riskkit.errors.ValidationError: regime='recession' is not a regime; give one of 'default', 'late_payers', 'seasonal', 'sudden', 'growth', 'mixed_terms'
    """
    from riskkit.portfolio import Portfolio  # here: riskkit.portfolio may import this package

    day = _resolve_as_of(as_of)
    tables, outcomes = _generate(n_customers, seed=seed, as_of=day, regime=regime, write_offs=write_offs)
    portfolio = Portfolio.from_arrays(
        customers=tables["customers"],
        exposures=tables["exposures"],
        invoices=tables["invoices"],
        payments=tables["payments"],
        orders=tables["orders"],
        statements=tables["statements"],
        events=tables["events"],
        as_of=day,
    )
    return portfolio, Outcomes(**outcomes)


def book_parts(
    n_customers: int,
    *,
    per_part: int = 100_000,
    seed: int = 0,
    as_of: Any = None,
    regime: str = "default",
) -> Iterator[tuple[dict[str, dict[str, np.ndarray]], Outcomes]]:
    """A synthetic book of ``n_customers`` drawn part by part: the tables and outcomes of each part.

    Each part is a book of its own (``per_part`` customers, the last one the
    rest) drawn like :func:`make_portfolio`'s, from its own random stream
    (``seed`` and the part's number), with customer ids (``C0000001``, ...)
    and invoice ids numbered on across parts, so the parts put together are
    one book with unique ids. Only one part is in memory at a time: a book of
    a million customers (about 20 million invoices) is drawn in about a
    gigabyte, and written to disk as it comes with
    :func:`riskkit.dask.write_partitioned` (each part one partition: a
    customer's rows are all in its part).

    The parts together are not ``make_portfolio(n_customers)``'s book (other
    random streams), but the same kind of book, with the same behaviour and
    rates.

    Parameters
    ----------
    n_customers : int
        Customers in all.
    per_part : int, default 100000
        Customers per part.
    seed : int, default 0
        Seed; the same arguments always give the same parts.
    as_of : date-like, optional
        As in :func:`make_portfolio` (default 2025-12-31).
    regime : str, default "default"
        One of :data:`REGIMES`.

    Yields
    ------
    tables : dict of str to dict of str to numpy.ndarray
        The part's tables, as ``riskkit.datasets._synthetic.generate`` returns
        them (ready for ``Portfolio.from_arrays``).
    outcomes : Outcomes
        Its customers' outcomes.

    Raises
    ------
    ValidationError
        A bad count, ``as_of`` or ``regime`` (at the first ``next``).

    Examples
    --------
    >>> parts = list(book_parts(250, per_part=100, seed=3))
    >>> [len(t["customers"]["id"]) for t, _ in parts]
    [100, 100, 50]
    >>> parts[1][0]["customers"]["id"][:2]
    array(['C00101', 'C00102'], dtype='<U6')
    >>> ids = np.concatenate([t["invoices"]["id"] for t, _ in parts])
    >>> len(set(ids.tolist())) == len(ids)
    True
    """
    n = _check_count(n_customers)
    size = _check_count(per_part)
    day = _resolve_as_of(as_of)
    regime = _check_regime(regime)
    width = max(5, len(str(n)))
    # room for 100 invoices per customer on average (about 20 are drawn): ids never overflow their width
    invoice_width = max(7, len(str(100 * n)))
    first_invoice = 1
    for number, first in enumerate(range(0, n, size)):
        tables, outcomes = _draw(
            min(size, n - first),
            [seed, number],
            day,
            regime,
            first_customer=first + 1,
            first_invoice=first_invoice,
            customer_width=width,
            invoice_width=invoice_width,
        )
        first_invoice += len(tables["invoices"]["id"])
        if first_invoice > 10**invoice_width:  # pragma: no cover - 100 invoices a customer are never drawn
            raise RuntimeError("synthetic invoice ids overflowed their width")
        yield tables, Outcomes(**outcomes)


@overload
def load_german_credit(
    as_frame: Literal[False] = ...,
) -> tuple[dict[str, np.ndarray], np.ndarray]: ...


@overload
def load_german_credit(as_frame: Literal[True]) -> tuple[pd.DataFrame, pd.Series]: ...


@overload
def load_german_credit(as_frame: bool) -> tuple[Any, Any]: ...


def load_german_credit(as_frame: bool = False) -> tuple[Any, Any]:
    """The UCI Statlog German Credit data: 1,000 loan applicants, 20 attributes, 300 bad.

    Shipped with riskkit under CC BY 4.0 (creator: Prof. Hans Hofmann, Universität
    Hamburg; source: UCI Machine Learning Repository); see
    ``riskkit/datasets/data/README.md``. Attribute values are the readable labels
    (e.g. ``'... < 0 DM'``), not the A11-style codes of the original file, in the
    original row order. Peer scorecards reach a 5-fold stratified
    cross-validated AUC of about 0.79-0.80.

    Parameters
    ----------
    as_frame : bool, default False
        Return a pandas DataFrame and Series (pandas is imported only then).

    Returns
    -------
    X : dict of str to numpy.ndarray, or pandas.DataFrame
        The 20 attributes in file order: the 7 numeric ones as float64, the 13
        categorical ones as object arrays of str.
    y : numpy.ndarray of int8, or pandas.Series
        ``creditability``: 1 = bad, 0 = good.

    Raises
    ------
    FormatError
        If the shipped file is damaged (wrong shape or an unknown label).

    Examples
    --------
    >>> X, y = load_german_credit()
    >>> len(X), y.shape, int(y.sum())
    (20, (1000,), 300)
    >>> X["credit_amount"][:3]
    array([1169., 5951., 2096.])
    >>> X["purpose"][:2]
    array(['radio/television', 'radio/television'], dtype=object)
    >>> X["personal_status_and_sex"][:2]
    array(['male : single', 'female : divorced/separated/married'], dtype=object)
    >>> frame, target = load_german_credit(as_frame=True)
    >>> frame.shape, target.name
    ((1000, 20), 'creditability')
    """
    path = resources.files(__name__).joinpath("data").joinpath("german_credit.csv")
    text = path.read_text(encoding="utf-8")
    header, *rows = list(csv.reader(io.StringIO(text)))
    if header[-1] != "creditability" or len(header) != 21 or len(rows) != 1000:
        raise FormatError(
            f"german_credit.csv is damaged: expected 1000 rows of 21 columns ending in "
            f"'creditability', got {len(rows)} rows and header {header}"
        )
    if any(len(row) != len(header) for row in rows):
        raise FormatError("german_credit.csv is damaged: a row has the wrong number of fields")
    columns = list(zip(*rows, strict=True))
    X: dict[str, np.ndarray] = {}
    for name, values in zip(header[:-1], columns[:-1], strict=True):
        try:
            X[name] = np.array([float(v) for v in values], dtype=np.float64)
        except ValueError:
            X[name] = np.array(values, dtype=object)
    labels = np.array(columns[-1], dtype=object)
    unknown = sorted(set(labels.tolist()) - {"good", "bad"})
    if unknown:
        raise FormatError(
            f"german_credit.csv is damaged: creditability holds {unknown}; expected good/bad"
        )
    y = (labels == "bad").astype(np.int8)
    if not as_frame:
        return X, y
    import pandas as pd

    return pd.DataFrame(X), pd.Series(y, name="creditability")
