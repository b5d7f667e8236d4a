"""Scalar conversions shared by the records and the columnar ingest.

Each function returns the converted value or raises ``_Reject`` with the
reason; callers add where the value came from (record id, table, row, field).
Accepted forms are stated in the reasons, so every error says what is accepted.
"""

from __future__ import annotations

import datetime as _dt
import math
import numbers
from typing import Any

import numpy as np


class _Reject(Exception):
    """A value cannot be accepted; ``args[0]`` says why and what is accepted."""


DATE_FORMS = "a date (datetime.date, numpy.datetime64 or 'YYYY-MM-DD')"


def show(value: Any) -> str:
    """Render a value for an error message: dates as ISO text, everything else as repr."""
    if isinstance(value, _dt.date | np.datetime64 | np.timedelta64):
        return str(value)  # .item() would turn nanosecond values into bare ints
    if isinstance(value, np.generic):
        return repr(value.item())
    return repr(value)


def is_missing(value: Any) -> bool:
    """True for None, float NaN, NaT and pandas' NA."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, np.datetime64 | np.timedelta64):
        return bool(np.isnat(value))
    if isinstance(value, np.floating):
        return bool(np.isnan(value))
    # pandas.NA / NaT without importing pandas
    return type(value).__name__ in {"NAType", "NaTType"}


def to_date(value: Any) -> np.datetime64:
    """Convert one value to ``datetime64[D]``; a time of day other than midnight is refused."""
    if isinstance(value, _dt.datetime):
        if value.time() != _dt.time(0) or value.tzinfo is not None:
            raise _Reject(f"has a time of day or time zone; expected {DATE_FORMS}")
        return np.datetime64(value.date(), "D")
    if isinstance(value, _dt.date):
        return np.datetime64(value, "D")
    if isinstance(value, np.datetime64):
        if np.datetime_data(value.dtype)[0] in ("Y", "M", "W"):
            raise _Reject(f"is a year, month or week, not a day; expected {DATE_FORMS}")
        day = value.astype("datetime64[D]")
        if day != value:
            raise _Reject(f"has a time of day; expected {DATE_FORMS}")
        return day
    if isinstance(value, str):
        text = value.strip()
        if len(text) == 10 and text[4] == "-" and text[7] == "-":
            try:
                return np.datetime64(_dt.date.fromisoformat(text), "D")
            except ValueError:
                pass
        raise _Reject(f"is not a valid date; expected {DATE_FORMS}")
    raise _Reject(f"is of type {type(value).__name__}; expected {DATE_FORMS}")


def to_number(value: Any, *, nonnegative: bool) -> float:
    """Convert a real number to float; bools, strings, NaN and inf are refused."""
    # numpy registers timedelta64 as an integer type; a duration is not an amount
    if isinstance(value, bool | np.bool_ | np.timedelta64) or not isinstance(value, numbers.Real):
        raise _Reject(f"is of type {type(value).__name__}; expected a real number")
    x = float(value)
    if not math.isfinite(x):
        raise _Reject("is not finite; expected a finite number")
    if nonnegative and x < 0:
        raise _Reject("is negative; expected a number >= 0")
    return x


def to_text(value: Any, *, allow_int: bool = False) -> str:
    """Convert text; integers are accepted (as their decimal text) where ``allow_int``."""
    if isinstance(value, str):
        return value
    if allow_int and isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_):
        return str(int(value))
    raise _Reject(f"is of type {type(value).__name__}; expected text" + (" or an integer" if allow_int else ""))


def to_bool(value: Any) -> bool:
    """Accept True/False (and numpy bools) only."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    raise _Reject(f"is of type {type(value).__name__}; expected True or False")


def to_currency(text: str) -> str:
    """A currency code: three ASCII letters (ISO 4217 style), upper-cased; anything else is refused."""
    code = text.strip()
    if len(code) == 3 and code.isascii() and code.isalpha():
        return code.upper()
    raise _Reject("is not a currency code; expected three letters such as 'EUR'")
