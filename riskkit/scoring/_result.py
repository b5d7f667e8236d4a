"""ScoreResult: what every scorer returns, as columns.

Examples
--------
>>> import numpy as np
>>> r = ScoreResult(score=np.array([612.0, 540.5]), pd=np.array([0.013, 0.11]),
...                 grade=np.array(["BB", "CCC"], dtype=object), customer_ids=["C1", "C2"])
>>> r
ScoreResult(2 rows, score 540.5..612.0)
>>> r.to_records()[0]
{'customer_id': 'C1', 'score': 612.0, 'pd': 0.013, 'grade': 'BB'}
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

from riskkit._checks import check, readonly
from riskkit.errors import ValidationError
from riskkit.scoring._params import BOOLEAN

__all__ = ["Reasons", "ScoreResult", "default_flags", "grade_defaults"]

# the result's arrays are read-only views of what the scorer computed: no copy of a million-row batch


def _floats(a: Any) -> np.ndarray:
    return readonly(a, np.float64)


def _objects(a: Any) -> np.ndarray:
    return readonly(a, object)


def _texts(a: Any) -> np.ndarray:
    """Grades as given when already text (numpy str), else as objects."""
    arr = np.asarray(a)
    return readonly(arr if arr.dtype.kind == "U" else arr.astype(object))


def _optional_objects(a: Any) -> np.ndarray | None:
    return None if a is None else readonly(a, object)


@attrs.frozen(eq=False)
class Reasons:
    """Reason codes: per customer, the features that cost the most points.

    Each array has shape ``(n_customers, k)``; row ``i`` lists customer
    ``i``'s top ``k`` features by points lost against the best attainable bin,
    largest first. Unused slots (fewer than ``k`` features lost points) hold
    ``""``, ``None`` and ``0.0``.
    """

    features: np.ndarray = attrs.field(converter=_objects)
    values: np.ndarray = attrs.field(converter=_objects)
    points_lost: np.ndarray = attrs.field(converter=_floats)

    @classmethod
    def _of_one(cls, features: list[str], values: list[Any], points_lost: list[float]) -> Reasons:
        """The reasons of one customer from lists of plain values (the one-customer path): no conversion to check."""
        made = object.__new__(cls)
        k = len(features)
        for name, arr in (("features", np.array(features, dtype=object)),  # text: never read as a sequence
                          ("values", np.fromiter(values, dtype=object, count=k)),  # each value as it is
                          ("points_lost", np.array(points_lost, dtype=np.float64))):
            arr = arr.reshape(1, k)
            arr.flags.writeable = False
            object.__setattr__(made, name, arr)
        return made

    def row(self, i: int) -> list[tuple[str, Any, float]]:
        """Customer ``i``'s reasons as ``(feature, value, points_lost)`` tuples."""
        return [
            (str(f), v, float(p))
            for f, v, p in zip(self.features[i], self.values[i], self.points_lost[i], strict=True)
            if f
        ]


@attrs.frozen(eq=False)
class ScoreResult:
    """Scores, probabilities of default and grades, one row per scored customer.

    Attributes
    ----------
    score : ndarray of float64
        Points; higher is safer.
    pd : ndarray of float64
        Probability of default.
    grade : ndarray of str
        Grade from the scorer's master scale (``""`` where the score is NaN).

    The arrays are read-only views of what the scorer computed (no copies).
    customer_ids : ndarray or None
        Row labels when the input had them (a FeatureFrame or an index).
    reasons : Reasons or None
        Present when scoring was asked for reasons (``score(X, reasons=k)``).
    override : ndarray of str or None
        Why a rule set the grade rather than the points (``""`` where none
        did): ``"in default"`` for a customer in default (graded D, PD 1;
        docs/domain.md, default), or the reason of an expert card's override.
        None when no rule applied to any row.
    """

    score: np.ndarray = attrs.field(converter=_floats)
    pd: np.ndarray = attrs.field(converter=_floats)
    grade: np.ndarray = attrs.field(converter=_texts)
    customer_ids: np.ndarray | None = attrs.field(default=None, converter=_optional_objects)
    reasons: Reasons | None = None
    override: np.ndarray | None = attrs.field(default=None, converter=_optional_objects)

    def __attrs_post_init__(self) -> None:
        n = self.score.shape
        for name in ("pd", "grade"):
            if getattr(self, name).shape != n:
                raise ValidationError(f"ScoreResult.{name} has shape {getattr(self, name).shape}, expected {n}")
        for name in ("customer_ids", "override"):
            value = getattr(self, name)
            if value is not None and value.shape != n:
                raise ValidationError(f"ScoreResult.{name} has shape {value.shape}, expected {n}")

    @classmethod
    def _of_one(cls, score: np.ndarray, pd: np.ndarray, grade: np.ndarray, reasons: Reasons | None) -> ScoreResult:
        """The result of one customer, from the new 1-element arrays of the service path (no conversions)."""
        made = object.__new__(cls)
        for name, value in (("score", score), ("pd", pd), ("grade", grade)):
            value.flags.writeable = False
            object.__setattr__(made, name, value)
        object.__setattr__(made, "customer_ids", None)
        object.__setattr__(made, "reasons", reasons)
        object.__setattr__(made, "override", None)
        return made

    def __len__(self) -> int:
        return int(self.score.size)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        """The scores as an array, so a ScoreResult compares and plots like its points."""
        out = self.score if dtype is None else self.score.astype(dtype)
        return out.copy() if copy else out

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per row: ``customer_id`` (when known), ``score``, ``pd``, ``grade`` and reasons."""
        out = []
        for i in range(len(self)):
            rec: dict[str, Any] = {}
            if self.customer_ids is not None:
                rec["customer_id"] = self.customer_ids[i]
            rec["score"] = float(self.score[i])
            rec["pd"] = float(self.pd[i])
            rec["grade"] = str(self.grade[i])
            if self.override is not None:
                rec["override"] = str(self.override[i])
            if self.reasons is not None:
                for j, (f, v, p) in enumerate(self.reasons.row(i), start=1):
                    rec[f"reason_{j}"] = f
                    rec[f"reason_{j}_value"] = v
                    rec[f"reason_{j}_points"] = p
            out.append(rec)
        return out

    def to_pandas(self) -> Any:
        """A pandas DataFrame (needs pandas), indexed by customer id when known."""
        import pandas as pd

        data: dict[str, Any] = {"score": self.score, "pd": self.pd, "grade": self.grade}
        if self.override is not None:
            data["override"] = self.override
        if self.reasons is not None:
            for j in range(self.reasons.features.shape[1]):
                data[f"reason_{j + 1}"] = self.reasons.features[:, j]
                data[f"reason_{j + 1}_value"] = self.reasons.values[:, j]
                data[f"reason_{j + 1}_points"] = self.reasons.points_lost[:, j]
        index = None if self.customer_ids is None else pd.Index(self.customer_ids, name="customer_id")
        return pd.DataFrame(data, index=index)

    def __repr__(self) -> str:
        n = len(self)
        if n == 0 or np.isnan(self.score).all():
            return f"ScoreResult({n} rows)"
        return f"ScoreResult({n} rows, score {np.nanmin(self.score):.1f}..{np.nanmax(self.score):.1f})"

    def _repr_html_(self, max_rows: int = 10) -> str:
        from riskkit._display import html_table

        headers = ["customer_id", "score", "pd", "grade"]
        if self.override is not None:
            headers.append("override")
        if self.reasons is not None:
            headers.append("reasons")
        rows = []
        for i in range(min(len(self), max_rows)):
            row: list[Any] = [
                self.customer_ids[i] if self.customer_ids is not None else i,
                float(self.score[i]),
                f"{self.pd[i]:.2%}",
                self.grade[i],
            ]
            if self.override is not None:
                row.append(self.override[i])
            if self.reasons is not None:
                row.append("; ".join(f"{f} (-{p:.1f})" for f, _, p in self.reasons.row(i)))
            rows.append(row)
        return html_table(
            headers, rows, caption="riskkit.ScoreResult", footer=f"{len(self)} rows",
            units={"score": "points", "reasons": "points lost"},
        )


def default_flags(X: Any, n: int) -> np.ndarray | None:
    """The rows of X flagged in default (an ``in_default`` column > 0), or None when X has no such column.

    X is what a scorer was given: a FeatureFrame (``Portfolio.features`` adds
    ``in_default``), a pandas DataFrame, or a mapping of name to values (or to
    one value, for a single customer).
    """
    if type(X) is dict:  # the one-customer service path, at no cost
        column = X.get("in_default")
        if column is None:
            return None
    from collections.abc import Mapping

    from riskkit._frame import FeatureFrame

    if isinstance(X, FeatureFrame):
        column = X["in_default"] if "in_default" in X.names else None
    elif isinstance(X, Mapping):
        column = X.get("in_default")
    elif hasattr(X, "columns") and hasattr(X, "__getitem__"):  # a pandas DataFrame
        column = X["in_default"].to_numpy() if "in_default" in list(X.columns) else None
    else:
        column = None
    if column is None:
        return None
    try:
        flags = np.asarray(column, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError, OverflowError):
        # objects (Decimal, pandas NA, huge ints, text): one by one, as a numeric feature is read
        from riskkit.scoring._input import number

        values = np.asarray(column, dtype=object).reshape(-1)
        flags = np.array([number(v, "in_default", i) for i, v in enumerate(values.tolist())], dtype=np.float64)
    if flags.size != n:
        return None
    return np.nan_to_num(flags) > 0


def grade_defaults(result: ScoreResult, X: Any, enabled: bool = True, default_grade: str = "D") -> ScoreResult:
    """``result`` with every row of X that is in default graded ``default_grade`` with PD 1.

    The score stays the model's (so model development can still rank
    defaulted customers); ``override`` says ``"in default"`` on those rows.
    ``enabled=False`` returns ``result`` as it is.
    """
    if type(enabled) is not bool:  # checked only when not a plain bool: the service path scores one row
        enabled = check("grade_defaults", enabled, BOOLEAN)
    flags = default_flags(X, len(result)) if enabled else None
    if flags is None or not flags.any():
        return result
    grade = np.where(flags, default_grade, result.grade)  # text stays text: no string object per row
    pd = np.where(flags, 1.0, result.pd)
    override = np.full(len(result), "", dtype=object) if result.override is None else result.override.copy()
    override[flags] = "in default"
    return attrs.evolve(result, grade=grade, pd=pd, override=override)
