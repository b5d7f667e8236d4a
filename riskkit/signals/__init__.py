"""Early-warning signals: a plugin registry, a built-in catalogue, a watchlist and a backtest.

Credit teams want to act 60-90 days before a customer stops paying. A
*signal* looks at the whole portfolio at one date and reports the customers
it fires for, with a severity (``info``, ``watch``, ``warning``,
``critical``), the value, the threshold, the window and the evidence.

- :func:`evaluate` runs signals over a portfolio and returns a :class:`Watchlist`.
- :func:`backtest` replays them over history and reports hit rate, false
  alarms, precision and lead time.
- :func:`calibrate` chooses thresholds, signal weights and level cutoffs on
  the book's own history (:class:`Calibration`), so the watchlist keeps to
  an alert budget.
- :func:`register`, :func:`available`, :func:`get`, :func:`refresh`: the
  registry, with third-party signals discovered through the entry-point group
  ``riskkit.signals``.

Every signal satisfies :class:`riskkit.Signal`; :class:`ThresholdSignal` is a
convenient base for the common "one value per customer against thresholds"
kind.
"""

from __future__ import annotations

from riskkit.errors import NameCollision
from riskkit.signals._backtest import BacktestReport, CaughtAhead, backtest
from riskkit.signals._base import (
    CATEGORIES,
    SEVERITIES,
    LazyEvidence,
    SignalHits,
    ThresholdSignal,
    hits_from_values,
    resolve_thresholds,
    severity_of,
)
from riskkit.signals._calibrate import Calibration, calibrate
from riskkit.signals._registry import available, builtin, get, refresh, register, source, unregister
from riskkit.signals._watchlist import STATUSES, Watchlist, evaluate

__all__ = [
    "CATEGORIES",
    "SEVERITIES",
    "STATUSES",
    "BacktestReport",
    "Calibration",
    "CaughtAhead",
    "LazyEvidence",
    "NameCollision",
    "SignalHits",
    "ThresholdSignal",
    "Watchlist",
    "available",
    "backtest",
    "builtin",
    "calibrate",
    "evaluate",
    "get",
    "hits_from_values",
    "refresh",
    "register",
    "resolve_thresholds",
    "severity_of",
    "source",
    "unregister",
]
