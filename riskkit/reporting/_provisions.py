"""The report's "Expected credit loss" section: the loss allowance from the provision matrix (docs/domain.md).

Shown after the collections worklist (and credit insurance), where a credit
manager closing the month looks at the aged book: the loss allowance at the
report date and its coverage of the open receivables, the open amount,
loss rate and allowance per aging bucket, and the matrix the rates come from
(what left each bucket month over month, and where it went). The matrix is
fitted on the last :data:`MONTHS` month-ends known at the report date
(:meth:`riskkit.provisions.ProvisionMatrix.fit`); when the book's history is
too short (or not known, before a residual export) the section says why
instead.
"""

from __future__ import annotations

import html
import textwrap
from typing import Any

import numpy as np

from riskkit.errors import ValidationError
from riskkit.reporting._format import day, money, money_short, percent

__all__ = ["MONTHS", "html_section", "provision_part", "text_lines"]

#: Month-ends of history the report's matrix is fitted on (the last ones known at the report date).
MONTHS = 12


def provision_part(portfolio: Any, as_of: Any, months: int = MONTHS) -> dict[str, Any]:
    """The section's numbers: the allowance at ``as_of`` from a matrix fitted on the last ``months`` month-ends.

    Returns
    -------
    dict
        ``error`` (``""``, or why there is no allowance: the
        :class:`~riskkit.errors.ValidationError` of the fit), and without an
        error: ``total`` (the allowance), ``open`` (open invoices not written
        off), ``coverage`` (total / open, NaN when nothing is open),
        ``written_off``, ``buckets`` (per bucket: ``bucket``, ``amount``,
        ``rate``, ``allowance``), ``matrix`` (per open bucket: ``bucket``,
        ``observed``, ``to`` (the shares of what left it found in each older
        state, in :attr:`ProvisionMatrix.buckets` order), ``roll_rate``,
        ``loss_rate`` and ``unobserved``), ``states``, ``dates`` (the first
        and last month-end), ``n_dates``, ``forward_looking`` and
        ``loss_days``.

    Examples
    --------
    >>> from riskkit.datasets import make_portfolio
    >>> book, _ = make_portfolio(300, seed=3)
    >>> part = provision_part(book, book.as_of)
    >>> part["error"], part["n_dates"], [r["bucket"] for r in part["buckets"]][-1]
    ('', 12, 'over 180')
    >>> bool(abs(sum(r["allowance"] for r in part["buckets"]) - part["total"]) < 1e-6)
    True
    >>> provision_part(book, "2024-01-15")["error"]
    "the book's history holds 0 month-end(s) on or before 2024-01-15; the matrix needs at least 2"
    """
    from riskkit.provisions import ProvisionMatrix, month_ends

    when = portfolio.resolve_as_of(as_of)
    issued = portfolio.invoices["issued"]
    first = issued.min() if issued.size else when
    dates = month_ends(first, when)
    export = portfolio.export_date
    if export is not None:
        dates = dates[dates >= np.datetime64(export, "D")]
    dates = dates[-months:]
    if dates.size < 2:
        known = "" if export is None else f" and on or after the export date {export}"
        return {"error": f"the book's history holds {dates.size} month-end(s) on or before {when}{known}; the "
                         "matrix needs at least 2"}
    try:
        matrix = ProvisionMatrix.fit(portfolio, dates)
        allowance = matrix.allowance(portfolio, when)
    except ValidationError as exc:
        return {"error": str(exc)}
    k_open = len(matrix.buckets) - 1
    rows = [{"bucket": r["bucket"], "amount": r["amount"], "rate": float(matrix.rates[0, k]),
             "allowance": r["allowance"]} for k, r in enumerate(allowance.table())]
    grid = [{"bucket": matrix.buckets[k], "observed": float(matrix.observed[0, k]),
             "to": [float(x) for x in matrix.transitions[0, k]], "roll_rate": float(matrix.roll_rates[0, k]),
             "loss_rate": float(matrix.rates[0, k]), "unobserved": bool(matrix.unobserved[0, k])}
            for k in range(k_open)]
    return {
        "error": "", "total": allowance.total, "open": allowance.open_amount, "coverage": allowance.coverage,
        "written_off": allowance.written_off, "buckets": rows, "matrix": grid, "states": matrix.buckets,
        "dates": (matrix.dates[0].astype(object), matrix.dates[-1].astype(object)), "n_dates": int(matrix.dates.size),
        "forward_looking": matrix.forward_looking, "loss_days": matrix.loss_days,
    }


def _intro(part: dict[str, Any], currency: str) -> str:
    first, last = part["dates"]
    return (f"Loss allowance {money(part['total'], currency)} on {money(part['open'], currency)} of open invoices "
            f"({percent(part['coverage'], 2)} coverage), from loss rates per aging bucket estimated on "
            f"{part['n_dates']} month-ends {day(first)} to {day(last)}: what was open at each month-end followed to the "
            f"next (paid, rolled to an older bucket, or lost: written off or over {part['loss_days']} days past "
            f"due), the roll rates chained to the loss; forward-looking factor {part['forward_looking']:g}.")


def html_section(rep: Any) -> str:
    """The section's HTML: the allowance and coverage, the per-bucket table and the matrix of loss rates."""
    from riskkit.reporting._html import _table

    part = rep.provisions
    head = '<section id="provisions"><h2>Expected credit loss</h2>'
    if part["error"]:
        return (f'{head}<p class="note">No provision matrix: {html.escape(part["error"])} (it is fitted on the '
                f"last {MONTHS} month-ends known at the report date).</p></section>")
    c = rep.currency
    rows = [[r["bucket"], money(r["amount"], c), percent(r["rate"], 2), money(r["allowance"], c)]
            for r in part["buckets"]]
    total = ["total", money(part["open"], c), percent(part["coverage"], 2), money(part["total"], c)]
    states = part["states"]
    grid = [[g["bucket"] + (" *" if g["unobserved"] else ""), money_short(g["observed"], c),
             *(percent(g["to"][j], 1) if j > k else "" for j in range(1, len(states))),
             percent(g["loss_rate"], 2)]
            for k, g in enumerate(part["matrix"])]
    note = "Where what left each bucket went (share of the amount that left it), and the loss rate chained from them"
    if any(g["unobserved"] for g in part["matrix"]):
        note += "; * no amount left the bucket in the history: taken to roll on in full"
    written = (f" Written off before the report date: {money(part['written_off'], c)}."
               if part["written_off"] > 0 else "")
    return (f'{head}<p class="note">{html.escape(_intro(part, c) + written)}</p><div class="grid2"><div>'
            + _table(["bucket", "open", "loss rate", "allowance"], rows, numeric=(1, 2, 3), total=total)
            + f'</div><div><p class="note">{html.escape(note)}.</p>'
            + _table(["from", "amount that left", *(f"to {s}" for s in states[1:]), "loss rate"], grid,
                     numeric=tuple(range(1, len(states) + 2)))
            + "</div></div></section>")


def text_lines(rep: Any, top: int) -> list[str]:
    """The section's lines of the text summary (``top`` is unused: each bucket is one short figure)."""
    part = rep.provisions
    if part["error"]:
        return ["", f"Expected credit loss: no provision matrix ({part['error']})"]
    c = rep.currency
    first, last = part["dates"]
    text = (f"Expected credit loss: allowance {money_short(part['total'], c)} on {money_short(part['open'], c)} "
            f"open ({percent(part['coverage'], 2)} coverage), matrix of {part['n_dates']} month-ends {day(first)} "
            f"to {day(last)}; loss rates " + ", ".join(f"{r['bucket']} {percent(r['rate'], 2)}"
                                                      for r in part["buckets"]))
    return ["", *textwrap.wrap(text, 100, subsequent_indent="  ")]
