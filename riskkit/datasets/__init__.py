"""Data sets to learn, test and benchmark riskkit with.

* :func:`make_portfolio` draws a synthetic B2B credit book (customers, exposures,
  invoices, payments, orders, statements, events) with known defaults, whose
  defaulters deteriorate before they default; :class:`Outcomes` holds the answers.
* :func:`load_german_credit` loads the UCI Statlog German Credit data (1,000
  applicants, 20 attributes, 300 bad), shipped with the package under its
  CC BY 4.0 licence.
"""

from __future__ import annotations

import csv
import io
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np

from riskkit.datasets._outcomes import Outcomes
from riskkit.datasets._synthetic import _resolve_as_of
from riskkit.datasets._synthetic import generate as _generate
from riskkit.errors import FormatError

if TYPE_CHECKING:
    import pandas as pd

    from riskkit.portfolio import Portfolio

__all__ = ["Outcomes", "load_german_credit", "make_portfolio"]


def make_portfolio(
    n_customers: int = 1000, seed: int = 0, as_of: Any = None
) -> tuple[Portfolio, Outcomes]:
    """A synthetic B2B credit book as a Portfolio, and what became of each customer.

    About 8% of the customers default, between 270 days before and 180 days
    after ``as_of``; each defaulter pays later, orders less, reports weaker
    figures and produces more adverse events over the 60-180 days before its
    default, while some sound customers go through slow patches. Nothing dated
    after ``as_of`` is in the book. See :mod:`riskkit.datasets._synthetic` for
    the full description.

    Parameters
    ----------
    n_customers : int, default 1000
        Number of customers (about 20 invoices and 22 orders each).
    seed : int, default 0
        Random seed; the same arguments always give the same book.
    as_of : datetime.date, numpy.datetime64 or str, optional
        Date the book is observed on; defaults to the fixed date 2025-12-31
        (never today), which also becomes the Portfolio's ``as_of``.

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
        If ``n_customers`` is not an integer >= 1 or ``as_of`` is not a date.

    Examples
    --------
    >>> portfolio, outcomes = make_portfolio(300, seed=1)
    >>> len(outcomes)
    300
    >>> outcomes.customer_ids[:2]
    array(['C00001', 'C00002'], dtype=object)
    >>> int(outcomes.defaults_within("2025-12-31", 180).sum()) <= int(outcomes.defaulted.sum())
    True
    """
    from riskkit.portfolio import Portfolio  # here: riskkit.portfolio may import this package

    day = _resolve_as_of(as_of)
    tables, outcomes = _generate(n_customers, seed=seed, as_of=day)
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
    (e.g. ``'... < 0 DM'``), not the A11-style codes of the original file. Peer
    scorecards reach a 5-fold stratified cross-validated AUC of about 0.77-0.79.

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

    Notes
    -----
    In this copy the ``personal_status_and_sex`` column is not aligned with the
    rows (its values come in sorted blocks; see the data README), so it carries
    no information about the applicant; leave it out of models.

    Examples
    --------
    >>> X, y = load_german_credit()
    >>> len(X), y.shape, int(y.sum())
    (20, (1000,), 300)
    >>> X["credit_amount"][:3]
    array([1169., 5951., 2096.])
    >>> X["purpose"][:2]
    array(['radio/television', 'radio/television'], dtype=object)
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
