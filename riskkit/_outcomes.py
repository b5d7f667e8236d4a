"""What happened to each customer of a synthetic book: whether and when it defaulted."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from riskkit._checks import Integer, check, readonly
from riskkit._pit import as_of_dates, as_of_day
from riskkit.errors import ValidationError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Outcomes"]


def _ids(value: Any) -> np.ndarray:
    return readonly(np.array(value, dtype=object))


def _flags(value: Any) -> np.ndarray:
    return readonly(np.asarray(value).astype(np.int8))


def _dates(value: Any) -> np.ndarray:
    return readonly(as_of_dates(value, "default_date", missing=True))


@attrs.frozen(eq=False)
class Outcomes:
    """Whether and when each customer of a book defaulted, aligned with its customers table.

    The arrays are read-only copies. ``default_date`` may lie after the book's
    ``as_of``: that is the future a score taken on ``as_of`` is judged against.

    Parameters
    ----------
    customer_ids : array-like of str
        Customer ids, in the order of the customers table.
    defaulted : array-like of int
        1 if the customer defaults (at any date), else 0; stored as int8.
    default_date : array-like of datetime64[D]
        Date of default, NaT for customers who do not default.

    Raises
    ------
    ValidationError
        If the arrays differ in length, ``defaulted`` holds anything but 0/1, or
        ``default_date`` is missing exactly where ``defaulted`` is 1.

    Examples
    --------
    >>> import numpy as np
    >>> out = Outcomes(
    ...     customer_ids=["C1", "C2", "C3"],
    ...     defaulted=[1, 0, 1],
    ...     default_date=np.array(["2025-03-01", "NaT", "2025-09-15"], dtype="datetime64[D]"),
    ... )
    >>> len(out)
    3
    >>> out.defaulted_by("2025-06-30")
    array([1, 0, 0], dtype=int8)
    >>> out.defaults_within("2025-06-30", 90)
    array([0, 0, 1], dtype=int8)
    """

    customer_ids: np.ndarray = attrs.field(converter=_ids)
    defaulted: np.ndarray = attrs.field(converter=_flags)
    default_date: np.ndarray = attrs.field(converter=_dates)

    def __attrs_post_init__(self) -> None:
        n = self.customer_ids.shape
        if self.customer_ids.ndim != 1 or self.defaulted.shape != n or self.default_date.shape != n:
            raise ValidationError(
                "customer_ids, defaulted and default_date must be 1-d arrays of one length; "
                f"got shapes {self.customer_ids.shape}, {self.defaulted.shape}, "
                f"{self.default_date.shape}"
            )
        bad = np.flatnonzero((self.defaulted != 0) & (self.defaulted != 1))
        if bad.size:
            raise ValidationError(
                f"defaulted holds {self.defaulted[bad[0]]} for customer "
                f"{self.customer_ids[bad[0]]!r}; accepted: 0 or 1",
                field="defaulted",
                row=int(bad[0]),
            )
        mismatch = np.flatnonzero(np.isnat(self.default_date) == (self.defaulted == 1))
        if mismatch.size:
            i = int(mismatch[0])
            raise ValidationError(
                f"customer {self.customer_ids[i]!r} has defaulted={self.defaulted[i]} but "
                f"default_date={self.default_date[i]}; a defaulter needs a date and "
                "a non-defaulter NaT",
                field="default_date",
                row=i,
            )

    def __len__(self) -> int:
        return int(self.customer_ids.size)

    def __repr__(self) -> str:
        return f"Outcomes(n_customers={len(self)}, n_defaulted={int(self.defaulted.sum())})"

    def defaulted_by(self, date: Any) -> np.ndarray:
        """1 for customers whose default date is on or before ``date``, else 0.

        Parameters
        ----------
        date : datetime.date, numpy.datetime64 or str
            The cut-off date (inclusive).

        Returns
        -------
        numpy.ndarray of int8
        """
        day = as_of_day(date, "date")
        hit = ~np.isnat(self.default_date) & (self.default_date <= day)
        return hit.astype(np.int8)

    def defaults_within(self, as_of: Any, horizon_days: int) -> np.ndarray:
        """1 for customers whose default date falls in ``(as_of, as_of + horizon_days]``, else 0.

        The target of a score taken on ``as_of``: customers already in default on
        ``as_of`` count as 0, since they are no longer to be predicted.

        Parameters
        ----------
        as_of : datetime.date, numpy.datetime64 or str
            The date the score is taken on (exclusive).
        horizon_days : int
            Length of the outcome window in days, >= 1.

        Returns
        -------
        numpy.ndarray of int8
        """
        day = as_of_day(as_of)
        end = day + np.timedelta64(check("horizon_days", horizon_days, Integer(1, unit="days")), "D")
        dates = self.default_date
        hit = ~np.isnat(dates) & (dates > day) & (dates <= end)
        return hit.astype(np.int8)

    def to_pandas(self) -> pd.DataFrame:
        """The outcomes as a DataFrame with columns ``customer_id``, ``defaulted``, ``default_date``.

        Requires pandas (imported here, not at import time).
        """
        import pandas as pd

        return pd.DataFrame(
            {
                "customer_id": self.customer_ids,
                "defaulted": self.defaulted,
                "default_date": self.default_date,
            }
        )
