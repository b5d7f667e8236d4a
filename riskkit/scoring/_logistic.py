"""Logistic regression scorer: raw features (standardised) or weights of evidence, scaled to points.

:class:`LogisticScorer` is a scikit-learn binary classifier and a riskkit
:class:`~riskkit.Scorer`. Fitting imports scikit-learn (``LogisticRegression``
with the lbfgs solver); scoring a fitted or loaded scorer does not, it works
on plain numpy arrays.

Sign conventions, stated once (as in :mod:`riskkit.scoring._scorecard`):

* ``y = 1`` (or ``bad_label``) is the **bad** class, the event;
* the regression models the log-odds of bad: ``z = intercept + sum_j coef_j x_j``;
* odds are good:bad and higher scores are safer, so with the scaling of
  docs/domain.md, *Scorecard scaling*, ``score = offset + factor * ln(odds good) = offset - factor * z``
  and ``pd = scaling.pd(score)`` (computed bit for bit as
  :meth:`riskkit.Scaling.pd` does).

Inputs
------
``inputs="raw"``
    Numeric features are standardised with the training mean and standard
    deviation (``ddof=0``; a constant feature gets a standard deviation of 1).
    Missing values are handled explicitly: every numeric feature that had NaN
    in training gets a missing-indicator column, and NaN is imputed with the
    training mean, so a missing value scores ``coef(indicator)`` on top of an
    average value. A NaN at scoring time in a feature that had none in
    training is imputed with the mean too (no indicator: it scores as an
    average value). Infinite values are refused (at fit and at scoring time)
    with an error naming the feature and the row: a linear model cannot
    extrapolate to infinity. Categorical features are one-hot encoded on their
    training levels (a missing value seen in training is a level of its own;
    a missing value never seen in training gets the all-zero row, i.e. no
    points of its own). A level never seen in training follows ``unknown``:
    ``"error"`` raises :class:`~riskkit.ValidationError` naming the feature,
    the value and the row, ``"missing"`` gives the all-zero row and ``"worst"``
    the training level with the largest coefficient toward bad.
``inputs="woe"``
    Every feature is binned by :mod:`riskkit.scoring._binning` (numeric or categorical,
    with :class:`~riskkit.Scorecard`'s defaults) and the regression is fitted
    on the weights of evidence, like a :class:`~riskkit.Scorecard` without the
    selection by information value and without dropping features whose
    coefficient has the unexpected sign. Missing values fall in the binning's
    missing bin (WoE 0 when training had none); an unknown level follows
    ``unknown`` as above (``"missing"``: the missing bin, ``"worst"``: the
    regular bin with the fewest points).

Scoring speed
-------------
The numeric part of ``z`` is one matrix-vector product
(``numpy.einsum``, whose per-row sum does not depend on how many rows are
scored together, so a batch scores exactly as its rows one by one; a BLAS
``matmul`` does not guarantee that). The standardisation is folded into the
coefficients (``coef_j / std_j`` and an adjusted intercept), so a 2-D float64
array is used as is, without a copy. ``benchmarks/bench_logistic.py``
compares ``predict_proba`` with scikit-learn's on the same matrix.

Reason codes
------------
A row's points contribution of feature ``j`` is ``-factor * coef_j * x_j`` on
the model's columns (standardised value, indicator, one-hot level or WoE),
with the indicator or one-hot columns of a feature added together. The
points lost are the best contribution of that feature seen on the training
rows minus the row's contribution; ``score(X, reasons=k)`` reports the ``k``
features with the most points lost.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from riskkit._checks import Constraint, Interval, Options
from riskkit.errors import FormatError, ValidationError
from riskkit.persistence import decode_bool, decode_float, decode_mapping, decode_texts
from riskkit.scoring import _input, _saved
from riskkit.scoring._docs import shared_docs
from riskkit.scoring._grades import grade_objects
from riskkit.scoring._levels import is_missing, level_codes, unknown_level_in
from riskkit.scoring._model import ModelScorer
from riskkit.scoring._params import POSITIVE, SHARE, TREND, UNKNOWN
from riskkit.scoring._reasons import top_reasons
from riskkit.scoring._result import Reasons
from riskkit.scoring._scaling import CONSTRAINTS as SCALING
from riskkit.scoring._training import master_scale_from, refuse_values, scaling_params, training_data

__all__ = ["LogisticScorer"]

# rows per block when scoring: the block's temporaries stay in the CPU cache
_CHUNK = 32768


def _standardise(col: np.ndarray, nan: np.ndarray) -> tuple[float, float, np.ndarray]:
    """Mean, standard deviation (ddof=0; 1 for a constant feature) and standardised values (0 where NaN).

    Values of any size (up to +-1.8e308) are standardised without overflow:
    when the plain computation would overflow, the statistics are computed
    on the values divided by their largest magnitude, and scaled back.
    """
    seen = col[~nan]
    if not seen.size:
        return 0.0, 1.0, np.zeros(col.size)
    with np.errstate(over="ignore", invalid="ignore"):
        mean = float(seen.mean())
        std = float(seen.std())
        standard = (col - mean) / (std if std > 0 and math.isfinite(std) else 1.0)
    if not (math.isfinite(mean) and math.isfinite(std) and np.isfinite(standard[~nan]).all()):
        big = float(np.abs(seen).max())
        unit = seen / big
        m, sd = float(unit.mean()), float(unit.std())
        mean, std = m * big, sd * big
        if not (sd > 0 and math.isfinite(std)):
            sd, std = 1.0 / big, 1.0  # constant feature: a unit scale, as for small values
        standard = (col / big - m) / sd
    if not (std > 0 and math.isfinite(std)):
        std = 1.0
    return mean, std, np.where(nan, 0.0, standard)


# --------------------------------------------------------------------------- the scorer


@shared_docs
class LogisticScorer(ModelScorer):
    """Logistic regression on raw (standardised) features or on weights of evidence, scaled to points.

    A scikit-learn classifier (``fit``, ``predict_proba``, ``decision_function``,
    ``predict``) and a riskkit :class:`~riskkit.Scorer` (``score``). Fitting
    imports scikit-learn; scoring a fitted or loaded scorer does not. See the
    module docstring for the treatment of missing values and unknown levels.

    Parameters
    ----------
    inputs : {"raw", "woe"}, default "raw"
        Regress on standardised numeric values and one-hot levels, or on the
        weight of evidence of each feature's optimal bins.
    C : float, default 1.0
        Inverse L2 regularisation strength of the logistic regression.
    categorical : sequence of str, optional
        Features to treat as categories; text columns are categorical anyway.
    monotonic_trend : {"auto", "ascending", "descending", "peak", "valley"} or None, default "auto"
        ``inputs="woe"`` only: trend constraint of the numeric binnings.
    max_n_prebins : int, default 15
        ``inputs="woe"`` only: quantile pre-bins before optimal merging.
    min_bin_size : float, default 0.03
        ``inputs="woe"`` only: minimum share of rows in a bin.
    {scaling and labels}
    master_scale : MasterScale, "default", "expert_100" or dict, optional
        Grades; by default :meth:`MasterScale.default` (by PD).

    Attributes
    ----------
    {fitted input}
    columns_ : tuple of str
        Names of the model's columns: ``name`` (standardised numeric),
        ``"name is missing"`` (indicator), ``"name = level"`` (one-hot),
        ``"WoE(name)"``.
    coef_ : ndarray of float64
        Coefficient of every model column on the log-odds of bad.
    intercept_ : float
        Log-odds of bad at the training means (raw) or at WoE 0 (woe).
    means_, scales_ : dict of str to float
        ``inputs="raw"``: training mean and standard deviation of each numeric feature.
    categories_ : dict of str to tuple
        ``inputs="raw"``: training levels of each categorical feature (``None`` = missing).
    binnings_ : dict of str to Binning
        ``inputs="woe"``: the binning of every feature.
    best_points_ : dict of str to float
        Best points contribution of each feature seen on the training rows
        (the reference of the reason codes).
    {fitted scales}

    Examples
    --------
    >>> from riskkit.datasets import load_german_credit
    >>> X, y = load_german_credit()
    >>> model = LogisticScorer().fit(X, y)
    >>> r = model.score(X, reasons=2)
    >>> bool(np.allclose(r.pd, model.predict_proba(X)[:, 1], rtol=0, atol=0))
    True
    >>> r.reasons.features.shape
    (1000, 2)
    """

    def __init__(
        self,
        *,
        inputs: str = "raw",
        C: float = 1.0,
        categorical: Sequence[str] | None = None,
        monotonic_trend: str | None = "auto",
        max_n_prebins: int = 15,
        min_bin_size: float = 0.03,
        base_score: float = 600.0,
        base_odds: float = 50.0,
        pdo: float = 20.0,
        unknown: str = "error",
        bad_label: Any = None,
        master_scale: Any = None,
    ) -> None:
        self.inputs = inputs
        self.C = C
        self.categorical = categorical
        self.monotonic_trend = monotonic_trend
        self.max_n_prebins = max_n_prebins
        self.min_bin_size = min_bin_size
        self.base_score = base_score
        self.base_odds = base_odds
        self.pdo = pdo
        self.unknown = unknown
        self.bad_label = bad_label
        self.master_scale = master_scale

    # --- fitting -------------------------------------------------------------

    _constraints: ClassVar[Mapping[str, tuple[Constraint, ...]]] = {
        "inputs": (Options("raw", "woe"),),
        "C": (POSITIVE,),
        "monotonic_trend": (TREND,),
        "max_n_prebins": (Interval(int, 2, 1000),),
        "min_bin_size": (SHARE,),
        **SCALING,
        "unknown": (UNKNOWN,),
    }

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LogisticScorer:
        """Fit the encoding (standardisation and one-hot, or binning) and the logistic regression.

        Parameters
        ----------
        X : FeatureFrame, DataFrame, mapping of name to array, or 2-D array
        y : array-like of two class labels (bad = ``bad_label`` or the greater label)
        sample_weight : array-like of float, optional
            One finite weight >= 0 per row (not all 0), honoured by the
            binning (``inputs="woe"``) and the regression; the standardisation
            of raw inputs is over the rows. A row of weight 0 is left out;
            the weights are scaled to a mean of 1, so equal weights are the
            same fit as none.

        Returns
        -------
        self
        """
        data = training_data(self, X, y, sample_weight)
        names, columns, kinds, y01 = data.names, data.columns, data.kinds, data.y01
        owner = type(self).__name__
        for stale in ("means_", "scales_", "_indicator_", "categories_", "binnings_"):
            self.__dict__.pop(stale, None)  # a refit with other inputs or data keeps nothing of the last fit
        state: dict[str, Any] = {}
        if self.inputs == "raw":
            design, labels = self._raw_design(names, columns, kinds, state)
        else:
            design, labels = self._woe_design(names, columns, kinds, y01, state, data.weight)

        from sklearn.linear_model import LogisticRegression

        bad = ~np.isfinite(design).all(axis=0)
        if bad.any():
            column = labels[int(np.flatnonzero(bad)[0])]
            raise ValidationError(
                f"{owner}: model column {column!r} is not finite after encoding; the feature's values are "
                "out of range for a logistic regression",
                field=column,
            )
        model = LogisticRegression(C=float(self.C), solver="lbfgs", max_iter=1000)
        model.fit(design, y01, sample_weight=data.weight)
        if not (np.isfinite(model.coef_).all() and np.isfinite(model.intercept_).all()):
            raise ValidationError(f"{owner}: the logistic regression did not converge to finite coefficients")

        self.scaling_ = data.scaling
        self.master_scale_ = data.master_scale
        self._set_inputs(names, data.named, kinds, data.classes, data.bad_positive)
        self.columns_ = tuple(labels)
        self.coef_ = np.array(model.coef_[0], dtype=np.float64)
        self.intercept_ = float(model.intercept_[0])
        if self.inputs == "raw":
            self.means_ = state["means"]
            self.scales_ = state["scales"]
            self._indicator_ = state["indicator"]
            self.categories_ = state["categories"]
        else:
            self.binnings_ = state["binnings"]
        self._compile()
        # the reference of the reason codes: each feature's best contribution on the training rows
        contrib = self._contributions(columns, self._table_codes(columns))
        self.best_points_ = {n: float(contrib[:, j].max()) for j, n in enumerate(names)}
        self._best_ = np.array([self.best_points_[n] for n in names], dtype=np.float64)
        return self

    def _raw_design(
        self, names: list[str], columns: dict[str, np.ndarray], kinds: dict[str, str], state: dict[str, Any]
    ) -> tuple[np.ndarray, list[str]]:
        parts: list[np.ndarray] = []
        labels: list[str] = []
        means: dict[str, float] = {}
        scales: dict[str, float] = {}
        indicator: dict[str, bool] = {}
        categories: dict[str, tuple[str | None, ...]] = {}
        for name in names:
            col = columns[name]
            if kinds[name] == _input.NUMERIC:
                refuse_values(
                    name,
                    col,
                    np.isinf(col),
                    "is infinite; LogisticScorer(inputs='raw') needs finite numbers or NaN for missing "
                    "(or use inputs='woe')",
                )
                nan = np.isnan(col)
                mean, std, standard = _standardise(col, nan)
                means[name], scales[name], indicator[name] = mean, std, bool(nan.any())
                parts.append(standard)
                labels.append(name)
                if nan.any():
                    parts.append(nan.astype(np.float64))
                    labels.append(f"{name} is missing")
            else:
                missing = is_missing(col)
                levels: list[str | None] = [*sorted({str(v) for v in col[~missing].tolist()})]
                if missing.any():
                    levels.append(None)
                categories[name] = tuple(levels)
                # codes through a dict: comparing with a numpy str would strip trailing NULs
                codes, _ = level_codes(col, {lvl: i for i, lvl in enumerate(levels) if lvl is not None})
                for i, level in enumerate(levels):
                    parts.append((missing if level is None else (codes == i)).astype(np.float64))
                    labels.append(f"{name} = {'(missing)' if level is None else level}")
        state.update(means=means, scales=scales, indicator=indicator, categories=categories)
        return np.column_stack(parts), labels

    def _woe_design(
        self,
        names: list[str],
        columns: dict[str, np.ndarray],
        kinds: dict[str, str],
        y01: np.ndarray,
        state: dict[str, Any],
        weight: np.ndarray | None = None,
    ) -> tuple[np.ndarray, list[str]]:
        from riskkit.scoring import _binning as binning

        binnings = {}
        parts = []
        for name in names:
            if kinds[name] == _input.NUMERIC:
                b = binning.fit_numeric(
                    columns[name],
                    y01,
                    name=name,
                    monotonic_trend=self.monotonic_trend,
                    max_n_prebins=int(self.max_n_prebins),
                    min_bin_size=float(self.min_bin_size),
                    min_bin_n_event=0,
                    min_bin_n_nonevent=0,
                    sample_weight=weight,
                )
            else:
                b = binning.fit_categorical(
                    columns[name],
                    y01,
                    name=name,
                    min_bin_size=float(self.min_bin_size),
                    min_bin_n_event=0,
                    min_bin_n_nonevent=0,
                    sample_weight=weight,
                )
            binnings[name] = b
            parts.append(np.asarray(b.woe, dtype=np.float64)[b.bin_index(columns[name])])
        state.update(binnings=binnings)
        return np.column_stack(parts), [f"WoE({n})" for n in names]

    def _compile(self) -> None:
        """Derive the scoring arrays from the fitted state (also run after loading, so scores match bit for bit).

        Numeric raw features: ``z += x_j * coef_j / std_j`` by one matrix-vector product, the
        intercept absorbing ``-sum coef_j * mean_j / std_j``; categorical and WoE features:
        ``z += table_j[code]``, one value per level or bin (the last entry of a raw
        categorical table is 0: the all-zero one-hot row).
        """
        names = self._feature_names_
        kinds = self._kinds_
        coef = self.coef_
        pos = 0
        num_names: list[str] = []
        w: list[float] = []
        ind: list[float] = []
        num_coef: list[float] = []
        tables: list[np.ndarray] = []
        table_names: list[str] = []
        worst: list[int] = []
        if self.inputs == "raw":
            for name in names:
                if kinds[name] == _input.NUMERIC:
                    num_names.append(name)
                    num_coef.append(float(coef[pos]))
                    w.append(float(coef[pos]) / self.scales_[name])
                    pos += 1
                    if self._indicator_[name]:
                        ind.append(float(coef[pos]))
                        pos += 1
                    else:
                        ind.append(0.0)
                else:
                    levels = self.categories_[name]
                    table = np.append(coef[pos : pos + len(levels)], 0.0)
                    pos += len(levels)
                    tables.append(table)
                    table_names.append(name)
                    # the worst training level, not counting "missing": largest coefficient toward bad
                    seen = [i for i, lvl in enumerate(levels) if lvl is not None]
                    worst.append(max(seen, key=lambda i: table[i]) if seen else len(levels))
        else:
            for j, name in enumerate(names):
                b = self.binnings_[name]
                table = float(coef[j]) * np.asarray(b.woe, dtype=np.float64)
                tables.append(table)
                table_names.append(name)
                worst.append(int(np.argmax(table[: b.n_bins])))
            pos = len(names)
        if pos != coef.size:
            raise FormatError(f"the model has {coef.size} coefficients but its encoding needs {pos}")
        self._num_names_ = tuple(num_names)
        self._w_ = np.array(w, dtype=np.float64)
        self._ind_ = np.array(ind, dtype=np.float64)
        self._num_coef_ = np.array(num_coef, dtype=np.float64)
        self._mean_ = np.array([self.means_[n] for n in num_names], dtype=np.float64)
        self._scale_ = np.array([self.scales_[n] for n in num_names], dtype=np.float64)
        self._b_ = self.intercept_ - math.fsum((self._w_ * self._mean_).tolist())
        self._tables_ = tuple(tables)
        self._table_names_ = tuple(table_names)
        self._worst_ = tuple(worst)
        self._lookups_ = tuple(
            {lvl: i for i, lvl in enumerate(self.categories_[n]) if lvl is not None}
            if self.inputs == "raw"
            else {}
            for n in table_names
        )
        self._positional_numeric_ = num_names == list(names)

    # --- scoring -------------------------------------------------------------

    def _numeric_matrix(self, X: Any, data: _input.Input) -> np.ndarray:
        """The numeric raw features as a C-contiguous (rows x features) float64 matrix.

        A 2-D float64 array holding exactly the numeric features is used as is.
        """
        if self._positional_numeric_ and isinstance(X, np.ndarray) and X.ndim == 2 and X.dtype == np.float64:
            return np.ascontiguousarray(X)
        out = np.empty((data.n_rows, len(self._num_names_)), dtype=np.float64)
        for j, name in enumerate(self._num_names_):
            out[:, j] = data.columns[name]
        return out

    def _table_codes(self, columns: Mapping[str, np.ndarray]) -> list[np.ndarray]:
        """Index into each table feature's table for every row, after the unknown policy."""
        out = []
        for name, table, lookup, worst in zip(
            self._table_names_, self._tables_, self._lookups_, self._worst_, strict=True
        ):
            col = columns[name]
            if self.inputs == "raw":
                levels = self.categories_[name]
                codes, missing = level_codes(col, lookup)
                neutral = table.size - 1
                codes[missing] = levels.index(None) if None in levels else neutral
                known = levels
            else:
                b = self.binnings_[name]
                codes = np.asarray(b.bin_index(col), dtype=np.int64)
                neutral = b.missing_bin
                known = [lvl for group in b.categories for lvl in group]
            unseen = codes < 0
            if unseen.any():
                if self.unknown == "error":
                    raise unknown_level_in(name, col, unseen, known)
                codes[unseen] = neutral if self.unknown == "missing" else worst
            out.append(codes)
        return out

    def _fix_rows(self, D: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Log-odds of rows whose fast product was not finite: impute NaN, refuse infinity."""
        sub = D[rows]
        nan = np.isnan(sub)
        inf = np.isinf(sub)
        if inf.any():
            r, j = (int(v) for v in np.argwhere(inf)[0])
            name = self._num_names_[j]
            raise ValidationError(
                f"feature {name!r} row {int(rows[r])}: {sub[r, j]} is infinite; LogisticScorer(inputs='raw') "
                "scores finite numbers or NaN (missing)",
                field=name,
                row=int(rows[r]),
                value=float(sub[r, j]),
            )
        sub = np.where(nan, self._mean_, sub)
        with np.errstate(over="ignore", invalid="ignore"):
            z = np.einsum("ij,j->i", sub, self._w_, optimize=False)
            z += self._b_
            z += np.einsum("ij,j->i", nan.astype(np.float64), self._ind_, optimize=False)
        undefined = np.isnan(z)
        if undefined.any():  # huge values pulling the log-odds to +inf and -inf at once
            r = int(np.flatnonzero(undefined)[0])
            names = [self._num_names_[j] for j in np.flatnonzero(np.abs(sub[r] * self._w_) > 1e300).tolist()]
            raise ValidationError(
                f"row {int(rows[r])}: the values of {', '.join(map(repr, names)) or 'its features'} are too "
                "large for the model (their contributions to the log-odds overflow in opposite directions)",
                field=names[0] if names else None,
                row=int(rows[r]),
            )
        return z

    def _compute(
        self, X: Any
    ) -> tuple[_input.Input, np.ndarray | None, list[np.ndarray], np.ndarray, np.ndarray]:
        """(input, numeric matrix, table codes, score, pd), block by block."""
        data = self._read(X)
        n = data.n_rows
        D = self._numeric_matrix(X, data) if self._w_.size else None
        codes = self._table_codes(data.columns)
        scaling = self.scaling_
        z = np.empty(n)
        score = np.empty(n)
        pd = np.empty(n)
        for start in range(0, n, _CHUNK):
            sl = slice(start, min(start + _CHUNK, n))
            zc = z[sl]
            if D is not None:
                np.einsum("ij,j->i", D[sl], self._w_, out=zc, optimize=False)
                zc += self._b_
                bad = ~np.isfinite(zc)
                if bad.any():
                    rows = np.flatnonzero(bad)
                    zc[rows] = self._fix_rows(D, rows + start)
            else:
                zc.fill(self._b_)
            for table, c in zip(self._tables_, codes, strict=True):
                zc += table[c[sl]]
            sc = score[sl]
            np.multiply(zc, -scaling.factor, out=sc)  # offset - factor * z, bit for bit
            sc += scaling.offset
            pd[sl] = scaling.pd(sc)
        return data, D, codes, score, pd

    def _contributions(
        self, columns: Mapping[str, np.ndarray], codes: list[np.ndarray], D: np.ndarray | None = None
    ) -> np.ndarray:
        """Points contribution of every feature, shape (rows, features), in feature order."""
        factor = self.scaling_.factor
        names = self._feature_names_
        n = len(next(iter(columns.values()))) if columns else 0
        out = np.empty((n, len(names)))
        where = {name: j for j, name in enumerate(names)}
        for j, name in enumerate(self._num_names_):
            x = D[:, j] if D is not None else columns[name]
            with np.errstate(over="ignore", invalid="ignore"):
                std = (x - self._mean_[j]) / self._scale_[j]
                overflow = np.isinf(std) & np.isfinite(x)
                if overflow.any():  # x - mean beyond float range: the same quotient, in two steps
                    std[overflow] = x[overflow] / self._scale_[j] - self._mean_[j] / self._scale_[j]
                c = -factor * self._num_coef_[j] * std
            out[:, where[name]] = np.where(np.isnan(x), -factor * self._ind_[j], c)
        for name, table, c in zip(self._table_names_, self._tables_, codes, strict=True):
            out[:, where[name]] = -factor * table[c]
        return out

    def _score_rows(
        self, X: Any, k: int
    ) -> tuple[_input.Input, np.ndarray, np.ndarray, np.ndarray, Reasons | None]:
        data, D, codes, score, pd = self._compute(X)
        grade = grade_objects(self.master_scale_, score, pd)
        why = None
        if k:
            lost = self._best_ - self._contributions(data.columns, codes, D)
            why = top_reasons(self._feature_names_, data.columns, lost, k)
        return data, score, pd, grade, why

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities of each class, shape (n, 2): ``[:, 1]`` is the probability of ``classes_[1]``."""
        return self._probabilities(self._compute(X)[4])

    def decision_function(self, X: Any) -> np.ndarray:
        """Log-odds of ``classes_[1]``: ``ln(pd / (1 - pd))`` when ``classes_[1]`` is the bad class."""
        score = self._compute(X)[3]
        return self._toward_positive(-self.scaling_.log_odds(score))

    # --- reporting -----------------------------------------------------------

    def coefficients(self) -> list[dict[str, Any]]:
        """The intercept and every model column's coefficient.

        Each dict has ``feature``, ``column``, ``coefficient`` (on the log-odds
        of bad, per unit of the model column: one standard deviation of a
        numeric feature, an indicator or level switched on, one unit of WoE),
        ``std`` (the standardising standard deviation; ``None`` for columns used
        as they are), ``odds_ratio`` (``exp(coefficient)``: the factor on the
        bad:good odds per unit of the model column) and ``points_per_unit``
        (points per unit of the feature as given: ``-factor * coefficient / std``
        for a numeric feature, ``-factor * coefficient`` otherwise).
        """
        self._check_fitted()
        factor = self.scaling_.factor
        rows: list[dict[str, Any]] = [
            {
                "feature": "(intercept)",
                "column": "(intercept)",
                "coefficient": self.intercept_,
                "std": None,
                "odds_ratio": math.exp(self.intercept_),
                "points_per_unit": None,
            }
        ]
        pos = 0
        for name in self._feature_names_:
            if self.inputs == "woe":
                cols: list[tuple[str, float | None]] = [(f"WoE({name})", None)]
            elif self._kinds_[name] == _input.NUMERIC:
                cols = [(name, self.scales_[name])]
                if self._indicator_[name]:
                    cols.append((f"{name} is missing", None))
            else:
                cols = [
                    (f"{name} = {'(missing)' if lvl is None else lvl}", None)
                    for lvl in self.categories_[name]
                ]
            for label, std in cols:
                c = float(self.coef_[pos])
                pos += 1
                rows.append(
                    {
                        "feature": name,
                        "column": label,
                        "coefficient": c,
                        "std": std,
                        "odds_ratio": math.exp(c),
                        "points_per_unit": -factor * c / (std if std is not None else 1.0),
                    }
                )
        return rows

    def _report(self) -> list[dict[str, Any]]:
        return self.coefficients()

    # --- persistence (riskkit.save / load) -----------------------------------

    _JSON_KEYS = ("params", *_saved.INPUT_KEYS, "kinds", "coef", "intercept", "best_points")
    _RAW_KEYS = ("means", "scales", "indicator", "categories")

    def _to_json(self) -> dict[str, Any]:
        """The JSON body of the fitted scorer (see :mod:`riskkit.persistence`)."""
        self._check_fitted()
        body: dict[str, Any] = {
            "params": _saved.params_to_json(self),
            **_saved.inputs_to_json(self),
            "coef": self.coef_.tolist(),
            "intercept": self.intercept_,
            "best_points": [self.best_points_[n] for n in self._feature_names_],
        }
        if self.inputs == "raw":
            body["means"] = self.means_
            body["scales"] = self.scales_
            body["indicator"] = self._indicator_
            body["categories"] = {n: list(levels) for n, levels in self.categories_.items()}
        else:
            body["binnings"] = {n: b.to_dict() for n, b in self.binnings_.items()}
        return body

    @classmethod
    def _from_json(cls, body: dict[str, Any]) -> LogisticScorer:
        """Inverse of :meth:`_to_json`; does not import scikit-learn.

        Every value is checked as fitting would have made it (JSON booleans,
        finite numbers, scales > 0, unique levels, one entry per feature), and a
        bad one is a :class:`FormatError` naming its key path, e.g. ``body.coef[3]``.
        """
        decode_mapping(body, "body", cls._JSON_KEYS, (*cls._RAW_KEYS, "binnings"))
        obj = _saved.params_from_json(cls, body["params"])
        raw = obj.inputs == "raw"
        decode_mapping(body, "body", (*cls._JSON_KEYS, *(cls._RAW_KEYS if raw else ("binnings",))))
        _saved.inputs_from_json(obj, body)
        obj.scaling_ = scaling_params(obj)
        obj.master_scale_ = master_scale_from(obj.master_scale)
        names, kinds = obj._feature_names_, obj._kinds_
        obj.coef_ = _saved.floats_from_json(body["coef"], "body.coef", finite=True)
        obj.intercept_ = decode_float(body["intercept"], "body.intercept", finite=True)
        best = _saved.floats_from_json(body["best_points"], "body.best_points", len(names), finite=True)
        obj.best_points_ = dict(zip(names, best.tolist(), strict=True))
        obj._best_ = best
        numeric = [n for n in names if kinds[n] == _input.NUMERIC]
        categorical = [n for n in names if kinds[n] == _input.CATEGORICAL]
        if raw:
            for key in ("means", "scales", "indicator"):
                decode_mapping(body[key], f"body.{key}", numeric)
            decode_mapping(body["categories"], "body.categories", categorical)
            obj.means_ = {n: decode_float(body["means"][n], f"body.means.{n}", finite=True) for n in numeric}
            obj.scales_ = {n: decode_float(body["scales"][n], f"body.scales.{n}", positive=True) for n in numeric}
            obj._indicator_ = {n: decode_bool(body["indicator"][n], f"body.indicator.{n}") for n in numeric}
            obj.categories_ = {
                n: tuple(decode_texts(body["categories"][n], f"body.categories.{n}", allow_none=True))
                for n in categorical
            }
        else:
            from riskkit.scoring._binning import Binning

            decode_mapping(body["binnings"], "body.binnings", names)
            obj.binnings_ = {}
            for n in names:
                try:
                    b = Binning.from_dict(body["binnings"][n])
                except (FormatError, KeyError, TypeError, ValueError, OverflowError) as exc:
                    raise FormatError(f"body.binnings.{n}: {type(exc).__name__}: {exc}") from None
                if b.kind != kinds[n] or not np.isfinite(np.asarray(b.woe, dtype=np.float64)).all():
                    raise FormatError(
                        f"body.binnings.{n}: a {kinds[n]} binning with finite weights of evidence expected"
                    )
                obj.binnings_[n] = b
        obj.columns_ = tuple(obj._column_labels())
        if len(obj.columns_) != obj.coef_.size:
            raise FormatError(
                f"body.coef: the model has {obj.coef_.size} coefficients but its encoding needs {len(obj.columns_)}"
            )
        obj._compile()
        if not (math.isfinite(obj._b_) and np.isfinite(obj._w_).all()):
            raise FormatError("body.coef: the coefficients, means and scales overflow when combined")
        return obj

    def _column_labels(self) -> list[str]:
        """The names of the model's columns, in order (see ``columns_``)."""
        labels: list[str] = []
        for name in self._feature_names_:
            if self.inputs == "woe":
                labels.append(f"WoE({name})")
            elif self._kinds_[name] == _input.NUMERIC:
                labels.append(name)
                if self._indicator_[name]:
                    labels.append(f"{name} is missing")
            else:
                labels.extend(f"{name} = {'(missing)' if v is None else v}" for v in self.categories_[name])
        return labels
