"""The month-end report a credit manager reads: ``riskkit.report(portfolio, ...)``.

One call runs the month-end job on a book and gathers what a credit manager
acts on: the summary (exposure, overdue, DSO / ADD / CEI now and three
months back, customers in default), grades with the exposure per grade, the
watchlist within a budget (one sentence per customer: what changed, by how
much, since when), the recommended limit changes, the collections worklist
for the week and, given outcomes, the model's validation.

- :func:`report` builds a :class:`Report`.
- ``Report.html`` / ``Report.to_html(path)``: one self-contained HTML page
  (inline CSS and SVG charts with round axis ticks; no script, no link);
  ``str(report)`` a short text summary (what ``riskkit demo`` prints).

``riskkit.report`` and ``riskkit.Report`` are this package's :func:`report`
and :class:`Report`.
"""

from __future__ import annotations

from riskkit.reporting._report import Report, report

__all__ = ["Report", "report"]
