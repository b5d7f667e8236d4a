"""The report's "Credit insurance" section: its numbers, its HTML and its text (docs/domain.md, *Credit insurance*).

Shown after the collections worklist, where a credit manager looks at the
overdue book: the cover the insurer gives, the uninsured exposure, and the
overdue insured invoices to notify before the insurer's deadline (or whose
cover is already lost). A book without insurance decisions has no such
section: :func:`insurance_part` gives None and the renderers write nothing.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np

from riskkit import insurance
from riskkit.reporting._format import count, day, money, plural

__all__ = ["NOTIFY_DAYS", "NOTIFY_ROWS", "html_section", "insurance_part", "text_lines"]

#: Invoices whose notification deadline is at most this many days away are "to notify" (as the signal's warning).
NOTIFY_DAYS = 14
#: Invoices shown, the nearest deadline first.
NOTIFY_ROWS = 10


def insurance_part(portfolio: Any, as_of: Any, n: int = NOTIFY_ROWS) -> dict[str, Any] | None:
    """The section's numbers, or None for a book without insurance decisions.

    Returns
    -------
    dict or None
        ``totals`` (:meth:`riskkit.insurance.Cover.totals`), ``notify``
        (counts and open amounts of the invoices due within
        :data:`NOTIFY_DAYS` days and of those past the deadline) and
        ``rows``: the ``n`` overdue insured invoices nearest their deadline
        (``name``, ``customer_id``, ``invoice_id``, ``open_amount``,
        ``deadline``, ``days_to_deadline``), among those due within
        :data:`NOTIFY_DAYS` days or lost.

    Examples
    --------
    >>> import riskkit
    >>> book = riskkit.Portfolio.from_records(
    ...     customers=[{"id": "C1", "name": "Acme"}],
    ...     invoices=[{"id": "I1", "customer_id": "C1", "issued": "2025-01-01", "due": "2025-01-31",
    ...                "amount": 4000.0}],
    ...     insurance=[{"customer_id": "C1", "date": "2024-12-01", "status": "granted", "amount": 5000.0}],
    ...     as_of="2025-04-26")
    >>> part = insurance_part(book, book.as_of)
    >>> part["totals"]["cover"], part["notify"]["due"], part["rows"][0]["days_to_deadline"]
    (3600.0, 1, 5)
    """
    if not insurance.has_insurance(portfolio):
        return None
    c = insurance.cover(portfolio, as_of)
    d = insurance.deadlines(portfolio, as_of, within_days=NOTIFY_DAYS)
    shown = slice(0, n)
    codes = portfolio.codes(d["customer_id"][shown].tolist())
    names = np.asarray(portfolio.customers["name"], dtype=object)[codes].tolist()
    rows = [
        {"name": str(name) or str(cid), "customer_id": str(cid), "invoice_id": str(iid), "open_amount": float(a),
         "deadline": dl, "days_to_deadline": int(left)}
        for name, cid, iid, a, dl, left in zip(
            names, d["customer_id"][shown].tolist(), d["invoice_id"][shown].tolist(),
            d["open_amount"][shown].tolist(), d["deadline"][shown].astype(object).tolist(),
            d["days_to_deadline"][shown].tolist(), strict=True,
        )
    ]
    return {"totals": c.totals(), "notify": insurance.notification_totals(d, NOTIFY_DAYS), "rows": rows}


def _intro(part: dict[str, Any], currency: str) -> str:
    t, w = part["totals"], part["notify"]
    share = "" if not np.isfinite(t["cover_share"]) else f" ({t['cover_share']:.0%} of exposure)"
    return (f"{plural(t['insured_customers'], 'customer')} insured; cover {money(t['cover'], currency)}{share}, "
            f"uninsured exposure {money(t['uninsured_exposure'], currency)}. "
            f"{plural(w['due'], 'overdue invoice')} ({money(w['due_amount'], currency)}) to notify to the insurer "
            f"within {NOTIFY_DAYS} days; {plural(w['lost'], 'invoice')} ({money(w['lost_amount'], currency)}) past "
            "the deadline, cover lost.")


def _when(left: int) -> str:
    if left < 0:
        return f"passed {count(-left)} days ago"
    return "today" if left == 0 else f"in {count(left)} days"


def html_section(rep: Any) -> str:
    """The section's HTML; empty for a book without insurance."""
    part = getattr(rep, "insurance", None)
    if part is None:
        return ""
    c = rep.currency
    e = html.escape
    cells = "".join(
        f"<tr><td>{e(r['name'])}</td><td>{e(r['invoice_id'])}</td>"
        f'<td class="n">{e(money(r["open_amount"], c))}</td><td>{e(day(r["deadline"]))}</td>'
        f"<td>{e(_when(r['days_to_deadline']))}</td></tr>"
        for r in part["rows"]
    )
    table = ('<table><thead><tr><th>customer</th><th>invoice</th><th class="n">open</th><th>notify by</th>'
             f"<th>deadline</th></tr></thead><tbody>{cells}</tbody></table>") if part["rows"] else ""
    return (f'<section id="insurance"><h2>Credit insurance</h2><p class="note">{e(_intro(part, c))}</p>'
            f"{table}</section>")


def text_lines(rep: Any, top: int) -> list[str]:
    """The section's lines of the text summary; none for a book without insurance."""
    part = getattr(rep, "insurance", None)
    if part is None:
        return []
    c = rep.currency
    lines = ["", "Credit insurance: " + _intro(part, c)]
    lines += [f"  - {r['name']}: notify {r['invoice_id']} ({money(r['open_amount'], c)} open) by "
              f"{day(r['deadline'])}, {_when(r['days_to_deadline'])}" for r in part["rows"][:top]]
    return lines
