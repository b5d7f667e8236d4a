"""Plain-text and HTML tables for reprs and the command line (no dependencies)."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any


def fmt(value: Any, digits: int = 2) -> str:
    """Format one cell: floats with ``digits`` decimals and thousands separators, NaN as ``-``."""
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        # the same decimals for every float, so a column never mixes "1,200" with "300.00"
        return f"{value:,.{digits}f}"
    return str(value)


def text_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], digits: int = 2) -> str:
    """A fixed-width text table; numbers right-aligned."""
    cells = [[fmt(v, digits) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[j]) for r in cells]) for j, h in enumerate(headers)]
    numeric = [all(isinstance(row[j], int | float) for row in rows) if rows else False for j in range(len(headers))]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric, strict=True))

    out = [line(list(headers)), "  ".join("-" * w for w in widths)]
    out.extend(line(r) for r in cells)
    return "\n".join(s.rstrip() for s in out)


def html_table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], caption: str = "", digits: int = 2, footer: str = ""
) -> str:
    """An HTML table for notebooks (``_repr_html_``); values are escaped."""
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(fmt(v, digits))}</td>" for v in row) + "</tr>" for row in rows
    )
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    foot = f"<p>{html.escape(footer)}</p>" if footer else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{foot}"
