"""An example riskkit plugin: a rule-based scorer and an early-warning signal.

Both are declared as entry points in ``pyproject.toml``, so once this
package is installed riskkit finds them by name::

    riskkit.get_scorer("overdue_rule")
    riskkit.signals.get("overdue_share")

Copy this package as the starting point of your own plugin, and keep
``riskkit.testing.check_scorer`` in its tests (see ``tests/test_plugin.py``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

import riskkit
from riskkit.signals import ThresholdSignal

__all__ = ["OverdueRuleScorer", "OverdueShareSignal"]

__version__ = "0.1.0"


class OverdueRuleScorer:
    """A rule-based scorer from payment behaviour only: 100 points, minus penalties.

    ==================  ==============================================  =======
    feature             bins -> points lost                             missing
    ==================  ==============================================  =======
    max_days_past_due   0: 0, 1-30: 20, 31-90: 45, over 90: 70          10
    payment_index       80 or more: 0, 60-80: 10, below 60: 25          10
    ==================  ==============================================  =======

    Grades: ``A`` from 80 points, ``B`` from 60, ``C`` from 40, else ``D``.
    The probability of default is a prior, 50% at 20 points with the odds
    doubling every 10 points: recalibrate it on your own outcomes.

    ``score(X, reasons=k)`` reads the two features by name from a
    FeatureFrame, a pandas DataFrame or a mapping (of arrays, or of single
    values for one customer); reasons are the features that lost points,
    largest loss first.

    Examples
    --------
    >>> scorer = OverdueRuleScorer()
    >>> r = scorer.score({"max_days_past_due": [0.0, 45.0], "payment_index": [92.0, 55.0]}, reasons=2)
    >>> r.score.tolist(), r.grade.tolist()
    ([100.0, 30.0], ['A', 'D'])
    >>> r.reasons.row(1)
    [('max_days_past_due', 45.0, 45.0), ('payment_index', 55.0, 25.0)]
    """

    features = ("max_days_past_due", "payment_index")

    def score(self, X: Any, *, reasons: int = 0) -> riskkit.ScoreResult:
        """Score every row of X: points (higher is safer), probability of default, grade and reasons."""
        if isinstance(reasons, bool) or not isinstance(reasons, int) or reasons < 0:
            raise riskkit.ValidationError(f"reasons must be a whole number >= 0, got {reasons!r}")
        days, index = (self._column(X, name) for name in self.features)
        if days.shape != index.shape:
            raise riskkit.ValidationError("max_days_past_due and payment_index have different lengths")
        lost_days = np.select([np.isnan(days), days <= 0, days <= 30, days <= 90], [10.0, 0.0, 20.0, 45.0], 70.0)
        lost_index = np.select([np.isnan(index), index >= 80, index >= 60], [10.0, 0.0, 10.0], 25.0)
        score = 100.0 - lost_days - lost_index
        pd = 1.0 / (1.0 + np.exp2((score - 20.0) / 10.0))
        grade = np.select([score >= 80, score >= 60, score >= 40], ["A", "B", "C"], "D").astype(object)
        why = self._reasons(np.column_stack([lost_days, lost_index]), [days, index], reasons) if reasons else None
        ids = getattr(X, "customer_ids", None)
        return riskkit.ScoreResult(score=score, pd=pd, grade=grade, customer_ids=ids, reasons=why)

    @staticmethod
    def _column(X: Any, name: str) -> np.ndarray:
        try:
            column = X[name]
        except (KeyError, IndexError, TypeError, ValueError):
            raise riskkit.SchemaError(
                f"OverdueRuleScorer: X is missing the feature {name!r}; pass a FeatureFrame, a DataFrame or a "
                "mapping with max_days_past_due and payment_index"
            ) from None
        if hasattr(column, "to_numpy"):
            column = column.to_numpy(dtype=np.float64, na_value=np.nan)
        return np.array(column, dtype=np.float64, ndmin=1)  # one customer's value, or a column

    def _reasons(self, lost: np.ndarray, values: list[np.ndarray], k: int) -> riskkit.Reasons:
        n = lost.shape[0]
        order = np.argsort(-lost, axis=1, kind="stable")
        features = np.full((n, k), "", dtype=object)
        row_values = np.full((n, k), None, dtype=object)
        points = np.zeros((n, k))
        for slot in range(min(k, len(self.features))):
            j = order[:, slot]
            rows = np.flatnonzero(lost[np.arange(n), j] > 0)
            features[rows, slot] = np.array(self.features, dtype=object)[j[rows]]
            points[rows, slot] = lost[rows, j[rows]]
            for r in rows.tolist():
                row_values[r, slot] = float(values[j[r]][r])
        return riskkit.Reasons(features=features, values=row_values, points_lost=points)

    def __repr__(self) -> str:
        return "OverdueRuleScorer()"


class OverdueShareSignal(ThresholdSignal):
    """Most of the customer's open receivables are overdue.

    Examples
    --------
    >>> import numpy as np, riskkit
    >>> book, _ = riskkit.datasets.make_portfolio(200, seed=0)
    >>> hits = OverdueShareSignal().evaluate(book, book.as_of, {"watch": np.full(200, 0.5)})
    >>> bool((hits.value > 0.5).all())
    True
    """

    name = "overdue_share"
    category = "payment"
    description = "Share of the open receivables that is overdue above a level."
    thresholds = {"watch": 0.5, "critical": 0.8}  # noqa: RUF012 - read-only by convention, as in riskkit's signals
    compare = ">"
    window_days = 0

    def values(self, portfolio: Any, as_of: Any) -> tuple[np.ndarray, None]:
        return np.asarray(portfolio.features(as_of)["overdue_ratio"], dtype=np.float64), None
