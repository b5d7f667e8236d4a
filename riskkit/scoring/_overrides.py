"""Overrides of an expert card: rules on facts that the points alone would understate.

An expert card's points add up its features; a few facts must weigh more than
any sum (docs/domain.md, default and overrides): a customer 60 days past due
on a material amount is not an A, whatever its balance sheet. An override is
a condition on features and an action, with the reason that shows in
:attr:`riskkit.ScoreResult.override`::

    {"when": [{"feature": ["aging_61_90", "aging_91_plus"], "above": 500},
              {"feature": "max_days_past_due", "above": 60}],
     "cap": "CCC",
     "reason": "more than 500 over 60 days past due"}

``when`` lists conditions that must all hold. Each names a feature (or a
list of features, whose sum is tested) and one test: ``above`` (>),
``at_least`` (>=), ``below`` (<), ``at_most`` (<=), ``equals`` (==) or
``missing`` (true: the value is NaN; false: it is known). A NaN fails every
test but ``missing``. The action is one of

* ``cap``: the best grade allowed (a worse grade stays);
* ``floor``: the worst grade allowed (a better grade stays);
* ``missing_points``: ``{"feature": name, "points": p}``: where that card
  feature is missing, it earns ``p`` instead of its usual missing points:
  a missing input stops earning neutral points when a worse fact is known.
  The score, PD and grade follow the new points.

Points overrides apply first, in the card's order, the first that matches a
row setting a feature's points; then caps and floors.
A cap or floor changes the grade, never the score or PD.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from riskkit._checks import check
from riskkit.errors import ValidationError
from riskkit.scoring._params import BOOLEAN, REAL

__all__ = ["Condition", "Override", "apply", "overrides_from_spec"]

_TESTS = {
    "above": np.greater,
    "at_least": np.greater_equal,
    "below": np.less,
    "at_most": np.less_equal,
    "equals": np.equal,
}
_ACTIONS = ("cap", "floor", "missing_points")


@attrs.frozen
class Condition:
    """One test on a feature (or on the sum of several)."""

    features: tuple[str, ...]
    test: str
    value: Any

    def holds(self, columns: Mapping[str, np.ndarray]) -> np.ndarray:
        total = columns[self.features[0]].copy()
        for name in self.features[1:]:
            total = total + columns[name]
        if self.test == "missing":
            return np.isnan(total) if self.value else ~np.isnan(total)
        with np.errstate(invalid="ignore"):
            return np.asarray(_TESTS[self.test](total, self.value)) & ~np.isnan(total)

    def to_spec(self) -> dict[str, Any]:
        feature: Any = self.features[0] if len(self.features) == 1 else list(self.features)
        return {"feature": feature, self.test: self.value}


@attrs.frozen
class Override:
    """Conditions that must all hold, one action, and the reason shown to a credit manager."""

    when: tuple[Condition, ...]
    action: str
    target: Any
    reason: str

    @property
    def features(self) -> tuple[str, ...]:
        names = [n for c in self.when for n in c.features]
        if self.action == "missing_points":
            names.append(self.target[0])
        return tuple(dict.fromkeys(names))

    def to_spec(self) -> dict[str, Any]:
        target = {"feature": self.target[0], "points": self.target[1]} if self.action == "missing_points" else self.target
        return {"when": [c.to_spec() for c in self.when], self.action: target, "reason": self.reason}


def _condition(spec: Any, where: str) -> Condition:
    if not isinstance(spec, Mapping):
        raise ValidationError(f"{where}: a condition must be a mapping such as {{'feature': 'x', 'above': 1}}")
    extra = set(spec) - {"feature", "missing", *_TESTS}
    tests = [k for k in spec if k in _TESTS or k == "missing"]
    if extra or len(tests) != 1 or "feature" not in spec:
        raise ValidationError(
            f"{where}: a condition has 'feature' and exactly one of {', '.join([*_TESTS, 'missing'])}; "
            f"got keys {sorted(spec)}"
        )
    names = spec["feature"]
    names = [names] if isinstance(names, str) else names
    if not isinstance(names, list) or not names or not all(isinstance(n, str) and n for n in names):
        raise ValidationError(f"{where}.feature must be a feature name or a list of names, got {spec['feature']!r}")
    test = tests[0]
    value = spec[test]
    value = check(test, value, BOOLEAN if test == "missing" else REAL, where=f"{where}.")
    return Condition(tuple(names), test, value)


def _grades(card: Any) -> tuple[str, ...]:
    """The card's grades, best first, ending with the default grade."""
    scale = card.master_scale
    return tuple(dict.fromkeys((*scale.grades, scale.default_grade)))


def overrides_from_spec(specs: Any, card: Any) -> tuple[Override, ...]:
    """Parse and check an expert card's ``overrides`` list against its card (features, grades)."""
    if specs is None:
        return ()
    if not isinstance(specs, Sequence) or isinstance(specs, str):
        raise ValidationError("'overrides' must be a list of mappings with 'when', an action and 'reason'")
    grades = _grades(card)
    out = []
    for i, spec in enumerate(specs):
        where = f"overrides[{i}]"
        if not isinstance(spec, Mapping):
            raise ValidationError(f"{where} must be a mapping, got {type(spec).__name__}")
        actions = [k for k in spec if k in _ACTIONS]
        extra = set(spec) - {"when", "reason", *_ACTIONS}
        if extra or len(actions) != 1:
            raise ValidationError(
                f"{where}: expected 'when', 'reason' and exactly one of {', '.join(_ACTIONS)}; got keys {sorted(spec)}"
            )
        when = spec.get("when")
        if isinstance(when, Mapping):
            when = [when]
        if not isinstance(when, list) or not when:
            raise ValidationError(f"{where}.when must be a non-empty list of conditions")
        conditions = tuple(_condition(c, f"{where}.when[{j}]") for j, c in enumerate(when))
        reason = spec.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise ValidationError(f"{where}.reason must be a non-empty text a credit manager can read")
        action = actions[0]
        target = spec[action]
        if action in ("cap", "floor"):
            if target not in grades:
                raise ValidationError(f"{where}.{action} {target!r} is not a grade of the card's scale: {', '.join(grades)}")
        else:
            if not isinstance(target, Mapping) or set(target) != {"feature", "points"}:
                raise ValidationError(f"{where}.missing_points must be {{'feature': name, 'points': number}}")
            if target["feature"] not in card.names:
                raise ValidationError(
                    f"{where}.missing_points.feature {target['feature']!r} is not a feature of the card: "
                    f"{', '.join(card.names)}"
                )
            points = check("points", target["points"], REAL, where=f"{where}.missing_points.")
            target = (target["feature"], points)
        out.append(Override(conditions, action, target, reason.strip()))
    return tuple(out)


def apply(result: Any, columns: Mapping[str, np.ndarray], card: Any, overrides: Sequence[Override]) -> Any:
    """``result`` with the overrides applied to its rows; ``columns`` holds every feature they read."""
    if not overrides:
        return result
    n = len(result)
    score = np.asarray(result.score, dtype=np.float64).copy()
    reasons = np.full(n, "", dtype=object)
    touched = np.zeros(n, dtype=bool)

    def note(mask: np.ndarray, text: str) -> None:
        rows = np.flatnonzero(mask)
        reasons[rows] = np.where(reasons[rows] == "", text, reasons[rows] + "; " + text)
        touched[rows] = True

    missing_of = {f.name: float(f.points[f.missing_bin]) for f in card.features}
    done: dict[str, np.ndarray] = {}  # per feature, rows an earlier points override already set
    for o in overrides:
        if o.action != "missing_points":
            continue
        feature, points = o.target
        hit = np.isnan(columns[feature]) & ~done.setdefault(feature, np.zeros(n, dtype=bool))
        for c in o.when:
            hit &= c.holds(columns)
        done[feature] |= hit
        if hit.any():
            score[hit] += points - missing_of[feature]
            note(hit & (points != missing_of[feature]), o.reason)
    if touched.any():
        pd = card.scaling.pd(score)
        text = card.grade(score, pd)
    else:
        pd = np.asarray(result.pd, dtype=np.float64)
        text = result.grade
    order = {g: i for i, g in enumerate(_grades(card))}
    # each grade's rank, mapped once per distinct grade (no Python per row); "" and unknown grades: -1
    names, inverse = np.unique(np.asarray(text).astype(str), return_inverse=True)
    inverse = inverse.ravel()
    grade = names.astype(object)[inverse]  # one string object per distinct grade, not one per customer
    rank = np.array([order.get(g, -1) for g in names.tolist()], dtype=np.int64)[inverse]
    for o in overrides:
        if o.action == "missing_points":
            continue
        hit = np.ones(n, dtype=bool)
        for c in o.when:
            hit &= c.holds(columns)
        limit = order[o.target]
        change = hit & (rank >= 0) & ((rank < limit) if o.action == "cap" else (rank > limit))
        if change.any():
            grade[change] = o.target
            rank[change] = limit
            note(change, o.reason)
    if not touched.any():
        return result
    previous = result.override
    if previous is not None:
        reasons = np.where(previous == "", reasons, np.where(reasons == "", previous, previous + "; " + reasons))
    return attrs.evolve(result, score=score, pd=pd, grade=grade, override=reasons)
