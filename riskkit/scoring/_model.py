"""What the scorers of a fitted model share (LogisticScorer, DecisionTreeScorer): reading X, scoring, display.

Unlike a scorecard, whose points come from a :class:`~riskkit.scoring._card.Card`
(:mod:`riskkit.scoring._base`), these scorers compute each row's score from a
model of the features themselves: a regression or a tree. What differs is
how; what is the same (reading X by the fitted features, one customer as a
batch of one row, reason codes, customers in default, the notebook table) is
here.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np

from riskkit.scoring import _input
from riskkit.scoring._estimator import EstimatorMixin
from riskkit.scoring._grades import MasterScale
from riskkit.scoring._reasons import check_reasons
from riskkit.scoring._result import Reasons, ScoreResult
from riskkit.scoring._result import grade_defaults as grade_defaults_of
from riskkit.scoring._scaling import Scaling

__all__ = ["ModelScorer"]


class ModelScorer(EstimatorMixin):
    """Mixin: ``score`` and the notebook table of a fitted model of the features.

    Subclasses implement :meth:`_score_rows` and :meth:`_report`, and narrow
    :meth:`_needed` when the model reads only some of the fitted features.
    """

    #: Decimals of the numbers in the notebook table.
    _HTML_DIGITS = 4
    scaling_: Scaling
    master_scale_: MasterScale

    def _needed(self) -> tuple[str, ...]:
        """The features the model reads to score (by default all it was fitted on)."""
        return self._feature_names_

    def _read(self, X: Any) -> _input.Input:
        """X read by the fitted feature names (or positions), after checking the model is fitted."""
        self._check_fitted()
        return _input.read(
            X,
            owner=type(self).__name__,
            feature_names=self._feature_names_,
            needed=self._needed(),
            kinds=self._kinds_,
            named=self._named_,
        )

    def _score_rows(
        self, X: Any, k: int
    ) -> tuple[_input.Input, np.ndarray, np.ndarray, np.ndarray, Reasons | None]:
        """(X as read, score, pd, grade, ``k`` reason codes per row or None when ``k`` is 0) of a batch."""
        raise NotImplementedError

    def score(self, X: Any, y: Any = None, *, reasons: int = 0, grade_defaults: bool = True) -> ScoreResult:
        """Score every row of X: points (higher = safer), probability of default and grade.

        Parameters
        ----------
        X : FeatureFrame, pandas DataFrame, mapping of name to array, or 2-D array
            Named inputs are read by feature name (extra columns are ignored);
            a 2-D array must hold the features in the fitted order. A mapping
            of name to a single value scores one customer.
        y : ignored
            Accepted so that scikit-learn tooling may call ``score(X, y)``;
            the result is a :class:`~riskkit.ScoreResult`, not a float.
        reasons : int, default 0
            When > 0, also give that many reason codes per row: the features
            that cost the most points (how a model measures that is said in
            its module docstring, *Reason codes*).
        grade_defaults : bool, default True
            A row whose ``in_default`` feature is 1 is graded D with PD 1
            (docs/domain.md, default); pass False for model development.
        """
        original = X
        k = check_reasons(reasons)
        if _input.is_single_row(X):  # one customer as name -> value: score it as a one-row batch
            X = _input.as_one_row(X)
        data, score, pd, grade, why = self._score_rows(X, k)
        result = ScoreResult(score=score, pd=pd, grade=grade, customer_ids=data.customer_ids, reasons=why)
        return grade_defaults_of(result, original, grade_defaults, self.master_scale_.default_grade)

    def _report(self) -> list[dict[str, Any]]:
        """The rows of the notebook table (a fitted model's coefficients, rules ...)."""
        raise NotImplementedError

    def _repr_html_(self) -> str:
        from riskkit._display import html_table

        if not self.__sklearn_is_fitted__():
            return f"<pre>{html.escape(repr(self))}</pre>"
        rows = self._report()
        headers = list(rows[0])
        cells = [["" if r[h] is None else r[h] for h in headers] for r in rows]
        return html_table(headers, cells, caption=f"{self!r}", digits=self._HTML_DIGITS)
