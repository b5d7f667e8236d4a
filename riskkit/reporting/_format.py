"""How the report writes numbers: money with its currency, percentages, days, dates and round axis ticks.

Every function takes plain Python or numpy scalars and returns text; NaN and
infinities come out in words (``"n/a"``), never as ``nan`` or ``inf``.
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import Any

__all__ = ["count", "day", "days", "money", "money_short", "nice_ticks", "percent", "plural"]

#: What the report writes for a number that is missing or not finite.
MISSING = "n/a"


def _finite(value: Any) -> float | None:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def money(value: Any, currency: str = "", *, decimals: int = 0) -> str:
    """An amount with thousands separators and the currency code in front.

    Examples
    --------
    >>> money(1234567.891, "EUR")
    'EUR 1,234,568'
    >>> money(-2500.5, "USD", decimals=2)
    '-USD 2,500.50'
    >>> money(12.0), money(float("nan"), "EUR")
    ('12', 'n/a')
    """
    x = _finite(value)
    if x is None:
        return MISSING
    text = f"{abs(x):,.{decimals}f}"
    if float(text.replace(",", "")) == 0:
        x = 0.0  # no "-EUR 0"
    sign = "-" if x < 0 else ""
    return f"{sign}{currency} {text}" if currency else f"{sign}{text}"


def money_short(value: Any, currency: str = "") -> str:
    """An amount in thousands (k) or millions (m), for charts and headline figures.

    Three significant digits at most; below 1,000 the amount as it is.

    Examples
    --------
    >>> money_short(9_695_239.26, "EUR"), money_short(850_000, "EUR"), money_short(2_500_000)
    ('EUR 9.7m', 'EUR 850k', '2.5m')
    >>> money_short(0, "EUR"), money_short(12_345, "EUR"), money_short(-1_250_000_000, "EUR")
    ('EUR 0', 'EUR 12.3k', '-EUR 1.25bn')
    """
    x = _finite(value)
    if x is None:
        return MISSING
    size = abs(x)
    for unit, scale in (("bn", 1e9), ("m", 1e6), ("k", 1e3)):
        if size >= scale * 0.9995:
            scaled = size / scale
            digits = 0 if scaled >= 99.95 else 1 if scaled >= 9.995 else 2
            text = f"{scaled:.{digits}f}"
            text = (text.rstrip("0").rstrip(".") if "." in text else text) + unit
            break
    else:
        text = f"{size:,.0f}"
    sign = "-" if x < 0 and text != "0" else ""
    return f"{sign}{currency} {text}" if currency else f"{sign}{text}"


def percent(value: Any, digits: int | None = None) -> str:
    """A fraction as a percentage: whole percent, one decimal below 10% (``digits`` to choose).

    Examples
    --------
    >>> percent(0.6234), percent(0.0834), percent(0.0004), percent(1.5), percent(0.125, digits=1)
    ('62%', '8.3%', '0.04%', '150%', '12.5%')
    >>> percent(float("inf")), percent(0.0)
    ('n/a', '0%')
    """
    x = _finite(value)
    if x is None:
        return MISSING
    pct = 100.0 * x
    if digits is None:
        size = abs(pct)
        digits = 0 if size >= 9.95 or size == 0 else 1 if size >= 0.095 else 2
    return f"{pct:,.{digits}f}%"


def days(value: Any) -> str:
    """A number of days, whole.

    Examples
    --------
    >>> days(41.6), days(1), days(float("nan"))
    ('42 days', '1 day', 'n/a')
    """
    x = _finite(value)
    if x is None:
        return MISSING
    n = round(x)
    return f"{n:,} day" if abs(n) == 1 else f"{n:,} days"


def count(value: Any) -> str:
    """A whole number with thousands separators.

    Examples
    --------
    >>> count(1234), count(2.0)
    ('1,234', '2')
    """
    x = _finite(value)
    return MISSING if x is None else f"{round(x):,}"


def plural(n: int, word: str, many: str | None = None) -> str:
    """``n`` and the word, in the plural unless ``n`` is 1.

    Examples
    --------
    >>> plural(1, "customer"), plural(3, "customer"), plural(2, "was", "were")
    ('1 customer', '3 customers', '2 were')
    """
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def day(value: Any) -> str:
    """A date as people write it in a report: ``30 Sep 2025``.

    Examples
    --------
    >>> import numpy as np
    >>> day(np.datetime64("2025-09-30")), day(_dt.date(2026, 1, 7))
    ('30 Sep 2025', '7 Jan 2026')
    """
    d = value if isinstance(value, _dt.date) else _dt.date.fromisoformat(str(value)[:10])
    return f"{d.day} {d:%b %Y}"


def nice_ticks(low: float, high: float, max_ticks: int = 6) -> list[float]:
    """Round axis ticks covering ``[low, high]``: steps of 1, 2, 2.5 or 5 times a power of ten.

    The first tick is at or below ``low`` and the last at or above ``high``;
    at most ``max_ticks`` ticks (at least 2).

    Examples
    --------
    >>> nice_ticks(0, 0.34)
    [0.0, 0.1, 0.2, 0.3, 0.4]
    >>> nice_ticks(0, 9_695_239)
    [0.0, 2000000.0, 4000000.0, 6000000.0, 8000000.0, 10000000.0]
    >>> nice_ticks(38, 61)
    [30.0, 40.0, 50.0, 60.0, 70.0]
    >>> nice_ticks(0, 0)
    [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"axis bounds must be finite, got {low} and {high}")
    max_ticks = max(int(max_ticks), 2)
    if high < low:
        low, high = high, low
    if high - low <= 1e-12 * max(1.0, abs(low), abs(high)):  # equal, up to rounding: a span around them
        high = low + (abs(low) if abs(low) > 1e-150 else 1.0)
    span = high - low
    for exponent in range(math.floor(math.log10(span / (max_ticks - 1))) - 1, 400):
        for mantissa in (1.0, 2.0, 2.5, 5.0):
            step = mantissa * 10.0**exponent
            first, last = math.floor(low / step), math.ceil(high / step)
            # a bound on a tick up to rounding (0.3 / 0.1 = 2.9999999999999996) is that tick
            if abs((first + 1) * step - low) <= 1e-12 * max(1.0, abs(low)):
                first += 1
            if abs((last - 1) * step - high) <= 1e-12 * max(1.0, abs(high)):
                last -= 1
            if last - first + 1 <= max_ticks:
                digits = max(0, 1 - exponent)
                return [round(k * step, digits) + 0.0 for k in range(first, last + 1)]
    raise AssertionError("unreachable")  # pragma: no cover


def tick_label(value: float, step: float, kind: str, currency: str = "") -> str:
    """One axis tick: ``kind`` is ``"money"``, ``"percent"`` (a fraction), ``"days"`` or ``"count"``.

    Examples
    --------
    >>> tick_label(0.25, 0.05, "percent"), tick_label(4e6, 2e6, "money", "EUR"), tick_label(45, 5, "count")
    ('25%', 'EUR 4m', '45')
    >>> tick_label(0.025, 0.025, "percent")
    '2.5%'
    """
    if kind == "money":
        return money_short(value, currency)
    if kind == "percent":
        decimals = max(0, -math.floor(math.log10(step * 100) + 1e-9)) if step > 0 else 0
        decimals += 1 if decimals == 0 and not float(round(value * 100, 6)).is_integer() else 0
        return f"{value * 100:.{decimals}f}%"
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step > 0 else 0
    return f"{value:,.{decimals}f}"
