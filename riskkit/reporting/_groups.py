"""The report's "Corporate groups" section: its numbers, its HTML and its text (docs/domain.md, *Corporate groups*).

Shown next to the limit changes, where a credit manager looks at limits: the
largest groups by exposure, what their group limit leaves (headroom), and the
members in default or in distress. A book without groups has no such
section: :func:`group_rows` gives no row and the renderers write nothing.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np

from riskkit.groups import group_table
from riskkit.reporting._format import count, money, plural

__all__ = ["GROUP_ROWS", "group_rows", "html_section", "text_lines"]

#: Groups shown, largest group exposure first.
GROUP_ROWS = 10


def group_rows(portfolio: Any, as_of: Any, n: int = GROUP_ROWS) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The ``n`` largest groups by exposure, and the counts over every group.

    Returns
    -------
    rows : list of dict
        ``parent_id``, ``name`` (the top parent's, else its id), ``members``,
        ``exposure``, ``limit`` (NaN: none), ``headroom`` (NaN without a
        limit), ``distressed`` and ``distressed_ids`` (list of str).
    counts : dict
        ``groups``, ``members`` (customers in a group), ``exposure`` (of all
        groups), ``over_limit`` (groups with negative headroom) and
        ``with_distress`` (groups with a member in distress).

    Examples
    --------
    >>> import riskkit
    >>> book = riskkit.Portfolio.from_records(
    ...     customers=[{"id": "P", "name": "Holding", "group_limit": 9000.0}, {"id": "S", "parent_id": "P"}],
    ...     exposures=[{"customer_id": c, "credit_limit": 5000.0, "open_orders": 5000.0} for c in "PS"],
    ...     as_of="2025-06-30")
    >>> rows, counts = group_rows(book, book.as_of)
    >>> rows[0]["name"], rows[0]["headroom"], counts["over_limit"]
    ('Holding', -1000.0, 1)
    """
    t = group_table(portfolio, as_of)
    headroom = t["headroom"]
    counts = {
        "groups": int(t["members"].size),
        "members": int(np.sum(t["members"])),
        "exposure": float(np.sum(t["group_exposure"])),
        "over_limit": int(np.sum(np.nan_to_num(headroom, nan=0.0) < 0)),
        "with_distress": int(np.sum(t["distressed"] > 0)),
    }
    rows = [
        {"parent_id": str(pid), "name": str(name) or str(pid), "members": int(m), "exposure": float(e),
         "limit": float(lim), "headroom": float(h), "distressed": int(d),
         "distressed_ids": [x for x in str(ids).split(";") if x]}
        for pid, name, m, e, lim, h, d, ids in zip(
            t["parent_id"][:n].tolist(), t["parent_name"][:n].tolist(), t["members"][:n].tolist(),
            t["group_exposure"][:n].tolist(), t["group_limit"][:n].tolist(), headroom[:n].tolist(),
            t["distressed"][:n].tolist(), t["distressed_ids"][:n].tolist(), strict=True,
        )
    ]
    return rows, counts


def _intro(counts: dict[str, Any], shown: int, currency: str) -> str:
    return (f"{plural(counts['groups'], 'group')} of {plural(counts['members'], 'customer')}, exposure "
            f"{money(counts['exposure'], currency)}; {counts['over_limit']:,} over the group limit, "
            f"{counts['with_distress']:,} with a member in default or distress. The {shown} largest:")


def _distress(r: dict[str, Any]) -> str:
    ids = r["distressed_ids"]
    return "" if not ids else ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")


def html_section(rep: Any) -> str:
    """The section's HTML; empty for a book without groups."""
    rows, counts = getattr(rep, "groups", []), getattr(rep, "group_counts", {})
    if not rows:
        return ""
    c = rep.currency
    e = html.escape
    cells = "".join(
        "<tr>" + "".join(f"<td>{e(v)}</td>" for v in (r["name"], r["parent_id"]))
        + "".join(f'<td class="n">{e(v)}</td>' for v in (
            count(r["members"]), money(r["exposure"], c), money(r["limit"], c), money(r["headroom"], c),
            count(r["distressed"])))
        + f"<td>{e(_distress(r))}</td></tr>"
        for r in rows
    )
    head = "".join(f'<th class="n">{h}</th>' if k else f"<th>{h}</th>" for h, k in (
        ("top parent", 0), ("id", 0), ("members", 1), ("group exposure", 1), ("group limit", 1),
        ("headroom", 1), ("in distress", 1), ("members in distress", 0)))
    return (f'<section id="groups"><h2>Corporate groups</h2><p class="note">{e(_intro(counts, len(rows), c))}</p>'
            f"<table><thead><tr>{head}</tr></thead><tbody>{cells}</tbody></table></section>")


def text_lines(rep: Any, top: int) -> list[str]:
    """The section's lines of the text summary; none for a book without groups."""
    rows, counts = getattr(rep, "groups", []), getattr(rep, "group_counts", {})
    if not rows:
        return []
    c = rep.currency
    lines = ["", "Corporate groups: " + _intro(counts, min(top, len(rows)), c)]
    for r in rows[:top]:
        distress = _distress(r)
        lines.append(f"  - {r['name']} ({r['members']} members): exposure {money(r['exposure'], c)}, group limit "
                     f"{money(r['limit'], c)}, headroom {money(r['headroom'], c)}"
                     + (f"; in distress: {distress}" if distress else ""))
    return lines
