"""Plain-text and HTML tables for reprs and the command line (no dependencies).

Numbers are formatted column by column, every row of a column with the same
decimals: the fewest that show each of its floats exactly, at most
``digits``; so counts and whole points show none, ``12.0`` and ``3.5`` one,
and NaN shows as ``-``. A column with
a unit names it in its header, ``"overdue_amount (EUR)"``.

Examples
--------
>>> print(text_table(["bin", "count", "woe"], [["low", 394.0, 1.17634], ["high", 63.0, float("nan")]],
...                  digits=4))
bin   count     woe
----  -----  ------
low     394  1.1763
high     63       -
>>> print(text_table(["customer", "overdue"], [["C1", 1200.5]], units={"overdue": "EUR"}))
customer  overdue (EUR)
--------  -------------
C1             1,200.50
"""

from __future__ import annotations

import html
import math
from collections.abc import Collection, Mapping, Sequence
from typing import Any


def fmt(value: Any, digits: int = 2) -> str:
    """Format one cell: floats with ``digits`` decimals and thousands separators, NaN as ``-``."""
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        # the same decimals for every float, so a column never mixes "1,200" with "300.00"
        return f"{value:,.{digits}f}"
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def column_digits(values: Sequence[Any], digits: int) -> int:
    """The decimals a column shows: the fewest that show each of its floats exactly, at most ``digits``.

    Whole numbers (counts, rounded points) show none; NaN and text do not count.

    >>> column_digits([394.0, 63.0, float("nan")], 4), column_digits([12.0, 3.5], 4)
    (0, 1)
    >>> column_digits([0.1168, 1 / 3], 4), column_digits(["a"], 4)
    (4, 4)
    """
    floats = [v for v in values if isinstance(v, float) and not math.isnan(v)]
    if not floats or not all(math.isfinite(v) for v in floats):
        return digits
    for places in range(digits):
        if all(round(v, places) == v for v in floats):
            return places
    return digits


#: How a feature catalogue unit (``riskkit.features.catalogue()``) reads in a header; unitless ones are absent.
FEATURE_UNITS = {"money": "money", "days": "days", "percent": "%", "years": "years", "points": "points"}


def header(name: str, unit: str | None) -> str:
    """A column header with its unit: ``header("overdue_amount", "EUR") == "overdue_amount (EUR)"``."""
    return f"{name} ({unit})" if unit else name


def _cells(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], digits: int | Mapping[str, int], fixed: Collection[str]
) -> list[list[str]]:
    width = max([len(headers), *map(len, rows)])
    wanted = [
        (digits.get(headers[j], 2) if j < len(headers) else 2) if isinstance(digits, Mapping) else digits
        for j in range(width)
    ]
    places = [
        wanted[j] if j < len(headers) and headers[j] in fixed
        else column_digits([row[j] for row in rows if j < len(row)], wanted[j])
        for j in range(width)
    ]
    return [[fmt(v, d) for v, d in zip(row, places, strict=False)] for row in rows]


def text_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    digits: int | Mapping[str, int] = 2,
    units: Mapping[str, str] | None = None,
    fixed: Collection[str] = (),
) -> str:
    """A fixed-width text table; numbers right-aligned.

    ``digits`` is the most decimals of every float column, or a header ->
    decimals mapping (2 for a column it does not name); the columns named in
    ``fixed`` (amounts of money: cents) always show that many. ``units`` maps
    a header to its unit.
    """
    cells = _cells(headers, rows, digits, fixed)
    shown = [header(h, (units or {}).get(h)) for h in headers]
    widths = [max([len(h)] + [len(r[j]) for r in cells]) for j, h in enumerate(shown)]
    numeric = [all(_is_number(row[j]) for row in rows) if rows else False for j in range(len(headers))]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric, strict=True))

    out = [line(shown), "  ".join("-" * w for w in widths)]
    out.extend(line(r) for r in cells)
    return "\n".join(s.rstrip() for s in out)


def html_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    caption: str = "",
    digits: int | Mapping[str, int] = 2,
    footer: str = "",
    units: Mapping[str, str] | None = None,
    fixed: Collection[str] = (),
) -> str:
    """An HTML table for notebooks (``_repr_html_``), every value escaped; the rest as :func:`text_table`."""
    head = "".join(f"<th>{html.escape(header(h, (units or {}).get(h)))}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>"
        for row in _cells(headers, rows, digits, fixed)
    )
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    foot = f"<p>{html.escape(footer)}</p>" if footer else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{foot}"
