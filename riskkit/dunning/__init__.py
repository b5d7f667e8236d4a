"""Dunning: the collections ladder and the worklist a credit controller works through.

- :class:`Ladder` configures the dunning stages (:class:`Stage`), the
  treatment per debtor type (:class:`DebtorRule`) and the reorder rule
  (:class:`ReorderRule`); :func:`dunning_level` gives each customer's stage
  (riskkit.dunning._ladder).
- :func:`worklist` ranks the open cases of a portfolio at one date into a
  :class:`Worklist`: the action due, its cause and its priority
  (riskkit.dunning._worklist). Invoices under an open dispute are left out;
  :func:`promise_columns` adds each case's promises to pay and disputes
  (riskkit.dunning._promises).
- :func:`insurance_columns` adds each case's credit-insurance notification
  deadline, and :func:`with_insurance_cases` the customers whose deadline
  is near but who are not dunned (riskkit.dunning._insurance); a book
  without insurance decisions gets neither.

See docs/domain.md, "Collections ladder".
"""

from __future__ import annotations

from riskkit.dunning._insurance import insurance_columns, with_insurance_cases
from riskkit.dunning._ladder import (
    REORDER_INSTALMENTS,
    REORDER_REFUSE,
    REORDER_SETTLE,
    DebtorRule,
    Ladder,
    ReorderRule,
    Stage,
    dunning_level,
)
from riskkit.dunning._promises import promise_columns
from riskkit.dunning._worklist import CAUSES, Worklist, worklist

__all__ = [
    "CAUSES",
    "REORDER_INSTALMENTS",
    "REORDER_REFUSE",
    "REORDER_SETTLE",
    "DebtorRule",
    "Ladder",
    "ReorderRule",
    "Stage",
    "Worklist",
    "dunning_level",
    "insurance_columns",
    "promise_columns",
    "with_insurance_cases",
    "worklist",
]
