"""The month-end report's "Reviews due" section: how many credit reviews fall due this month, and the next ones.

The numbers come from :func:`riskkit.reviews.schedule` with the report's
grades and watchlist; this module turns them into plain rows (the report's
:attr:`~riskkit.Report.reviews` and :attr:`~riskkit.Report.review_counts`),
a few lines of text and an HTML section.
"""

from __future__ import annotations

import html
import textwrap
from typing import Any

import numpy as np

from riskkit.errors import ValidationError
from riskkit.reporting._format import count, day, money, plural

__all__ = ["review_lines", "review_rows", "reviews_section"]

#: Days ahead the list of the next reviews looks.
LIST_DAYS = 30


def review_rows(portfolio: Any, scores: Any, when: np.datetime64, watch: Any, last_review: Any,
                n_rows: int = 10) -> tuple[list[dict[str, Any]], dict[str, Any], str]:
    """The next reviews (at most ``n_rows``, due within :data:`LIST_DAYS`), the counts, and an error text.

    Counts: ``due_this_month`` (next review on or before the month's last
    day, overdue ones included), ``overdue`` (before the report date),
    ``warnings`` (due on a new warning), ``never_reviewed`` and ``customers``.
    A grade the review policy does not know leaves the rows empty and says
    why in the error text (as the limits section does).
    """
    from riskkit import reviews

    try:
        cal = reviews.schedule(portfolio, when, grades=scores, last_review=last_review, watchlist=watch)
    except ValidationError as exc:
        return [], {}, str(exc)
    month_end = ((when.astype("datetime64[M]") + 1).astype("datetime64[D]") - np.timedelta64(1, "D"))
    until = cal["days_until"]
    cause = cal["cause"]
    counts = {
        "customers": len(cal),
        "due_this_month": int(np.sum(cal["next_review"] <= month_end)),
        "overdue": int(np.sum(until < 0)),
        "warnings": int(np.sum(cause == "warning")),
        "never_reviewed": int(np.sum(cause == "never_reviewed")),
        "last_review_given": last_review is not None,
    }
    nxt = cal.due(LIST_DAYS).head(n_rows)
    names = np.asarray(portfolio.customers["name"], dtype=object)[portfolio.codes(nxt["customer_id"].tolist())]
    rows = [dict(r, name=name or r["customer_id"]) for r, name in zip(nxt.to_records(), names.tolist(), strict=True)]
    return rows, counts, ""


def _intro(rep: Any) -> str:
    k = rep.review_counts
    text = (f"{plural(k['due_this_month'], 'credit review')} due by the end of the month, {k['overdue']:,} of them "
            f"overdue; {k['warnings']:,} due now on a new warning.")
    if not k["last_review_given"]:
        text += " No review dates given (last_review=), so every customer counts as never reviewed."
    return text


def review_lines(rep: Any, top: int) -> list[str]:
    """The section as lines of the plain-text summary."""
    if rep.reviews_error:
        return [f"Reviews: not scheduled ({rep.reviews_error})"]
    wrap = textwrap.TextWrapper(width=100, initial_indent="  - ", subsequent_indent="    ")
    lines = textwrap.wrap(f"Reviews: {_intro(rep)} Next:", 100)
    lines += [wrap.fill(f"{r['name']} ({r['grade'] or 'ungraded'}): {day(r['next_review'])}, {r['reason']}")
              for r in rep.reviews[:top]] or ["  none"]
    return lines


def reviews_section(rep: Any) -> str:
    """The section as HTML: the counts and the table of the next reviews."""
    from riskkit.reporting._html import _table

    head = '<section id="reviews"><h2>Reviews due</h2>'
    if rep.reviews_error:
        return f'{head}<p class="note">No review calendar: {html.escape(rep.reviews_error)}</p></section>'
    c = rep.currency
    rows = [[r["name"], r["customer_id"], r["grade"] or "ungraded", money(r["exposure"], c),
             day(r["last_review"]) if r["last_review"] is not None else "never", day(r["next_review"]),
             count(r["days_until"]), r["reason"]] for r in rep.reviews]
    intro = f"{_intro(rep)} The next {len(rep.reviews)} within {LIST_DAYS} days, soonest first:"
    return (f'{head}<p class="note">{html.escape(intro)}</p>'
            + _table(["customer", "id", "grade", "exposure", "last review", "next review", "days", "why"], rows,
                     numeric=(3, 6))
            + "</section>")
