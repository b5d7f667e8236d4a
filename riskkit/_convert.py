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

#: The days a date may be: those of :class:`datetime.date`, years 1 to 9999. Year 0, negative years
#: and years beyond 9999 (which numpy can hold) are refused on every path with the same reason.
FIRST_DAY = np.datetime64("0001-01-01", "D")
LAST_DAY = np.datetime64("9999-12-31", "D")
OUT_OF_RANGE = f"is outside the years 1 to 9999; expected {DATE_FORMS}"
NOT_A_DATE = f"is not a valid date; expected {DATE_FORMS}"
TOO_LARGE = "is too large for a number; expected a finite number (at most about 1.8e308 in magnitude)"


def show(value: Any) -> str:
    """Render a value for an error message: dates as ISO text, everything else as repr."""
    if isinstance(value, _dt.date | np.datetime64 | np.timedelta64):
        return str(value)  # .item() would turn nanosecond values into bare ints
    if isinstance(value, np.generic):
        value = value.item()
    try:
        text = repr(value)
    except ValueError:  # an int too long for its decimal text (sys.get_int_max_str_digits)
        if isinstance(value, int):
            return f"an integer of about {int(value.bit_length() * 0.30103) + 1} digits"
        return f"<a {type(value).__name__} that cannot be shown>"
    except Exception:  # a user object whose repr fails must not hide the error being reported
        return f"<a {type(value).__name__} that cannot be shown>"
    if isinstance(value, int) and len(text) > 60:  # 10**400: the order of magnitude says it all
        return f"{text[:12]}...{text[-4:]} (an integer of {len(text.lstrip('-'))} digits)"
    return text


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
    """Convert one value to ``datetime64[D]``; a time of day other than midnight is refused.

    Text must be ``YYYY-MM-DD`` with ASCII digits (surrounding whitespace is
    ignored); year 0, signed years and days outside the years 1 to 9999 are
    refused, whatever the value's type.
    """
    if isinstance(value, _dt.datetime):
        if value.time() != _dt.time(0) or value.tzinfo is not None:
            raise _Reject(f"has a time of day or time zone; expected {DATE_FORMS}")
        return np.datetime64(value.date(), "D")
    if isinstance(value, _dt.date):
        return np.datetime64(value, "D")
    if isinstance(value, np.datetime64):
        if np.datetime_data(value.dtype)[0] in ("Y", "M", "W"):
            raise _Reject(f"is a year, month or week, not a day; expected {DATE_FORMS}")
        if np.isnat(value):
            raise _Reject(f"is NaT (not a time); expected {DATE_FORMS}")
        day = value.astype("datetime64[D]")
        if day != value:
            raise _Reject(f"has a time of day; expected {DATE_FORMS}")
        if not FIRST_DAY <= day <= LAST_DAY:
            raise _Reject(OUT_OF_RANGE)
        return day
    if isinstance(value, str):
        text = value.strip()
        if is_iso_text(text):
            try:
                return np.datetime64(_dt.date.fromisoformat(text), "D")
            except ValueError:
                pass
        raise _Reject(NOT_A_DATE)
    raise _Reject(f"is of type {type(value).__name__}; expected {DATE_FORMS}")


def is_iso_text(text: str) -> bool:
    """True for ``YYYY-MM-DD`` written with ASCII digits (the day itself is not checked)."""
    return (
        len(text) == 10
        and text[4] == "-"
        and text[7] == "-"
        and all(c in "0123456789" for c in text[:4] + text[5:7] + text[8:])
    )


def to_number(value: Any, *, nonnegative: bool) -> float:
    """Convert a real number to float; bools, strings, NaN and inf are refused."""
    # numpy registers timedelta64 as an integer type; a duration is not an amount
    if isinstance(value, bool | np.bool_ | np.timedelta64) or not isinstance(value, numbers.Real):
        raise _Reject(f"is of type {type(value).__name__}; expected a real number")
    try:
        x = float(value)
    except OverflowError:  # an int (or Fraction) beyond float64
        raise _Reject(TOO_LARGE) from None
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
        try:
            return str(int(value))
        except ValueError:  # beyond sys.get_int_max_str_digits
            raise _Reject("is an integer too long to be an id; expected text or an integer") from None
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
