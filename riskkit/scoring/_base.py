"""Scoring shared by every card-based scorer (fitted and expert scorecards): score, probabilities, reasons."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from riskkit.errors import SchemaError
from riskkit.scoring import _input
from riskkit.scoring._card import Card
from riskkit.scoring._reasons import check_reasons, top_reasons, top_reasons_one
from riskkit.scoring._result import Reasons, ScoreResult
from riskkit.scoring._result import grade_defaults as grade_defaults_of

#: Bins shown in a scorecard's notebook table; ``table()`` returns all of them.
_HTML_MAX_ROWS = 120


class CardScorer:
    """Mixin: scoring for scorers whose model is a :class:`~riskkit.scoring._card.Card`.

    Subclasses provide ``_scoring_card()`` and ``_input_spec()`` (all feature
    names in positional order, and whether those names are real).
    """

    def _scoring_card(self) -> Card:
        raise NotImplementedError

    def _input_spec(self) -> tuple[tuple[str, ...], bool]:
        raise NotImplementedError

    def _read(self, X: Any) -> tuple[Card, _input.Input]:
        card = self._scoring_card()
        names, named = self._input_spec()
        data = _input.read(
            X,
            owner=type(self).__name__,
            feature_names=names,
            needed=card.names,
            kinds=card.kinds,
            named=named,
            lazy=True,
        )
        return card, data

    def _total(self, X: Any, n_jobs: int | None, with_bins: bool) -> tuple[Card, _input.Input, np.ndarray, Any]:
        card, data = self._read(X)
        columns = [data.columns[name] for name in card.names]
        score, bins = card.plan.total(
            columns, data.n_rows, n_jobs=n_jobs, with_bins=with_bins, matrix=data.matrix
        )
        return card, data, score, bins

    def score(
        self, X: Any, y: Any = None, *, reasons: int = 0, n_jobs: int | None = None, grade_defaults: bool = True
    ) -> ScoreResult:
        """Score every row of X: points (higher = safer), probability of default and grade.

        Parameters
        ----------
        X : FeatureFrame, pandas DataFrame, mapping of name to array, or 2-D array
            Named inputs are read by feature name (extra columns are ignored);
            a 2-D array must hold the features in the scorer's order. A
            mapping of name to a single value scores one customer.
        y : ignored
            Accepted so that scikit-learn tooling may call ``score(X, y)``;
            note that the result is a :class:`~riskkit.ScoreResult`, not a float.
        reasons : int, default 0
            When > 0, also compute that many reason codes per row: the
            features that cost the most points against their best bin.
        n_jobs : int or None, default None
            Threads: ``None`` uses one per core for batches of 400,000 rows
            or more (one thread per 200,000 rows at most), 1 never threads, -1
            one per core, n up to n. Results are identical whatever it is.
        grade_defaults : bool, default True
            A row whose ``in_default`` feature is 1 (``Portfolio.features``
            gives it) is graded D with PD 1 whatever its points
            (docs/domain.md, default); pass False for model development.
        """
        k = check_reasons(reasons)
        if _input.is_single_row(X):
            result = self._score_one(X, k)
        else:
            card, data = self._read(X)
            pd = np.empty(data.n_rows)
            grade = np.empty(data.n_rows, dtype=card.grade_dtype)

            def finish(score: np.ndarray, rows: slice) -> None:
                # probabilities and grades of a slice of final scores, in the scoring threads
                some = score[rows]
                card.grade(some, card.scaling.pd(some, out=pd[rows]), out=grade[rows])

            score, bins = card.plan.total(
                [data.columns[name] for name in card.names],
                data.n_rows,
                n_jobs=n_jobs,
                with_bins=k > 0,
                matrix=data.matrix,
                finish=finish,
            )
            why = self._reasons(card, bins, data.columns, k) if k and bins is not None else None
            result = ScoreResult(score=score, pd=pd, grade=grade, customer_ids=data.customer_ids, reasons=why)
        result = self._apply_rules(result, X)
        return grade_defaults_of(result, X, grade_defaults, self._scoring_card().master_scale.default_grade)

    def _apply_rules(self, result: ScoreResult, X: Any) -> ScoreResult:
        """Card-specific rules on top of the points (an expert card's overrides); none by default."""
        return result

    def _score_one(self, row: Any, k: int) -> ScoreResult:
        """The service path: one customer as a mapping of feature name to value, without batch set-up."""
        card = self._scoring_card()
        try:
            values = [_input.scalar(row[name], name, kind) for name, kind in card._kinds]  # type: ignore[attr-defined]
        except KeyError:
            missing = [name for name in card.names if name not in row]
            raise SchemaError(
                f"{type(self).__name__}: the row is missing the feature(s) {', '.join(map(repr, missing))}"
            ) from None
        total, bins = card.plan.total_one(values)
        p = card.scaling.pd_one(total)
        scale = card.master_scale
        score, pd = np.array([total]), np.array([p])
        grade = np.array([scale.grade_of_one(total if scale.basis == "score" else p)])
        why = top_reasons_one(card.names, values, card.plan.lost_one(bins), k) if k else None
        return ScoreResult._of_one(score, pd, grade, why)

    @staticmethod
    def _reasons(card: Card, bins: np.ndarray, columns: Mapping[str, Any], k: int) -> Reasons:
        points = card.points_matrix(bins)
        best = np.array([f.best_points for f in card.features])
        return top_reasons(card.names, columns, best - points, k)

    def _class_probabilities(self, pd: np.ndarray) -> np.ndarray:
        return np.column_stack([1.0 - pd, pd])

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities of each class, shape (n, 2): ``[:, 1]`` is the probability of ``classes_[1]``."""
        return self._class_probabilities(self.score(X).pd)

    def decision_function(self, X: Any) -> np.ndarray:
        """Log-odds of ``classes_[1]``: ``ln(pd / (1 - pd))`` when ``classes_[1]`` is the bad class."""
        card, _, score, _ = self._total(X, None, with_bins=False)
        bad_odds = -card.scaling.log_odds(score)
        return np.asarray(bad_odds if self._bad_is_positive() else -bad_odds)

    def predict(self, X: Any) -> np.ndarray:
        """The more likely class of each row: ``classes_[1]`` where ``decision_function > 0``."""
        classes = getattr(self, "classes_", np.array([0, 1]))
        return np.asarray(classes[(self.decision_function(X) > 0).astype(np.int64)])

    def _bad_is_positive(self) -> bool:
        """Whether ``classes_[1]`` is the bad class (the default)."""
        return True

    def table(self) -> list[dict[str, Any]]:
        """Every bin of every feature with its points (fitted cards add counts, WoE and IV)."""
        card = self._scoring_card()
        rows = []
        for f in card.features:
            for b, label in enumerate(f.labels()):
                rows.append({"feature": f.name, "bin": label, "points": float(f.points[b])})
        return rows

    def _repr_html_(self) -> str:
        import html

        from riskkit.errors import NotFittedError
        from riskkit.scoring._card import card_html

        try:
            rows = self.table()
        except NotFittedError:  # an unfitted scorer shows its parameters, not an error
            return f"<pre>{html.escape(repr(self))}</pre>"
        return card_html(self._scoring_card(), rows, type(self).__name__, max_rows=_HTML_MAX_ROWS)
