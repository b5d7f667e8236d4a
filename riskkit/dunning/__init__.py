"""Dunning: the collections ladder and the worklist a credit controller works through.

- :class:`Ladder` configures the dunning stages (:class:`Stage`), the
  treatment per debtor type (:class:`DebtorRule`) and the reorder rule
  (:class:`ReorderRule`); :func:`dunning_level` gives each customer's stage.
- :func:`worklist` ranks the open cases of a portfolio at one date into a
  :class:`Worklist`: the action due, its cause and its priority.

See docs/domain.md, "Collections ladder".
"""

from __future__ import annotations

from riskkit.dunning._worklist import (
    CAUSES,
    REORDER_INSTALMENTS,
    REORDER_REFUSE,
    REORDER_SETTLE,
    DebtorRule,
    Ladder,
    ReorderRule,
    Stage,
    Worklist,
    worklist,
)
from riskkit.policy._engine import dunning_level

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
    "worklist",
]
