"""Decision-tree scorer: a shallow classification tree whose leaves are risk segments with points.

:class:`DecisionTreeScorer` is a scikit-learn binary classifier and a riskkit
:class:`~riskkit.Scorer`. Fitting imports scikit-learn
(``DecisionTreeClassifier``); the fitted tree is then kept as plain arrays
(children, split feature, threshold, where missing values go, goods and bads
per node) and scoring, including a loaded scorer, never imports scikit-learn:
rows descend the tree one level at a time for all rows at once.

Sign conventions as in :mod:`riskkit.scoring._scorecard`: ``y = 1`` (or ``bad_label``)
is bad, odds are good:bad, higher scores are safer.

Leaves
    A leaf's probability of default is smoothed, ``pd = (bads + 0.5) / (n + 1)``,
    so that a pure leaf (all goods, as small segments often are) does not
    claim a PD of 0 and an infinite score; its score is ``scaling.score(pd)``
    (docs/domain.md, *Scorecard scaling*) and its grade the master scale's grade of that PD (or
    score).
Numeric features
    Compared as scikit-learn does: a value goes left when
    ``float32(x) <= threshold``. Missing values (NaN) are supported natively
    (scikit-learn >= 1.3): each split stores whether they go left; when a
    split's feature had no missing values in training, they follow the child
    with more training rows (scikit-learn's rule). Infinite values are
    refused at fit time (scikit-learn cannot train on them) and compare as
    numbers at scoring time.
Categorical features
    Encoded by the rank of their training event rate (smoothed as the
    leaves, ``(bads + 0.5) / (n + 1)``, ties by level name): 0 for the safest
    level, so a threshold on the rank splits the levels into a safer and a
    riskier group. A missing value is NaN (handled as above). A level never
    seen in training follows ``unknown``: ``"error"`` raises naming the
    feature, value and row, ``"missing"`` scores it as a missing value and
    ``"worst"`` as the training level with the highest event rate.

Reason codes
    For each feature, the points lost are ``score(best leaf reachable by
    changing only that feature) - score(this row's leaf)``: the best leaf
    among those whose path conditions on all *other* features the row meets.
    A feature not on the row's path cannot move it, so it loses 0 points;
    ``score(X, reasons=k)`` lists the ``k`` features with the most points lost.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from riskkit._checks import NONE, Constraint, Integer, Interval
from riskkit.errors import FormatError
from riskkit.persistence import decode_bool, decode_int, decode_mapping, decode_texts
from riskkit.scoring import _input, _saved
from riskkit.scoring._docs import shared_docs
from riskkit.scoring._grades import grade_objects
from riskkit.scoring._levels import is_missing, level_codes, unknown_level_in
from riskkit.scoring._model import ModelScorer
from riskkit.scoring._params import SEED, SHARE, UNKNOWN
from riskkit.scoring._reasons import top_reasons
from riskkit.scoring._result import Reasons
from riskkit.scoring._scaling import CONSTRAINTS as SCALING
from riskkit.scoring._training import master_scale_from, refuse_values, scaling_params, training_data

__all__ = ["DecisionTreeScorer"]

_LEAF = -1
_FLOAT32_MAX = float(np.finfo(np.float32).max)
_REASON_CHUNK = 65536
#: The arrays of ``tree_`` that are saved (``pd`` and ``score`` are derived from them on loading).
_TREE_ARRAYS = ("children_left", "children_right", "feature", "threshold", "missing_go_to_left", "n", "bads")


def _fmt(t: float) -> str:
    """A threshold as the shortest text that identifies it in float32 (the precision of the comparison)."""
    v = np.float32(t)
    if v != 0 and not 1e-4 <= abs(float(v)) < 1e15:
        return np.format_float_scientific(v, trim="-")
    return np.format_float_positional(v, trim="-")


@shared_docs
class DecisionTreeScorer(ModelScorer):
    """A shallow decision tree whose leaves are scored risk segments.

    A scikit-learn classifier (``fit``, ``predict_proba``, ``decision_function``,
    ``predict``) and a riskkit :class:`~riskkit.Scorer` (``score``). Fitting
    imports scikit-learn; scoring a fitted or loaded scorer does not. See the
    module docstring for leaf PDs, missing values, categories and reason codes.

    Parameters
    ----------
    max_depth : int or None, default 3
        Maximum depth of the tree (None: grow until ``min_samples_leaf`` stops it).
    min_samples_leaf : int or float, default 0.05
        Minimum rows in a leaf: a count, or a share of the training rows.
    min_impurity_decrease : float, default 0.0
        A split must decrease the weighted Gini impurity by at least this much.
    categorical : sequence of str, optional
        Features to treat as categories; text columns are categorical anyway.
    {scaling and labels}
    master_scale : MasterScale, "default", "expert_100" or dict, optional
        Grades; by default :meth:`MasterScale.default` (by PD).
    random_state : int or None, default 0
        Seed of scikit-learn's tie-breaking between equally good splits.

    Attributes
    ----------
    {fitted input}
    tree_ : dict of str to ndarray
        The tree as arrays indexed by node (node 0 is the root):
        ``children_left``, ``children_right`` (-1 at leaves), ``feature``
        (index into the input features, -1 at leaves), ``threshold``,
        ``missing_go_to_left``, ``n`` and ``bads`` (training rows and bads
        reaching the node), ``pd`` and ``score``.
    categories_ : dict of str to tuple of str
        Training levels of each categorical feature, safest first (their rank
        is the tree's input).
    depth_ : int
        Depth of the fitted tree.
    {fitted scales}

    Examples
    --------
    >>> from riskkit.datasets import load_german_credit
    >>> X, y = load_german_credit()
    >>> X = {k: X[k] for k in ("duration_in_month", "age_in_years", "housing")}
    >>> tree = DecisionTreeScorer(max_depth=2).fit(X, y)
    >>> for rule in tree.rules():
    ...     print(f"{rule['rule']:50s} {rule['n']:4.0f} {rule['pd']:.3f} {rule['score']:.1f} {rule['grade']}")
    duration_in_month <= 11.5                           180 0.152 536.7 CCC
    11.5 < duration_in_month <= 34.5                    650 0.294 512.4 CC
    duration_in_month > 34.5 and age_in_years <= 29.5    58 0.669 466.8 C
    duration_in_month > 34.5 and age_in_years > 29.5    112 0.385 500.6 C
    >>> tree.categories_["housing"]  # safest level first
    ('own', 'rent', 'for free')
    >>> r = tree.score(X, reasons=2)
    >>> [(f, v, round(p, 1)) for f, v, p in r.reasons.row(1)]
    [('duration_in_month', 48.0, 70.0), ('age_in_years', 22.0, 33.9)]
    """

    def __init__(
        self,
        *,
        max_depth: int | None = 3,
        min_samples_leaf: int | float = 0.05,
        min_impurity_decrease: float = 0.0,
        categorical: Sequence[str] | None = None,
        unknown: str = "error",
        base_score: float = 600.0,
        base_odds: float = 50.0,
        pdo: float = 20.0,
        bad_label: Any = None,
        master_scale: Any = None,
        random_state: int | None = 0,
    ) -> None:
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.min_impurity_decrease = min_impurity_decrease
        self.categorical = categorical
        self.unknown = unknown
        self.base_score = base_score
        self.base_odds = base_odds
        self.pdo = pdo
        self.bad_label = bad_label
        self.master_scale = master_scale
        self.random_state = random_state

    # --- fitting -------------------------------------------------------------

    _constraints: ClassVar[Mapping[str, tuple[Constraint, ...]]] = {
        "max_depth": (Interval(int, 1, 1000), NONE),
        "min_samples_leaf": (Integer(1), SHARE),  # rows (an int) or a share of the rows (a float)
        "min_impurity_decrease": (Interval(float, 0, None),),
        **SCALING,
        "unknown": (UNKNOWN,),
        "random_state": (SEED, NONE),
    }

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> DecisionTreeScorer:
        """Fit the categorical encodings and the tree, and count goods and bads per node.

        Parameters
        ----------
        X : FeatureFrame, DataFrame, mapping of name to array, or 2-D array
        y : array-like of two class labels (bad = ``bad_label`` or the greater label)
        sample_weight : array-like of float, optional
            One finite weight >= 0 per row (not all 0), honoured by the order
            of the levels, the splits and the counts of every node (``n`` and
            ``bads`` become sums of weights scaled to a mean of 1, so the PD's
            smoothing keeps its meaning); ``min_samples_leaf`` still counts
            rows. A row of weight 0 is left out; equal weights are the same
            fit as none.

        Returns
        -------
        self
        """
        data = training_data(self, X, y, sample_weight)
        names, columns, kinds, y01 = data.names, data.columns, data.kinds, data.y01
        w = np.ones(y01.size) if data.weight is None else data.weight
        categories: dict[str, tuple[str, ...]] = {}
        missing_seen: dict[str, bool] = {}
        matrix = np.empty((y01.size, len(names)), dtype=np.float64)
        for j, name in enumerate(names):
            col = columns[name]
            if kinds[name] == _input.NUMERIC:
                too_big = ~(np.abs(col) <= _FLOAT32_MAX) & ~np.isnan(col)
                refuse_values(name, col, too_big, "is infinite or too large for the tree (float32); use NaN for a missing value")
                matrix[:, j] = col
                missing_seen[name] = bool(np.isnan(col).any())
            else:
                missing = is_missing(col)
                levels = sorted({str(v) for v in col[~missing].tolist()})
                codes, _ = level_codes(col, {lvl: i for i, lvl in enumerate(levels)})
                n = np.bincount(codes[~missing], weights=w[~missing], minlength=len(levels)).astype(np.float64)
                bads = np.bincount(codes[~missing], weights=(w * y01)[~missing], minlength=len(levels))
                rate = (bads + 0.5) / (n + 1.0)
                order = sorted(range(len(levels)), key=lambda i: (rate[i], levels[i]))
                categories[name] = tuple(levels[i] for i in order)
                rank = np.empty(len(levels), dtype=np.float64)
                rank[order] = np.arange(len(levels), dtype=np.float64)
                matrix[:, j] = np.where(missing, np.nan, rank[np.maximum(codes, 0)] if codes.size else 0.0)
                missing_seen[name] = bool(missing.any())

        from sklearn.tree import DecisionTreeClassifier

        model = DecisionTreeClassifier(
            max_depth=None if self.max_depth is None else int(self.max_depth),
            min_samples_leaf=self.min_samples_leaf,
            min_impurity_decrease=float(self.min_impurity_decrease),
            random_state=self.random_state,
        )
        model.fit(matrix, y01, sample_weight=data.weight)
        t = model.tree_
        self.scaling_ = data.scaling
        self.master_scale_ = data.master_scale
        self._set_inputs(names, data.named, kinds, data.classes, data.bad_positive)
        self.categories_ = categories
        self._missing_seen_ = missing_seen
        left = np.asarray(t.children_left, dtype=np.int64)
        self.tree_ = {
            "children_left": left,
            "children_right": np.asarray(t.children_right, dtype=np.int64),
            "feature": np.where(left == _LEAF, -1, np.asarray(t.feature, dtype=np.int64)),
            "threshold": np.where(left == _LEAF, 0.0, np.asarray(t.threshold, dtype=np.float64)),
            "missing_go_to_left": np.asarray(t.missing_go_to_left, dtype=bool),
            "n": np.zeros(left.size),
            "bads": np.zeros(left.size),
        }
        self._compile()
        leaf = self._leaves(self._matrix(columns), y01.size)
        n_leaf = np.bincount(leaf, weights=w, minlength=left.size).astype(np.float64)
        bads_leaf = np.bincount(leaf, weights=w * y01, minlength=left.size)
        for node in range(left.size - 1, -1, -1):  # children have larger ids than their parent
            if left[node] != _LEAF:
                n_leaf[node] = n_leaf[left[node]] + n_leaf[self.tree_["children_right"][node]]
                bads_leaf[node] = bads_leaf[left[node]] + bads_leaf[self.tree_["children_right"][node]]
        self.tree_["n"] = n_leaf
        self.tree_["bads"] = bads_leaf
        self._compile()
        return self

    def _compile(self) -> None:
        """Derive the scoring arrays from ``tree_`` (also run after loading, so scores match bit for bit)."""
        t = self.tree_
        left, right, feature = t["children_left"], t["children_right"], t["feature"]
        n_nodes = left.size
        is_leaf = left == _LEAF
        nodes = np.arange(n_nodes)
        used = sorted({int(f) for f in feature[~is_leaf]})
        self._used_ = tuple(self._feature_names_[f] for f in used)
        local = np.zeros(max(len(self._feature_names_), 1), dtype=np.int64)
        local[used] = np.arange(len(used))
        # leaves point to themselves, so every row can take depth_ steps
        self._left_ = np.where(is_leaf, nodes, left)
        self._right_ = np.where(is_leaf, nodes, right)
        self._local_ = np.where(is_leaf, 0, local[np.maximum(feature, 0)])
        self._threshold_ = np.asarray(t["threshold"], dtype=np.float64)
        self._missing_left_ = np.asarray(t["missing_go_to_left"], dtype=bool)
        depth = np.zeros(n_nodes, dtype=np.int64)
        parent = np.full(n_nodes, -1, dtype=np.int64)
        for node in range(n_nodes):
            if not is_leaf[node]:
                for child in (left[node], right[node]):
                    depth[child] = depth[node] + 1
                    parent[child] = node
        self.depth_ = int(depth.max()) if n_nodes else 0
        self._parent_ = parent
        pd = (t["bads"] + 0.5) / (t["n"] + 1.0)
        score = self.scaling_.score(pd)
        self.tree_["pd"] = pd
        self.tree_["score"] = score
        self._decision_ = -self.scaling_.log_odds(score)
        self._grade_ = grade_objects(self.master_scale_, score, pd)
        self._lookups_ = {
            n: {lvl: i for i, lvl in enumerate(levels)} for n, levels in self.categories_.items()
        }
        # every leaf's path: (node, went left) from the root
        self._leaf_ids_ = np.flatnonzero(is_leaf)
        paths = []
        for leaf in self._leaf_ids_.tolist():
            path = []
            node = leaf
            while parent[node] >= 0:
                p = int(parent[node])
                path.append((p, bool(left[p] == node)))
                node = p
            paths.append(tuple(reversed(path)))
        self._paths_ = tuple(paths)

    # --- scoring -------------------------------------------------------------

    def _needed(self) -> tuple[str, ...]:
        return self._used_

    def _matrix(self, columns: Mapping[str, np.ndarray]) -> np.ndarray:
        """The features the tree uses as a float32 (rows x used features) matrix, categories as ranks."""
        n = len(next(iter(columns.values()))) if columns else 0
        out = np.empty((n, len(self._used_)), dtype=np.float32)
        for j, name in enumerate(self._used_):
            col = columns[name]
            if self._kinds_[name] == _input.NUMERIC:
                with np.errstate(over="ignore"):  # beyond float32's range is +-inf, which compares fine
                    out[:, j] = col
                continue
            levels = self.categories_[name]
            codes, missing = level_codes(col, self._lookups_[name])
            codes[missing] = -1
            unseen = (codes < 0) & ~missing
            if unseen.any():
                if self.unknown == "error":
                    raise unknown_level_in(name, col, unseen, levels)
                codes[unseen] = -1 if self.unknown == "missing" else len(levels) - 1
            out[:, j] = np.where(codes < 0, np.nan, codes.astype(np.float64))
        return out

    def _go_left(self, M: np.ndarray, rows: np.ndarray, node: np.ndarray) -> np.ndarray:
        value = M[rows, self._local_[node]] if M.shape[1] else np.zeros(rows.size, dtype=np.float32)
        with np.errstate(invalid="ignore"):
            return np.where(np.isnan(value), self._missing_left_[node], value <= self._threshold_[node])

    def _leaves(self, M: np.ndarray, n: int) -> np.ndarray:
        """The leaf of every row: all rows descend one level per step (leaves point to themselves)."""
        node = np.zeros(n, dtype=np.int64)
        rows = np.arange(n)
        for _ in range(self.depth_):
            node = np.where(self._go_left(M, rows, node), self._left_[node], self._right_[node])
        return node

    def apply(self, X: Any) -> np.ndarray:
        """The leaf (node id in ``tree_``) of every row of X."""
        data = self._read(X)
        return self._leaves(self._matrix(data.columns), data.n_rows)

    def _score_rows(
        self, X: Any, k: int
    ) -> tuple[_input.Input, np.ndarray, np.ndarray, np.ndarray, Reasons | None]:
        data = self._read(X)
        M = self._matrix(data.columns)
        leaf = self._leaves(M, data.n_rows)
        why = self._reasons(data, M, leaf, k) if k else None
        return data, self.tree_["score"][leaf], self.tree_["pd"][leaf], self._grade_[leaf], why

    def _reasons(self, data: _input.Input, M: np.ndarray, leaf: np.ndarray, k: int) -> Reasons:
        names = self._used_
        n = data.n_rows
        lost = np.zeros((n, len(names)))
        internal = np.flatnonzero(self.tree_["children_left"] != _LEAF)
        col_of = {int(v): i for i, v in enumerate(internal.tolist())}
        local = self._local_
        scores = self.tree_["score"]
        for start in range(0, n, _REASON_CHUNK):
            sl = slice(start, min(start + _REASON_CHUNK, n))
            m = M[sl]
            rows = np.arange(m.shape[0])
            # the direction every row would take at every split
            goes_left = np.empty((m.shape[0], internal.size), dtype=bool)
            for i, node in enumerate(internal.tolist()):
                goes_left[:, i] = self._go_left(m, rows, np.full(m.shape[0], node))
            own = scores[leaf[sl]]
            best = np.repeat(own[:, None], len(names), axis=1)
            for leaf_id, path in zip(self._leaf_ids_.tolist(), self._paths_, strict=True):
                if not path:
                    continue
                cols = [col_of[p] for p, _ in path]
                wrong = goes_left[:, cols] != np.array([d for _, d in path])
                feats = np.array([local[p] for p, _ in path])
                for f in np.unique(feats).tolist():
                    reachable = ~wrong[:, feats != f].any(axis=1)
                    np.maximum(best[:, f], np.where(reachable, scores[leaf_id], -np.inf), out=best[:, f])
            lost[sl] = best - own[:, None]
        return top_reasons(names, data.columns, lost, k)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities of each class, shape (n, 2): ``[:, 1]`` is the probability of ``classes_[1]``."""
        leaf = self.apply(X)
        return self._probabilities(self.tree_["pd"][leaf])

    def decision_function(self, X: Any) -> np.ndarray:
        """Log-odds of ``classes_[1]``: ``ln(pd / (1 - pd))`` of the leaf when ``classes_[1]`` is bad."""
        leaf = self.apply(X)  # first: it checks that the tree is fitted
        return self._toward_positive(self._decision_[leaf])

    # --- reporting -----------------------------------------------------------

    def _condition(self, f: int, steps: list[tuple[int, bool]]) -> str:
        """One feature's conditions on a path, merged into readable text."""
        name = self._feature_names_[f]
        lo, hi = -math.inf, math.inf
        nan_ok = True
        for node, went_left in steps:
            t = float(self._threshold_[node])
            if went_left:
                hi = min(hi, t)
            else:
                lo = max(lo, t)
            nan_ok = nan_ok and bool(self._missing_left_[node]) == went_left
        show_missing = self._missing_seen_[name]
        if self._kinds_[name] == _input.CATEGORICAL:
            levels = self.categories_[name]
            inside = [lvl for r, lvl in enumerate(levels) if lo < r <= hi]
            values = "" if len(inside) == len(levels) else f"{name} in {{{', '.join(map(repr, inside))}}}"
            if not inside:
                values = "none"
        else:
            if lo >= hi:
                values = "none"
            elif lo == -math.inf and hi == math.inf:
                values = ""
            elif lo == -math.inf:
                values = f"{name} <= {_fmt(hi)}"
            elif hi == math.inf:
                values = f"{name} > {_fmt(lo)}"
            else:
                values = f"{_fmt(lo)} < {name} <= {_fmt(hi)}"
        if values == "none":
            return f"{name} is missing"
        if not show_missing:
            return values
        if nan_ok:
            return f"({values} or {name} is missing)" if values else ""
        return values or f"{name} is not missing"

    def rules(self) -> list[dict[str, Any]]:
        """One dict per leaf: ``leaf`` (node id), ``rule`` (if-then condition), ``n``, ``bads``, ``pd``, ``score``, ``grade``.

        A rule joins one condition per feature on the leaf's path with
        ``and``; numeric thresholds are shown as float32 (the precision of
        the comparison), categories as the set of levels. ``or ... is
        missing`` is shown for features that had missing values in training.
        """
        self._check_fitted()
        out = []
        t = self.tree_
        for leaf, path in zip(self._leaf_ids_.tolist(), self._paths_, strict=True):
            by_feature: dict[int, list[tuple[int, bool]]] = {}
            for node, went_left in path:
                by_feature.setdefault(int(t["feature"][node]), []).append((node, went_left))
            parts = [self._condition(f, steps) for f, steps in by_feature.items()]
            rule = " and ".join(p for p in parts if p) or "all rows"
            out.append(
                {
                    "leaf": leaf,
                    "rule": rule,
                    "n": float(t["n"][leaf]),
                    "bads": float(t["bads"][leaf]),
                    "pd": float(t["pd"][leaf]),
                    "score": float(t["score"][leaf]),
                    "grade": str(self._grade_[leaf]),
                }
            )
        return out

    _HTML_DIGITS = 3

    def _report(self) -> list[dict[str, Any]]:
        return self.rules()

    # --- persistence (riskkit.save / load) -----------------------------------

    _JSON_KEYS = ("params", *_saved.INPUT_KEYS, "kinds", "missing_seen", "categories", "tree")

    def _to_json(self) -> dict[str, Any]:
        """The JSON body of the fitted scorer (see :mod:`riskkit.persistence`)."""
        self._check_fitted()
        return {
            "params": _saved.params_to_json(self),
            **_saved.inputs_to_json(self),
            "missing_seen": [self._missing_seen_[n] for n in self._feature_names_],
            "categories": {n: list(levels) for n, levels in self.categories_.items()},
            "tree": {key: self.tree_[key].tolist() for key in _TREE_ARRAYS},
        }

    @classmethod
    def _from_json(cls, body: dict[str, Any]) -> DecisionTreeScorer:
        """Inverse of :meth:`_to_json`; does not import scikit-learn.

        Every value is checked as fitting would have made it (JSON booleans,
        whole node ids, finite thresholds, counts with 0 <= bads <= n, unique
        levels, one entry per node or feature, a binary tree); a bad one is a
        :class:`FormatError` naming its key path, e.g. ``body.tree.threshold[3]``.
        """
        decode_mapping(body, "body", cls._JSON_KEYS)
        obj = _saved.params_from_json(cls, body["params"])
        _saved.inputs_from_json(obj, body)
        obj.scaling_ = scaling_params(obj)
        obj.master_scale_ = master_scale_from(obj.master_scale)
        names, kinds = obj._feature_names_, obj._kinds_
        seen = body["missing_seen"]
        if not isinstance(seen, list) or len(seen) != len(names):
            raise FormatError(f"body.missing_seen: expected one true/false per feature ({len(names)})")
        obj._missing_seen_ = {
            n: decode_bool(v, f"body.missing_seen[{i}]") for i, (n, v) in enumerate(zip(names, seen, strict=True))
        }
        categorical = [n for n in names if kinds[n] == _input.CATEGORICAL]
        decode_mapping(body["categories"], "body.categories", categorical)
        obj.categories_ = {n: tuple(decode_texts(body["categories"][n], f"body.categories.{n}")) for n in categorical}
        obj.tree_ = _tree_from_json(body["tree"], len(names))
        obj._compile()
        return obj


def _tree_from_json(value: Any, n_features: int) -> dict[str, np.ndarray]:
    """The saved tree arrays, checked to describe a binary tree over ``n_features`` features."""
    raw = decode_mapping(value, "body.tree", _TREE_ARRAYS)
    size = raw["children_left"]
    if not isinstance(size, list) or not size:
        raise FormatError("body.tree.children_left: expected a non-empty list of node ids")
    n_nodes = len(size)
    for key in _TREE_ARRAYS:
        if not isinstance(raw[key], list) or len(raw[key]) != n_nodes:
            raise FormatError(f"body.tree.{key}: expected one entry per node ({n_nodes})")
    tree: dict[str, np.ndarray] = {}
    for key, low, high in (("children_left", -1, n_nodes - 1), ("children_right", -1, n_nodes - 1),
                           ("feature", -1, n_features - 1)):
        tree[key] = np.array([decode_int(v, f"body.tree.{key}[{i}]", low, high) for i, v in enumerate(raw[key])],
                             dtype=np.int64)
    tree["missing_go_to_left"] = np.array(
        [decode_bool(v, f"body.tree.missing_go_to_left[{i}]") for i, v in enumerate(raw["missing_go_to_left"])],
        dtype=bool,
    )
    tree["threshold"] = _saved.floats_from_json(raw["threshold"], "body.tree.threshold", finite=True)
    tree["n"] = _saved.floats_from_json(raw["n"], "body.tree.n", nonnegative=True)
    tree["bads"] = _saved.floats_from_json(raw["bads"], "body.tree.bads", nonnegative=True)
    over = np.flatnonzero(tree["bads"] > tree["n"])
    if over.size:
        raise FormatError(f"body.tree.bads[{int(over[0])}]: more bads than rows at the node")
    internal = tree["children_left"] != _LEAF
    children = np.concatenate([tree["children_left"][internal], tree["children_right"][internal]])
    nodes = np.arange(n_nodes)
    if (
        (tree["children_right"][~internal] != _LEAF).any()
        or (children <= np.concatenate([nodes[internal], nodes[internal]])).any()
        or (children >= n_nodes).any()
        or np.unique(children).size != children.size
        or children.size != n_nodes - 1
        or (tree["feature"][internal] < 0).any()
        or (tree["feature"][internal] >= n_features).any()
    ):
        raise FormatError("body.tree: the tree arrays do not describe a binary tree over the features")
    return tree
